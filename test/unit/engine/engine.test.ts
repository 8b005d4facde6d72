/**
 * The engine's rules with a scripted gateway and fake time (deterministic, no network):
 * write-ahead journaling, the query schedule's budget and the lag it gives, the deadline
 * with a request stuck in flight, gateway refusals, and re-sends of the same attempt.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PaymentOutcome, RefundOutcome } from '../../../shared/gateway/outcome.ts';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import type { Language } from '../../../shared/languages.ts';
import { REASON_TEXTS } from '../../../shared/reasonTexts.ts';
import type {
  QueryRequest,
  RefundQueryRequest,
  RefundRequest,
  UnifiedPayRequest,
} from '../../../shared/gateway/requests.ts';
import { EngineError } from '../../../electron/engine/errors.ts';
import {
  createPaymentEngine,
  type EngineTuning,
  type PaymentEngine,
  type PaymentGateway,
} from '../../../electron/engine/paymentEngine.ts';
import {
  newSaleRecord,
  openJournal,
  type Journal,
  type SaleRecord,
} from '../../../electron/journal/journal.ts';
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
  /** What each order was sent for: a SUCCESS states the amount and currency, as the real gateway's does. */
  private readonly charged = new Map<string, { amountMinor: number; currency: string }>();
  private stated(orderId: string, outcome: PaymentOutcome): PaymentOutcome {
    const sent = this.charged.get(orderId);
    if (outcome.kind !== 'paid' || !sent) return outcome;
    return {
      ...outcome,
      amountMinor: outcome.amountMinor ?? sent.amountMinor,
      currency: outcome.currency ?? sent.currency,
    };
  }
  async unifiedPay(request: UnifiedPayRequest): Promise<PaymentOutcome> {
    this.calls.push({ kind: 'pay', request, at: Date.now() });
    this.charged.set(request.merchantTransactionId, {
      amountMinor: request.amountMinor,
      currency: request.currency,
    });
    return this.stated(request.merchantTransactionId, await this.pay(request));
  }
  async query(request: QueryRequest): Promise<PaymentOutcome> {
    this.calls.push({ kind: 'query', request, at: Date.now() });
    const outcome = await this.ask(request);
    return 'merchantTransactionId' in request
      ? this.stated(request.merchantTransactionId, outcome)
      : outcome;
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
    // The screen gets the gateway's id of the payment (for the receipt and support calls).
    expect(engine.sale(sale.orderId)).toMatchObject({ status: 'paid', transactionId: 'TX1' });
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

  it('an unverifiable "wrong store key" answer is not a decline: unknown, never re-charged, the query decides', async () => {
    makeEngine();
    gateway.pay = async () => ({
      kind: 'rejected',
      reason: 'The gateway could not verify the request. Check the store key.',
      code: '104000',
      resultCode: '104000',
      description: 'invalid signature',
    });
    const refused = (): PaymentOutcome => ({
      kind: 'rejected',
      reason: 'The store credentials were refused. Check the store ID and key.',
      code: '103000',
      resultCode: '103000',
      description: 'invalid authentication',
    });
    gateway.ask = async () => refused();
    const sale = engine.startSale({ amountMinor: 1000 });
    const view = await engine.submitCode(sale.orderId, CODE, 'wedge');
    expect(view.status).toBe('unknown');
    expect(view.reasonCode).toBe('gateway-credentials');
    // The real cause, named: not "the customer did not confirm".
    expect(view.reason).toMatch(/refused our signature \(104000\): check the salt/);
    expect(view.reason).toMatch(/could not be confirmed — do not charge again/);
    // The cashier cannot charge this sale again.
    await expect(engine.submitCode(sale.orderId, CODE, 'wedge')).rejects.toBeInstanceOf(
      EngineError,
    );
    // The customer's deadline still runs: at it nobody waits any more ("unknown, still being
    // resolved"), with the same cause; the queries go on in the background.
    await vi.advanceTimersByTimeAsync(61_000);
    expect(engine.sale(sale.orderId)).toMatchObject({
      status: 'unknown',
      abandoned: true,
      reasonCode: 'gateway-credentials',
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gateway.count('query')).toBeGreaterThan(1);
    expect(engine.sale(sale.orderId)?.reasonCode).toBe('gateway-credentials');
    expect(engine.startSale({ amountMinor: 50 }).status).toBe('awaiting-scan');
    // Once the gateway answers (signed): the payment had gone through after the cashier was
    // told it was not confirmed — paid, and refunded automatically, never charged twice.
    gateway.ask = async () => paid();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(engine.sale(sale.orderId)?.status).toBe('paid');
    expect(gateway.count('pay')).toBe(1);
    expect(gateway.count('refund')).toBe(1);
  });

  it('a wrong salt ends the wait at the deadline with the real cause, on every answer path', async () => {
    makeEngine(10_000);
    const badSignature = (): PaymentOutcome => ({
      kind: 'rejected',
      reason: 'The gateway could not verify the request. Check the store key.',
      code: '104000',
      resultCode: '104000',
      description: 'invalid signature',
    });
    // The pay answer is PROCESSING, then every query is refused (the salt changed).
    gateway.pay = async () => pending();
    gateway.ask = async () => badSignature();
    const sale = engine.startSale({ amountMinor: 1000 });
    await engine.submitCode(sale.orderId, CODE, 'wedge');
    await vi.advanceTimersByTimeAsync(11_000);
    expect(engine.sale(sale.orderId)).toMatchObject({
      status: 'unknown',
      abandoned: true,
      reasonCode: 'gateway-credentials',
    });
    expect(engine.sale(sale.orderId)?.reason).toMatch(/check the salt/);
  });

  it('other refusals of the request itself (invalid parameter) still end the sale declined', async () => {
    makeEngine();
    gateway.pay = async () => ({
      kind: 'rejected',
      reason: 'The gateway rejected the request as invalid. Call support.',
      code: '102000',
      resultCode: '102000',
      description: 'invalid parameter',
    });
    const sale = engine.startSale({ amountMinor: 1000 });
    const view = await engine.submitCode(sale.orderId, CODE, 'wedge');
    expect(view.status).toBe('declined');
    expect(view.reasonCode).toBe('gateway-rejected');
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

describe('an answer that does not match the sale', () => {
  it('"paid" with another amount is not shown as paid: the supervisor is called, nothing is re-charged or refunded', async () => {
    makeEngine();
    gateway.pay = async () => ({ ...paid(), amountMinor: 100, currency: 'CNY' });
    const sale = engine.startSale({ amountMinor: 1000 });
    const view = await engine.submitCode(sale.orderId, CODE, 'serial');
    expect(view.status).toBe('unknown');
    expect(view.reasonCode).toBe('amount-mismatch');
    expect(view.reason).toMatch(/¥1\.00|1\.00/);
    expect(view.reason).toMatch(/supervisor/);
    const event = journal.events(sale.orderId).find((e) => e.kind === 'amount-mismatch');
    expect(event?.detail).toMatchObject({
      expectedAmountMinor: 1000,
      expectedCurrency: 'CNY',
      statedAmountMinor: 100,
    });
    await expect(engine.submitCode(sale.orderId, CODE, 'serial')).rejects.toMatchObject({
      code: 'sale-needs-supervisor',
    });
    await expect(engine.refund(sale.orderId, 100)).rejects.toMatchObject({
      code: 'sale-needs-supervisor',
    });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(gateway.count('pay')).toBe(1);
    expect(gateway.count('refund')).toBe(0);
    expect(engine.report('2025-03-01').rows).toEqual([]);
  });

  it('a late "paid" in another currency for a sale the cashier gave up on is not refunded automatically', async () => {
    makeEngine(5000);
    gateway.pay = async () => pending();
    const sale = engine.startSale({ amountMinor: 1000 });
    await engine.submitCode(sale.orderId, CODE, 'wedge');
    engine.cancel(sale.orderId);
    gateway.ask = async () => ({ ...paid(), amountMinor: 1000, currency: 'HKD' });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(engine.sale(sale.orderId)).toMatchObject({
      status: 'unknown',
      reasonCode: 'amount-mismatch',
    });
    expect(gateway.count('refund')).toBe(0);
  });

  it('a refund answer that does not name the refund does not mark it refunded; the refund query decides', async () => {
    makeEngine();
    const sale = engine.startSale({ amountMinor: 1000 });
    await engine.submitCode(sale.orderId, CODE, 'serial');
    gateway.give = async () => ({
      kind: 'refunded',
      code: '000000',
      resultCode: '000000',
      description: 'ok',
      status: 'SUCCESS',
    });
    const after = await engine.refund(sale.orderId, 400);
    expect(after.refunds).toEqual([expect.objectContaining({ status: 'unknown' })]);
    expect(after.refundedMinor).toBe(0);
    expect(gateway.count('refundQuery')).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(gateway.count('refundQuery')).toBeGreaterThan(0);
    expect(engine.sale(sale.orderId)?.refundedMinor).toBe(0);
  });
});

describe('the screen is told after the request is on its way', () => {
  it('the attempt is on the wire before the screen hears of it (the scan-to-gateway path does only the journal)', async () => {
    makeEngine();
    const heard: string[] = [];
    engine.onSaleUpdated((v) => heard.push(v.status));
    let heardAtSend: string[] = [];
    gateway.pay = async () => {
      heardAtSend = [...heard];
      return paid();
    };
    const sale = engine.startSale({ amountMinor: 1000 });
    await engine.submitCode(sale.orderId, CODE, 'serial');
    expect(heardAtSend).toEqual(['awaiting-scan']);
    expect(heard).toEqual(['awaiting-scan', 'submitting', 'paid']);
  });
});

describe('training and live sales', () => {
  function liveEngine(): PaymentEngine {
    engine = createPaymentEngine({
      journal,
      client: gateway,
      clock: { now: () => Date.now(), monotonic: () => Date.now() },
      tuning: { sweepIntervalMs: 30_000 },
      settings: {
        terminalId: 'UNIT',
        region: 'CN',
        currency: 'CNY',
        amountCeilingMinor: 1_000_000,
        customerDeadlineMs: 60_000,
      },
      gateway: { training: false, gateway: 'https://gw.example', accId: '123456' },
    });
    return engine;
  }

  function trainingSale(
    orderId: string,
    status: 'paid' | 'waiting-for-customer',
    patch: Partial<SaleRecord> = {},
  ): void {
    const now = Date.now();
    journal.saveSale(
      {
        orderId,
        terminalId: 'UNIT',
        status,
        amountMinor: 900,
        currency: 'CNY',
        method: 'Wechat-Offline',
        maskedCode: '134567********6789',
        source: 'serial',
        attempt: 1,
        requestId: `${orderId}-A1`,
        transactionId: null,
        gatewayStatus: null,
        reason: null,
        reasonCode: null,
        abandoned: 'deadline',
        recovered: false,
        settled: status === 'paid',
        createdAt: now,
        updatedAt: now,
        day: '2025-03-01',
        training: true,
        gateway: 'embedded-simulator',
        accId: '2018092714313010016291',
        ...patch,
      },
      { kind: 'submitted' },
    );
  }

  it('a training sale left unresolved is not resolved against the live gateway (it waits for training mode)', async () => {
    liveEngine();
    trainingSale('DRILL-1', 'waiting-for-customer');
    gateway.ask = async () => notFound();
    await engine.recover();
    engine.startSweeper();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(gateway.count('query')).toBe(0);
    expect(engine.sale('DRILL-1')?.status).toBe('waiting-for-customer');
    await expect(engine.refresh('DRILL-1')).resolves.toMatchObject({ training: true });
    expect(gateway.count('query')).toBe(0);
  });

  it('history, the Z report and the export show the current mode, the other on request, and say which is which', async () => {
    liveEngine();
    trainingSale('DRILL-2', 'paid');
    const sale = engine.startSale({ amountMinor: 1000 });
    await engine.submitCode(sale.orderId, CODE, 'serial');
    expect(engine.history().map((v) => [v.orderId, v.training])).toEqual([[sale.orderId, false]]);
    expect(engine.history({ training: true }).map((v) => [v.orderId, v.training])).toEqual([
      ['DRILL-2', true],
    ]);
    expect(engine.report('2025-03-01').rows).toEqual([
      expect.objectContaining({ salesCount: 1, salesMinor: 1000 }),
    ]);
    expect(engine.report('2025-03-01', { training: true }).rows).toEqual([
      expect.objectContaining({ salesCount: 1, salesMinor: 900 }),
    ]);
    const live = engine.exportCsv('2025-03-01').csv.trim().split('\r\n');
    expect(live[0]?.split(',').at(-1)).toBe('training');
    expect(live.slice(1).map((l) => l.split(',').at(-1))).toEqual(['no']);
    const drill = engine.exportCsv('2025-03-01', { training: true }).csv.trim().split('\r\n');
    expect(drill.slice(1).map((l) => l.split(',').at(-1))).toEqual(['yes']);
    await expect(engine.refund('DRILL-2', 100)).rejects.toMatchObject({ code: 'other-gateway' });
  });

  it("the export's reason column speaks the language asked for (the screen's), English by default", () => {
    liveEngine();
    trainingSale('DRILL-3', 'paid', {
      reason: 'Paid after the till stopped waiting — refunded automatically',
      reasonCode: 'auto-refunded',
    });
    const csv = (language?: Language) =>
      engine.exportCsv('2025-03-01', { training: true, ...(language ? { language } : {}) }).csv;
    expect(csv()).toContain('Paid after the till stopped waiting — refunded automatically');
    expect(csv('zh-HK')).toContain(REASON_TEXTS['zh-HK'].reasons['auto-refunded']);
    expect(csv('zh-CN')).toContain(REASON_TEXTS['zh-CN'].reasons['auto-refunded']);
    expect(csv('zh-CN')).not.toContain('refunded automatically');
  });
});

/** A sale as another process on the same data folder journaled it (its request sent at `at`). */
function seedOtherProcessSale(orderId: string, at: number, patch: Partial<SaleRecord> = {}) {
  const base = newSaleRecord({
    orderId,
    terminalId: 'OTHER',
    amountMinor: 1000,
    currency: 'CNY',
    createdAt: at,
    day: '2025-03-01',
  });
  let rec = journal.changeSale(
    base,
    {
      status: 'submitting',
      method: 'Wechat-Offline',
      maskedCode: '134567********6789',
      attempt: 1,
      requestId: `${orderId}-1`,
      updatedAt: at,
    },
    { kind: 'submitted', detail: { attempt: 1 } },
  );
  if (Object.keys(patch).length > 0) {
    rec = journal.changeSale(rec, patch, { kind: 'resolved' });
  }
  return rec;
}

describe('"not found" is final only when no request of the sale can still be registered', () => {
  it('a resolver that does not hold the request waits out the request window before closing', async () => {
    // Another process sent the request and died (or still waits for the slow gateway).
    seedOtherProcessSale('ORD-SLOW', Date.now());
    makeEngine(60_000, { notFoundGraceMs: 1000, notFoundWindowMs: 15_000 });
    gateway.ask = async () => notFound();
    await engine.refresh('ORD-SLOW');
    await vi.advanceTimersByTimeAsync(6_000);
    // 6 s of "no such transaction" (more than the grace) decide nothing: it may still land.
    expect(engine.sale('ORD-SLOW')?.status).not.toBe('closed');
    // The gateway registers it now: paid, nothing lost.
    gateway.ask = async () => ({ ...paid(), amountMinor: 1000, currency: 'CNY' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(engine.sale('ORD-SLOW')?.status).toBe('paid');
    expect(gateway.count('refund')).toBe(0);
  });

  it('past the window (request timeout + margin) it is closed as not sent', async () => {
    seedOtherProcessSale('ORD-GONE', Date.now());
    makeEngine(60_000, { notFoundGraceMs: 1000, notFoundWindowMs: 15_000 });
    gateway.ask = async () => notFound();
    await engine.refresh('ORD-GONE');
    await vi.advanceTimersByTimeAsync(14_000);
    expect(engine.sale('ORD-GONE')?.status).not.toBe('closed');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(engine.sale('ORD-GONE')).toMatchObject({ status: 'closed', reasonCode: 'not-sent' });
  });

  it('a signed SUCCESS arriving for a sale another process closed makes it paid and refunds it', async () => {
    makeEngine(60_000);
    let answer!: (outcome: PaymentOutcome) => void;
    gateway.pay = () =>
      new Promise<PaymentOutcome>((resolve) => {
        answer = resolve;
      });
    const sale = engine.startSale({ amountMinor: 1000 });
    const submitted = engine.submitCode(sale.orderId, CODE, 'wedge');
    await vi.advanceTimersByTimeAsync(10);
    // Meanwhile another process (pospay query) recorded it closed ("not found").
    const rec = journal.sale(sale.orderId);
    if (!rec) throw new Error('not journaled');
    journal.changeSale(
      rec,
      { status: 'closed', settled: true, reason: 'not sent', reasonCode: 'not-sent' },
      { kind: 'resolved', detail: { outcome: 'not-found' } },
    );
    answer(paid());
    await submitted;
    await vi.advanceTimersByTimeAsync(1_000);
    const view = engine.sale(sale.orderId);
    expect(view).toMatchObject({ status: 'paid', abandoned: true, reasonCode: 'auto-refunded' });
    expect(gateway.count('refund')).toBe(1);
    const kinds = engine.events(sale.orderId).map((e) => e.kind);
    expect(kinds).toContain('resolved'); // the history shows both: closed, then paid
    expect(kinds).toContain('late-paid');
  });

  it('the sweeper asks again about a recently closed sale and keeps a late SUCCESS', async () => {
    seedOtherProcessSale('ORD-LATE', Date.now() - 60_000, {
      status: 'closed',
      settled: true,
      reason: 'The payment did not reach the gateway — nothing was charged',
      reasonCode: 'not-sent',
      updatedAt: Date.now() - 30_000,
    });
    makeEngine(60_000);
    gateway.ask = async () => ({ ...paid(), amountMinor: 1000, currency: 'CNY' });
    await engine.sweep();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(engine.sale('ORD-LATE')).toMatchObject({ status: 'paid', abandoned: true });
    expect(gateway.count('refund')).toBe(1);
  });

  it('a paid sale never goes back: the journal refuses the move', () => {
    const rec = seedOtherProcessSale('ORD-PAID', Date.now(), { status: 'paid', settled: true });
    expect(() =>
      journal.changeSale(rec, { status: 'waiting-for-customer', settled: false }, { kind: 'x' }),
    ).toThrow(/cannot move from paid\/final to waiting-for-customer\/open/);
    expect(() =>
      journal.changeSale(rec, { status: 'closed', settled: true }, { kind: 'x' }),
    ).toThrow(/cannot move/);
    expect(journal.sale('ORD-PAID')?.status).toBe('paid');
  });
});

describe('one sale at a time per terminal', () => {
  it('a second window cannot replace the sale open in the first', () => {
    makeEngine();
    const first = engine.startSale({ amountMinor: 1250 });
    expect(() => engine.startSale({ amountMinor: 990 })).toThrow(
      /A sale of .*12\.50 is already open on this terminal/,
    );
    expect(engine.current()?.orderId).toBe(first.orderId);
    engine.cancel(first.orderId);
    expect(engine.startSale({ amountMinor: 990 }).amountMinor).toBe(990);
  });

  it('two processes on one data folder: the second attempt is refused before anything is sent', async () => {
    makeEngine();
    const other = openJournal({ dir });
    const second = createPaymentEngine({
      journal: other,
      client: gateway,
      clock: { now: () => Date.now(), monotonic: () => Date.now() },
      settings: {
        terminalId: 'UNIT2',
        region: 'CN',
        currency: 'CNY',
        amountCeilingMinor: 1_000_000,
        customerDeadlineMs: 60_000,
      },
    });
    try {
      gateway.pay = async () => pending();
      // Both sales started before either was sent (the race): only one may be charged.
      const a = engine.startSale({ amountMinor: 1000 });
      const b = second.startSale({ amountMinor: 2000 });
      await engine.submitCode(a.orderId, CODE, 'wedge');
      await expect(second.submitCode(b.orderId, '134567890123456780', 'wedge')).rejects.toThrow(
        new RegExp(`sale ${a.orderId} is still being confirmed`),
      );
      expect(gateway.count('pay')).toBe(1);
      // And a new sale is refused up front while the first is in flight.
      second.cancel(b.orderId);
      expect(() => second.startSale({ amountMinor: 500 })).toThrow(/still being confirmed/);
    } finally {
      const stopping = second.stop();
      await vi.runOnlyPendingTimersAsync();
      await stopping;
      other.close();
    }
  });
});

describe('the data folder deleted or replaced under the running terminal', () => {
  it('deleted: the sale in flight is kept and written back; new sales go on; nothing lost', async () => {
    const view = await startWaiting();
    rmSync(dir, { recursive: true, force: true });
    gateway.ask = async () => paid();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(engine.sale(view.orderId)?.status).toBe('paid');
    expect(engine.startSale({ amountMinor: 700 }).status).toBe('awaiting-scan');
    const reopened = openJournal({ dir });
    try {
      expect(reopened.sale(view.orderId)?.status).toBe('paid');
    } finally {
      reopened.close();
    }
  });

  it('replaced by another file: new sales are refused with the reason', async () => {
    const view = await startWaiting();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'journal.sqlite'), 'not ours');
    gateway.ask = async () => paid();
    await vi.advanceTimersByTimeAsync(5_000);
    // The answer of the sale in flight is still taken (kept by the open journal).
    expect(engine.sale(view.orderId)?.status).toBe('paid');
    expect(() => engine.startSale({ amountMinor: 700 })).toThrow(
      /replaced by another file while the terminal was running/,
    );
  });
});

describe('a sale left in flight by a process that is gone', () => {
  it('does not block the till for ever: past deadline + window it is abandoned as the next is sent', async () => {
    seedOtherProcessSale('ORD-DEAD', Date.now() - (60_000 + 15_000 + 1_000));
    makeEngine(60_000, { notFoundWindowMs: 15_000 });
    gateway.pay = async () => pending();
    const sale = engine.startSale({ amountMinor: 1000 });
    await engine.submitCode(sale.orderId, CODE, 'wedge');
    expect(journal.sale('ORD-DEAD')).toMatchObject({
      status: 'unknown',
      abandoned: 'deadline',
      reasonCode: 'customer-timeout',
    });
    expect(journal.events('ORD-DEAD').at(-1)).toMatchObject({
      kind: 'abandoned',
      detail: { cause: 'deadline', stale: true },
    });
  });

  it('one sent more recently still blocks it', async () => {
    seedOtherProcessSale('ORD-RECENT', Date.now() - 30_000);
    makeEngine(60_000, { notFoundWindowMs: 15_000 });
    expect(() => engine.startSale({ amountMinor: 1000 })).toThrow(/ORD-RECENT/);
  });
});
