/**
 * Every screen in the three languages at 1024×768 and 800×600 (issue 10: screenshots under
 * test-results/screens/): amount (with quick amounts and the last sale), scan prompt,
 * waiting for the customer, paid, not paid, stopped waiting (the "not known yet" outcome the
 * cashier is told as not paid), history with its panel, Z report, settings, the PIN, the
 * unlocked settings and the customer display. Nothing overflows: the sale screens and the
 * customer display do not scroll at all and nothing reaches past the window; on the other
 * screens nothing reaches past the window sideways and the top bar stays on one line.
 *
 * Time scale 1: a "payer confirms" sale (amount ending in 2) waits 3 s for the customer.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Language } from '../../shared/languages.ts';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal({ timeScale: 1 });
const DIR = 'test-results/screens';

/** What does not fit. `whole`: the page must not scroll at all (sale screens). */
async function overflow(page: Page, whole: boolean): Promise<string[]> {
  return page.evaluate((wholePage) => {
    const problems: string[] = [];
    const root = document.scrollingElement ?? document.documentElement;
    if (wholePage && root.scrollHeight > window.innerHeight) {
      problems.push(`page scrolls: ${root.scrollHeight} > ${window.innerHeight}`);
    }
    if (root.scrollWidth > window.innerWidth) {
      problems.push(`page scrolls sideways: ${root.scrollWidth} > ${window.innerWidth}`);
    }
    for (const el of Array.from(document.querySelectorAll('button, output, input, select, h1'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      const below = wholePage && r.bottom > window.innerHeight + 0.5;
      if (below || r.right > window.innerWidth + 0.5) {
        problems.push(
          `${el.tagName} "${(el.textContent ?? '').trim().slice(0, 20)}" at ${Math.round(r.right)},${Math.round(r.bottom)}`,
        );
      }
    }
    const bar = Array.from(document.querySelectorAll('.topbar > *')).map(
      (el) => (el.getBoundingClientRect().top + el.getBoundingClientRect().bottom) / 2,
    );
    if (bar.length && Math.max(...bar) - Math.min(...bar) > 8) problems.push('the top bar wraps');
    return problems;
  }, whole);
}

async function startSale(page: Page, amount: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.keyboard.press('Escape');
  await page.keyboard.type(amount, { delay: 30 });
  await page.keyboard.press('Enter');
  await waitForStatus(page, 'awaiting-scan');
}

describe.each(['en', 'zh-CN', 'zh-HK'] as const)('every screen in %s', (language: Language) => {
  beforeAll(async () => {
    mkdirSync(DIR, { recursive: true });
    const saved = await e2e.terminal.app.invoke('settings:save', {
      language,
      screen: {
        sound: true,
        soundVolume: 60,
        quickAmounts: ['10', '20', '50'],
        customerDisplay: 'auto',
      },
    });
    expect(saved).toMatchObject({ ok: true });
  });

  for (const [width, height] of [
    [1024, 768],
    [800, 600],
  ] as const) {
    it(`fits at ${width}×${height}`, async () => {
      const page = await e2e.readyPage({ viewport: { width, height } });
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(language);
      const shot = async (name: string, whole: boolean, on: Page = page) => {
        await on.screenshot({ path: `${DIR}/${language}-${width}x${height}-${name}.png` });
        expect(await overflow(on, whole), `${name} at ${width}×${height} in ${language}`).toEqual(
          [],
        );
      };

      // A paid sale first: the amount screen then shows the last sale beside quick amounts.
      await startSale(page, '8.80');
      await shot('scan', true);
      await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
      await waitForStatus(page, 'paid');
      await shot('paid', true);
      await page.keyboard.press('Enter');
      await page.keyboard.type('12.3', { delay: 30 });
      await page.getByTestId('last-sale').waitFor();
      await shot('amount', true);

      await startSale(page, '12.31');
      await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
      await waitForStatus(page, 'declined');
      await shot('not-paid', true);

      await startSale(page, '6.02');
      await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
      await waitForStatus(page, 'waiting-for-customer');
      await shot('waiting', true);
      await page.getByTestId('cancel-button').click();
      await page.locator('[data-outcome="stopped"]').first().waitFor();
      await shot('stopped-waiting', true);

      // The customer display, opened from Settings, while the till waits for a scan.
      await page.keyboard.press('F4');
      const [customer] = await Promise.all([
        page.waitForEvent('popup'),
        page.getByTestId('customer-display-open').click(),
      ]);
      await customer.setViewportSize({ width, height });
      await customer.locator('[data-testid="customer-display"][data-ready="true"]').waitFor();
      await startSale(page, '66.00');
      await expect
        .poll(() => customer.getByTestId('customer-display').getAttribute('data-screen'))
        .toBe('show-code');
      await shot('customer-display', true, customer);
      await customer.close();
      await page.getByTestId('cancel-button').click();

      await page.keyboard.press('F2');
      await page.getByTestId('history-row').first().click();
      await page.getByTestId('sale-detail').waitFor();
      await shot('history', false);
      await page.keyboard.press('Escape');

      await page.keyboard.press('F3');
      await page.getByTestId('report-show').click();
      await page.getByTestId('z-report').waitFor();
      await shot('report', false);

      await page.keyboard.press('F4');
      await page.getByTestId('screen-prefs').waitFor();
      await shot('settings', false);
      await page.getByTestId('pin-input').fill('9999');
      await page.getByTestId('settings-unlock').click();
      await page.getByTestId('settings-lock-error').waitFor();
      await shot('pin', false);
      // The right PIN: the settings open, and the wrong one is forgotten (no lock-out later).
      await page.getByTestId('pin-input').fill('1234');
      await page.getByTestId('settings-unlock').click();
      await page.getByTestId('settings-form').waitFor();
      await shot('settings-unlocked', false);
    });
  }
});
