/**
 * The money-safety rules of one gateway answer, without timers, network or journal:
 * decidePayment(sale as journaled now, answer) → the change to journal and what follows.
 */
import { describe, expect, it } from 'vitest';
import type { PaymentOutcome } from '../../../shared/gateway/outcome.ts';
import { decidePayment, type Decision } from '../../../electron/engine/decide.ts';
import { newSaleRecord, type SaleRecord } from '../../../electron/journal/journal.ts';

function sale(patch: Partial<SaleRecord> = {}): SaleRecord {
  return newSaleRecord({
    orderId: 'D-1',
    terminalId: 'D',
    amountMinor: 1000,
    currency: 'CNY',
    createdAt: 1,
    day: '2025-03-01',
    status: 'waiting-for-customer',
    method: 'Wechat-Offline',
    attempt: 1,
    requestId: 'D-1-A1',
    ...patch,
  });
}

const answer = { code: '000000', resultCode: '000000', description: 'ok' };
const paid = (patch: Partial<Extract<PaymentOutcome, { kind: 'paid' }>> = {}): PaymentOutcome => ({
  kind: 'paid',
  ...answer,
  status: 'SUCCESS',
  transactionId: 'TX',
  amountMinor: 1000,
  currency: 'CNY',
  ...patch,
});
const rejected = (code: string): PaymentOutcome => ({
  kind: 'rejected',
  code,
  resultCode: code,
  description: 'refused',
  reason: 'refused',
});
const live = { fromRecovery: false };
const kinds = (d: Decision) => d.effects.map((e) => e.kind);

describe('a signed SUCCESS', () => {
  it('for this amount and currency: paid, final', () => {
    const d = decidePayment(sale(), paid(), 'query', live);
    expect(d.applied).toBe('settled');
    expect(d.patch).toMatchObject({ status: 'paid', settled: true, reasonCode: null });
    expect(kinds(d)).toContain('final');
    expect(kinds(d)).not.toContain('auto-refund');
  });

  it('while nobody waits for it any more (abandoned): paid and refunded automatically', () => {
    const d = decidePayment(
      sale({ status: 'unknown', abandoned: 'deadline' }),
      paid(),
      'query',
      live,
    );
    expect(d.patch).toMatchObject({ status: 'paid', reasonCode: 'auto-refunded' });
    expect(kinds(d)).toContain('auto-refund');
  });

  it.each([
    ['another amount', paid({ amountMinor: 100 })],
    ['another currency', paid({ currency: 'HKD' })],
    ['no amount', paid({ amountMinor: undefined })],
    ['no currency', paid({ currency: undefined })],
  ])('with %s: not paid, held for the supervisor (unknown, final)', (_name, outcome) => {
    const d = decidePayment(sale(), outcome, 'pay', live);
    expect(d.patch).toMatchObject({
      status: 'unknown',
      settled: true,
      reasonCode: 'amount-mismatch',
    });
    expect(d.event?.kind).toBe('amount-mismatch');
    expect(kinds(d)).not.toContain('auto-refund');
  });

  it.each(['closed', 'declined'] as const)(
    'for a sale recorded %s: never thrown away — paid, and refunded automatically',
    (was) => {
      const d = decidePayment(sale({ status: was, settled: true }), paid(), 'pay', live);
      expect(d.patch).toMatchObject({
        status: 'paid',
        abandoned: 'closed',
        reasonCode: 'auto-refunded',
      });
      expect(d.event).toMatchObject({ kind: 'late-paid', detail: { was } });
      expect(kinds(d)).toContain('auto-refund');
    },
  );

  it('for a sale recorded closed, stating another amount: held for the supervisor', () => {
    const d = decidePayment(
      sale({ status: 'closed', settled: true }),
      paid({ amountMinor: 1 }),
      'query',
      live,
    );
    expect(d.patch).toMatchObject({
      status: 'unknown',
      settled: true,
      reasonCode: 'amount-mismatch',
    });
  });

  it('for a sale already paid, or held: nothing changes', () => {
    for (const rec of [
      sale({ status: 'paid', settled: true }),
      sale({ status: 'unknown', settled: true, reasonCode: 'amount-mismatch' }),
    ]) {
      const d = decidePayment(rec, paid(), 'query', live);
      expect(d).toMatchObject({ applied: 'settled', patch: null });
    }
  });
});

describe('answers that decide nothing', () => {
  it.each([
    ['a lost answer', { kind: 'unknown', cause: 'timeout', detail: 'x' } as PaymentOutcome, 'pay'],
    ['"duplicated transaction"', rejected('107000'), 'pay'],
    ['a refused query', rejected('102000'), 'query'],
    ['PROCESSING', { kind: 'pending', ...answer, status: 'PROCESSING' } as PaymentOutcome, 'pay'],
  ] as const)('%s: keep waiting, never declined', (_name, outcome, via) => {
    const d = decidePayment(sale({ status: 'submitting' }), outcome, via, live);
    expect(d.applied).toBe('pending');
    expect(d.patch).toMatchObject({ status: 'waiting-for-customer' });
    expect(d.patch?.settled).toBeUndefined();
  });

  it.each(['103000', '104000'])(
    'an unsigned %s: unknown with its cause, never declined',
    (code) => {
      const d = decidePayment(sale({ status: 'submitting' }), rejected(code), 'pay', live);
      expect(d.applied).toBe('pending');
      expect(d.patch).toMatchObject({ status: 'unknown', reasonCode: 'gateway-credentials' });
      expect(d.patch?.settled).toBeUndefined();
      expect(d.patch?.reason).toMatch(code === '104000' ? /check the salt/ : /accId/);
    },
  );

  it('"no such transaction": for the resolver to decide (its request window)', () => {
    const d = decidePayment(
      sale(),
      { kind: 'not-found', code: '107001', resultCode: '107001', description: 'none' },
      'query',
      live,
    );
    expect(d).toMatchObject({ applied: 'not-found', patch: null });
  });
});

describe('final answers', () => {
  it('a refusal of the request itself (invalid parameter) is declined; of a query, it waits', () => {
    expect(decidePayment(sale(), rejected('102000'), 'pay', live).patch).toMatchObject({
      status: 'declined',
      settled: true,
      reasonCode: 'gateway-rejected',
    });
    expect(decidePayment(sale(), rejected('102000'), 'query', live).patch).toBeNull();
  });

  it('closed after the cashier stopped waiting says so; recovered sales are marked', () => {
    const d = decidePayment(
      sale({ status: 'unknown', abandoned: 'deadline' }),
      { kind: 'closed', ...answer, status: 'CLOSED', reason: 'closed' },
      'query',
      { fromRecovery: true },
    );
    expect(d.patch).toMatchObject({
      status: 'closed',
      recovered: true,
      reasonCode: 'customer-timeout',
    });
    expect(d.event?.detail).toMatchObject({ recovered: true });
  });
});
