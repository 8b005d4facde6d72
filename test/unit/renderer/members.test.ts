/**
 * The members screens' pure helpers: what a cashier types or scans becomes a member id or a
 * phone number (hashed by the terminal, never kept), and the terminal's refusals about members
 * (sent over IPC with the error class's code only) are told apart by their sentences, so a
 * Chinese screen can show the reason's translation.
 */
import { describe, expect, it } from 'vitest';
import { memberReasonOf, memberRef } from '../../../renderer/src/components/members/memberText.ts';
import { zhCN } from '../../../renderer/src/i18n/zhCN.ts';
import { zhHK } from '../../../renderer/src/i18n/zhHK.ts';
import { chargeRefusal, walletRefusal } from '../../../shared/members.ts';

describe('memberRef', () => {
  it('sends a phone number as a phone (the terminal hashes it), anything else as a member id', () => {
    expect(memberRef(' +852 9123-4567 ')).toEqual({ phone: '+852 9123-4567' });
    expect(memberRef('91234567')).toEqual({ phone: '91234567' });
    expect(memberRef('M-000123')).toEqual({ memberId: 'M-000123' });
    // A member card of 18 digits is no phone number (at most 15 digits).
    expect(memberRef('990000123456789012')).toEqual({ memberId: '990000123456789012' });
  });
});

describe('memberReasonOf', () => {
  const limit = chargeRefusal('Alipay', 60_000, 'CNY');
  const currency = chargeRefusal('AlipayHK', 1000, 'CNY');
  const wechat = walletRefusal('WeChat');
  it('recognises the refusals the terminal sends before charging a linked wallet', () => {
    expect(limit && memberReasonOf(limit.reason)).toBe('link-limit-exceeded');
    expect(currency && memberReasonOf(currency.reason)).toBe('link-currency');
    expect(wechat && memberReasonOf(wechat.reason)).toBe('wallet-not-codegrant');
    expect(memberReasonOf('There is no member M-1 — find or create the member first')).toBe(
      'member-unknown',
    );
    expect(
      memberReasonOf(
        'A charge of the member’s Alipay (sale T1-7) is still being confirmed — nothing was charged; wait for its result (pospay query T1-7)',
      ),
    ).toBe('link-unsettled');
    expect(memberReasonOf('Wrong supervisor PIN (2 tries left before a pause).')).toBeNull();
  });

  it('every reason it gives is said in Chinese on both screens', () => {
    for (const text of [limit?.reason, currency?.reason, wechat?.reason]) {
      const code = memberReasonOf(text ?? '') ?? '';
      expect((zhCN.reasons as Record<string, string>)[code], code).toMatch(/\p{Script=Han}/u);
      expect((zhHK.reasons as Record<string, string>)[code], code).toMatch(/\p{Script=Han}/u);
    }
  });
});
