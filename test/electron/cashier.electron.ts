/**
 * The cashier's flows in the real Electron app, as test/e2e/cashier.test.ts drives them in
 * Chromium over browser mode: here over the preload's IPC bridge, main, and the terminal
 * core in its utility process (embedded simulator; the amount's last digit picks its
 * scenario). Plus: the core killed under the screen comes back.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SaleView } from '../../shared/ipc/contract.ts';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useElectronApp, waitForStatus } from './electronApp.ts';

const running = useElectronApp();
const byTestId = (page: Page, id: string) => page.getByTestId(id);

/** The contract over window.pospay, as the screen itself reaches the terminal. */
async function invoke<T>(page: Page, channel: string, request: unknown): Promise<T> {
  return (await page.evaluate(
    ([c, r]) =>
      (
        window as unknown as {
          pospay: { invoke(channel: string, request: unknown): Promise<unknown> };
        }
      ).pospay.invoke(c as string, r),
    [channel, request] as const,
  )) as T;
}

async function startSale(page: Page, amount: string): Promise<void> {
  await page.keyboard.type(amount, { delay: 60 });
  await expect.poll(() => byTestId(page, 'amount-display').textContent()).toContain(amount);
  await page.keyboard.press('Enter');
  await byTestId(page, 'scan-prompt').waitFor();
  await waitForStatus(page, 'awaiting-scan');
}

async function wedgeScan(page: Page, code: string): Promise<void> {
  await dispatchKeys(page, scanKeys(code, 'qwerty', 'enter'));
}

async function paidSale(page: Page, amount: string): Promise<string> {
  await startSale(page, amount);
  await wedgeScan(page, wechatCode());
  await waitForStatus(page, 'paid');
  const orderId = await page.locator('.result-facts dd').nth(2).textContent();
  expect(orderId).toBeTruthy();
  return orderId as string;
}

describe('the cashier screen in Electron', () => {
  it('pays a sale scanned by the keyboard wedge', async () => {
    const page = await running.freshScreen();
    await expect(byTestId(page, 'mode-banner').textContent()).resolves.toContain('Training mode');
    const orderId = await paidSale(page, '12.30');
    await page.screenshot({ path: 'test-results/electron-paid.png' });
    const history = await invoke<SaleView[]>(page, 'history:list', {});
    expect(history.find((s) => s.orderId === orderId)).toMatchObject({
      status: 'paid',
      amountMinor: 1230,
    });
  });

  it('shows why a declined payment was not paid, then starts a new sale', async () => {
    const page = await running.freshScreen();
    await startSale(page, '12.31');
    await wedgeScan(page, wechatCode());
    await waitForStatus(page, 'declined');
    await expect(byTestId(page, 'result-reason').textContent()).resolves.toMatch(/declined/i);
    await page.keyboard.press('Enter');
    await byTestId(page, 'charge-button').waitFor();
  });

  it('refunds a paid sale behind the supervisor PIN', async () => {
    const page = await running.freshScreen();
    const orderId = await paidSale(page, '15.60');
    await byTestId(page, 'nav-history').click();
    const row = page.locator(`[data-testid="history-row"][data-order-id="${orderId}"]`);
    await row.waitFor();
    await row.click();
    await byTestId(page, 'refund-amount-input').fill('5.00');
    await byTestId(page, 'pin-input').fill('0000');
    await byTestId(page, 'refund-button').click();
    await expect(byTestId(page, 'refund-error').textContent()).resolves.toMatch(/PIN/);
    await byTestId(page, 'pin-input').fill('1234');
    await byTestId(page, 'refund-button').click();
    await byTestId(page, 'refund-result').waitFor();
    await expect(byTestId(page, 'refund-result').textContent()).resolves.toMatch(/¥5\.00/);
    await expect.poll(() => row.textContent()).toMatch(/Refunded ¥5\.00/);
    const history = await invoke<SaleView[]>(page, 'history:list', {});
    expect(history.find((s) => s.orderId === orderId)?.refundedMinor).toBe(500);
  });

  it('switches the language in settings', async () => {
    const page = await running.freshScreen();
    await byTestId(page, 'nav-settings').click();
    await byTestId(page, 'settings-language').selectOption('zh-HK');
    await byTestId(page, 'nav-sale').click();
    await expect.poll(() => byTestId(page, 'charge-button').textContent()).toBe('收款');
    await expect.poll(() => byTestId(page, 'mode-banner').textContent()).toContain('培訓模式');
    await byTestId(page, 'nav-settings').click();
    await byTestId(page, 'settings-language').selectOption('en');
    await expect.poll(() => byTestId(page, 'nav-settings').textContent()).toBe('Settings');
  });

  it('shows "reconnecting" while the terminal core restarts, then takes sales again', async () => {
    const page = await running.freshScreen();
    const pid = await running.app.evaluate(({ app }) => {
      const core = app
        .getAppMetrics()
        .find(
          (m) =>
            m.type === 'Utility' &&
            (m.name === 'PosPay terminal core' || m.serviceName === 'PosPay terminal core'),
        );
      return core?.pid ?? null;
    });
    expect(pid).not.toBeNull();
    process.kill(pid as number, 'SIGKILL');
    await byTestId(page, 'offline-banner').waitFor();
    await byTestId(page, 'offline-banner').waitFor({ state: 'detached' });
    const again = await running.app.evaluate(({ app }) =>
      app
        .getAppMetrics()
        .some(
          (m) =>
            m.type === 'Utility' &&
            (m.name === 'PosPay terminal core' || m.serviceName === 'PosPay terminal core'),
        ),
    );
    expect(again).toBe(true);
    await paidSale(page, '8.50');
  });
});
