/**
 * The cashier's screen end to end: real Chromium (playwright-core) against a real terminal in
 * browser mode with the embedded simulator (the amount's last digit picks its scenario).
 */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { maskCode } from '../../shared/paymentCode.ts';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();
const cashierPage = () => e2e.readyPage();

/** Money the simulator actually took for this code (its ledger keeps codes masked). */
const paidCharges = (code: string) =>
  e2e.terminal
    .ledger()
    .filter(
      (e) => e.kind === 'charge' && e.scanCodeId === maskCode(code) && e.status === 'SUCCESS',
    );

const byTestId = (page: Page, id: string) => page.getByTestId(id);

async function salesCount(): Promise<number> {
  const list = await e2e.terminal.app.invoke('history:list', {});
  if (!list.ok || !Array.isArray(list.value)) throw new Error('history:list failed');
  return list.value.length;
}

/** Types the amount as a person does and presses Enter: the scan prompt comes up. */
async function startSale(page: Page, amount: string): Promise<void> {
  await page.keyboard.type(amount, { delay: 60 });
  await expect.poll(() => byTestId(page, 'amount-display').textContent()).toContain(amount);
  await page.keyboard.press('Enter');
  await byTestId(page, 'scan-prompt').waitFor();
  await waitForStatus(page, 'awaiting-scan');
}

async function wedgeScan(page: Page, code: string, suffix: 'enter' | 'none'): Promise<void> {
  await dispatchKeys(page, scanKeys(code, 'qwerty', suffix));
}

/** A sale of `amount` paid with a fresh WeChat Pay code: the result screen says paid. */
async function paidSale(page: Page, amount: string): Promise<void> {
  await startSale(page, amount);
  await wedgeScan(page, wechatCode(), 'enter');
  await waitForStatus(page, 'paid');
}

/** From the result screen to the history: the row of the sale just made. */
async function historyRowOfResult(page: Page): Promise<Locator> {
  const orderId = await page.locator('.result-facts dd').nth(2).textContent();
  expect(orderId).toBeTruthy();
  await byTestId(page, 'nav-history').click();
  const row = page.locator(`[data-testid="history-row"][data-order-id="${orderId}"]`);
  await row.waitFor();
  return row;
}

describe('the cashier screen', () => {
  it('takes an amount from the keyboard, Enter charges, a wedge scan with Enter pays', async () => {
    const page = await cashierPage();
    await expect(byTestId(page, 'mode-banner').textContent()).resolves.toContain('Training mode');
    await page.keyboard.type('12.3', { delay: 60 });
    // Formatted for the currency while typing: the missing decimal is shown.
    await expect.poll(() => byTestId(page, 'amount-display').textContent()).toBe('¥12.30');
    await page.screenshot({ path: 'test-results/cashier-amount.png' });
    await page.keyboard.press('Enter');
    await byTestId(page, 'scan-prompt').waitFor();
    await page.screenshot({ path: 'test-results/cashier-scan-prompt.png' });

    const code = wechatCode();
    await wedgeScan(page, code, 'enter');
    await waitForStatus(page, 'paid');
    await page.screenshot({ path: 'test-results/cashier-paid.png' });
    expect(paidCharges(code)).toHaveLength(1);
    await expect(page.getByTestId('result-reason').count()).resolves.toBe(0);
  });

  it('pays a wedge scan that ends without any suffix key', async () => {
    const page = await cashierPage();
    await startSale(page, '8.50');
    const code = wechatCode();
    await wedgeScan(page, code, 'none');
    await waitForStatus(page, 'paid');
    expect(paidCharges(code)).toHaveLength(1);
  });

  it('uses the on-screen keypad and charge button as well as the keyboard', async () => {
    const page = await cashierPage();
    for (const key of ['4', '0', 'dot', '5']) await byTestId(page, `key-${key}`).click();
    await byTestId(page, 'key-backspace').click();
    await byTestId(page, 'key-6').click();
    await expect.poll(() => byTestId(page, 'amount-display').textContent()).toBe('¥40.60');
    await byTestId(page, 'charge-button').click();
    await waitForStatus(page, 'awaiting-scan');
    await byTestId(page, 'cancel-button').click();
    await byTestId(page, 'new-sale-button').click();
    await expect.poll(() => byTestId(page, 'amount-display').textContent()).toBe('¥0.00');
  });

  it('shows why a declined payment was not paid, then starts a new sale', async () => {
    const page = await cashierPage();
    await startSale(page, '12.31');
    await wedgeScan(page, wechatCode(), 'enter');
    await waitForStatus(page, 'declined');
    const reason = await byTestId(page, 'result-reason').textContent();
    expect(reason).toMatch(/declined/i);
    await page.screenshot({ path: 'test-results/cashier-declined.png' });
    await page.keyboard.press('Escape'); // Enter would try the same amount again
    await byTestId(page, 'charge-button').waitFor();
  });

  it('asks for a fresh code when the code expired, and nothing is charged', async () => {
    const page = await cashierPage();
    await startSale(page, '3.08');
    const code = wechatCode();
    await wedgeScan(page, code, 'enter');
    await waitForStatus(page, 'declined');
    await expect(byTestId(page, 'result-reason').textContent()).resolves.toMatch(/fresh code/i);
    expect(paidCharges(code)).toEqual([]);
  });

  it('keeps the typed amount and says why when the terminal refuses it', async () => {
    const page = await cashierPage();
    await page.keyboard.type('99999', { delay: 60 });
    await page.keyboard.press('Enter');
    const error = byTestId(page, 'amount-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/limit/i);
    await expect(byTestId(page, 'amount-display').textContent()).resolves.toBe('¥99,999.00');
    await expect(byTestId(page, 'scan-prompt').count()).resolves.toBe(0);
  });

  it('counts down while the customer confirms, and the cashier can stop waiting', async () => {
    const page = await cashierPage();
    await startSale(page, '20.04');
    await wedgeScan(page, wechatCode(), 'enter');
    await waitForStatus(page, 'waiting-for-customer');
    await expect(byTestId(page, 'countdown').textContent()).resolves.toMatch(/\d+ s/);
    await page.screenshot({ path: 'test-results/cashier-waiting.png' });
    await byTestId(page, 'cancel-button').click();
    await page
      .locator('[data-testid="payment-status"]:not([data-status="waiting-for-customer"])')
      .waitFor();
    const final = await byTestId(page, 'payment-status').getAttribute('data-status');
    expect(['closed', 'unknown']).toContain(final);
    await expect(byTestId(page, 'result-reason').textContent()).resolves.not.toBe('');
  });

  it('lists the sale in the history with its status, and refunds it behind the PIN', async () => {
    const page = await cashierPage();
    await paidSale(page, '15.60');

    const row = await historyRowOfResult(page);
    await expect(row.getAttribute('data-status')).resolves.toBe('paid');
    await row.click();
    await byTestId(page, 'refund-amount-input').fill('5.00');

    await byTestId(page, 'pin-input').fill('0000');
    await byTestId(page, 'refund-button').click();
    // The amount is confirmed in words before anything is sent.
    await expect(byTestId(page, 'refund-confirm-text').textContent()).resolves.toContain(
      'Refund ¥5.00 of the ¥15.60 payment',
    );
    await byTestId(page, 'refund-confirm').click();
    await expect(byTestId(page, 'refund-error').textContent()).resolves.toMatch(/PIN/);

    await byTestId(page, 'pin-input').fill('1234');
    await byTestId(page, 'refund-confirm').click();
    await byTestId(page, 'refund-result').waitFor();
    await expect(byTestId(page, 'refund-result').textContent()).resolves.toMatch(/¥5\.00/);
    await expect.poll(() => row.textContent()).toMatch(/Refunded ¥5\.00/);
    await page.screenshot({ path: 'test-results/cashier-history-refund.png' });
    const refunds = e2e.terminal.ledger().filter((e) => e.kind === 'refund');
    expect(refunds.length).toBeGreaterThanOrEqual(1);
  });

  it('shows the Z report of the day and exports it as CSV', async () => {
    const page = await cashierPage();
    await paidSale(page, '7.70');
    await byTestId(page, 'nav-report').click();
    await byTestId(page, 'report-show').click();
    await page.getByTestId('z-report-row').first().waitFor();
    await expect(byTestId(page, 'z-report').textContent()).resolves.toContain('WeChat Pay');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      byTestId(page, 'report-export').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const file = await download.path();
    expect(readFileSync(file, 'utf8').split('\n').length).toBeGreaterThan(1);
  });

  it('marks training sales in the history, and shows the live sales instead on request', async () => {
    const page = await cashierPage();
    await paidSale(page, '3.20');

    const row = await historyRowOfResult(page);
    await expect(row.getByTestId('training-badge').textContent()).resolves.toBe('Training');
    await expect(byTestId(page, 'history-mode-note').count()).resolves.toBe(0);

    // This till is in training mode: the switch offers the live sales (there are none here).
    const toggle = byTestId(page, 'history-other-mode');
    await expect(page.locator('label.mode-toggle').first().textContent()).resolves.toBe(
      'Show live sales',
    );
    await toggle.check();
    await expect
      .poll(() => byTestId(page, 'history-mode-note').textContent())
      .toBe('Showing live sales: real money.');
    await expect.poll(() => byTestId(page, 'history-row').count()).toBe(0);
    await expect(page.locator('.history-list').textContent()).resolves.toContain('No sales match.');

    await toggle.uncheck();
    await row.waitFor();
    await expect(byTestId(page, 'history-mode-note').count()).resolves.toBe(0);
    await expect(row.getByTestId('training-badge').count()).resolves.toBe(1);
  });

  it("shows the other mode's Z report and CSV on request, the current mode's by default", async () => {
    const page = await cashierPage();
    await paidSale(page, '4.40');
    await byTestId(page, 'nav-report').click();
    await byTestId(page, 'report-show').click();
    await page.getByTestId('z-report-row').first().waitFor();
    const [trainingCsv] = await Promise.all([
      page.waitForEvent('download'),
      byTestId(page, 'report-export').click(),
    ]);
    expect(trainingCsv.suggestedFilename()).toMatch(/^pospay-\d{4}-\d{2}-\d{2}-training\.csv$/);

    await byTestId(page, 'report-other-mode').check();
    await expect
      .poll(() => byTestId(page, 'report-mode-note').textContent())
      .toBe('Showing live sales: real money.');
    // The training report no longer stands on screen as if it were the live one.
    await expect(byTestId(page, 'z-report').count()).resolves.toBe(0);
    await byTestId(page, 'report-show').click();
    await expect
      .poll(() => page.locator('.report-screen').textContent())
      .toContain('No sales that day.');
    await expect(byTestId(page, 'z-report').count()).resolves.toBe(0);
    const [liveCsv] = await Promise.all([
      page.waitForEvent('download'),
      byTestId(page, 'report-export').click(),
    ]);
    expect(liveCsv.suggestedFilename()).toMatch(/^pospay-\d{4}-\d{2}-\d{2}\.csv$/);
  });

  it('leaves typing in a settings field alone, even at scanner speed: no sale starts', async () => {
    const page = await cashierPage();
    const before = await salesCount();
    await byTestId(page, 'nav-settings').click();
    await byTestId(page, 'pin-input').click();
    await page.keyboard.type('1234'); // as fast as the browser takes keys
    await page.keyboard.press('Enter');
    await byTestId(page, 'settings-form').waitFor();
    const field = byTestId(page, 'settings-accid');
    await field.fill('');
    await field.focus();
    await dispatchKeys(page, scanKeys('2018092100000001', 'qwerty', 'enter')); // untrusted: no text
    await page.keyboard.type('2018092100000001', { delay: 2 });
    await expect(field.inputValue()).resolves.toBe('2018092100000001');
    await expect(page.getByTestId('notice').count()).resolves.toBe(0);
    await byTestId(page, 'nav-sale').click();
    await byTestId(page, 'charge-button').waitFor();
    await expect(byTestId(page, 'amount-display').textContent()).resolves.toBe('¥0.00');
    expect(await salesCount()).toBe(before);
  });

  it('keeps settings behind the supervisor PIN and saves a change', async () => {
    const page = await cashierPage();
    await byTestId(page, 'nav-settings').click();
    await expect(byTestId(page, 'settings-form').count()).resolves.toBe(0);
    await byTestId(page, 'pin-input').fill('9999');
    await byTestId(page, 'settings-unlock').click();
    await expect(byTestId(page, 'settings-lock-error').textContent()).resolves.toMatch(/PIN/);
    await expect(byTestId(page, 'settings-form').count()).resolves.toBe(0);

    await byTestId(page, 'pin-input').fill('1234');
    await byTestId(page, 'settings-unlock').click();
    await byTestId(page, 'settings-form').waitFor();
    // The salt is write-only: a password field that never shows what is stored.
    await expect(byTestId(page, 'settings-salt').getAttribute('type')).resolves.toBe('password');
    await expect(byTestId(page, 'settings-salt').inputValue()).resolves.toBe('');
    await byTestId(page, 'settings-deadline').fill('45');
    await byTestId(page, 'settings-save').click();
    await byTestId(page, 'settings-saved').waitFor();
    const saved = await e2e.terminal.app.invoke('settings:get', {});
    expect(saved).toMatchObject({ ok: true, value: { customerDeadlineMs: 45_000 } });
    await page.screenshot({ path: 'test-results/cashier-settings.png', fullPage: true });

    await byTestId(page, 'settings-deadline').fill('60');
    await byTestId(page, 'settings-save').click();
    await expect
      .poll(() => e2e.terminal.app.invoke('settings:get', {}))
      .toMatchObject({
        value: { customerDeadlineMs: 60_000 },
      });
  });

  it('switches the language in settings; the test ids stay the same', async () => {
    const page = await cashierPage();
    await byTestId(page, 'nav-settings').click();
    await byTestId(page, 'settings-language').selectOption('zh-HK');
    await byTestId(page, 'nav-sale').click();
    await expect.poll(() => byTestId(page, 'charge-button').textContent()).toBe('收款');
    await expect.poll(() => byTestId(page, 'mode-banner').textContent()).toContain('培訓模式');
    await startSale(page, '6.01');
    await wedgeScan(page, wechatCode(), 'enter');
    await waitForStatus(page, 'declined');
    await page.screenshot({ path: 'test-results/cashier-declined-zh-HK.png' });
    await byTestId(page, 'new-sale-button').click();
    await byTestId(page, 'nav-settings').click();
    await byTestId(page, 'settings-language').selectOption('zh-CN');
    await expect.poll(() => byTestId(page, 'nav-settings').textContent()).toBe('设置');
    await byTestId(page, 'settings-language').selectOption('en');
    await expect.poll(() => byTestId(page, 'nav-settings').textContent()).toBe('Settings');
  });
});
