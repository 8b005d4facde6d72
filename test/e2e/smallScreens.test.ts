/**
 * Small screens (issue 10, defect 7): at 800×600 and 1024×768 the sale screens fit without
 * scrolling — the whole keypad (also with the Hong Kong wallet choice), the scan prompt, the
 * result screens — and the top bar stays on one line.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { alipayCode, dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

/** What does not fit: the page scrolls, or an element reaches past the viewport. */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollHeight > window.innerHeight) {
      problems.push(`page scrolls: ${root.scrollHeight} > ${window.innerHeight}`);
    }
    if (root.scrollWidth > window.innerWidth) {
      problems.push(`page scrolls sideways: ${root.scrollWidth} > ${window.innerWidth}`);
    }
    for (const el of Array.from(document.querySelectorAll('button, output, input, h1'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.bottom > window.innerHeight + 0.5 || r.right > window.innerWidth + 0.5) {
        problems.push(
          `${el.tagName} "${(el.textContent ?? '').trim().slice(0, 20)}" at ${Math.round(r.bottom)}`,
        );
      }
    }
    const nav = Array.from(document.querySelectorAll('.topbar > *')).map(
      (el) => (el.getBoundingClientRect().top + el.getBoundingClientRect().bottom) / 2,
    );
    if (Math.max(...nav) - Math.min(...nav) > 8) problems.push('the top bar wraps');
    return problems;
  });
}

async function waitingScreens(page: Page, shot: (name: string) => Promise<unknown>): Promise<void> {
  await page.keyboard.type('12.34', { delay: 30 });
  await page.keyboard.press('Enter');
  await waitForStatus(page, 'awaiting-scan');
  await dispatchKeys(page, scanKeys(wechatCode(), 'qwerty', 'enter'));
  await waitForStatus(page, 'waiting-for-customer');
  await shot('waiting');
  expect(await overflow(page), 'waiting screen').toEqual([]);
  await page.getByTestId('cancel-button').click();
  await page
    .locator('[data-testid="payment-status"]:not([data-status="waiting-for-customer"])')
    .waitFor();
  await shot('stopped');
  expect(await overflow(page), 'stopped-waiting screen').toEqual([]);
}

async function setRegion(region: 'CN' | 'HK'): Promise<void> {
  const saved = await e2e.terminal.app.invoke('settings:save', {
    pin: '1234',
    region,
    currency: region === 'HK' ? 'HKD' : 'CNY',
  });
  expect(saved).toMatchObject({ ok: true });
}

describe.each([
  { region: 'CN' as const, width: 800, height: 600 },
  { region: 'HK' as const, width: 800, height: 600 },
  { region: 'CN' as const, width: 1024, height: 768 },
  { region: 'HK' as const, width: 1024, height: 768 },
])('region $region at $width×$height', ({ region, width, height }) => {
  it('fits the amount, scan and result screens without scrolling', async () => {
    await setRegion(region);
    const page = await e2e.readyPage();
    await page.setViewportSize({ width, height });
    const shot = (name: string) =>
      page.screenshot({ path: `test-results/small-${region}-${width}x${height}-${name}.png` });

    await page.keyboard.type('12.31', { delay: 30 });
    await shot('amount');
    expect(await overflow(page), 'amount screen').toEqual([]);
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'awaiting-scan');
    await shot('scan');
    expect(await overflow(page), 'scan screen').toEqual([]);
    // A wrong wallet first (the longest scan screen: the reason beside the prompt).
    const wrong = region === 'HK' ? wechatCode() : '990000000000001234';
    await dispatchKeys(page, scanKeys(wrong, 'qwerty', 'enter'));
    await page.getByTestId('scan-error').waitFor();
    await shot('scan-error');
    expect(await overflow(page), 'scan screen with an error').toEqual([]);
    await dispatchKeys(
      page,
      scanKeys(region === 'HK' ? alipayCode() : wechatCode(), 'qwerty', 'enter'),
    );
    await waitForStatus(page, 'declined');
    await shot('declined');
    expect(await overflow(page), 'declined screen').toEqual([]);
    // Waiting for the customer, then stopped waiting: the "not known yet" screens.
    await page.keyboard.press('Escape');
    if (region === 'CN') await waitingScreens(page, shot);
    // Touch targets stay at least 44 px tall.
    const heights = await page
      .locator('button:visible')
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
  });
});
