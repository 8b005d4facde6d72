/**
 * The supervisor PIN (issue 10, defect 9): a lock-out belongs to what the PIN unlocks. Three
 * wrong PINs at the settings lock the settings, and the refund at the history still takes the
 * right PIN at once (the escalation 30 → 60 → 120 s and the fresh attempts after a lock-out
 * are the guard's: test/unit/app/pin.test.ts, handlers.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

describe('PIN lock-outs per purpose', () => {
  it('locks the settings after three wrong PINs and still refunds with the right PIN', async () => {
    const page = await e2e.readyPage();
    await page.keyboard.type('8.80', { delay: 40 });
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');

    await page.getByTestId('nav-settings').click();
    const error = page.getByTestId('settings-lock-error');
    for (const expected of [/2 tries left/, /1 try left/, /locked for 30 s/]) {
      await page.getByTestId('pin-input').fill('9999');
      await page.getByTestId('settings-unlock').click();
      await expect.poll(() => error.textContent()).toMatch(expected);
    }
    // Locked: even the right PIN does not open the settings.
    await page.getByTestId('pin-input').fill('1234');
    await page.getByTestId('settings-unlock').click();
    await expect.poll(() => error.textContent()).toMatch(/locked for \d+ s/);
    await expect(page.getByTestId('settings-form').count()).resolves.toBe(0);

    // The refund has its own count: the right PIN refunds at once.
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-row').first().click();
    await page.getByTestId('refund-amount-input').fill('8.80');
    await page.getByTestId('pin-input').fill('1234');
    await page.getByTestId('refund-button').click();
    await page.getByTestId('refund-confirm').click();
    await expect.poll(() => page.getByTestId('refund-result').textContent()).toMatch(/¥8\.80/);
    expect(e2e.terminal.ledger().filter((e) => e.kind === 'refund')).toHaveLength(1);
  });
});
