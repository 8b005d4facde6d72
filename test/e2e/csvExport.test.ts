/**
 * CSV export (issue 10, defect 11): the file starts with the UTF-8 byte order mark, so Excel
 * on a Chinese Windows till opens it as UTF-8 rather than as GBK; its times are the terminal's
 * local time with the zone; its reasons are in the screen's language, with their facts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

describe('the CSV export', () => {
  it('starts with the UTF-8 byte order mark, once, before the header', async () => {
    const page = await e2e.readyPage();
    await page.keyboard.type('7.70', { delay: 40 });
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
    await page.getByTestId('nav-report').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('report-export').click(),
    ]);
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3, 6).toString('utf8')).not.toBe('\uFEFF');
    const text = bytes.subarray(3).toString('utf8');
    expect(text.split('\n').length).toBeGreaterThan(1);
    expect(text).toContain('7.70');
  });

  it('gives local times with the zone and, on a Chinese till, the reasons in Chinese', async () => {
    await e2e.terminal.app.invoke('settings:save', { language: 'zh-CN' });
    try {
      const page = await e2e.readyPage();
      await page.keyboard.type('12.31', { delay: 40 }); // declined: insufficient balance
      await page.keyboard.press('Enter');
      await waitForStatus(page, 'awaiting-scan');
      await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
      await waitForStatus(page, 'declined');
      await page.getByTestId('nav-report').click();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('report-export').click(),
      ]);
      const text = readFileSync(await download.path())
        .subarray(3)
        .toString('utf8');
      const [header = '', ...lines] = text.trim().split('\r\n');
      const time = header.split(',').indexOf('time');
      expect(time).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line.split(',')[time]).toMatch(
          /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}$/,
        );
      }
      const declined = lines.find((l) => l.includes(',declined,')) ?? '';
      expect(declined).toContain('被钱包拒绝（余额不足');
      expect(declined).not.toMatch(/insufficient|Declined by/);
    } finally {
      await e2e.terminal.app.invoke('settings:save', { language: 'en' });
    }
  });
});
