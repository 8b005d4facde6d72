/**
 * Words as cashiers say them (issue 10, defect 12): 日结 on a mainland (zh-CN) till rather
 * than "Z 报表", 继续收款 rather than 新交易; 刷新 rather than 重新整理 in Hong Kong, where
 * Z 報表 is the usual word.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Language } from '../../shared/languages.ts';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

async function screenIn(language: Language): Promise<Page> {
  const saved = await e2e.terminal.app.invoke('settings:save', { language });
  expect(saved).toMatchObject({ ok: true });
  const page = await e2e.readyPage();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(language);
  return page;
}

describe('mainland and Hong Kong wording', () => {
  it('zh-CN: 日结 for the day report, 继续收款 after a sale', async () => {
    const page = await screenIn('zh-CN');
    await expect(page.getByTestId('nav-report').textContent()).resolves.toBe('日结');
    await page.keyboard.type('1.00', { delay: 40 });
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
    await expect(page.getByTestId('new-sale-button').textContent()).resolves.toBe('继续收款');
    await expect(page.locator('body').innerText()).resolves.not.toMatch(/Z ?报表|新交易/);
  });

  it('zh-HK: 刷新 in the history, Z 報表 stays', async () => {
    const page = await screenIn('zh-HK');
    await expect(page.getByTestId('nav-report').textContent()).resolves.toBe('Z 報表');
    await page.getByTestId('nav-history').click();
    await page.getByRole('button', { name: '刷新', exact: true }).waitFor();
    await expect(page.locator('body').innerText()).resolves.not.toContain('重新整理');
  });
});
