/**
 * Helpers for the attack tests (test/unit/engine/attack-*.test.ts): a gateway whose answers
 * the test scripts per order, outcomes as the client returns them, a sale journaled "by
 * another process", and a journal whose reads can let another process commit right after
 * them (the window between an engine's read of a sale and its write, which in real life is
 * the other process's write transaction and fsync the engine's BEGIN IMMEDIATE waits for).
 *
 * No vitest import here.
 */
import type { PaymentOutcome, RefundOutcome } from '../../shared/gateway/outcome.ts';
import type {
  QueryRequest,
  RefundQueryRequest,
  RefundRequest,
  UnifiedPayRequest,
} from '../../shared/gateway/requests.ts';
import {
  createPaymentEngine,
  type EngineTuning,
  type PaymentEngine,
  type PaymentGateway,
} from '../../electron/engine/paymentEngine.ts';
import { newSaleRecord, type Journal, type SaleRecord } from '../../electron/journal/journal.ts';

export const CODE = '134567890123456789';
export const CODE_2 = '134567890123456780';

/** A signed SUCCESS stating `amountMinor`/`currency` (both left out when not given). */
export function paidOutcome(amountMinor?: number, currency?: string): PaymentOutcome {
  return {
    kind: 'paid',
    code: '000000',
    resultCode: '000000',
    description: 'ok',
    status: 'SUCCESS',
    transactionId: 'TX-ATTACK',
    ...(amountMinor !== undefined ? { amountMinor } : {}),
    ...(currency !== undefined ? { currency } : {}),
  };
}

export const pendingOutcome = (): PaymentOutcome => ({
  kind: 'pending',
  code: '002000',
  resultCode: '002000',
  description: 'processing',
  status: 'PROCESSING',
});

export const notFoundOutcome = (): PaymentOutcome => ({
  kind: 'not-found',
  code: '107001',
  resultCode: '107001',
  description: 'no such transaction',
});

export const declinedOutcome = (): PaymentOutcome => ({
  kind: 'declined',
  reason: 'Declined by the wallet',
  code: '000000',
  resultCode: '300001',
  description: 'declined',
  status: 'FAILED',
});

export const closedOutcome = (): PaymentOutcome => ({
  kind: 'closed',
  reason: 'closed',
  code: '000000',
  resultCode: '000000',
  description: 'closed',
  status: 'CLOSED',
});

export const lostOutcome = (): PaymentOutcome => ({
  kind: 'unknown',
  cause: 'timeout',
  detail: 'no answer within 10000 ms',
});

export type GatewayCall =
  | { kind: 'pay'; request: UnifiedPayRequest; at: number }
  | { kind: 'query'; request: QueryRequest; at: number }
  | { kind: 'refund'; request: RefundRequest; at: number }
  | { kind: 'refundQuery'; request: RefundQueryRequest; at: number };

function orderOf(request: QueryRequest): string {
  return 'merchantTransactionId' in request ? request.merchantTransactionId : '';
}

/**
 * A gateway whose answers the test scripts, per order when it likes. A SUCCESS states the
 * amount and currency the order was sent for unless `statesAmount` is false.
 */
export class AttackGateway implements PaymentGateway {
  readonly calls: GatewayCall[] = [];
  statesAmount = true;
  pay: (request: UnifiedPayRequest) => Promise<PaymentOutcome> = async () => paidOutcome();
  ask: (orderId: string) => Promise<PaymentOutcome> = async () => pendingOutcome();
  give: (request: RefundRequest) => Promise<RefundOutcome> = async (r) => ({
    kind: 'refunded',
    code: '000000',
    resultCode: '000000',
    description: 'ok',
    status: 'SUCCESS',
    merchantRefundId: r.merchantRefundId,
  });
  private readonly charged = new Map<string, { amountMinor: number; currency: string }>();

  /** What a sale seeded in the journal was sent for (as if this gateway had received it). */
  know(orderId: string, amountMinor: number, currency = 'CNY'): void {
    this.charged.set(orderId, { amountMinor, currency });
  }

  private stated(orderId: string, outcome: PaymentOutcome): PaymentOutcome {
    const sent = this.charged.get(orderId);
    if (outcome.kind !== 'paid' || !sent || !this.statesAmount) return outcome;
    return {
      ...outcome,
      amountMinor: outcome.amountMinor ?? sent.amountMinor,
      currency: outcome.currency ?? sent.currency,
    };
  }

  async unifiedPay(request: UnifiedPayRequest): Promise<PaymentOutcome> {
    this.calls.push({ kind: 'pay', request, at: Date.now() });
    this.know(request.merchantTransactionId, request.amountMinor, request.currency);
    return this.stated(request.merchantTransactionId, await this.pay(request));
  }

  async query(request: QueryRequest): Promise<PaymentOutcome> {
    this.calls.push({ kind: 'query', request, at: Date.now() });
    const orderId = orderOf(request);
    return this.stated(orderId, await this.ask(orderId));
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

  count(kind: GatewayCall['kind'], orderId?: string): number {
    return this.calls.filter(
      (c) =>
        c.kind === kind &&
        (orderId === undefined ||
          ('merchantTransactionId' in c.request && c.request.merchantTransactionId === orderId)),
    ).length;
  }
}

export interface AttackEngineOptions {
  journal: Journal;
  gateway: PaymentGateway;
  terminalId?: string;
  customerDeadlineMs?: number;
  tuning?: EngineTuning;
}

/** An engine on fake time (Date.now() for both clocks, as the lead's unit tests do). */
export function attackEngine(options: AttackEngineOptions): PaymentEngine {
  return createPaymentEngine({
    journal: options.journal,
    client: options.gateway,
    clock: { now: () => Date.now(), monotonic: () => Date.now() },
    tuning: options.tuning ?? {},
    settings: {
      terminalId: options.terminalId ?? 'ATTACK',
      region: 'CN',
      currency: 'CNY',
      amountCeilingMinor: 1_000_000,
      customerDeadlineMs: options.customerDeadlineMs ?? 60_000,
    },
  });
}

/** A sale as another process journaled it: its request sent at `at`, then `patch` applied. */
export function seedSale(
  journal: Journal,
  orderId: string,
  at: number,
  patch: Partial<SaleRecord> = {},
  amountMinor = 1000,
): SaleRecord {
  const base = newSaleRecord({
    orderId,
    terminalId: 'OTHER',
    amountMinor,
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
      requestId: `${orderId}-A1`,
      updatedAt: at,
    },
    { kind: 'submitted', detail: { attempt: 1 } },
  );
  if (Object.keys(patch).length > 0) {
    rec = journal.changeSale(rec, { updatedAt: at, ...patch }, { kind: 'resolved' });
  }
  return rec;
}

/**
 * `journal`, except that once `armed` is set, the next read of that sale returns what it read
 * and THEN lets `armed` run (another process committing right after our read, before our
 * write: the window an engine's read-then-write leaves open).
 */
export class RacingJournal {
  armed: { orderId: string; run: () => void } | null = null;
  readonly journal: Journal;

  constructor(real: Journal) {
    this.journal = new Proxy(real, {
      get: (target, prop) => {
        if (prop === 'sale') {
          return (orderId: string) => {
            const read = target.sale(orderId);
            const armed = this.armed;
            if (armed && armed.orderId === orderId) {
              this.armed = null;
              armed.run();
            }
            return read;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function'
          ? (value as (...args: unknown[]) => unknown).bind(target)
          : value;
      },
    });
  }
}
