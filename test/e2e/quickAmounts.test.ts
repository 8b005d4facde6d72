/**
 * Quick amounts and the last sale (issue 10, "what every till has"): the amounts set in
 * Settings › This screen and the last amounts charged are one touch away on the amount
 * screen (then just scan); the last sale is there to look up in History or reprint.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

const quickAmounts = (page: Page) =>
  page.getByTestId('quick-amount').evaluateAll((buttons) => buttons.map((b) => b.textContent));

async function setQuickAmounts(page: Page, text: string): Promise<void> {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('prefs-quick-amounts').fill(text);
  await page.getByTestId('prefs-save').click();
}

describe('quick amounts and the last sale', () => {
  it('refuses quick amounts that are not amounts, and saves them without the PIN', async () => {
    const page = await e2e.readyPage();
    await setQuickAmounts(page, '10, abc');
    await expect(page.getByTestId('prefs-error').textContent()).resolves.toMatch(
      /Quick amounts are amounts such as 10 or 25.50/,
    );
    await setQuickAmounts(page, '10，25.50 ,100');
    await page.getByTestId('prefs-saved').waitFor();
    await page.getByTestId('nav-sale').click();
    await expect.poll(() => quickAmounts(page)).toEqual(['¥10.00', '¥25.50', '¥100.00']);
  });

  it('charges a quick amount with just a scan, offers the last amounts, and looks up the last sale', async () => {
    const page = await e2e.readyPage();
    await expect.poll(() => quickAmounts(page)).toEqual(['¥10.00', '¥25.50', '¥100.00']);
    await page.locator('[data-testid="quick-amount"][data-amount="25.50"]').click();
    await expect(page.getByTestId('amount-display').textContent()).resolves.toContain('25.50');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter')); // no Charge needed
    await waitForStatus(page, 'paid');
    await page.keyboard.press('Enter');

    await page.keyboard.type('7.70', { delay: 40 });
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
    const orderId = (await page.locator('.result-facts dd').nth(2).textContent()) ?? '';
    await page.keyboard.press('Enter');
    // The configured ones first, then the last amount charged that is not among them.
    await expect.poll(() => quickAmounts(page)).toEqual(['¥10.00', '¥25.50', '¥100.00', '¥7.70']);

    const last = page.getByTestId('last-sale');
    await expect(last.getAttribute('data-order-id')).resolves.toBe(orderId);
    await expect(last.textContent()).resolves.toContain('Last sale: ¥7.70 — Payment received');
    // Reprint asks the terminal to print it (no printer here: it says why not).
    await page.getByTestId('last-sale-reprint').click();
    await expect
      .poll(() => page.getByTestId('last-sale-printed').textContent())
      .toMatch(/^Receipt not printed: /);
    await page.getByTestId('last-sale-open').click();
    await expect
      .poll(() => page.getByTestId('sale-detail').getAttribute('data-order-id'))
      .toBe(orderId);
  });
});
