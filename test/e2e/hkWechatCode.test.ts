/**
 * A WeChat Pay code on an HKD sale in Hong Kong (issue 10, defect 3): WeChat Pay charges in
 * CNY, so the code cannot pay this sale. Every language says so — the code is a WeChat code,
 * charged in CNY, the sale is in HKD — rather than calling it "not a payment code".
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Language } from '../../shared/languages.ts';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

async function scanWechatOnHkdSale(language: Language): Promise<{ page: Page; text: string }> {
  const saved = await e2e.terminal.app.invoke('settings:save', { language });
  expect(saved).toMatchObject({ ok: true, value: { region: 'HK', currency: 'HKD' } });
  const page = await e2e.readyPage();
  await page.keyboard.type('10.00', { delay: 40 });
  await page.keyboard.press('Enter');
  await waitForStatus(page, 'awaiting-scan');
  await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
  const error = page.getByTestId('scan-error');
  await error.waitFor();
  return { page, text: (await error.textContent()) ?? '' };
}

describe('a WeChat Pay code on an HKD sale', () => {
  beforeAll(async () => {
    const saved = await e2e.terminal.app.invoke('settings:save', {
      pin: '1234',
      region: 'HK',
      currency: 'HKD',
    });
    expect(saved).toMatchObject({ ok: true });
  });

  it('English: a WeChat Pay code, charged in CNY, on an HKD sale', async () => {
    const { text } = await scanWechatOnHkdSale('en');
    expect(text).toMatch(/WeChat Pay code, charged in CNY, but this sale is in HKD/);
  });

  it('繁體中文 says the same: 微信支付付款碼, CNY, HKD — not "not a payment code"', async () => {
    const { page, text } = await scanWechatOnHkdSale('zh-HK');
    expect(text).toMatch(/這是微信支付付款碼，以 CNY 扣款，但這筆交易是 HKD/);
    expect(text).not.toMatch(/不是微信支付或支付寶的付款碼/);
    await waitForStatus(page, 'awaiting-scan'); // the sale is still there for the right code
    await page.screenshot({ path: 'test-results/cashier-wechat-hkd-zh-HK.png' });
  });

  it('简体中文 says the same', async () => {
    const { text } = await scanWechatOnHkdSale('zh-CN');
    expect(text).toMatch(/这是微信支付付款码，以 CNY 扣款，但这笔交易是 HKD/);
    expect(text).not.toMatch(/不是微信支付或支付宝的付款码/);
  });
});
