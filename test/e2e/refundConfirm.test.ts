/**
 * Refunds (issue 10, defect 9, the screen's part): the amount is not pre-filled, Enter does
 * not send a refund, and the amount is confirmed in words before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();
const refunds = () => e2e.terminal.ledger().filter((e) => e.kind === 'refund');

describe('a refund from the history', () => {
  it('is typed, confirmed in words, and only then sent', async () => {
    const page = await e2e.readyPage();
    await page.keyboard.type('15.60', { delay: 40 });
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-row').first().click();

    const amount = page.getByTestId('refund-amount-input');
    await expect(amount.inputValue()).resolves.toBe('');
    await expect(amount.getAttribute('placeholder')).resolves.toBe('Up to ¥15.60');
    await amount.fill('15.6');
    await page.getByTestId('pin-input').fill('1234');
    await page.getByTestId('pin-input').press('Enter');
    const words = page.getByTestId('refund-confirm-text');
    await expect(words.textContent()).resolves.toBe(
      'Refund ¥15.60 of the ¥15.60 payment to the customer’s WeChat Pay?',
    );
    await page.keyboard.press('Enter'); // on the focused "Yes": a deliberate confirmation
    await page.getByTestId('refund-result').waitFor();
    expect(refunds()).toHaveLength(1);
  });

  it('sends nothing on Enter alone, and the amount can be changed before confirming', async () => {
    const page = await e2e.readyPage();
    await page.keyboard.type('9.90', { delay: 40 });
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-row').first().click();
    const before = refunds().length;

    await page.getByTestId('refund-amount-input').fill('9.90');
    await page.getByTestId('pin-input').fill('1234');
    await page.getByTestId('pin-input').press('Enter');
    await page.getByTestId('refund-confirm-text').waitFor();
    await page.getByTestId('refund-back').click();
    await page.getByTestId('refund-amount-input').fill('2.00');
    await page.getByTestId('refund-amount-input').press('Enter');
    await expect(page.getByTestId('refund-confirm-text').textContent()).resolves.toContain(
      'Refund ¥2.00 of the ¥9.90 payment',
    );
    expect(refunds()).toHaveLength(before);
    await page.getByTestId('refund-confirm').click();
    await expect.poll(() => page.getByTestId('refund-result').textContent()).toMatch(/¥2\.00/);
  });
});
