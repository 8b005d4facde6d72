/**
 * Memberships with recurring payments (issue 13) on the cashier's screen, in Chromium against
 * the embedded simulator: a membership sold on the Members screen, its first payment on the
 * customer's phone (the till's QR decoded = the checkout page, Pay on the customer's phone, a browser of its own); the
 * member's memberships with schedule, next due date and sales; a renewal due today listed at
 * the top of the Members screen, charged only when a person decides, behind the supervisor
 * PIN with its amount confirmed in words, through the normal sale screens.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { localDay } from '../../shared/sale.ts';
import { useChromiumTerminal, waitForStatus } from '../support/chromiumTerminal.ts';
import { decodeQr } from '../support/customerScreen.ts';
import { pressPageButton } from '../support/simulator.ts';

const e2e = useChromiumTerminal();

async function invoke<T>(channel: string, request: unknown): Promise<T> {
  const result = await e2e.terminal.app.invoke(channel, request);
  if (!result.ok) throw new Error(`${channel}: ${JSON.stringify(result)}`);
  return result.value as T;
}

interface Sale {
  orderId: string;
  status: string;
  paymentUrl?: string | null;
}

async function openMember(page: Page, memberId: string, create: boolean): Promise<void> {
  await page.getByTestId('nav-members').click();
  await page.getByTestId('members-input').fill(memberId);
  await page.getByTestId(create ? 'members-create' : 'members-find').click();
  await page.locator(`[data-testid="member-detail"][data-member="${memberId}"]`).waitFor();
}

function daysFromToday(days: number): string {
  return localDay(Date.now() + days * 86_400_000);
}

/** A new member's monthly ¥30 membership for a year from `startDate`: its first checkout. */
async function monthlyMembership(memberId: string, startDate?: string): Promise<Sale> {
  await invoke('member:create', { memberId });
  return invoke<Sale>('sale:start-checkout', {
    amountText: '30.00',
    subscription: {
      memberId,
      intervalUnit: 'month',
      intervalCount: 1,
      ...(startDate ? { startDate } : {}),
      endDate: daysFromToday(365),
    },
  });
}

/** A monthly ¥30 membership sold to a new member on the Members screen: its checkout. */
async function sellMembership(page: Page, memberId: string): Promise<Sale> {
  await openMember(page, memberId, true);
  await page.getByTestId('sell-open').click();
  await page.getByTestId('sell-amount').fill('30.00');
  await page.getByTestId('sell-count').fill('1');
  await page.getByTestId('sell-unit').selectOption('month');
  await page.getByTestId('sell-start').click();
  await page.getByTestId('checkout-panel').waitFor();
  return invoke<Sale>('sale:current', {});
}

describe('memberships', () => {
  it('sells a membership: first payment on the phone, then its schedule, next due date and sales', async () => {
    const page = await e2e.readyPage({ viewport: { width: 1024, height: 768 } });
    const sale = await sellMembership(page, 'M-SUB-1');
    expect(sale.paymentUrl).toMatch(/\/__sim\/checkout\?ticket=/);
    await expect(decodeQr(page.getByTestId('cashier-checkout-qr'))).resolves.toBe(sale.paymentUrl);
    await e2e.customerPresses(sale.paymentUrl ?? '', 'pay');
    await waitForStatus(page, 'paid');
    await expect(page.getByTestId('result-member').innerText()).resolves.toBe('M-SUB-1');

    await openMember(page, 'M-SUB-1', false);
    const sub = page.getByTestId('subscription');
    await expect.poll(() => sub.getAttribute('data-status')).toBe('active');
    await expect(sub.getByTestId('subscription-schedule').innerText()).resolves.toMatch(
      new RegExp(`Every 1 month\\(s\\), from ${localDay(Date.now())} to \\d{4}-\\d{2}-\\d{2}`),
    );
    await expect(sub.getByTestId('subscription-next').innerText()).resolves.toMatch(
      /^Next due \d{4}-\d{2}-\d{2} · 1 paid$/,
    );
    await expect(
      sub.locator('[data-testid="member-sale"][data-status="paid"]').count(),
    ).resolves.toBe(1);
    // Not due today: no renewal offered, and the list at the top says so.
    await expect(sub.getByTestId('renew-open').count()).resolves.toBe(0);
    await expect(
      page.locator('[data-testid="due-row"][data-member="M-SUB-1"]').count(),
    ).resolves.toBe(0);
    await page.screenshot({ path: 'test-results/screens/members-subscription-1024.png' });
  });

  it('lists a renewal due today; a person charges it behind the PIN, the amount confirmed in words', async () => {
    // Nothing left in hand by an earlier test (one sale at a time per terminal).
    const left = await invoke<Sale | null>('sale:current', {});
    if (left && ['awaiting-scan', 'submitting', 'waiting-for-customer'].includes(left.status)) {
      await invoke('sale:cancel', { orderId: left.orderId });
    }
    // A membership started 40 days ago, first payment made (on the phone): the next is due.
    const first = await monthlyMembership('M-SUB-2', daysFromToday(-40));
    await pressPageButton(first.paymentUrl ?? '', 'pay');
    await expect
      .poll(async () => (await invoke<Sale | null>('sale:current', {}))?.status)
      .toBe('paid');

    const page = await e2e.readyPage({ viewport: { width: 800, height: 600 } });
    await page.getByTestId('nav-members').click();
    const due = page.locator('[data-testid="due-row"][data-member="M-SUB-2"]');
    await due.waitFor();
    await expect(due.innerText()).resolves.toContain('¥30.00');
    await page.screenshot({ path: 'test-results/screens/members-due-800.png' });
    // Listed, never charged by itself.
    const renewals = () =>
      e2e.terminal
        .ledger()
        .filter((l) => l.kind === 'charge' && l.source === 'recurring' && l.status === 'SUCCESS');
    expect(renewals()).toHaveLength(0);

    await due.click();
    await page.locator('[data-testid="member-detail"][data-member="M-SUB-2"]').waitFor();
    await page.getByTestId('renew-open').click();
    await expect(page.getByTestId('renew-amount').innerText()).resolves.toBe(
      'Renewal: ¥30.00, the membership’s amount',
    );
    await page.getByTestId('pin-input').fill('0000');
    await page.getByTestId('renew-review').click();
    await expect(page.getByTestId('renew-confirm-text').innerText()).resolves.toBe(
      'Charge ¥30.00 to the membership of M-SUB-2 (Card) now?',
    );
    await page.screenshot({ path: 'test-results/screens/members-renewal-confirm-800.png' });
    await page.getByTestId('renew-confirm').click();
    await expect(page.getByTestId('renew-error').getAttribute('data-code')).resolves.toBe(
      'pin-wrong',
    );
    expect(renewals()).toHaveLength(0);

    await page.getByTestId('pin-input').fill('1234');
    await page.getByTestId('renew-review').click();
    await page.getByTestId('renew-confirm').click();
    await waitForStatus(page, 'paid');
    await expect(page.getByTestId('result-tender').innerText()).resolves.toContain(
      'Membership renewal',
    );
    await expect(page.getByTestId('result-member').innerText()).resolves.toBe('M-SUB-2');
    expect(renewals().map((l) => [l.merchantUserId, l.amountMinor])).toEqual([['M-SUB-2', 3000]]);
    await page.screenshot({ path: 'test-results/screens/members-renewal-paid-800.png' });

    // Paid: no longer due today; the membership shows two payments.
    await page.getByTestId('nav-members').click();
    await expect.poll(() => due.count()).toBe(0);
    await page.getByTestId('members-input').fill('M-SUB-2');
    await page.getByTestId('members-find').click();
    await expect(page.getByTestId('subscription-next').innerText()).resolves.toMatch(/2 paid$/);
  });

  it('a membership whose first payment failed says why in the till’s language (zh-CN)', async () => {
    const first = await monthlyMembership('M-SUB-3');
    await pressPageButton(first.paymentUrl ?? '', 'fail');
    await expect
      .poll(async () => (await invoke<Sale | null>('sale:current', {}))?.status)
      .not.toBe('waiting-for-customer');
    await e2e.terminal.app.invoke('settings:save', { language: 'zh-CN' });
    try {
      const page = await e2e.readyPage({ viewport: { width: 800, height: 600 } });
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
      await openMember(page, 'M-SUB-3', false);
      const sub = page.getByTestId('subscription');
      await expect.poll(() => sub.getAttribute('data-status')).toBe('failed');
      const reason = await sub.getByTestId('subscription-reason').innerText();
      expect(reason).toMatch(/^首笔付款未完成 — 会员订阅未售出/);
      expect(reason).not.toMatch(/[A-Za-z]{4,}/);
    } finally {
      await e2e.terminal.app.invoke('settings:save', { language: 'en' });
    }
  });

  it('its first payment failed on the phone: the result offers the member, not a plain sale of the amount', async () => {
    const page = await e2e.readyPage({ viewport: { width: 800, height: 600 } });
    const sale = await sellMembership(page, 'M-SUB-4');
    await e2e.customerPresses(sale.paymentUrl ?? '', 'fail');
    await page.locator('.result-screen').waitFor();
    await expect(page.getByTestId('try-again-button').innerText()).resolves.toBe(
      'Back to member M-SUB-4',
    );
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="member-detail"][data-member="M-SUB-4"]').waitFor();
    await expect(page.getByTestId('members-screen').isVisible()).resolves.toBe(true);
  });
});
