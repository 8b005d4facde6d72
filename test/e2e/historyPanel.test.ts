/**
 * History refunds where the cashier looks (issue 10, defect 6): the detail and refund panel
 * of a lower row of a long list is in view at 1024×768 and at 800×600, and searching by
 * amount ("88.80", "¥88.80") finds the sales of that amount.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

/** A paid sale of `amountText`, made through the contract as the screen would. */
async function paidSale(amountText: string): Promise<string> {
  const started = await e2e.terminal.app.invoke('sale:start', { amountText });
  if (!started.ok) throw new Error(`sale:start failed: ${JSON.stringify(started)}`);
  const orderId = (started.value as { orderId: string }).orderId;
  const paid = await e2e.terminal.app.invoke('sale:submit-code', {
    orderId,
    code: wechatCode(),
    source: 'manual',
  });
  expect(paid).toMatchObject({ ok: true, value: { status: 'paid' } });
  return orderId;
}

/** Whether the element is wholly inside the viewport. */
async function inView(page: Page, testId: string): Promise<boolean> {
  const box = await page.getByTestId(testId).boundingBox();
  const viewport = page.viewportSize();
  if (!box || !viewport) return false;
  return (
    box.y >= 0 &&
    box.x >= 0 &&
    box.y + box.height <= viewport.height &&
    box.x + box.width <= viewport.width
  );
}

describe('the history detail panel and search', () => {
  beforeAll(async () => {
    await paidSale('88.80');
    for (let i = 0; i < 30; i += 1) await paidSale(`${i + 1}.00`);
  });

  for (const [width, height] of [
    [1024, 768],
    [800, 600],
  ] as const) {
    it(`shows the refund panel of a lower row in view at ${width}×${height}`, async () => {
      const page = await e2e.readyPage();
      await page.setViewportSize({ width, height });
      await page.getByTestId('nav-history').click();
      await expect.poll(() => page.getByTestId('history-row').count()).toBeGreaterThan(30);
      const row = page.getByTestId('history-row').nth(28);
      await row.click();
      await page.getByTestId('sale-detail').waitFor();
      await expect
        .poll(() => page.getByTestId('sale-detail').getAttribute('data-order-id'))
        .toBe(await row.getAttribute('data-order-id'));
      expect(await inView(page, 'refund-amount-input')).toBe(true);
      expect(await inView(page, 'refund-button')).toBe(true);
      await page.screenshot({ path: `test-results/history-panel-${width}x${height}.png` });
    });
  }

  for (const search of ['88.80', '¥88.80']) {
    it(`finds the sale of ¥88.80 by searching "${search}"`, async () => {
      const page = await e2e.readyPage();
      await page.getByTestId('nav-history').click();
      await expect.poll(() => page.getByTestId('history-row').count()).toBeGreaterThan(30);
      await page.getByTestId('history-search').fill(search);
      await expect.poll(() => page.getByTestId('history-row').count()).toBe(1);
      await expect(page.getByTestId('history-row').textContent()).resolves.toContain('¥88.80');
    });
  }
});
