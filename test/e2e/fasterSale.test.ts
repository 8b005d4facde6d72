/**
 * Faster sales (issue 10, defects 4, 5 and 8): a code scanned on the amount screen is charged
 * at once when an amount is typed; failures keep the amount for another try; messages that
 * no longer apply leave the screen.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { maskCode } from '../../shared/paymentCode.ts';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

const charges = (code: string) =>
  e2e.terminal.ledger().filter((e) => e.kind === 'charge' && e.scanCodeId === maskCode(code));

async function salesCount(): Promise<number> {
  const list = await e2e.terminal.app.invoke('history:list', {});
  if (!list.ok || !Array.isArray(list.value)) throw new Error('history:list failed');
  return list.value.length;
}

async function typeAmount(page: Page, amount: string): Promise<void> {
  await page.keyboard.type(amount, { delay: 40 });
  await expect.poll(() => page.getByTestId('amount-display').textContent()).toContain(amount);
}

describe('a scan on the amount screen', () => {
  it('charges a valid code at once when a valid amount is typed: no Charge key, no re-scan', async () => {
    const page = await e2e.readyPage();
    await typeAmount(page, '8.80');
    const code = wechatCode();
    await dispatchKeys(page, scanKeys(code, 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
    await expect(page.locator('.result-amount').textContent()).resolves.toBe('¥8.80');
    expect(charges(code).filter((c) => c.status === 'SUCCESS')).toHaveLength(1);
    await expect(page.getByTestId('notice').count()).resolves.toBe(0);
  });

  it('says that no amount is typed when a code is scanned without one, and charges nothing', async () => {
    const page = await e2e.readyPage();
    const before = await salesCount();
    const code = wechatCode();
    await dispatchKeys(page, scanKeys(code, 'qwerty', 'enter'));
    const error = page.getByTestId('amount-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/no amount is typed/);
    expect(charges(code)).toEqual([]);
    expect(await salesCount()).toBe(before);
  });
});

/** The amount on the scan prompt (the sale the cashier is about to charge). */
const promptAmount = (page: Page) => page.locator('.scan-amount').textContent();

describe('after a failure the amount stays for another try', () => {
  it('after an expired code, Enter (Try again) asks for a scan with the same amount, and a fresh scan charges it', async () => {
    const page = await e2e.readyPage();
    await typeAmount(page, '3.08');
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'declined');
    await expect(page.getByTestId('try-again-button').textContent()).resolves.toContain('¥3.08');
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await expect(promptAmount(page)).resolves.toBe('¥3.08');
    await page.getByTestId('cancel-button').click();
    await waitForStatus(page, 'closed');

    // A scan on the "not paid" screen is that other try, at the same amount.
    const closedOrder = await page.locator('.result-facts dd').nth(2).textContent();
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'declined'); // ¥3.08 is the simulator's expired code again
    await expect(page.locator('.result-amount').textContent()).resolves.toBe('¥3.08');
    await expect(page.locator('.result-facts dd').nth(2).textContent()).resolves.not.toBe(
      closedOrder,
    );
    await expect(page.locator('.result-facts dd').nth(1).textContent()).resolves.toMatch(/\*/);
  });

  it('after a decline, Try again asks for a scan with the same amount; New sale clears it', async () => {
    const page = await e2e.readyPage();
    await typeAmount(page, '12.31');
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'declined');
    await page.getByTestId('try-again-button').click();
    await waitForStatus(page, 'awaiting-scan');
    await expect(promptAmount(page)).resolves.toBe('¥12.31');

    await page.getByTestId('cancel-button').click();
    await waitForStatus(page, 'closed');
    await page.getByTestId('new-sale-button').click();
    await page.getByTestId('charge-button').waitFor();
    await expect(page.getByTestId('amount-display').textContent()).resolves.toBe('¥0.00');
  });

  it('after a cancel, Enter asks for a scan with the same amount', async () => {
    const page = await e2e.readyPage();
    await typeAmount(page, '7.00');
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await page.keyboard.press('Escape');
    await waitForStatus(page, 'closed');
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await expect(promptAmount(page)).resolves.toBe('¥7.00');
    await page.keyboard.press('Escape');
    await waitForStatus(page, 'closed');
  });

  it('offers no Try again after a payment', async () => {
    const page = await e2e.readyPage();
    await typeAmount(page, '2.00');
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
    await expect(page.getByTestId('try-again-button').count()).resolves.toBe(0);
    await page.keyboard.press('Enter');
    await page.getByTestId('charge-button').waitFor();
    await expect(page.getByTestId('amount-display').textContent()).resolves.toBe('¥0.00');
  });
});

describe('messages that no longer apply leave the screen', () => {
  it('"no amount typed" goes once the amount is typed, and the charge goes through', async () => {
    const page = await e2e.readyPage();
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await page.getByTestId('amount-error').waitFor();
    await typeAmount(page, '9.10');
    await expect(page.getByTestId('amount-error').count()).resolves.toBe(0);
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await expect(page.locator('.app').textContent()).resolves.not.toMatch(/amount/i);
    await page.keyboard.press('Escape');
    await waitForStatus(page, 'closed');
  });

  it('"cannot be reached" goes once the terminal is reached again', async () => {
    const page = await e2e.readyPage();
    // The terminal cannot be reached while the screen (re)loads: every call fails, the event
    // stream ends at once.
    await page.route('**/api/invoke/**', (route) => route.abort());
    await page.route('**/api/events**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/event-stream', body: '' }),
    );
    await page.reload();
    await page.getByTestId('offline-banner').waitFor();
    await expect
      .poll(() => page.getByTestId('notice').allTextContents())
      .toEqual([expect.stringMatching(/cannot be reached/)]);

    await page.unroute('**/api/invoke/**');
    await page.unroute('**/api/events**');
    await page.getByTestId('offline-banner').waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(() => page.locator('.app').textContent()).not.toMatch(/cannot be reached/);
    await page.locator('[data-ready="true"]').waitFor();
    await typeAmount(page, '1.10');
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await page.keyboard.press('Escape');
    await waitForStatus(page, 'closed');
  });
});
