/**
 * The engine's rules with a scripted gateway and fake time (deterministic, no network):
 * write-ahead journaling, the query schedule's budget and the lag it gives, the deadline
 * with a request stuck in flight, gateway refusals, and re-sends of the same attempt.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PaymentOutcome, RefundOutcome } from '../../../shared/gateway/outcome.ts';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import type {
  QueryRequest,
  RefundQueryRequest,
  RefundRequest,
  UnifiedPayRequest,
} from '../../../electron/gateway/client.ts';
import { EngineError } from '../../../electron/engine/errors.ts';
import {
  createPaymentEngine,
  type EngineTuning,
  type PaymentEngine,
  type PaymentGateway,
} from '../../../electron/engine/paymentEngine.ts';
import { openJournal, type Journal } from '../../../electron/journal/journal.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';

const CODE = '134567890123456789';
const paid = (): PaymentOutcome => ({
  kind: 'paid',
  code: '000000',
  resultCode: '000000',
  description: 'ok',
  status: 'SUCCESS',
  transactionId: 'TX1',
});
const pending = (): PaymentOutcome => ({
  kind: 'pending',
  code: '002000',
  resultCode: '002000',
  description: 'processing',
  status: 'PROCESSING',
});
const notFound = (): PaymentOutcome => ({
  kind: 'not-found',
  code: '107001',
  resultCode: '107001',
  description: 'no such transaction',
});
const lost = (): PaymentOutcome => ({ kind: 'unknown', cause: 'http-error', detail: 'HTTP 500' });

type Call =
  | { kind: 'pay'; request: UnifiedPayRequest; at: number }
  | { kind: 'query'; request: QueryRequest; at: number }
  | { kind: 'refund'; request: RefundRequest; at: number }
  | { kind: 'refundQuery'; request: RefundQueryRequest; at: number };

/** A gateway whose answers the test scripts; it records every call and the time it came. */
class ScriptedGateway implements PaymentGateway {
  readonly calls: Call[] = [];
  pay: (request: UnifiedPayRequest) => Promise<PaymentOutcome> = async () => paid();
  ask: (request: QueryRequest) => Promise<PaymentOutcome> = async () => pending();
  give: (request: RefundRequest) => Promise<RefundOutcome> = async (r) => ({
    kind: 'refunded',
    code: '000000',
    resultCode: '000000',
    description: 'ok',
    status: 'SUCCESS',
    merchantRefundId: r.merchantRefundId,
  });
  unifiedPay(request: UnifiedPayRequest): Promise<PaymentOutcome> {
    this.calls.push({ kind: 'pay', request, at: Date.now() });
    return this.pay(request);
  }
  query(request: QueryRequest): Promise<PaymentOutcome> {
    this.calls.push({ kind: 'query', request, at: Date.now() });
    return this.ask(request);
  }
  refund(request: RefundRequest): Promise<RefundOutcome> {
    this.calls.push({ kind: 'refund', request, at: Date.now() });
    return this.give(request);
  }
  refundQuery(request: RefundQueryRequest): Promise<RefundOutcome> {
    this.calls.push({ kind: 'refundQuery', request, at: Date.now() });
    return Promise.resolve({
      kind: 'pending',
      code: '002000',
      resultCode: '002000',
      description: '',
    });
  }
  count(kind: Call['kind']): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }
}

let dir: string;
let journal: Journal;
let gateway: ScriptedGateway;
let engine: PaymentEngine;

function makeEngine(deadlineMs = 60_000, tuning: EngineTuning = {}): PaymentEngine {
  engine = createPaymentEngine({
    journal,
    client: gateway,
    clock: { now: () => Date.now(), monotonic: () => Date.now() },
    tuning,
    settings: {
      terminalId: 'UNIT',
      region: 'CN',
      currency: 'CNY',
      amountCeilingMinor: 1_000_000,
      customerDeadlineMs: deadlineMs,
    },
  });
  return engine;
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2025-03-01T10:00:00Z') });
  dir = tempDataDir();
  journal = openJournal({ dir });
  gateway = new ScriptedGateway();
});

afterEach(async () => {
  const stopping = engine?.stop();
  await vi.runOnlyPendingTimersAsync();
  await stopping;
  vi.useRealTimers();
  journal.close();
  removeDir(dir);
});

async function startWaiting(deadlineMs = 60_000): Promise<SaleView> {
  makeEngine(deadlineMs);
  gateway.pay = async () => pending();
  const sale = engine.startSale({ amountMinor: 1000 });
  return engine.submitCode(sale.orderId, CODE, 'wedge');
}

describe('write-ahead', () => {
  it('the attempt is journaled (submitting, with its requestId) before the request goes out', async () => {
    makeEngine();
    let seen: unknown;
    gateway.pay = async (request) => {
      seen = journal.sale(request.merchantTransactionId);
      return paid();
    };
    const sale = engine.startSale({ amountMinor: 1000 });
    await engine.submitCode(sale.orderId, CODE, 'serial');
    expect(seen).toMatchObject({
      orderId: sale.orderId,
      status: 'submitting',
      requestId: `${sale.orderId}-A1`,
      maskedCode: '134567********6789',
    });
    expect(journal.sale(sale.orderId)?.status).toBe('paid');
  });

  it('a refund is journaled before its request goes out', async () => {
    makeEngine();
    const sale = engine.startSale({ amountMinor: 1000 });
    await engine.submitCode(sale.orderId, CODE, 'serial');
    let seen: unknown;
    gateway.give = async (request) => {
      seen = journal.refund(request.merchantRefundId);
      return { kind: 'refunded', code: '000000', resultCode: '000000', description: 'ok' };
    };
    await engine.refund(sale.orderId, 400);
    expect(seen).toMatchObject({ status: 'submitting', amountMinor: 400, orderId: sale.orderId });
  });

  it('when the journal cannot be written, nothing is sent', async () => {
    makeEngine();
    const sale = engine.startSale({ amountMinor: 1000 });
    journal.close();
    await expect(engine.submitCode(sale.orderId, CODE, 'serial')).rejects.toMatchObject({
      code: 'journal-closed',
    });
    expect(gateway.calls).toEqual([]);
    journal = openJournal({ dir });
  });
});

describe('resolution schedule', () => {
  it('asks at most 15 times in 60 s of waiting, then says the customer did not confirm', async () => {
    const sale = await startWaiting(60_000);
    const start = Date.now();
    expect(sale.status).toBe('waiting-for-customer');
    await vi.advanceTimersByTimeAsync(59_000);
    expect(engine.sale(sale.orderId)?.status).toBe('waiting-for-customer');
    await vi.advanceTimersByTimeAsync(1_500);
    const queriesInMinute = gateway.calls.filter(
      (c) => c.kind === 'query' && c.at - start <= 60_000,
    );
    expect(queriesInMinute.length).toBeLessThanOrEqual(15);
    expect(queriesInMinute.length).toBeGreaterThanOrEqual(10);
    const told = engine.sale(sale.orderId);
    expect(told?.status).toBe('unknown');
    expect(told?.reason).toBe('Customer did not confirm in time');
    // Still resolved in the background, with backing off.
    const before = gateway.count('query');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gateway.count('query') - before).toBeGreaterThan(0);
    expect(gateway.count('query') - before).toBeLessThanOrEqual(6);
  });

  it('asks once more right at the deadline: a payer confirming at the last moment is paid, not refunded', async () => {
    const sale = await startWaiting(20_000);
    const start = Date.now();
    gateway.ask = async () => (Date.now() - start >= 19_900 ? paid() : pending());
    await vi.advanceTimersByTimeAsync(20_000);
    const view = engine.sale(sale.orderId);
    expect(view?.status).toBe('paid');
    expect(view?.abandoned).toBe(false);
    expect(gateway.count('refund')).toBe(0);
  });

  it('shows a payment within a second of it turning final (median over confirm times 1–10 s)', async () => {
    makeEngine();
    const lags: number[] = [];
    for (let confirmAfter = 1000; confirmAfter <= 10_000; confirmAfter += 370) {
      gateway.pay = async () => pending();
      const sale = engine.startSale({ amountMinor: 1000 });
      await engine.submitCode(sale.orderId, CODE, 'wedge');
      const finalAt = Date.now() + confirmAfter;
      gateway.ask = async () => (Date.now() >= finalAt ? paid() : pending());
      let shownAt = 0;
      const off = engine.onSaleUpdated((v) => {
        if (v.orderId === sale.orderId && v.status === 'paid' && !shownAt) shownAt = Date.now();
      });
      await vi.advanceTimersByTimeAsync(confirmAfter + 15_000);
      off();
      expect(shownAt).toBeGreaterThanOrEqual(finalAt);
      lags.push(shownAt - finalAt);
    }
    lags.sort((a, b) => a - b);
    const median = lags[Math.floor(lags.length / 2)] as number;
    expect(median).toBeLessThanOrEqual(1000);
  });
});

describe('deadline while a request is stuck in flight', () => {
  it('tells the cashier at the deadline, and refunds the payment if the answer says paid later', async () => {
    makeEngine(5000);
    let answer!: (outcome: PaymentOutcome) => void;
    gateway.pay = () => new Promise((resolve) => (answer = resolve));
    const sale = engine.startSale({ amountMinor: 1000 });
    const submitted = engine.submitCode(sale.orderId, CODE, 'wedge');
    await vi.advanceTimersByTimeAsync(5000);
    expect(engine.sale(sale.orderId)).toMatchObject({
      status: 'unknown',
      abandoned: true,
      reason: 'Customer did not confirm in time',
    });
    // The cashier takes the next customer meanwhile.
    expect(engine.startSale({ amountMinor: 200 }).status).toBe('awaiting-scan');
    answer(paid());
    await submitted;
    await vi.advanceTimersByTimeAsync(10);
    const after = engine.sale(sale.orderId);
    expect(after?.status).toBe('paid');
    expect(after?.refunds).toEqual([
      expect.objectContaining({ automatic: true, status: 'refunded', amountMinor: 1000 }),
    ]);
    expect(gateway.calls.filter((c) => c.kind === 'refund')).toHaveLength(1);
  });
});

describe('answers that decide nothing, and refusals', () => {
  it('a lost answer and a gateway with no trace: the SAME attempt is re-sent, a bounded number of times, then not paid', async () => {
    makeEngine(60_000, { maxResends: 2, notFoundGraceMs: 1000 });
    gateway.pay = async () => lost();
    gateway.ask = async () => notFound();
    const sale = engine.startSale({ amountMinor: 1000 });
    await engine.submitCode(sale.orderId, CODE, 'wedge');
    await vi.advanceTimersByTimeAsync(30_000);
    const pays = gateway.calls.filter((c) => c.kind === 'pay') as Extract<Call, { kind: 'pay' }>[];
    expect(pays).toHaveLength(3);
    expect(new Set(pays.map((p) => p.request.requestId))).toEqual(new Set([`${sale.orderId}-A1`]));
    expect(new Set(pays.map((p) => p.request.scanCodeId))).toEqual(new Set([CODE]));
    const view = engine.sale(sale.orderId);
    expect(view?.status).toBe('closed');
    expect(view?.reasonCode).toBe('not-sent');
    expect(journal.events(sale.orderId).filter((e) => e.kind === 'resend')).toHaveLength(2);
  });

  it('a refused request (wrong store key) ends declined with the gateway’s reason, not retried', async () => {
    makeEngine();
    gateway.pay = async () => ({
      kind: 'rejected',
      reason: 'The gateway could not verify the request. Check the store key.',
      code: '104000',
      resultCode: '104000',
      description: 'invalid signature',
    });
    const sale = engine.startSale({ amountMinor: 1000 });
    const view = await engine.submitCode(sale.orderId, CODE, 'wedge');
    expect(view.status).toBe('declined');
    expect(view.reasonCode).toBe('gateway-rejected');
    expect(view.reason).toMatch(/Check the store key/);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(gateway.count('pay')).toBe(1);
    expect(gateway.count('query')).toBe(0);
  });

  it('"duplicated transaction" is never taken as a failure: the query decides', async () => {
    makeEngine();
    gateway.pay = async () => ({
      kind: 'rejected',
      reason: 'duplicate',
      code: '107000',
      resultCode: '107000',
      description: 'duplicated',
    });
    gateway.ask = async () => paid();
    const sale = engine.startSale({ amountMinor: 1000 });
    const first = await engine.submitCode(sale.orderId, CODE, 'wedge');
    expect(first.status).toBe('waiting-for-customer');
    await vi.advanceTimersByTimeAsync(1000);
    expect(engine.sale(sale.orderId)?.status).toBe('paid');
  });

  it('typed refusals carry a code the screen can act on', async () => {
    makeEngine();
    const errors: unknown[] = [];
    try {
      engine.startSale({ amountMinor: -5 });
    } catch (error) {
      errors.push(error);
    }
    try {
      engine.startSale({ amountMinor: 100, currency: 'HKD', methodOverride: 'Wechat-Offline' });
    } catch (error) {
      errors.push(error);
    }
    await engine.submitCode('nope', CODE, 'manual').catch((error: unknown) => errors.push(error));
    expect(errors.map((e) => (e as EngineError).code)).toEqual([
      'amount-invalid',
      'method-invalid',
      'not-found',
    ]);
    expect(errors.every((e) => e instanceof EngineError)).toBe(true);
  });
});

describe('periodic reconciliation', () => {
  it('the sweeper resolves a sale left unresolved in the journal (e.g. by another run) without a restart', async () => {
    makeEngine(60_000, { sweepIntervalMs: 30_000 });
    const now = Date.now();
    journal.saveSale(
      {
        orderId: 'OTHER-1',
        terminalId: 'OTHER',
        status: 'waiting-for-customer',
        amountMinor: 1500,
        currency: 'CNY',
        method: 'Wechat-Offline',
        maskedCode: '134567********6789',
        source: 'serial',
        attempt: 1,
        requestId: 'OTHER-1-A1',
        transactionId: null,
        gatewayStatus: 'PROCESSING',
        reason: null,
        reasonCode: null,
        abandoned: 'deadline',
        recovered: false,
        settled: false,
        createdAt: now,
        updatedAt: now,
        day: '2025-03-01',
      },
      { kind: 'submitted' },
    );
    gateway.ask = async () => ({
      kind: 'closed',
      reason: 'closed',
      code: '000000',
      resultCode: '000000',
      description: 'closed',
      status: 'CLOSED',
    });
    engine.startSweeper();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(gateway.count('query')).toBe(0);
    await vi.advanceTimersByTimeAsync(1_500);
    const view = engine.sale('OTHER-1');
    expect(view?.status).toBe('closed');
    expect(view?.recovered).toBe(true);
    expect(view?.reason).toBe('Customer did not confirm in time — nothing was charged');
  });
});
