/**
 * The members domain on its own (shared/members.ts): the linked wallet's status moves, the
 * per-wallet limits and currencies refused before anything is sent, WeChat Pay refused for
 * CodeGrant, member ids that are never a phone number, and a subscription's due dates.
 */
import { describe, expect, it } from 'vitest';
import {
  chargeRefusal,
  checkLinkTransition,
  dueDate,
  dueDates,
  isDue,
  linkStatusOf,
  looksLikePhone,
  memberIdProblem,
  nextDueDate,
  scheduleProblem,
  walletRefusal,
  type LinkStatus,
  type Schedule,
} from '../../../shared/members.ts';
import { isPaymentMethod, isSaleMethod, saleMethodName } from '../../../shared/paymentMethods.ts';
import { classifyPaymentCode } from '../../../shared/paymentCode.ts';

describe('linked wallet status moves', () => {
  const allowed: [LinkStatus, LinkStatus][] = [
    ['pending', 'active'],
    ['pending', 'declined'],
    ['pending', 'expired'],
    ['active', 'unbound'],
  ];
  const refused: [LinkStatus, LinkStatus][] = [
    ['active', 'pending'],
    ['active', 'declined'],
    ['declined', 'active'],
    ['expired', 'active'],
    ['unbound', 'active'],
    ['pending', 'unbound'],
    ['expired', 'pending'],
  ];
  it.each(allowed)('%s → %s is allowed', (from, to) => {
    expect(checkLinkTransition(from, to)).toEqual({ ok: true });
  });
  it.each(refused)('%s → %s is refused, saying so', (from, to) => {
    const check = checkLinkTransition(from, to);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toContain(`from ${from} to ${to}`);
  });
  it('the gateway statuses map to ours; an unknown one to none', () => {
    expect(linkStatusOf('ACTIVE')).toBe('active');
    expect(linkStatusOf('UNBOUND')).toBe('unbound');
    expect(linkStatusOf('SOMETHING')).toBeNull();
  });
});

describe('limits and currencies, before anything is sent', () => {
  it('Alipay: CNY 500.00 passes, CNY 500.01 is refused naming the limit', () => {
    expect(chargeRefusal('Alipay', 50_000, 'CNY')).toBeNull();
    const refusal = chargeRefusal('Alipay', 50_001, 'CNY');
    expect(refusal?.reasonCode).toBe('link-limit-exceeded');
    expect(refusal?.reason).toContain('¥500.00');
    expect(refusal?.reason).toContain('nothing was charged');
  });
  it('AlipayHK: HKD 50,000.00 passes, one cent more is refused', () => {
    expect(chargeRefusal('AlipayHK', 5_000_000, 'HKD')).toBeNull();
    expect(chargeRefusal('AlipayHK', 5_000_001, 'HKD')?.reasonCode).toBe('link-limit-exceeded');
  });
  it('a wallet in another currency is refused with the reason', () => {
    const refusal = chargeRefusal('AlipayHK', 100, 'CNY');
    expect(refusal).toMatchObject({ reasonCode: 'link-currency' });
    expect(refusal?.reason).toContain('HKD');
  });
  it('a store-set limit replaces the default', () => {
    expect(chargeRefusal('Alipay', 60_000, 'CNY', { Alipay: 100_000 })).toBeNull();
  });
  it('WeChat Pay is refused for CodeGrant with a clear reason; AlipayHK is not', () => {
    const refusal = walletRefusal('WeChatPay');
    expect(refusal?.reasonCode).toBe('wallet-not-codegrant');
    expect(refusal?.reason).toMatch(/WeChat Pay does not support linked wallets/);
    expect(walletRefusal('AlipayHK')).toBeNull();
  });
});

describe('member ids', () => {
  it('a phone number is never a member id in clear', () => {
    expect(looksLikePhone('+852 9123 4567')).toBe(true);
    expect(memberIdProblem('85291234567')).toMatch(/phone number/);
  });
  it('an opaque id passes; an empty or odd one gets the rule', () => {
    expect(memberIdProblem('M-1001')).toBeNull();
    expect(memberIdProblem('')).toMatch(/1–64 letters/);
    expect(memberIdProblem('a b')).toMatch(/1–64 letters/);
  });
});

describe('subscription schedule', () => {
  const monthly = (startDate: string, endDate = '2027-12-31'): Schedule => ({
    startDate,
    intervalUnit: 'month',
    intervalCount: 1,
    endDate,
  });
  it('monthly from Jan 31: the last day of shorter months, back to the 31st after', () => {
    const s = monthly('2025-01-31');
    expect([1, 2, 3, 4].map((n) => dueDate(s, n))).toEqual([
      '2025-02-28',
      '2025-03-31',
      '2025-04-30',
      '2025-05-31',
    ]);
    expect(dueDate(monthly('2024-01-31'), 1)).toBe('2024-02-29');
  });
  it('yearly from Feb 29 falls on Feb 28 in common years', () => {
    const s: Schedule = {
      startDate: '2024-02-29',
      intervalUnit: 'year',
      intervalCount: 1,
      endDate: '2030-01-01',
    };
    expect(dueDate(s, 1)).toBe('2025-02-28');
    expect(dueDate(s, 4)).toBe('2028-02-29');
  });
  it('every 2 weeks and every 10 days count calendar days across month and year ends', () => {
    expect(
      dueDate(
        { startDate: '2025-12-25', intervalUnit: 'week', intervalCount: 2, endDate: '2026-12-31' },
        1,
      ),
    ).toBe('2026-01-08');
    expect(
      dueDate(
        { startDate: '2025-02-25', intervalUnit: 'day', intervalCount: 10, endDate: '2026-12-31' },
        1,
      ),
    ).toBe('2025-03-07');
  });
  it('the next due date after the charges made; none once past the end', () => {
    const s = monthly('2025-06-01', '2025-08-15');
    expect(dueDates(s)).toEqual(['2025-06-01', '2025-07-01', '2025-08-01']);
    expect(nextDueDate(s, 1)).toBe('2025-07-01');
    expect(nextDueDate(s, 3)).toBeNull();
    expect(isDue(s, 1, '2025-06-30')).toBe(false);
    expect(isDue(s, 1, '2025-07-01')).toBe(true);
  });
  it('a schedule that cannot be followed is refused with the reason', () => {
    expect(scheduleProblem(monthly('2025-02-30'))).toMatch(/not a date/);
    expect(scheduleProblem({ ...monthly('2025-06-01'), intervalCount: 0 })).toMatch(/at least 1/);
    expect(scheduleProblem(monthly('2025-06-01', '2025-05-01'))).toMatch(/after the start/);
    expect(scheduleProblem(monthly('2025-06-01'))).toBeNull();
  });
});

describe('sale methods beyond the code methods', () => {
  it('Apple Pay, Google Pay, card and the linked wallets are sale methods, not code methods', () => {
    for (const m of ['ApplePay', 'GooglePay', 'Card', 'AlipayHK', 'Alipay']) {
      expect(isSaleMethod(m)).toBe(true);
      expect(isPaymentMethod(m)).toBe(false);
    }
    expect(saleMethodName('ApplePay')).toBe('Apple Pay');
  });
  it('the code classifier still names the same code methods', () => {
    const wechat = classifyPaymentCode('134567890123456789', { region: 'CN' });
    expect(wechat.ok && wechat.method).toBe('Wechat-Offline');
  });
});
