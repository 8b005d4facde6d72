/**
 * Attack (defences that hold): a membership that was not sold, or that ended, carries a reason
 * code whose words exist in en, zh-CN and zh-HK, and its Chinese line (shared/reasonTexts.ts
 * reasonLine, what the Members screen shows) has no English words — for every path of
 * MemberService.saleFinal (electron/members/memberService.ts whyNotSold, renewal revoked):
 * the first payment declined, closed; paid after the cashier cancelled; paid naming another
 * member; paid without a token; a renewal whose token was refused. An active membership has
 * no reason; one whose sale is not its first (or not pending) is left as it is.
 */
import { describe, expect, it } from 'vitest';
import type { Journal, SaleRecord } from '../../electron/journal/journal.ts';
import type { MemberService } from '../../electron/members/memberService.ts';
import type { TokenFacts } from '../../electron/engine/types.ts';
import { reasonLine, reasonWords } from '../../shared/reasonTexts.ts';
import { useOfflineMembers } from '../support/offlineMembers.ts';

const offlineMembers = useOfflineMembers();

function service(): { s: MemberService; journal: Journal } {
  return offlineMembers({ now: () => Date.UTC(2026, 11, 2, 5, 0, 0) });
}

let seq = 0;
/** A membership of M1 whose first (checkout) payment is `orderId`, still pending. */
function membership(s: MemberService): { orderId: string; subscriptionId: string } {
  seq += 1;
  const orderId = `T1-MS-${seq}`;
  const { subscriptionId } = s.beginSubscription({
    memberId: 'M1',
    orderId,
    amountMinor: 45_00,
    currency: 'HKD',
    method: 'Card',
    schedule: {
      startDate: '2026-12-02',
      intervalUnit: 'month',
      intervalCount: 1,
      endDate: '2027-12-02',
    },
  });
  return { orderId, subscriptionId };
}

function sale(over: Partial<SaleRecord>): SaleRecord {
  return {
    orderId: 'T1-X',
    terminalId: 'T1',
    status: 'paid',
    amountMinor: 45_00,
    currency: 'HKD',
    method: 'Card',
    maskedCode: null,
    source: null,
    attempt: 1,
    requestId: 'R1',
    transactionId: 'TX1',
    gatewayStatus: 'SUCCESS',
    reason: null,
    reasonCode: null,
    abandoned: null,
    recovered: false,
    settled: true,
    createdAt: 1,
    updatedAt: 2,
    day: '2026-12-02',
    tender: 'checkout',
    memberId: 'M1',
    ...over,
  };
}

/** Two or more Latin letters in a row: an English word (the code words' "IT" aside). */
const ENGLISH = /(?!IT\b)[A-Za-z]{2,}/;

function viewOf(s: MemberService, journal: Journal, subscriptionId: string) {
  const rec = journal.members.subscription(subscriptionId);
  if (!rec) throw new Error('no such subscription');
  return s.subscriptionView(rec);
}

describe("a membership's reason has a code with words in every language", () => {
  const cases: Array<{
    name: string;
    over: Partial<SaleRecord>;
    facts: TokenFacts;
    code: string;
  }> = [
    {
      name: 'first payment declined on the phone',
      over: {
        status: 'declined',
        reason:
          'The payment on the customer’s phone failed (余额不足) — nothing was charged; ask for another way to pay',
        reasonCode: 'checkout-failed',
      },
      facts: {},
      code: 'subscription-first-unpaid',
    },
    {
      name: 'first payment page closed, no reason',
      over: { status: 'closed', reason: null },
      facts: {},
      code: 'subscription-first-unpaid',
    },
    {
      name: 'paid after the cashier cancelled',
      over: { status: 'paid', abandoned: 'cancel' },
      facts: { paymentToken: 'PT-1' },
      code: 'subscription-checkout-abandoned',
    },
    {
      name: 'paid, the answer naming another member',
      over: { status: 'paid' },
      facts: { tokenForOtherMember: true },
      code: 'subscription-token-other-member',
    },
    {
      name: 'paid without a payment token',
      over: { status: 'paid' },
      facts: {},
      code: 'subscription-no-token',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: failed, ${c.code}, a Chinese line without English`, () => {
      const { s, journal } = service();
      const { orderId, subscriptionId } = membership(s);
      s.saleFinal(sale({ orderId, subscriptionId, ...c.over }), c.facts);
      const v = viewOf(s, journal, subscriptionId);
      expect(v.status).toBe('failed');
      expect(v.reasonCode).toBe(c.code);
      expect(v.reason).toBeTruthy();
      for (const language of ['en', 'zh-CN', 'zh-HK'] as const) {
        expect(reasonWords(language, v.reasonCode), language).toBeTruthy();
      }
      for (const language of ['zh-CN', 'zh-HK'] as const) {
        const line = reasonLine(language, v) ?? '';
        expect(line.startsWith(reasonWords(language, v.reasonCode) ?? '?'), line).toBe(true);
        expect(line, line).not.toMatch(ENGLISH);
      }
      expect(reasonLine('en', v)).toBe(v.reason);
    });
  }

  it('paid with its token: active, no reason; a later answer about the same sale changes nothing', () => {
    const { s, journal } = service();
    const { orderId, subscriptionId } = membership(s);
    s.saleFinal(sale({ orderId, subscriptionId }), { paymentToken: 'PT-1' });
    expect(viewOf(s, journal, subscriptionId)).toMatchObject({
      status: 'active',
      reason: null,
      reasonCode: null,
    });
    s.saleFinal(sale({ orderId, subscriptionId, status: 'declined' }), {});
    expect(viewOf(s, journal, subscriptionId).status).toBe('active');
  });

  it('a renewal whose token the wallet refused: revoked, its code and a Chinese line without English', () => {
    const { s, journal } = service();
    const { orderId, subscriptionId } = membership(s);
    s.saleFinal(sale({ orderId, subscriptionId }), { paymentToken: 'PT-1' });
    s.saleFinal(
      sale({
        orderId: 'T1-RN-1',
        subscriptionId,
        tender: 'renewal',
        status: 'declined',
        reason:
          'The membership’s payment token no longer works (EXPIRED) — nothing was charged; ask the customer to pay on their phone again to renew the membership',
        reasonCode: 'subscription-token-revoked',
      }),
      { tokenState: 'EXPIRED' },
    );
    const v = viewOf(s, journal, subscriptionId);
    expect(v.status).toBe('revoked');
    expect(v.reasonCode).toBe('subscription-token-revoked');
    for (const language of ['zh-CN', 'zh-HK'] as const) {
      const line = reasonLine(language, v) ?? '';
      expect(line).toContain(reasonWords(language, 'subscription-token-revoked') ?? '?');
      expect(line, line).not.toMatch(ENGLISH);
    }
  });

  it('a renewal refused without a reason sentence still carries the code', () => {
    const { s, journal } = service();
    const { orderId, subscriptionId } = membership(s);
    s.saleFinal(sale({ orderId, subscriptionId }), { paymentToken: 'PT-1' });
    s.saleFinal(
      sale({ orderId: 'T1-RN-2', subscriptionId, tender: 'renewal', status: 'declined' }),
      { tokenState: 'UNBOUND' },
    );
    const v = viewOf(s, journal, subscriptionId);
    expect(v).toMatchObject({ status: 'revoked', reasonCode: 'subscription-token-revoked' });
    expect(reasonLine('zh-HK', v), String(reasonLine('zh-HK', v))).not.toMatch(ENGLISH);
  });
});
