/**
 * Receipts on the cashier's screen (issue 14), real Chromium against browser mode with a
 * socat pty printer: the Settings section (printer spec, width, when, test page), a paid sale
 * whose receipt did not print ("Receipt not printed: the printer is out of paper") and its
 * Reprint once there is paper, the receipt's picture (screenshot), History's reprint, and the
 * "Print receipt?" question when printing is set to ask.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../electron/app/paths.ts';
import { viteBin } from '../../electron/app/rendererBuild.ts';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';
import {
  indexOfBytes,
  startSerialFakePrinter,
  type SerialFakePrinter,
} from '../support/fakePrinter.ts';
import { stopAllSocat } from '../support/socatPair.ts';

const CUT = Uint8Array.of(0x1d, 0x56);
const work = mkdtempSync(path.join(tmpdir(), 'pospay-receipts-e2e-'));
const link = path.join(work, 'printer');

// This checkout's screen, built for this file (dist/renderer may be older than the sources).
const staticDir = path.join(work, 'renderer');
const build = spawnSync(
  process.execPath,
  [viteBin(), 'build', '--outDir', staticDir, '--emptyOutDir', '--logLevel', 'error'],
  { cwd: appRoot(), encoding: 'utf8' },
);
if (build.status !== 0) throw new Error(`the renderer did not build: ${build.stderr}`);

const e2e = useChromiumTerminal({ staticDir });
let printer: SerialFakePrinter;

beforeAll(async () => {
  mkdirSync('test-results/screens', { recursive: true });
  printer = await startSerialFakePrinter({ linkA: link });
});

afterAll(async () => {
  await printer?.close();
  await stopAllSocat();
  rmSync(work, { recursive: true, force: true });
});

async function unlockedSettings(): Promise<Page> {
  const page = await e2e.readyPage();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('pin-input').fill('1234');
  await page.getByTestId('settings-unlock').click();
  await page.getByTestId('receipt-settings').waitFor();
  return page;
}

async function paidSale(page: Page, amount: string): Promise<string> {
  await page.keyboard.type(amount, { delay: 60 });
  await expect.poll(() => page.getByTestId('amount-display').textContent()).toContain(amount);
  await page.keyboard.press('Enter');
  await page.getByTestId('scan-prompt').waitFor();
  await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
  await waitForStatus(page, 'paid');
  const orderId = await page.locator('.result-facts dd').nth(2).textContent();
  expect(orderId).toBeTruthy();
  return orderId ?? '';
}

/** The printer and the store as the Settings test saves them (each test may run alone). */
async function usePrinter(when: 'always' | 'ask' = 'always'): Promise<void> {
  const saved = await e2e.terminal.app.invoke('settings:save', {
    pin: '1234',
    receipts: { printer: `serial:${link}`, storeName: '好味茶餐厅', when },
  });
  expect(saved.ok).toBe(true);
}

/** The receipts the fake printer received so far, decoded. */
const printedText = () => iconv.decode(printer.received(), 'gb18030');

async function receiptsSettled(): Promise<void> {
  await expect.poll(() => indexOfBytes(printer.received(), CUT) >= 0).toBe(true);
}

describe('receipts on the screen', () => {
  it('Settings: printer spec, 58 mm, store name, test page; touch targets ≥ 44 px', async () => {
    const page = await unlockedSettings();
    const section = page.getByTestId('receipt-settings');
    await page.getByTestId('receipt-find-printers').click();
    await page.getByTestId('receipt-printers-found').waitFor();
    await page.getByTestId('receipt-printer-choice').selectOption('__typed__');
    // A malformed spec says what is wrong and cannot be saved.
    await page.getByTestId('receipt-printer-spec').fill('lpt1');
    await expect(page.getByTestId('receipt-spec-problem').textContent()).resolves.toContain(
      'printer spec "lpt1"',
    );
    await expect(page.getByTestId('receipt-settings-save').isDisabled()).resolves.toBe(true);
    await page.getByTestId('receipt-printer-spec').fill(`serial:${link}`);
    await page.getByTestId('receipt-store-name').fill('好味茶餐厅');
    await page.getByTestId('receipt-store-address').fill('北京市朝阳区建国路 1 号');
    await page.getByTestId('receipt-width-58').check();
    await expect(
      page.getByTestId('receipt-codepage').locator('option').first().textContent(),
    ).resolves.toContain('GB18030');
    await page.getByTestId('receipt-test-page').click();
    await expect
      .poll(() => page.getByTestId('receipt-settings-message').textContent())
      .toBe('Test page printed.');
    await receiptsSettled();
    expect(printedText()).toContain('TEST PAGE');
    expect(printedText()).toContain('好味茶餐厅');
    await page.getByTestId('receipt-settings-save').click();
    await expect
      .poll(() => page.getByTestId('receipt-settings-message').textContent())
      .toBe('Receipt settings saved.');
    const saved = await e2e.terminal.app.invoke('settings:get', {});
    expect(saved.ok && (saved.value as { receipts: unknown }).receipts).toMatchObject({
      printer: `serial:${link}`,
      storeName: '好味茶餐厅',
      paperWidth: 58,
      when: 'always',
    });
    const small = await section
      .locator('button, select, input:not([type="radio"]), label.radio')
      .evaluateAll((els) =>
        els
          .filter((el) => (el as HTMLElement).offsetParent !== null)
          .map((el) => Math.round(el.getBoundingClientRect().height))
          .filter((h) => h < 44),
      );
    expect(small).toEqual([]);
    await section.screenshot({ path: 'test-results/screens/receipt-settings.png' });
  });

  it('out of paper: the sale is paid, "Receipt not printed: <why>", Reprint prints it; the preview opens', async () => {
    await usePrinter();
    printer.paper = 'out-of-paper';
    const page = await e2e.readyPage();
    const before = printer.received().length;
    const orderId = await paidSale(page, '12.30');
    const notice = page.getByTestId('receipt-notice');
    await page.locator('[data-testid="receipt-notice"][data-state="not-printed"]').waitFor();
    await expect(page.getByTestId('receipt-not-printed').textContent()).resolves.toBe(
      'Receipt not printed: the printer is out of paper',
    );
    await waitForStatus(page, 'paid');
    expect(printer.received().length - before).toBeLessThan(16); // status requests only

    printer.paper = 'ok';
    await notice.getByTestId('receipt-reprint').click();
    await page.locator('[data-testid="receipt-notice"][data-state="printed"]').waitFor();
    await expect.poll(() => printedText().includes(orderId)).toBe(true);

    // The picture of the receipt: small, a tap opens it (it is an image that loaded).
    const image = page.getByTestId('receipt-preview');
    await image.waitFor();
    await expect(
      image.evaluate(
        (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth,
      ),
    ).resolves.toBeGreaterThan(300);
    const small = await image.boundingBox();
    await page.getByTestId('receipt-preview-toggle').click();
    await expect
      .poll(async () => (await image.boundingBox())?.width ?? 0)
      .toBeGreaterThan((small?.width ?? 0) * 2);
    await page.screenshot({ path: 'test-results/screens/receipt-result-preview.png' });
  });

  it("History: the sale's detail reprints its receipt and shows its picture", async () => {
    await usePrinter();
    const page = await e2e.readyPage();
    const orderId = await paidSale(page, '4.50');
    await page.locator('[data-testid="receipt-notice"][data-state="printed"]').waitFor();
    await page.getByTestId('nav-history').click();
    await page.locator(`[data-testid="history-row"][data-order-id="${orderId}"]`).click();
    const actions = page.getByTestId('receipt-actions');
    await actions.waitFor();
    await actions.getByTestId('receipt-preview').waitFor();
    const before = printer.received().length;
    await actions.getByTestId('receipt-reprint').click();
    await expect
      .poll(() => iconv.decode(printer.received().subarray(before), 'gb18030').includes(orderId))
      .toBe(true);
    await page.screenshot({ path: 'test-results/screens/receipt-history.png' });
  });

  it('ask: "Print receipt?" after a paid sale; Print prints, No receipt prints nothing', async () => {
    await usePrinter('ask');
    const page = await e2e.readyPage();
    const before = printer.received().length;
    const orderId = await paidSale(page, '6.60');
    await page.getByTestId('receipt-ask').waitFor();
    await expect(page.getByTestId('receipt-ask').textContent()).resolves.toBe('Print receipt?');
    expect(printer.received().length).toBe(before);
    await page.getByTestId('receipt-print-yes').click();
    await page.locator('[data-testid="receipt-notice"][data-state="printed"]').waitFor();
    await expect.poll(() => printedText().includes(orderId)).toBe(true);

    await page.getByTestId('new-sale-button').click();
    const second = await paidSale(page, '7.70');
    await page.getByTestId('receipt-print-no').click();
    await page.locator('[data-testid="receipt-notice"][data-state="declined"]').waitFor();
    expect(printedText()).not.toContain(second);
  });

  it('at 800×600 the paid result with "not printed" and Reprint fits without scrolling', async () => {
    await usePrinter();
    printer.paper = 'out-of-paper';
    const page = await e2e.readyPage();
    await page.setViewportSize({ width: 800, height: 600 });
    await paidSale(page, '2.20');
    await page.locator('[data-testid="receipt-notice"][data-state="not-printed"]').waitFor();
    await page.getByTestId('receipt-preview').waitFor();
    const problems = await page.evaluate(() => {
      const out: string[] = [];
      const root = document.scrollingElement ?? document.documentElement;
      if (root.scrollHeight > window.innerHeight) out.push(`scrolls: ${root.scrollHeight}`);
      for (const el of Array.from(document.querySelectorAll('.receipt-notice button'))) {
        const r = el.getBoundingClientRect();
        if (r.bottom > window.innerHeight + 0.5) out.push(`${el.textContent} below the fold`);
        if (r.height < 44 || r.width < 44) out.push(`${el.textContent} smaller than 44 px`);
      }
      return out;
    });
    await page.screenshot({ path: 'test-results/screens/receipt-not-printed-800x600.png' });
    expect(problems).toEqual([]);
    printer.paper = 'ok';
  });

  it("in Chinese the notice says why in the cashier's language (zh-CN, zh-HK)", async () => {
    await usePrinter();
    printer.paper = 'out-of-paper';
    try {
      for (const [language, expected] of [
        ['zh-CN', '小票未打印：打印机缺纸'],
        ['zh-HK', '收據未列印：打印機缺紙'],
      ] as const) {
        const saved = await e2e.terminal.app.invoke('settings:save', { language });
        expect(saved.ok).toBe(true);
        const page = await e2e.readyPage();
        await paidSale(page, '3.30');
        await expect
          .poll(() => page.getByTestId('receipt-not-printed').textContent())
          .toBe(expected);
        await page.screenshot({ path: `test-results/screens/receipt-not-printed-${language}.png` });
        await page.context().close();
      }
    } finally {
      printer.paper = 'ok';
      await e2e.terminal.app.invoke('settings:save', { language: 'en' });
    }
  });
});
