/**
 * Faster sales (issue 10, defects 4, 5 and 8): a code scanned on the amount screen is charged
 * at once when an amount is typed; failures keep the amount for another try; messages that
 * no longer apply leave the screen.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { maskCode } from '../../shared/paymentCode.ts';
import { dispatchKeys, scanKeys, wechatCode } from '../support/chromium.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';

const e2e = useChromiumTerminal();

const charges = (code: string) =>
  e2e.terminal.ledger().filter((e) => e.kind === 'charge' && e.scanCodeId === maskCode(code));

async function salesCount(): Promise<number> {
  const list = await e2e.terminal.app.invoke('history:list', {});
  if (!list.ok || !Array.isArray(list.value)) throw new Error('history:list failed');
  return list.value.length;
}

async function typeAmount(page: Page, amount: string): Promise<void> {
  await page.keyboard.type(amount, { delay: 40 });
  await expect.poll(() => page.getByTestId('amount-display').textContent()).toContain(amount);
}

describe('a scan on the amount screen', () => {
  it('charges a valid code at once when a valid amount is typed: no Charge key, no re-scan', async () => {
    const page = await e2e.readyPage();
    await typeAmount(page, '8.80');
    const code = wechatCode();
    await dispatchKeys(page, scanKeys(code, 'qwerty', 'enter'));
    await waitForStatus(page, 'paid');
    await expect(page.locator('.result-amount').textContent()).resolves.toBe('¥8.80');
    expect(charges(code).filter((c) => c.status === 'SUCCESS')).toHaveLength(1);
    await expect(page.getByTestId('notice').count()).resolves.toBe(0);
  });

  it('says that no amount is typed when a code is scanned without one, and charges nothing', async () => {
    const page = await e2e.readyPage();
    const before = await salesCount();
    const code = wechatCode();
    await dispatchKeys(page, scanKeys(code, 'qwerty', 'enter'));
    const error = page.getByTestId('amount-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/no amount is typed/);
    expect(charges(code)).toEqual([]);
    expect(await salesCount()).toBe(before);
  });
});
