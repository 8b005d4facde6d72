/**
 * A scan on the History screen (issue 10, "what every till has") finds that sale and opens
 * its detail: the customer's payment code (matched by its masked form, first 6 and last 4
 * digits — the journal keeps nothing more of a code), or a receipt's order barcode (the order
 * id), from any day. Nothing needs to be clicked first, and a code of no sale says so.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dispatchKeys, scanKeys, wechatCode, type KeySpec } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

/** A receipt's CODE128 of the order id as a wedge types it: letters, digits, '-', Enter. */
function textKeys(text: string): KeySpec[] {
  const keys = [...text].map((ch): KeySpec => {
    if (/[0-9]/.test(ch)) return { code: `Digit${ch}`, key: ch, keyCode: ch.charCodeAt(0) };
    if (ch === '-') return { code: 'Minus', key: '-', keyCode: 189 };
    const upper = ch.toUpperCase();
    return { code: `Key${upper}`, key: ch, keyCode: upper.charCodeAt(0), shiftKey: ch === upper };
  });
  return [...keys, { code: 'Enter', key: 'Enter', keyCode: 13 }];
}

async function paidSale(page: Page, amount: string, code: string): Promise<string> {
  await page.keyboard.press('F1');
  await page.keyboard.type(amount, { delay: 40 });
  await page.keyboard.press('Enter');
  await waitForStatus(page, 'awaiting-scan');
  await dispatchKeys(page, scanKeys(code, 'qwerty', 'enter'));
  await waitForStatus(page, 'paid');
  const orderId = (await page.locator('.result-facts dd').nth(2).textContent()) ?? '';
  await page.keyboard.press('Enter');
  return orderId;
}

describe('a scan on the History screen', () => {
  it('opens the sale of a scanned payment code, and of a receipt’s order barcode', async () => {
    const page = await e2e.readyPage();
    const code = wechatCode();
    const first = await paidSale(page, '3.30', code);
    const second = await paidSale(page, '4.40', wechatCode());
    expect(first).toMatch(/-/);

    await page.keyboard.press('F2');
    await page.getByTestId('history-row').first().waitFor();
    await dispatchKeys(page, scanKeys(code, 'qwerty', 'enter'));
    const detail = page.getByTestId('sale-detail');
    await expect.poll(() => detail.getAttribute('data-order-id')).toBe(first);
    await expect(page.getByTestId('history-scan').getAttribute('data-found')).resolves.toBe('true');
    await expect(page.getByTestId('history-scan').textContent()).resolves.toContain(
      `${code.slice(0, 6)}********${code.slice(-4)}`,
    );
    // The code itself is nowhere on the page: only its masked form.
    await expect(page.locator('body').innerText()).resolves.not.toContain(code);

    await page.keyboard.press('Escape');
    await dispatchKeys(page, textKeys(second));
    await expect.poll(() => detail.getAttribute('data-order-id')).toBe(second);
  });

  it('says so when no sale has the scanned code', async () => {
    const page = await e2e.readyPage();
    await page.keyboard.press('F2');
    const unknown = wechatCode();
    await dispatchKeys(page, scanKeys(unknown, 'qwerty', 'enter'));
    const note = page.getByTestId('history-scan');
    await expect.poll(() => note.getAttribute('data-found')).toBe('false');
    await expect(note.textContent()).resolves.toMatch(
      /^No sale matches the scanned code \d{6}\*+\d{4}$/,
    );
    await expect(page.getByTestId('sale-detail').count()).resolves.toBe(0);
  });
});
