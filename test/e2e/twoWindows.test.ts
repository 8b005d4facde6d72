/**
 * Two windows on one terminal (two browser tabs on browser mode, or a second screen): a sale
 * started in one is never silently replaced from the other — it shows in both, and either
 * can scan it. Real Chromium against a real terminal (embedded simulator).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskCode } from '../../shared/paymentCode.ts';
import { startTerminalServer, type TerminalServer } from '../support/browserMode.ts';
import {
  dispatchKeys,
  launchChromium,
  openPage,
  scanKeys,
  wechatCode,
  type OpenedPage,
} from '../support/chromium.ts';
import { waitForStatus } from '../support/chromiumTerminal.ts';

let terminal: TerminalServer;
let browser: Browser;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  [terminal, browser] = await Promise.all([startTerminalServer(), launchChromium()]);
});

afterAll(async () => {
  for (const o of opened) await o.context.close();
  await browser?.close();
  await terminal?.close();
});

async function window(): Promise<OpenedPage> {
  const o = await openPage(browser, terminal.url);
  opened.push(o);
  await o.page.locator('[data-ready="true"]').waitFor();
  return o;
}

describe('two windows on one terminal', () => {
  it('a sale started in the first shows in the second, and a scan there pays that sale', async () => {
    const first = await window();
    const second = await window();
    await first.page.keyboard.type('12.5', { delay: 60 });
    await first.page.keyboard.press('Enter');
    await waitForStatus(first.page, 'awaiting-scan');
    // The second window shows the same sale instead of offering to start another.
    await waitForStatus(second.page, 'awaiting-scan');
    await expect
      .poll(() => second.page.getByTestId('scan-prompt').textContent())
      .toContain('12.50');
    const code = wechatCode();
    await dispatchKeys(second.page, scanKeys(code, 'qwerty', 'enter'));
    await waitForStatus(second.page, 'paid');
    await waitForStatus(first.page, 'paid');
    const charges = terminal
      .ledger()
      .filter((e) => e.kind === 'charge' && e.scanCodeId === maskCode(code));
    expect(charges).toHaveLength(1);
    expect(first.problems).toEqual([]);
    expect(second.problems).toEqual([]);
  });
});
