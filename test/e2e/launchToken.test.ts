/**
 * Browser mode's launch token end to end: the cashier opens the address the terminal printed
 * (/?token=…) in real Chromium; the same screen opened without it (or with a token from an
 * earlier launch) says which address to open instead of showing a blank or broken till.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

/** Every request the page made to the terminal's API so far (fetch and event stream). */
const apiRequests = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((entry) => new URL(entry.name).pathname)
      .filter((path) => path.startsWith('/api/')),
  );

async function expectTokenMessage(
  page: Page,
  text = 'This page needs the address printed by the terminal (with ?token=…)',
): Promise<void> {
  const message = page.getByTestId('token-required');
  await message.waitFor();
  expect(await message.textContent()).toContain(text);
  expect(await page.locator('[data-ready="true"]').count()).toBe(0);
}

describe('the address with its launch token', () => {
  it('opens the till, drops the token from the address bar, and survives a reload', async () => {
    const page = await e2e.readyPage();
    expect(page.url()).toBe(`${e2e.terminal.origin}/`);
    expect(page.url()).not.toContain(e2e.terminal.token);

    await page.keyboard.type('4.20', { delay: 60 });
    await page.keyboard.press('Enter');
    await page.getByTestId('scan-prompt').waitFor();
    await waitForStatus(page, 'awaiting-scan');

    // The tab keeps the token: after a reload the sale in progress is still on screen.
    await page.reload();
    await page.locator('[data-ready="true"]').waitFor();
    await page.getByTestId('scan-prompt').waitFor();
    await waitForStatus(page, 'awaiting-scan');
    await page.getByTestId('cancel-button').click();
    await page.getByTestId('scan-prompt').waitFor({ state: 'detached' });
  });

  it('without the token, says which address to open and asks the terminal nothing', async () => {
    const page = await e2e.openScreen(`${e2e.terminal.origin}/`);
    await expectTokenMessage(page);
    expect(await apiRequests(page)).toEqual([]);
  });

  it('with a token from an earlier launch, says the same, and forgets that token', async () => {
    const page = await e2e.openScreen(`${e2e.terminal.origin}/?token=from-an-earlier-launch-0000`);
    await expectTokenMessage(page);
    expect(page.url()).toBe(`${e2e.terminal.origin}/`);
    await page.reload();
    await expectTokenMessage(page);
    expect(await apiRequests(page)).toEqual([]);
  });

  it("says it in the browser's language (no settings can be read without the token)", async () => {
    const page = await e2e.openScreen(`${e2e.terminal.origin}/`, { locale: 'zh-CN' });
    await expectTokenMessage(page, '此页面需要终端打印的地址（带 ?token=…）');
  });
});
