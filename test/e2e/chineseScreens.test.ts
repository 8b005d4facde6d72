/**
 * Chinese throughout (issue 10, defect 2): under zh-CN and zh-HK every reason the engine gives,
 * the wrong-PIN count, the lock-out, the invalid-code explanation and the history details
 * are in the cashier's language, with their facts (insufficient balance, the payer
 * cancelled…) — and not a word of English, nor an untranslated key, is on screen.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Language } from '../../shared/languages.ts';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

/**
 * Latin words a Chinese screen may show: names, keys and codes that are not English text, and
 * "English" as the language selector names it.
 */
const ALLOWED = new Set([
  'PosPay',
  'salt',
  'IT',
  'CSV',
  'Enter',
  'Esc',
  'Shift',
  'ENG',
  'English',
  'AlipayHK',
]);
const ORDER_ID = /\b[A-Za-z0-9_-]+-\d{14}-[A-Za-z0-9]+\b/g;

/** Every Latin word on screen that is not allowed: English text or an untranslated key. */
async function englishOnScreen(page: Page): Promise<string[]> {
  const text = (await page.locator('body').innerText()).replace(ORDER_ID, '');
  const words = text.match(/[A-Za-z][A-Za-z._-]*[A-Za-z]/g) ?? [];
  return words.filter((w) => !ALLOWED.has(w));
}

async function chinesePage(language: Language): Promise<Page> {
  const saved = await e2e.terminal.app.invoke('settings:save', { language });
  expect(saved).toMatchObject({ ok: true });
  const page = await e2e.readyPage();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(language);
  return page;
}

async function startSale(page: Page, amount: string): Promise<void> {
  await page.keyboard.type(amount, { delay: 40 });
  await expect.poll(() => page.getByTestId('amount-display').textContent()).toContain(amount);
  await page.keyboard.press('Enter');
  await waitForStatus(page, 'awaiting-scan');
}

/** A sale of `amount` scanned with a WeChat code: its result screen's whole text. */
async function saleResult(page: Page, amount: string, status: string): Promise<string> {
  await startSale(page, amount);
  await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
  await waitForStatus(page, status);
  const text = (await page.locator('.result-screen').innerText()) ?? '';
  expect(await englishOnScreen(page), `${amount}: ${text}`).toEqual([]);
  return text;
}

describe.each([
  {
    language: 'zh-CN' as const,
    balance: '余额不足',
    payerCancelled: '顾客取消了支付',
    expired: '付款码已过期',
    cancelled: /未支付 — 没有扣款[\s\S]*已取消/,
    notCode: '不是微信支付或支付宝的付款码',
  },
  {
    language: 'zh-HK' as const,
    balance: '餘額不足',
    payerCancelled: '顧客取消了付款',
    expired: '付款碼已過期',
    cancelled: /未付款 — 沒有扣款[\s\S]*已取消/,
    notCode: '不是微信支付或支付寶的付款碼',
  },
])('a $language screen', (words) => {
  it('gives every reason with its fact, the invalid-code explanation and the history details in Chinese', async () => {
    const page = await chinesePage(words.language);
    expect(await englishOnScreen(page)).toEqual([]);

    await expect(saleResult(page, '12.31', 'declined')).resolves.toContain(words.balance);
    await page.getByTestId('new-sale-button').click();
    await expect(saleResult(page, '12.33', 'declined')).resolves.toContain(words.payerCancelled);
    await page.getByTestId('new-sale-button').click();
    await expect(saleResult(page, '3.08', 'declined')).resolves.toContain(words.expired);
    await page.getByTestId('new-sale-button').click();

    await startSale(page, '4.00');
    await page.getByTestId('cancel-button').click();
    await waitForStatus(page, 'closed');
    await expect(page.locator('.result-screen').innerText()).resolves.toMatch(words.cancelled);
    expect(await englishOnScreen(page)).toEqual([]);
    await page.getByTestId('new-sale-button').click();

    // A code of no wallet: the explanation names it (masked) in Chinese.
    await startSale(page, '5.00');
    await dispatchKeys(page, scanKeys('990000000000001234', 'qwerty', 'enter'));
    const error = page.getByTestId('scan-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(
      new RegExp(`990000\\*+1234 ?${words.notCode}`),
    );
    expect(await englishOnScreen(page)).toEqual([]);
    await page.screenshot({ path: `test-results/cashier-invalid-code-${words.language}.png` });
    await page.getByTestId('cancel-button').click();
    await page.getByTestId('new-sale-button').click();

    // The history's details of the declined sale: the reason and its fact.
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-row').first().waitFor();
    await page.locator('[data-testid="history-row"][data-status="declined"]').last().click();
    const detail = page.getByTestId('sale-detail');
    await expect.poll(() => detail.innerText()).toContain(words.balance);
    expect(await englishOnScreen(page)).toEqual([]);
    await page.screenshot({ path: `test-results/cashier-history-${words.language}.png` });
  });
});

describe('the supervisor PIN on a Chinese screen', () => {
  it('counts the wrong PINs and says how long the lock lasts, in Chinese', async () => {
    const page = await chinesePage('zh-CN');
    await page.getByTestId('nav-settings').click();
    const error = page.getByTestId('settings-lock-error');
    await page.getByTestId('pin-input').fill('9999');
    await page.getByTestId('settings-unlock').click();
    await expect.poll(() => error.textContent()).toMatch(/主管密码错误（还可再试 2 次/);
    expect(await englishOnScreen(page)).toEqual([]);
    // Wrong again until the lock: each answer in Chinese, the last one with its seconds.
    for (let attempt = 2; attempt <= 4; attempt += 1) {
      const before = await error.textContent();
      await page.getByTestId('pin-input').fill('9999');
      await page.getByTestId('settings-unlock').click();
      await expect.poll(() => error.textContent()).not.toBe(before);
      expect(await englishOnScreen(page)).toEqual([]);
      if (/锁定/.test((await error.textContent()) ?? '')) break;
    }
    await expect.poll(() => error.textContent()).toMatch(/已锁定 \d+ 秒/);
    expect(await englishOnScreen(page)).toEqual([]);
  });
});
