/**
 * A Hong Kong till (HKD): a member links AlipayHK and is charged in HKD from the amount screen;
 * the customer's mainland Alipay, linked too, is charged in CNY only, so an HKD sale is refused
 * before anything is sent, with the reason (in zh-HK words on a Chinese till).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';
import { pressPageButton } from '../support/simulator.ts';

const e2e = useChromiumTerminal({ timeScale: 0.01 });

async function invoke<T>(channel: string, request: unknown): Promise<T> {
  const result = await e2e.terminal.app.invoke(channel, request);
  if (!result.ok) throw new Error(`${channel}: ${JSON.stringify(result)}`);
  return result.value as T;
}

async function link(memberId: string, wallet: 'AlipayHK' | 'Alipay'): Promise<void> {
  const pending = await invoke<{ authUrl: string | null }>('member:link', { memberId, wallet });
  await pressPageButton(pending.authUrl ?? '', 'agree');
  await expect
    .poll(async () => {
      const member = await invoke<{ links: { wallet: string; status: string }[] }>('member:find', {
        memberId,
      });
      return member.links.find((l) => l.wallet === wallet)?.status;
    })
    .toBe('active');
}

async function chargeMember(page: Page, amount: string, memberId: string, wallet: string) {
  await page.keyboard.type(amount, { delay: 30 });
  await expect
    .poll(async () => (await page.getByTestId('amount-display').textContent())?.replace(/,/g, ''))
    .toContain(amount);
  await page.getByTestId('tender-member').click();
  await page.getByTestId('member-picker-input').fill(memberId);
  await page.keyboard.press('Enter');
  await page.getByTestId(`member-charge-${wallet}`).click();
}

/** The HK till and its member with both wallets linked (once, inside the first test). */
let prepared: Promise<void> | null = null;
function hongKongMember(): Promise<void> {
  prepared ??= (async () => {
    await invoke('settings:save', { pin: '1234', region: 'HK', currency: 'HKD' });
    await invoke('member:create', { memberId: 'HK-M-1', label: 'Mr Wong' });
    await link('HK-M-1', 'AlipayHK');
    await link('HK-M-1', 'Alipay');
  })();
  return prepared;
}

describe('linked wallets on a Hong Kong till', () => {
  it('charges the linked AlipayHK in HKD', async () => {
    await hongKongMember();
    const page = await e2e.readyPage({ viewport: { width: 800, height: 600 } });
    await chargeMember(page, '388.00', 'HK-M-1', 'AlipayHK');
    await waitForStatus(page, 'paid');
    await expect(page.locator('.result-amount').innerText()).resolves.toContain('HK$388.00');
    await expect(page.getByTestId('result-tender').innerText()).resolves.toContain(
      'AlipayHK (linked)',
    );
    const charged = e2e.terminal
      .ledger()
      .filter((l) => l.kind === 'charge' && l.merchantUserId === 'HK-M-1');
    expect(charged.map((l) => [l.methodType, l.currency, l.amountMinor, l.status])).toEqual([
      ['AlipayHK', 'HKD', 38800, 'SUCCESS'],
    ]);
  });

  it('refuses the linked Alipay (CNY) on an HKD sale, in zh-HK, nothing sent', async () => {
    await hongKongMember();
    await invoke('settings:save', { language: 'zh-HK' });
    try {
      const page = await e2e.readyPage({ viewport: { width: 800, height: 600 } });
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-HK');
      await chargeMember(page, '20.00', 'HK-M-1', 'Alipay');
      const error = page.getByTestId('member-charge-error');
      await expect(error.getAttribute('data-reason-code')).resolves.toBe('link-currency');
      await expect(error.innerText()).resolves.toMatch(/綁定錢包的扣款貨幣與這筆交易不同/);
      await page.screenshot({ path: 'test-results/screens/members-hk-currency-800.png' });
      expect(
        e2e.terminal
          .ledger()
          .filter((l) => l.merchantUserId === 'HK-M-1' && l.amountMinor === 2000),
      ).toHaveLength(0);
    } finally {
      await invoke('settings:save', { language: 'en' });
    }
  });
});
