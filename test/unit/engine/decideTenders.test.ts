/**
 * What one gateway answer means for a sale paid without a scanned code (decide.ts): a
 * linked wallet's token refused as not active, "token does not exist", a checkout page
 * created / refused / closed, a membership's first payment yielding its token.
 */
import { describe, expect, it } from 'vitest';
import type { PaymentOutcome } from '../../../shared/gateway/outcome.ts';
import {
  decideCheckoutCreated,
  decidePayment,
  tokenStateOf,
  type Decision,
} from '../../../electron/engine/decide.ts';
import { newSaleRecord, type SaleRecord } from '../../../electron/journal/journal.ts';

function sale(patch: Partial<SaleRecord> = {}): SaleRecord {
  return newSaleRecord({
    orderId: 'T-1',
    terminalId: 'T',
    amountMinor: 1000,
    currency: 'HKD',
    createdAt: 1,
    day: '2025-03-01',
    status: 'submitting',
    method: 'AlipayHK',
    attempt: 1,
    requestId: 'T-1-A1',
    tender: 'linked-wallet',
    memberId: 'M-1',
    ...patch,
  });
}
const live = { fromRecovery: false };
const memberFacts = (d: Decision) =>
  d.effects.flatMap((e) => (e.kind === 'member' ? [e.facts] : []));

/** A refusal whose code and result code are the same. */
function refusal(
  kind: 'declined' | 'rejected',
  reason: string,
  code: string,
  description: string,
): PaymentOutcome {
  return { kind, reason, code, resultCode: code, description };
}

/** A paid HKD 10.00 answer, with what the test adds (a payment token, a member). */
function paidAnswer(extra: Record<string, string> = {}): PaymentOutcome {
  return {
    kind: 'paid',
    code: '000000',
    resultCode: '000000',
    description: '',
    status: 'SUCCESS',
    amountMinor: 1000,
    currency: 'HKD',
    ...extra,
  } as PaymentOutcome;
}

describe('a linked wallet charge', () => {
  it('declined naming the token state: declined, "scan or link again", the link told', () => {
    const outcome = refusal('declined', 'declined', '300000', 'token is UNBOUND');
    const d = decidePayment(sale(), outcome, 'pay', live);
    expect(d.patch).toMatchObject({
      status: 'declined',
      settled: true,
      reasonCode: 'link-unbound',
    });
    expect(d.patch?.reason).toContain('ask the customer to scan their payment code or link again');
    expect(memberFacts(d)).toEqual([{ tokenState: 'UNBOUND' }]);
  });

  it('"token does not exist": declined as an integration fault, not unbound, not retried', () => {
    const outcome = refusal('rejected', 'refused', '107001', 'token does not exist');
    const d = decidePayment(sale(), outcome, 'pay', live);
    expect(d.applied).toBe('settled');
    expect(d.patch).toMatchObject({ status: 'declined', reasonCode: 'member-token-mismatch' });
    expect(memberFacts(d)).toEqual([{ tokenMismatch: true }]);
  });

  it('an ordinary decline is not about the token: the link is told nothing bad', () => {
    const outcome: PaymentOutcome = {
      kind: 'declined',
      reason: 'declined',
      code: '000000',
      resultCode: '300002',
      description: 'insufficient balance',
      status: 'FAILED',
    };
    const d = decidePayment(sale(), outcome, 'query', live);
    expect(d.patch).toMatchObject({ status: 'declined', reasonCode: 'declined' });
    expect(memberFacts(d)).toEqual([{}]);
  });

  it('the token state is read from the description only when it is about the token', () => {
    expect(tokenStateOf('token status EXPIRED')).toBe('EXPIRED');
    expect(tokenStateOf('Declined: the linked wallet is UNBOUND: the customer unlinked')).toBe(
      'UNBOUND',
    );
    expect(tokenStateOf('Declined: the payment token was revoked by the payer')).toBe('REVOKED');
    expect(tokenStateOf('the token is not active')).toBe('NOT ACTIVE');
    expect(tokenStateOf('token does not exist')).toBeNull();
    expect(tokenStateOf('card expired')).toBeNull();
  });

  it('a scanned-code sale with the same words is not a member sale', () => {
    const outcome = refusal('declined', 'declined', '300000', 'token is UNBOUND');
    const d = decidePayment(
      sale({ tender: 'code', method: 'AlipayHK-Offline', memberId: null }),
      outcome,
      'pay',
      live,
    );
    expect(d.patch?.reasonCode).toBe('declined');
    expect(memberFacts(d)).toEqual([]);
  });
});

describe('a checkout (pay on phone)', () => {
  const checkout = (patch: Partial<SaleRecord> = {}) =>
    sale({ tender: 'checkout', method: 'ApplePay', brand: 'ApplePay', memberId: null, ...patch });
  /** A membership's first payment, its page shown to member M-1. */
  const firstPayment = () =>
    checkout({ status: 'waiting-for-customer', subscriptionId: 'SUB-1', memberId: 'M-1' });
  /** What the gateway's answer to creating a new checkout's page means, `now` ms in. */
  const created = (answer: Parameters<typeof decideCheckoutCreated>[1], now = 0) =>
    decideCheckoutCreated(checkout(), answer, 'pay', now, live);

  it('created: waiting for the customer with the page journaled, not settled', () => {
    const d = created(
      { kind: 'created', paymentUrl: 'http://sim/__sim/checkout?ticket=1', sessionToken: 'S' },
      5000,
    );
    expect(d.applied).toBe('pending');
    expect(d.patch).toMatchObject({
      status: 'waiting-for-customer',
      paymentUrl: 'http://sim/__sim/checkout?ticket=1',
      expiresAt: 5000,
    });
    expect(JSON.stringify(d.event)).not.toContain('"S"');
  });

  it('no usable answer: keeps waiting (the query decides), never declined', () => {
    const d = created({ kind: 'unknown', reason: 'timeout' });
    expect(d.applied).toBe('pending');
    expect(d.patch?.status).toBe('waiting-for-customer');
  });

  it('refused by the gateway: declined with its code; an unsigned credentials refusal: unknown', () => {
    const refused = created({ kind: 'refused', code: '102000', description: 'bad amount' });
    expect(refused.patch).toMatchObject({ status: 'declined', reasonCode: 'gateway-rejected' });
    const creds = created({ kind: 'refused', code: '104000', description: 'sign error' });
    expect(creds.patch).toMatchObject({ status: 'unknown', reasonCode: 'gateway-credentials' });
    expect(creds.applied).toBe('pending');
  });

  it('the page closed unpaid: expired; after the cashier cancelled: cancelled', () => {
    const closed: PaymentOutcome = {
      kind: 'closed',
      reason: 'closed',
      code: '000000',
      resultCode: '000000',
      description: '',
      status: 'CLOSED',
    };
    const waiting = checkout({ status: 'waiting-for-customer' });
    expect(decidePayment(waiting, closed, 'query', live).patch?.reasonCode).toBe(
      'checkout-expired',
    );
    expect(
      decidePayment({ ...waiting, status: 'unknown', abandoned: 'cancel' }, closed, 'query', live)
        .patch?.reasonCode,
    ).toBe('checkout-cancelled');
  });

  it('paid after the cashier cancelled: paid and refunded automatically', () => {
    const paid = paidAnswer();
    const d = decidePayment(
      checkout({ status: 'unknown', abandoned: 'cancel' }),
      paid,
      'query',
      live,
    );
    expect(d.patch).toMatchObject({ status: 'paid', reasonCode: 'auto-refunded' });
    expect(d.effects.map((e) => e.kind)).toContain('auto-refund');
  });

  it("a membership's first payment: its token goes to the members side, only when paid in time", () => {
    const paid = paidAnswer({ paymentToken: 'PT-SECRET' });
    const first = firstPayment();
    expect(memberFacts(decidePayment(first, paid, 'query', live))).toEqual([
      { paymentToken: 'PT-SECRET' },
    ]);
    const late = decidePayment(
      { ...first, status: 'unknown', abandoned: 'deadline' },
      paid,
      'query',
      live,
    );
    expect(memberFacts(late)).toEqual([{}]);
    expect(late.effects.map((e) => e.kind)).toContain('auto-refund');
  });

  it("a first payment's answer naming another member: paid, its token never kept as this member's", () => {
    const paid = paidAnswer({ paymentToken: 'PT-OTHER', merchantUserId: 'M-2' });
    const first = firstPayment();
    const d = decidePayment(first, paid, 'query', live);
    expect(d.patch).toMatchObject({ status: 'paid' });
    expect(memberFacts(d)).toEqual([{ tokenForOtherMember: true }]);
    expect(JSON.stringify(d)).not.toContain('PT-OTHER');
    // Naming the membership's own member: kept.
    expect(
      memberFacts(
        decidePayment(
          first,
          { ...paid, merchantUserId: 'M-1' } as unknown as PaymentOutcome,
          'query',
          live,
        ),
      ),
    ).toEqual([{ paymentToken: 'PT-OTHER' }]);
  });
});

describe('an answer echoing what was sent', () => {
  it('the token (or code) is blanked out of the outcome before anything is decided or journaled', async () => {
    const { withoutSecret } = await import('../../../electron/engine/answers.ts');
    const outcome = refusal('declined', 'declined', '300000', 'token TOKEN-1234567 is UNBOUND');
    const clean = withoutSecret(outcome, 'TOKEN-1234567');
    expect(JSON.stringify(clean)).not.toContain('TOKEN-1234567');
    expect(clean).toMatchObject({ kind: 'declined', description: 'token [token] is UNBOUND' });
    expect(withoutSecret(outcome, null)).toBe(outcome);
  });
});

describe('the status query of a member sale', () => {
  it("carries the member's token when this process holds it (so the client scrubs it), a scanned code never", async () => {
    const { queryFor } = await import('../../../electron/engine/resolution.ts');
    const held = { code: 'TOKEN-SECRET' } as Parameters<typeof queryFor>[1];
    expect(queryFor(sale({ tender: 'renewal' }), held)).toEqual({
      merchantTransactionId: 'T-1',
      token: 'TOKEN-SECRET',
    });
    expect(queryFor(sale(), held)).toEqual({ merchantTransactionId: 'T-1', token: 'TOKEN-SECRET' });
    expect(queryFor(sale({ tender: 'code' }), held)).toEqual({ merchantTransactionId: 'T-1' });
    const recovered = { code: null } as Parameters<typeof queryFor>[1];
    expect(queryFor(sale({ tender: 'renewal' }), recovered)).toEqual({
      merchantTransactionId: 'T-1',
    });
  });
});

describe('"payment code expired" answered to a charge without a code', () => {
  const expired = refusal('declined', 'expired', '105000', 'Invalid or expired transaction');
  it('a linked wallet or a renewal: declined, never "ask for a fresh code" (there is none)', () => {
    for (const tender of ['linked-wallet', 'renewal'] as const) {
      const d = decidePayment(sale({ tender, subscriptionId: 'SUB-1' }), expired, 'pay', live);
      expect(d.patch).toMatchObject({ status: 'declined', reasonCode: 'token-charge-expired' });
      expect(d.patch?.reason).not.toMatch(/fresh code|new code/);
      expect(d.patch?.reason).toMatch(/check their wallet app, or to scan their payment code/);
    }
  });
  it('a scanned code: still "ask the customer for a fresh code"', () => {
    const d = decidePayment(sale({ tender: 'code', memberId: null }), expired, 'pay', live);
    expect(d.patch).toMatchObject({ status: 'declined', reasonCode: 'code-expired' });
    expect(d.patch?.reason).toMatch(/fresh code/);
  });
});
