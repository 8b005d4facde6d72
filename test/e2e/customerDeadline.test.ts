/**
 * A customer who never confirms (issue 10, defect 1): at the deadline the cashier gets a clear
 * final answer, can start the next sale at once, and is told by a note when the background
 * resolution finds the sale paid after all (and refunds it automatically).
 *
 * The simulator runs at time scale 4 here: a "payer confirms" sale (last digit 2) is
 * confirmed 12 s after the scan, after the shortest customer deadline settings allow (10 s).
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal({ timeScale: 4 });

async function startSale(page: Page, amount: string): Promise<void> {
  await page.keyboard.type(amount, { delay: 40 });
  await expect.poll(() => page.getByTestId('amount-display').textContent()).toContain(amount);
  await page.keyboard.press('Enter');
  await waitForStatus(page, 'awaiting-scan');
}

describe('a customer who never confirms', () => {
  beforeAll(async () => {
    const saved = await e2e.terminal.app.invoke('settings:save', {
      pin: '1234',
      customerDeadlineMs: 10_000,
    });
    expect(saved).toMatchObject({ ok: true, value: { customerDeadlineMs: 10_000 } });
  });

  it('ends at the deadline as "Not paid — the customer did not confirm", the next sale goes at once, and a late payment is told as refunded', async () => {
    const page = await e2e.readyPage();
    await startSale(page, '5.02');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'waiting-for-customer');

    const status = page.getByTestId('payment-status');
    await page
      .locator('[data-testid="payment-status"]:not([data-status="waiting-for-customer"])')
      .waitFor({ timeout: 15_000 });
    await expect(status.textContent()).resolves.toContain(
      'Not paid — the customer did not confirm',
    );
    await expect(page.locator('.result-screen').textContent()).resolves.not.toMatch(
      /not confirmed yet|stopped waiting/i,
    );
    await expect(page.getByTestId('result-note').textContent()).resolves.toMatch(
      /next sale.*refunded automatically/,
    );
    await page.screenshot({ path: 'test-results/cashier-customer-timeout.png' });

    // The next sale at once: type its amount on the result screen, charge, scan, paid.
    await startSale(page, '1.00');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');

    // The first sale is confirmed by the payer after the deadline: refunded automatically.
    const notice = page.getByTestId('notice').filter({ hasText: '¥5.02' });
    await notice.waitFor({ timeout: 30_000 });
    await expect(notice.textContent()).resolves.toMatch(/paid after all.*refunded automatically/);
    await expect
      .poll(() => e2e.terminal.ledger().filter((e) => e.kind === 'refund').length, {
        timeout: 20_000,
      })
      .toBeGreaterThanOrEqual(1);
  });

  it('"Stop waiting" ends as not paid at once, with the background told as a note', async () => {
    const page = await e2e.readyPage();
    await startSale(page, '6.02');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'waiting-for-customer');
    await page.getByTestId('cancel-button').click();
    const status = page.getByTestId('payment-status');
    await page
      .locator('[data-testid="payment-status"]:not([data-status="waiting-for-customer"])')
      .waitFor({ timeout: 5_000 });
    await expect(status.textContent()).resolves.toMatch(/^.?Not paid/);
    await expect(page.locator('.result-screen').textContent()).resolves.not.toMatch(
      /not confirmed yet/i,
    );
    await startSale(page, '2.00');
  });
});
