/**
 * CSV export (issue 10, defect 11, the screen's part): the file starts with the UTF-8 byte
 * order mark, so Excel on a Chinese Windows till opens it as UTF-8 rather than as GBK.
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
});
