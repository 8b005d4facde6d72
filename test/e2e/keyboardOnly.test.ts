/**
 * Keyboard shortcuts (issue 10, "what every till has"): F1 sale, F2 history, F3 Z report,
 * F4 settings, Esc back — shown on screen — and a whole sale and a refund with the keyboard
 * alone: this file never clicks. The scan comes as a keyboard wedge's burst, and is never
 * taken for a shortcut.
 */
import { describe, expect, it } from 'vitest';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

describe('the keyboard alone', () => {
  it('shows the function keys of the screens on the top bar', async () => {
    const page = await e2e.readyPage();
    const shortcuts = await page
      .locator('.nav-button')
      .evaluateAll((buttons) =>
        buttons.map((b) => [b.getAttribute('data-testid'), getComputedStyle(b, '::after').content]),
      );
    expect(shortcuts).toEqual(
      expect.arrayContaining([
        ['nav-sale', '"F1"'],
        ['nav-history', '"F2"'],
        ['nav-report', '"F3"'],
        ['nav-settings', '"F4"'],
      ]),
    );
  });

  it('switches screens with F1–F4 and goes back with Esc', async () => {
    const page = await e2e.readyPage();
    const view = () => page.locator('.app').getAttribute('data-view');
    for (const [key, expected] of [
      ['F2', 'history'],
      ['F3', 'report'],
      ['F4', 'settings'],
      ['F1', 'sale'],
    ] as const) {
      await page.keyboard.press(key);
      await expect.poll(view).toBe(expected);
    }
    await page.keyboard.press('F3');
    await expect.poll(view).toBe('report');
    await page.keyboard.press('Escape');
    await expect.poll(view).toBe('sale');
  });

  it('takes a sale and refunds it without a click', async () => {
    const page = await e2e.readyPage();
    await page.keyboard.type('9.90', { delay: 40 });
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
    await page.keyboard.press('Enter'); // the next sale
    await expect.poll(() => page.getByTestId('amount-display').textContent()).not.toContain('9.90');

    await page.keyboard.press('F2');
    await page.getByTestId('history-row').first().waitFor();
    await page.keyboard.press('ArrowDown'); // the newest sale
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')))
      .toBe('history-row');
    await page.keyboard.press('Enter'); // opens it: the cursor is in the refund amount
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')))
      .toBe('refund-amount-input');
    await page.keyboard.type('9.90');
    await page.keyboard.press('Tab');
    await page.keyboard.type('1234');
    await page.keyboard.press('Enter'); // reviews: the amount in words
    await expect(page.getByTestId('refund-confirm-text').textContent()).resolves.toContain(
      'Refund ¥9.90 of the ¥9.90 payment',
    );
    expect(e2e.terminal.ledger().filter((e) => e.kind === 'refund')).toHaveLength(0);
    await page.keyboard.press('Enter'); // "Yes, refund ¥9.90"
    await expect.poll(() => page.getByTestId('refund-result').textContent()).toMatch(/¥9\.90/);
    expect(e2e.terminal.ledger().filter((e) => e.kind === 'refund')).toHaveLength(1);

    await page.keyboard.press('Escape'); // closes the sale
    await expect(page.getByTestId('sale-detail').count()).resolves.toBe(0);
    await page.keyboard.press('Escape'); // back to the till
    await expect.poll(() => page.locator('.app').getAttribute('data-view')).toBe('sale');
    await page.keyboard.type('3', { delay: 40 });
    await expect.poll(() => page.getByTestId('amount-display').textContent()).toContain('3');
  });

  it('Esc in a refund’s confirmation goes back one step and sends nothing', async () => {
    const page = await e2e.readyPage();
    const before = e2e.terminal.ledger().filter((e) => e.kind === 'refund').length;
    await page.keyboard.type('4.40', { delay: 40 });
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
    await page.keyboard.press('F2');
    await page.getByTestId('history-row').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.keyboard.type('1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('1234');
    await page.keyboard.press('Enter');
    await page.getByTestId('refund-confirm-text').waitFor();
    await page.keyboard.press('Escape'); // "Change": back to the amount, nothing sent
    await expect(page.getByTestId('refund-confirm-text').count()).resolves.toBe(0);
    await expect(page.getByTestId('sale-detail').count()).resolves.toBe(1);
    expect(e2e.terminal.ledger().filter((e) => e.kind === 'refund')).toHaveLength(before);
  });
});
