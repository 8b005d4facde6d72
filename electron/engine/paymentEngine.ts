/**
 * The payment engine: one sale at a time from "scan the code" to paid / not paid, journaled
 * write-ahead so that a crash at any point is recoverable and no customer is charged twice.
 *
 *   awaiting-scan ─submitCode→ submitting ─PROCESSING / no answer→ waiting-for-customer
 *        │                        │                                   │  (query on a schedule)
 *        └─cancel                 └──────→ paid | declined | closed ←─┘
 *                                                                     │ deadline / cancel
 *                                                                     └→ unknown (abandoned,
 *                                                 still resolved in the background; a late
 *                                                 "paid" is refunded automatically)
 *
 * Rules (payment-codes.md, gateway.md):
 * - "In progress" is not "failed": PROCESSING, a timeout, a dropped connection, a 5xx or a
 *   badly signed answer all mean unknown, resolved by query — never by a new charge.
 * - A lost answer is retried with the SAME merchantTransactionId and requestId (and the same
 *   code, held in memory only); only when the gateway has no trace of the payment.
 * - A new code is a new attempt (new requestId) only after the previous one is resolved.
 * - Every transition is committed to the journal before the network call it leads to.
 * - Timers and deadlines use the monotonic clock; the wall clock only stamps records.
 */
import { performance } from 'node:perf_hooks';
import type { SaleView, ZReport } from '../../shared/ipc/contract.ts';
import type { PaymentOutcome, RefundOutcome } from '../../shared/gateway/outcome.ts';
import { categoryOf } from '../../shared/gateway/resultCodes.ts';
import { formatForDisplay, isCurrency, type Currency } from '../../shared/money.ts';
import {
  classifyPaymentCode,
  maskCode,
  type PaymentMethod,
  type Region,
} from '../../shared/paymentCode.ts';
import type {
  QueryRequest,
  RefundQueryRequest,
  RefundRequest,
  UnifiedPayRequest,
} from '../gateway/client.ts';
import {
  newSaleRecord,
  type AbandonCause,
  type Journal,
  type JournalEvent,
  type JournalEventInput,
  type RefundRecord,
  type RequestTimes,
  type SaleFilter,
  type SaleRecord,
} from '../journal/journal.ts';
import { isInFlight } from '../../shared/saleTransitions.ts';
import { SaleChangedError, SaleInFlightError } from '../journal/errors.ts';
import { EngineError } from './errors.ts';
import type { FaultHook, FaultPoint } from './faults.ts';
import { newOrderId, refundIdFor, requestIdFor } from './ids.ts';
import {
  REASONS,
  abandonReason,
  amountMismatchReason,
  closedReason,
  credentialsReason,
  declineReason,
  isCredentialsReason,
  refundDeclinedReason,
  rejectedReason,
  type Reason,
} from './reasons.ts';
import { dayCsv, zReport } from './reports.ts';
import { DEFAULT_QUERY_SCHEDULE_MS, queryDelay } from './schedule.ts';
import { toSaleView } from './views.ts';

/** What the engine needs from the gateway client (GatewayClient satisfies it). */
export interface PaymentGateway {
  unifiedPay(request: UnifiedPayRequest): Promise<PaymentOutcome>;
  query(request: QueryRequest): Promise<PaymentOutcome>;
  refund(request: RefundRequest): Promise<RefundOutcome>;
  refundQuery(request: RefundQueryRequest): Promise<RefundOutcome>;
}

export interface EngineSettings {
  terminalId: string;
  region: Region;
  /** Currency of a sale started without one. */
  currency: Currency;
  amountCeilingMinor: number;
  /** How long the cashier waits for the customer before "customer did not confirm". */
  customerDeadlineMs: number;
}

export interface EngineClock {
  /** Wall clock, UTC epoch ms: only to stamp records. */
  now(): number;
  /** Monotonic ms: every duration, deadline and timer. */
  monotonic(): number;
}

export interface EngineTuning {
  /** Delays between status queries (ms); the last one repeats. */
  querySchedule?: readonly number[];
  /**
   * A payment the gateway does not know, with no code left to retry it (after a restart, or
   * the cashier gave up), is ended as not paid once it stays unknown to the gateway this long.
   */
  notFoundGraceMs?: number;
  /**
   * How long after a request was sent the gateway may still register it: "not found" is
   * never final before the latest request of the sale (by any process: every request is
   * journaled before it is sent) is this old. The request timeout plus a margin
   * (notFoundWindowFor).
   */
  notFoundWindowMs?: number;
  /** How long a sale closed as "did not reach the gateway" is still re-checked by the sweeper. */
  recheckClosedMs?: number;
  /** Re-sends of the same attempt (same requestId and code) when the gateway has no trace. */
  maxResends?: number;
  /** Same for refunds (same merchantRefundId). */
  maxRefundResends?: number;
  /** How often the sweeper looks for unresolved sales and refunds. */
  sweepIntervalMs?: number;
  /** How many unresolved sales recovery queries at once. */
  recoveryConcurrency?: number;
  /** When a query is stuck at the deadline, how much longer before the cashier is told. */
  deadlineSlackMs?: number;
}

/** Default of EngineTuning.notFoundGraceMs. */
export const DEFAULT_NOT_FOUND_GRACE_MS = 3000;

/** The gateway client's default request timeout (GatewayClient timeoutMs). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * EngineTuning.notFoundWindowMs for a client with this request timeout: the timeout plus a
 * margin of half of it (at least a second) for a gateway that registers a request late —
 * 15 s for the default 10 s timeout.
 */
export function notFoundWindowFor(requestTimeoutMs: number): number {
  return requestTimeoutMs + Math.max(1000, Math.round(requestTimeoutMs / 2));
}

/** Default of EngineTuning.recheckClosedMs: a WeChat/Alipay code lives about this long. */
export const DEFAULT_RECHECK_CLOSED_MS = 10 * 60_000;

/** The value of `gateway` for sales sent to the embedded simulator (training mode). */
export const EMBEDDED_SIMULATOR_GATEWAY = 'embedded-simulator';

/** Which gateway the engine's client talks to; recorded on every sale. */
export interface GatewayIdentity {
  /** The embedded simulator (training mode): nothing is really charged. */
  training: boolean;
  /** EMBEDDED_SIMULATOR_GATEWAY, or the live gateway's base URL. */
  gateway: string;
  /** The store the client signs as. */
  accId?: string;
}

export type EngineLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface PaymentEngineOptions {
  journal: Journal;
  client: PaymentGateway;
  /** Fixed settings, or a getter so that saved settings apply to the next sale. */
  settings: EngineSettings | (() => EngineSettings);
  tuning?: EngineTuning;
  clock?: EngineClock;
  log?: EngineLog;
  /** Crash-test hook (POS_FAULT); see faults.ts. */
  fault?: FaultHook;
  /** Business day of a record (default: the till's local date). */
  dayOf?: (epochMs: number) => string;
  /**
   * The gateway `client` talks to. Each sale records it; recovery and the sweeper only
   * resolve sales of this gateway (a sale of another one waits until it is configured
   * again); history and reports default to this mode's sales. Without it: every sale.
   */
  gateway?: GatewayIdentity;
}

/** Which sales a history, report or export covers. */
export interface ModeOption {
  /** Training sales (true) or live sales (false); default: the current mode's. */
  training?: boolean;
}

export interface StartSaleInput {
  amountMinor: number;
  currency?: Currency;
  methodOverride?: PaymentMethod;
}

export type ScanSource = 'serial' | 'hid' | 'wedge' | 'manual';

export interface PaymentEngine {
  /** A new sale waiting for the customer's code (refused while another is in progress). */
  startSale(input: StartSaleInput): SaleView;
  /** Classifies the scan and charges it; resolves with the sale after the gateway's first answer. */
  submitCode(orderId: string, rawCode: string, source: ScanSource): Promise<SaleView>;
  /** The cashier stops waiting; the engine keeps resolving (and refunds a late payment). */
  cancel(orderId: string): SaleView;
  current(): SaleView | null;
  sale(orderId: string): SaleView | null;
  onSaleUpdated(listener: (sale: SaleView) => void): () => void;
  refund(
    orderId: string,
    amountMinor: number,
    options?: { automatic?: boolean },
  ): Promise<SaleView>;
  /** Sales of the current mode (training or live) unless `filter.training` says otherwise. */
  history(filter?: SaleFilter): SaleView[];
  report(day: string, options?: ModeOption): ZReport;
  exportCsv(day: string, options?: ModeOption): { filename: string; csv: string };
  events(orderId: string): JournalEvent[];
  /** Resolves every unresolved sale and refund of the journal (first pass awaited). */
  recover(): Promise<void>;
  /** One sweep: starts resolving anything unresolved that nobody is resolving. */
  sweep(): Promise<void>;
  startSweeper(): void;
  /** Resolves one sale now (and waits up to `waitMs` for a final answer). */
  refresh(orderId: string, options?: { waitMs?: number }): Promise<SaleView>;
  /** Waits until no resolution is running (true) or the timeout passes (false). */
  whenIdle(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

interface LiveSale {
  orderId: string;
  /** The customer's code, in memory only, to re-send the same attempt. */
  code: string | null;
  deadlineAt: number | null;
  deadlineTimer: NodeJS.Timeout | null;
  paying: boolean;
  querying: boolean;
  task: Promise<void> | null;
  wake: (() => void) | null;
  notFoundSince: number | null;
  resends: number;
  /** Started by recovery / the sweeper rather than by a submit in this process. */
  fromRecovery: boolean;
}

interface LiveRefund {
  refundId: string;
  task: Promise<void> | null;
  wake: (() => void) | null;
  notFoundSince: number | null;
}

type Applied = 'settled' | 'pending' | 'not-found';

const METHOD_CURRENCY: Record<PaymentMethod, Currency> = {
  'Wechat-Offline': 'CNY',
  'AlipayCN-Offline': 'CNY',
  'AlipayHK-Offline': 'HKD',
};
const CHARGEABLE_CURRENCIES = new Set<Currency>(['CNY', 'HKD']);
const METHOD_NAMES: Record<PaymentMethod, string> = {
  'Wechat-Offline': 'WeChat Pay',
  'AlipayCN-Offline': 'Alipay (mainland)',
  'AlipayHK-Offline': 'AlipayHK',
};

/** The deadline check tolerates timers firing a hair early relative to performance.now(). */
const DEADLINE_EPSILON_MS = 5;

/** When the deadline could not be recorded (a busy journal), it is tried again this soon. */
const DEADLINE_RETRY_MS = 1000;

/** How many times a change is decided again when another process keeps changing the sale. */
const CHANGE_RETRIES = 5;

function localDay(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const systemClock: EngineClock = { now: () => Date.now(), monotonic: () => performance.now() };

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function clearDeadline(live: LiveSale): void {
  if (live.deadlineTimer) clearTimeout(live.deadlineTimer);
  live.deadlineTimer = null;
}

/**
 * A resolution task: `step` (the request, or recovery's first query) now, then `loop` unless
 * the step says the record is final. `first` settles once the step is over, and never
 * rejects: whatever the step met (a lost answer, a busy journal), the record is journaled
 * and the loop goes on resolving it — the caller reads the record's state.
 */
function stepThenLoop(
  step: () => Promise<boolean>,
  loop: () => Promise<void>,
  onStepError: (error: unknown) => void,
): { task: Promise<void>; first: Promise<void> } {
  const first = deferred<void>();
  const task = (async () => {
    let done = false;
    try {
      done = await step();
    } catch (error) {
      onStepError(error);
    }
    first.resolve();
    if (!done) await loop();
  })();
  return { task, first: first.promise };
}

/** The customer is (or may be) confirming: the cashier waits for this sale. */
function isWaiting(status: SaleRecord['status']): boolean {
  return status === 'submitting' || status === 'waiting-for-customer';
}

/** 103000 / 104000: the gateway could not authenticate the till (or someone says so). */
function isCredentialsRefusal(answer: { code: string; resultCode: string }): boolean {
  return [answer.code, answer.resultCode].some((code) => {
    const category = categoryOf(code);
    return category === 'auth-error' || category === 'bad-signature';
  });
}

/**
 * Whether a final refund answer is about the refund asked about. The client only refuses an
 * answer that names ANOTHER refund; one that names none passes. Bound here: our
 * merchantRefundId; else the gateway's refundId already recorded for it; else (gateway.md
 * lists only refundId in the answer) a refundId with this refund's amount and currency. A
 * refusal without a status (108000, 108003, 303000: nothing refunded, no bizContent) is a
 * direct answer to this request and stays accepted.
 */
function namesRefund(rec: RefundRecord, outcome: RefundOutcome): boolean {
  if (outcome.kind !== 'refunded' && outcome.kind !== 'declined') return true;
  if (outcome.kind === 'declined' && outcome.status === undefined) return true;
  if (outcome.merchantRefundId !== undefined) return outcome.merchantRefundId === rec.refundId;
  if (outcome.refundId === undefined) return false;
  if (rec.gatewayRefundId !== null) return outcome.refundId === rec.gatewayRefundId;
  return outcome.amountMinor === rec.amountMinor && outcome.currency === rec.currency;
}

function outcomeDetail(outcome: PaymentOutcome | RefundOutcome): Record<string, unknown> {
  if (outcome.kind === 'unknown') {
    return { outcome: 'unknown', cause: outcome.cause, detail: outcome.detail };
  }
  const detail: Record<string, unknown> = {
    outcome: outcome.kind,
    code: outcome.code,
    resultCode: outcome.resultCode,
  };
  if (outcome.status !== undefined) detail.status = outcome.status;
  if (outcome.description) detail.description = outcome.description;
  return detail;
}

class Engine implements PaymentEngine {
  private readonly journal: Journal;
  private readonly client: PaymentGateway;
  private readonly settingsOf: () => EngineSettings;
  private readonly clock: EngineClock;
  private readonly log: EngineLog;
  private readonly faultHook: FaultHook | undefined;
  private readonly dayOf: (epochMs: number) => string;
  private readonly schedule: readonly number[];
  private readonly notFoundGraceMs: number;
  private readonly notFoundWindowMs: number;
  private readonly recheckClosedMs: number;
  private readonly maxResends: number;
  private readonly maxRefundResends: number;
  private readonly sweepIntervalMs: number;
  private readonly recoveryConcurrency: number;
  private readonly deadlineSlackMs: number;
  private readonly identity: GatewayIdentity | undefined;

  private readonly listeners = new Set<(sale: SaleView) => void>();
  private readonly lives = new Map<string, LiveSale>();
  private readonly refundLives = new Map<string, LiveRefund>();
  private readonly tracked = new Set<Promise<unknown>>();
  /** The sale on screen. */
  private currentId: string | null = null;
  /** The current sale while it still waits for a code (not journaled: nothing was sent). */
  private draft: SaleRecord | null = null;
  private draftOverride: PaymentMethod | undefined;
  /** Method override of the current sale, kept for a retry with a fresh code. */
  private currentOverride: PaymentMethod | undefined;
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = false;

  constructor(options: PaymentEngineOptions) {
    this.journal = options.journal;
    this.client = options.client;
    const settings = options.settings;
    this.settingsOf = typeof settings === 'function' ? settings : () => settings;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? (() => undefined);
    this.faultHook = options.fault;
    this.dayOf = options.dayOf ?? localDay;
    this.identity = options.gateway;
    const tuning = options.tuning ?? {};
    this.schedule = tuning.querySchedule ?? DEFAULT_QUERY_SCHEDULE_MS;
    this.notFoundGraceMs = tuning.notFoundGraceMs ?? DEFAULT_NOT_FOUND_GRACE_MS;
    this.notFoundWindowMs =
      tuning.notFoundWindowMs ?? notFoundWindowFor(DEFAULT_REQUEST_TIMEOUT_MS);
    this.recheckClosedMs = tuning.recheckClosedMs ?? DEFAULT_RECHECK_CLOSED_MS;
    this.maxResends = tuning.maxResends ?? 3;
    this.maxRefundResends = tuning.maxRefundResends ?? 3;
    this.sweepIntervalMs = tuning.sweepIntervalMs ?? 30_000;
    this.recoveryConcurrency = Math.max(1, tuning.recoveryConcurrency ?? 4);
    this.deadlineSlackMs = tuning.deadlineSlackMs ?? 1000;
  }

  // ---------------------------------------------------------------- public API

  startSale(input: StartSaleInput): SaleView {
    this.assertRunning();
    const journalProblem = this.journal.problem;
    if (journalProblem !== null) {
      // Nothing may be charged that could not be journaled; what is open keeps every sale.
      throw new EngineError('journal-unavailable', journalProblem);
    }
    const settings = this.settingsOf();
    const currency = input.currency ?? settings.currency;
    if (!CHARGEABLE_CURRENCIES.has(currency)) {
      throw new EngineError(
        'currency-invalid',
        `Wallet payments are charged in CNY or HKD, not ${String(currency)}`,
      );
    }
    const amount = input.amountMinor;
    if (!Number.isSafeInteger(amount) || amount <= 0) {
      throw new EngineError('amount-invalid', 'The amount must be more than zero');
    }
    if (amount > settings.amountCeilingMinor) {
      throw new EngineError(
        'amount-invalid',
        `The amount is above this till's limit of ${formatForDisplay(settings.amountCeilingMinor, currency)}`,
      );
    }
    const override = input.methodOverride;
    if (override !== undefined && METHOD_CURRENCY[override] !== currency) {
      throw new EngineError(
        'method-invalid',
        `${METHOD_NAMES[override]} is charged in ${METHOD_CURRENCY[override]}, but this sale is in ${currency}`,
      );
    }
    const current = this.currentRecord();
    if (current && current === this.draft) {
      // Another window (a second tab) has a sale open: it is never replaced silently.
      throw new EngineError(
        'sale-in-progress',
        `A sale of ${formatForDisplay(current.amountMinor, current.currency)} is already open ` +
          'on this terminal, waiting for its code (perhaps in another window) — scan it or cancel it first',
      );
    }
    if (current && isInFlight(current) && !this.isStale(current)) {
      throw new EngineError('sale-in-progress', REASONS.inProgress.reason);
    }
    const elsewhere = this.journal.inFlightSale();
    if (elsewhere && !this.isStale(elsewhere)) {
      throw new EngineError(
        'sale-in-progress',
        `${REASONS.inProgress.reason}: sale ${elsewhere.orderId} is still being confirmed ` +
          `(pospay query ${elsewhere.orderId})`,
      );
    }
    const now = this.clock.now();
    this.draft = newSaleRecord({
      orderId: newOrderId(settings.terminalId, now),
      terminalId: settings.terminalId,
      amountMinor: amount,
      currency,
      createdAt: now,
      day: this.dayOf(now),
      training: this.identity?.training ?? false,
      gateway: this.identity?.gateway ?? null,
      accId: this.identity?.accId ?? null,
    });
    this.draftOverride = override;
    this.currentOverride = override;
    this.currentId = this.draft.orderId;
    const view = this.view(this.draft);
    this.emit(view);
    return view;
  }

  async submitCode(orderId: string, rawCode: string, source: ScanSource): Promise<SaleView> {
    this.assertRunning();
    const rec = this.currentRecord();
    if (!rec || rec.orderId !== orderId) {
      if (this.journal.sale(orderId)) {
        throw new EngineError(
          'sale-not-current',
          'This sale is no longer on the screen — start a new sale',
        );
      }
      throw new EngineError('not-found', `There is no sale ${orderId}`);
    }
    if (!rec.settled && rec.status !== 'awaiting-scan') {
      throw new EngineError(
        'sale-in-progress',
        rec.abandoned
          ? 'The last attempt of this sale is still being checked — start a new sale'
          : REASONS.inProgress.reason,
      );
    }
    if (rec.status === 'unknown') {
      // Settled but not confirmed (e.g. the gateway states another amount): never re-charged.
      throw new EngineError(
        'sale-needs-supervisor',
        rec.reason ?? 'The outcome of this sale is not confirmed — call the supervisor',
      );
    }
    if (rec.status === 'paid' || rec.status === 'closed') {
      throw new EngineError('sale-already-final', 'This sale is finished — start a new sale');
    }
    const settings = this.settingsOf();
    const override = rec === this.draft ? this.draftOverride : this.currentOverride;
    const classified = classifyPaymentCode(rawCode, {
      region: settings.region,
      ...(override !== undefined ? { override } : {}),
    });
    if (!classified.ok) throw new EngineError('code-invalid', classified.message);
    if (classified.currency !== rec.currency) {
      throw new EngineError(
        'code-invalid',
        `This is a ${METHOD_NAMES[classified.method]} code, charged in ${classified.currency}, ` +
          `but this sale is in ${rec.currency}. Ask the customer for another wallet, or start the sale in ${classified.currency}.`,
      );
    }
    const attempt = rec.attempt + 1;
    // Write-ahead: the attempt is durable before a byte goes to the gateway. Nothing else
    // happens before the request (the screen is told once it is on its way). In the same
    // write transaction: no other sale of this data folder (another process) is in flight.
    const submitted = this.commitAttempt(
      rec,
      {
        status: 'submitting',
        method: classified.method,
        maskedCode: maskCode(classified.code),
        source,
        attempt,
        requestId: requestIdFor(rec.orderId, attempt),
        gatewayStatus: null,
        transactionId: null,
        reason: null,
        reasonCode: null,
        settled: false,
        // A new attempt (a fresh code after a decline) is waited for again, from now.
        abandoned: null,
        recovered: false,
      },
      {
        kind: attempt === 1 ? 'submitted' : 'new-attempt',
        detail: {
          attempt,
          method: classified.method,
          source,
          // Read by any process resolving the sale: until when this request may still be
          // registered, and how long the cashier waits for it.
          windowMs: this.notFoundWindowMs,
          deadlineMs: settings.customerDeadlineMs,
        },
      },
    );
    if (rec === this.draft) this.draft = null;
    const live = this.liveFor(submitted.orderId, false);
    live.code = classified.code;
    live.resends = 0;
    live.notFoundSince = null;
    live.deadlineAt = this.clock.monotonic() + settings.customerDeadlineMs;
    this.armDeadline(live, settings.customerDeadlineMs);
    this.fault('after-journal-before-request');

    const { task, first } = stepThenLoop(
      async () => {
        await this.payOnce(live, submitted, () => this.emitRecord(submitted));
        return false; // the loop sees for itself whether the answer was final
      },
      () => this.resolveLoop(live, false),
      (error) => this.logStepError('the payment request', { orderId }, error),
    );
    this.runSaleTask(live, task);
    await first;
    return this.viewOf(orderId);
  }

  cancel(orderId: string): SaleView {
    if (this.draft && this.draft.orderId === orderId) {
      const dropped: SaleRecord = {
        ...this.draft,
        status: 'closed',
        settled: true,
        abandoned: 'cancel',
        reason: 'Cancelled before a code was scanned',
        reasonCode: 'cancelled',
        updatedAt: this.clock.now(),
      };
      this.draft = null;
      this.currentId = null;
      const view = this.view(dropped);
      this.emit(view);
      return view;
    }
    const rec = this.journal.sale(orderId);
    if (!rec) throw new EngineError('not-found', `There is no sale ${orderId}`);
    if (rec.settled || rec.abandoned) return this.view(rec);
    return this.view(this.abandon(orderId, 'cancel'));
  }

  current(): SaleView | null {
    const rec = this.currentRecord();
    return rec ? this.view(rec) : null;
  }

  sale(orderId: string): SaleView | null {
    if (this.draft && this.draft.orderId === orderId) return this.view(this.draft);
    const rec = this.journal.sale(orderId);
    return rec ? this.view(rec) : null;
  }

  onSaleUpdated(listener: (sale: SaleView) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async refund(
    orderId: string,
    amountMinor: number,
    options: { automatic?: boolean } = {},
  ): Promise<SaleView> {
    this.assertRunning();
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
      throw new EngineError('amount-invalid', 'The refund amount must be more than zero');
    }
    const sale = this.journal.sale(orderId);
    if (!sale) throw new EngineError('not-found', `There is no sale ${orderId}`);
    if (!this.isOurs(sale)) throw this.otherGatewayError(sale);
    if (sale.reasonCode === 'amount-mismatch') {
      throw new EngineError(
        'sale-needs-supervisor',
        'The gateway reported another amount for this sale — the supervisor must check it before any refund',
      );
    }
    const now = this.clock.now();
    const index = this.journal.refundsOf(orderId).length + 1;
    const record: RefundRecord = {
      refundId: refundIdFor(orderId, index),
      orderId,
      amountMinor,
      currency: sale.currency,
      status: 'submitting',
      reason: null,
      reasonCode: null,
      automatic: options.automatic === true,
      gatewayRefundId: null,
      sends: 1,
      settled: false,
      createdAt: now,
      updatedAt: now,
      day: this.dayOf(now),
    };
    const created = this.journal.createRefund(record, {
      kind: 'refund-submitted',
      detail: { amountMinor, automatic: record.automatic },
    });
    if (!created.ok) {
      if (created.problem === 'no-sale') {
        throw new EngineError('not-found', `There is no sale ${orderId}`);
      }
      if (created.problem === 'not-paid') {
        throw new EngineError(
          'refund-not-allowed',
          created.sale.settled
            ? `This sale was not paid (${created.sale.status}) — there is nothing to refund`
            : 'This sale is not confirmed yet — it can be refunded once it is paid',
        );
      }
      throw new EngineError(
        'refund-exceeds-balance',
        created.availableMinor <= 0
          ? 'This sale is already fully refunded'
          : `Only ${formatForDisplay(created.availableMinor, sale.currency)} can still be refunded on this sale`,
      );
    }
    this.emitSale(orderId);
    this.fault('refund-after-journal-before-request');
    const live = this.newLiveRefund(record.refundId);
    const { task, first } = stepThenLoop(
      async () => {
        const outcome = await this.client.refund({
          merchantTransactionId: orderId,
          merchantRefundId: record.refundId,
          amountMinor,
          currency: sale.currency,
        });
        this.applyRefund(record.refundId, outcome, 'refund');
        return false; // the loop sees for itself whether the answer was final
      },
      () => this.refundLoop(live, false),
      (error) => this.logStepError('the refund request', { refundId: record.refundId }, error),
    );
    this.runRefundTask(live, task);
    await first;
    return this.viewOf(orderId);
  }

  history(filter: SaleFilter = {}): SaleView[] {
    const training = this.modeOf(filter);
    const query: SaleFilter = { ...filter };
    if (training === undefined) delete query.training;
    else query.training = training;
    const sales = this.journal.listSales(query);
    const refunds = this.journal.refundsOfSales(sales.map((rec) => rec.orderId));
    return sales.map((rec) => this.view(rec, refunds.get(rec.orderId) ?? []));
  }

  report(day: string, options: ModeOption = {}): ZReport {
    return zReport(day, this.journal.daySummary(day, this.modeOf(options)));
  }

  exportCsv(day: string, options: ModeOption = {}): { filename: string; csv: string } {
    const training = this.modeOf(options);
    const sales = this.journal.salesOfDay(day, training);
    const byId = new Map(sales.map((s) => [s.orderId, s]));
    const refundsBySale = this.journal.refundsOfSales([...byId.keys()]);
    const saleOf = (orderId: string): SaleRecord | undefined =>
      byId.get(orderId) ?? this.journal.sale(orderId);
    const csv = dayCsv(
      sales,
      (orderId) => refundsBySale.get(orderId) ?? [],
      this.journal.refundsOfDay(day, training),
      (orderId) => saleOf(orderId)?.method ?? null,
      (orderId) => saleOf(orderId)?.training === true,
    );
    const suffix = training === true ? '-training' : '';
    return { filename: `pospay-${day}${suffix}.csv`, csv };
  }

  events(orderId: string): JournalEvent[] {
    return this.journal.events(orderId);
  }

  async recover(): Promise<void> {
    this.assertRunning();
    // The sale that was on screen when the terminal stopped comes back on screen, with a
    // fresh deadline: the cashier sees it resolve (or cancels it) before the next sale.
    const unsettled = this.journal.unsettledSales().filter((s) => this.isOurs(s));
    if (!this.currentId) {
      const candidate = [...unsettled].reverse().find((s) => !s.abandoned);
      // One left behind long ago (deadline and window past) has nobody waiting for it: it
      // is resolved in the background, not put back in front of the cashier.
      const onScreen = candidate && this.isStale(candidate) ? undefined : candidate;
      if (candidate && !onScreen) this.abandon(candidate.orderId, 'deadline');
      if (onScreen) {
        this.currentId = onScreen.orderId;
        const live = this.liveFor(onScreen.orderId, true);
        if (isWaiting(onScreen.status)) {
          const deadline = this.settingsOf().customerDeadlineMs;
          live.deadlineAt = this.clock.monotonic() + deadline;
          this.armDeadline(live, deadline);
        }
        this.log('info', 'recovered the sale that was in progress', {
          orderId: onScreen.orderId,
        });
      }
    }
    await this.sweep();
  }

  sweep(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.sweeping) {
      this.sweeping = this.sweepOnce().finally(() => {
        this.sweeping = null;
      });
    }
    return this.sweeping;
  }

  startSweeper(): void {
    if (this.sweeper || this.stopped) return;
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) => {
        this.log('error', 'sweep failed', { error: String(error) });
      });
    }, this.sweepIntervalMs);
    this.sweeper.unref();
  }

  async refresh(orderId: string, options: { waitMs?: number } = {}): Promise<SaleView> {
    const rec = this.journal.sale(orderId);
    if (!rec) {
      if (this.draft?.orderId === orderId) return this.view(this.draft);
      throw new EngineError('not-found', `There is no sale ${orderId}`);
    }
    if (!this.stopped && this.isOurs(rec)) {
      const started: Promise<void>[] = [];
      if (!this.lives.get(orderId)?.task) {
        if (!rec.settled) started.push(this.startRecoveredSale(rec));
        else if (rec.status === 'closed' && rec.reasonCode === REASONS.notSent.reasonCode) {
          started.push(this.recheckClosed(rec));
        }
      }
      for (const refund of this.journal.refundsOf(orderId)) {
        if (!refund.settled && !this.refundLives.get(refund.refundId)?.task) {
          started.push(this.startRecoveredRefund(refund));
        }
      }
      await Promise.all(started);
      const waitMs = options.waitMs ?? 0;
      if (waitMs > 0) {
        const tasks = [
          this.lives.get(orderId)?.task,
          ...this.journal.refundsOf(orderId).map((r) => this.refundLives.get(r.refundId)?.task),
        ].filter((t): t is Promise<void> => t !== undefined && t !== null);
        await this.raceTimeout(Promise.allSettled(tasks), waitMs);
      }
    }
    return this.viewOf(orderId);
  }

  async whenIdle(timeoutMs = 120_000): Promise<boolean> {
    const until = this.clock.monotonic() + timeoutMs;
    while (this.tracked.size > 0) {
      const left = until - this.clock.monotonic();
      if (left <= 0) return false;
      await this.raceTimeout(Promise.allSettled([...this.tracked]), left);
    }
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const live of this.lives.values()) {
      clearDeadline(live);
      live.wake?.();
    }
    for (const live of this.refundLives.values()) live.wake?.();
    while (this.tracked.size > 0) await Promise.allSettled([...this.tracked]);
    if (this.sweeping) await this.sweeping.catch(() => undefined);
  }

  // ---------------------------------------------------------------- sales: resolution

  /** Sends the attempt (same requestId every time) and applies the answer. */
  private async payOnce(
    live: LiveSale,
    known?: SaleRecord,
    afterSend?: () => void,
  ): Promise<Applied> {
    const outcome = await this.sendPay(live, known, afterSend);
    const applied = this.applyPayment(live, outcome, 'pay');
    if (applied === 'not-found') {
      // unifiedPay never answers "not found"; treat it as an unknown outcome.
      this.retryOnChange(() =>
        this.toWaiting(this.mustSale(live.orderId), {
          kind: 'answer-unknown',
          detail: outcomeDetail(outcome),
        }),
      );
      return 'pending';
    }
    return applied;
  }

  /**
   * `known`: the record just committed (saves reading it back); `afterSend`: work that can
   * wait until the request is handed to the socket (the client writes it synchronously).
   */
  private async sendPay(
    live: LiveSale,
    known?: SaleRecord,
    afterSend?: () => void,
  ): Promise<PaymentOutcome> {
    const rec = known ?? this.mustSale(live.orderId);
    if (live.code === null || rec.method === null || rec.requestId === null) {
      throw new Error(`sale ${rec.orderId} has no attempt to send`);
    }
    live.paying = true;
    let outcome: PaymentOutcome;
    try {
      const answer = this.client.unifiedPay({
        merchantTransactionId: rec.orderId,
        requestId: rec.requestId,
        amountMinor: rec.amountMinor,
        currency: rec.currency,
        method: rec.method,
        scanCodeId: live.code,
      });
      afterSend?.();
      outcome = await answer;
    } finally {
      live.paying = false;
    }
    this.fault('after-send-before-answer');
    return outcome;
  }

  /** Queries on the schedule until the sale is final (or the engine stops). */
  private async resolveLoop(live: LiveSale, immediate: boolean): Promise<void> {
    let index = 0;
    for (;;) {
      if (this.stopped) return;
      const rec = this.journal.sale(live.orderId);
      if (!rec || rec.settled) return;
      let delay = immediate && index === 0 ? 0 : queryDelay(this.schedule, index);
      index += 1;
      if (live.deadlineAt !== null && !rec.abandoned) {
        delay = Math.max(0, Math.min(delay, live.deadlineAt - this.clock.monotonic()));
      }
      await this.sleep(live, delay);
      if (this.stopped) return;
      try {
        if (await this.resolveStep(live)) return;
      } catch (error) {
        // A busy journal, a query that failed to run: the next step asks again.
        this.logStepError('a query', { orderId: live.orderId }, error);
      }
    }
  }

  /** One query and what follows from it. True when the sale is final. */
  private async resolveStep(live: LiveSale): Promise<boolean> {
    const rec = this.journal.sale(live.orderId);
    if (!rec || rec.settled) return true;
    live.querying = true;
    let outcome: PaymentOutcome;
    try {
      outcome = await this.client.query({ merchantTransactionId: live.orderId });
    } finally {
      live.querying = false;
    }
    const applied = this.applyPayment(live, outcome, 'query');
    if (applied === 'settled') return true;
    if (applied === 'not-found') {
      if (await this.onNotFound(live)) return true;
    } else {
      live.notFoundSince = null;
    }
    this.checkDeadline(live);
    return false;
  }

  /**
   * The gateway has no trace of the payment. With the code still in memory (this process
   * sent it) and the cashier still waiting, the SAME attempt is sent again — the gateway
   * de-duplicates on requestId, so this can never charge twice. Otherwise (after a restart,
   * or the cashier gave up) the sale ends as not paid once it stays unknown for a while.
   */
  private async onNotFound(live: LiveSale): Promise<boolean> {
    const rec = this.mustSale(live.orderId);
    if (live.code !== null && !rec.abandoned && live.resends < this.maxResends && !this.stopped) {
      live.resends += 1;
      let resent: SaleRecord;
      try {
        resent = this.commit(
          rec,
          {},
          {
            kind: 'resend',
            detail: { attempt: rec.attempt, resend: live.resends, windowMs: this.notFoundWindowMs },
          },
        );
      } catch (error) {
        if (!(error instanceof SaleChangedError)) throw error;
        resent = error.current;
        if (!resent.settled) return false; // moved by another process: look again next step
      }
      if (resent.settled) return true; // settled meanwhile (another process): nothing to send
      const outcome = await this.sendPay(live);
      const applied = this.applyPayment(live, outcome, 'resend');
      live.notFoundSince = null;
      return applied === 'settled';
    }
    const now = this.clock.monotonic();
    if (live.notFoundSince === null) live.notFoundSince = now;
    // Final only when no request of this sale can still be registered by the gateway: none
    // in flight here, and the latest one (journaled by whichever process sent it) older
    // than the request timeout plus a margin.
    const { registrableUntil } = this.journal.requestHorizon(rec, this.requestTimes());
    if (
      !live.paying &&
      now - live.notFoundSince >= this.notFoundGraceMs &&
      this.clock.now() >= registrableUntil
    ) {
      try {
        this.settle(
          live,
          rec,
          'closed',
          REASONS.notSent,
          { kind: 'resolved', detail: { outcome: 'not-found' } },
          {},
        );
      } catch (error) {
        if (!(error instanceof SaleChangedError)) throw error;
        return error.current.settled; // another process decided meanwhile
      }
      return true;
    }
    return false;
  }

  private checkDeadline(live: LiveSale): void {
    const rec = this.journal.sale(live.orderId);
    if (!rec || rec.settled || rec.abandoned || live.deadlineAt === null) return;
    if (this.clock.monotonic() >= live.deadlineAt - DEADLINE_EPSILON_MS) {
      this.abandon(rec.orderId, 'deadline');
    }
  }

  /**
   * The deadline's timer. Nothing may escape a timer (it would end the process with the
   * payment unresolved): a failure (a journal busy with another program) is logged and the
   * deadline is tried again shortly.
   */
  private armDeadline(live: LiveSale, delayMs: number): void {
    if (live.deadlineTimer) clearTimeout(live.deadlineTimer);
    live.deadlineTimer = setTimeout(() => {
      live.deadlineTimer = null;
      try {
        this.onDeadline(live);
      } catch (error) {
        this.log('error', 'the customer deadline could not be recorded; trying again', {
          orderId: live.orderId,
          error: error instanceof Error ? error.message : String(error),
        });
        if (!this.stopped) this.armDeadline(live, DEADLINE_RETRY_MS);
      }
    }, delayMs);
    live.deadlineTimer.unref();
  }

  /**
   * The deadline passed. A sleeping resolver is woken to ask once more first (the payer may
   * have confirmed a moment ago); a request still in flight cannot be waited for.
   */
  private onDeadline(live: LiveSale): void {
    const rec = this.journal.sale(live.orderId);
    if (!rec || rec.settled || rec.abandoned || this.stopped) return;
    if (live.paying) {
      this.abandon(rec.orderId, 'deadline');
    } else if (live.wake) {
      live.wake();
    } else if (live.querying) {
      // Asked right now: give the answer a moment, then stop waiting.
      live.deadlineTimer = setTimeout(() => {
        live.deadlineTimer = null;
        if (this.stopped) return;
        try {
          this.abandon(live.orderId, 'deadline');
        } catch (error) {
          this.log('error', 'the customer deadline could not be recorded; trying again', {
            orderId: live.orderId,
            error: error instanceof Error ? error.message : String(error),
          });
          this.armDeadline(live, DEADLINE_RETRY_MS);
        }
      }, this.deadlineSlackMs);
      live.deadlineTimer.unref();
    } else {
      this.abandon(rec.orderId, 'deadline');
    }
  }

  /**
   * Nobody waits for the sale any more (the cashier cancelled, or the deadline passed); it
   * is still resolved in the background. Decided on the sale as it is now: if another
   * process settled or abandoned it meanwhile, that stands.
   */
  private abandon(orderId: string, cause: AbandonCause): SaleRecord {
    const live = this.lives.get(orderId);
    if (live) clearDeadline(live);
    return this.retryOnChange(() => {
      const rec = this.mustSale(orderId);
      if (rec.settled || rec.abandoned) return rec;
      this.log('info', cause === 'deadline' ? 'customer did not confirm in time' : 'cancelled', {
        orderId,
      });
      // The real cause stays on screen when it is known (a refused signature is not a
      // customer who did not confirm).
      const reason = isCredentialsReason(rec.reasonCode) ? {} : abandonReason(cause);
      return this.commit(
        rec,
        { status: 'unknown', abandoned: cause, ...reason },
        { kind: 'abandoned', detail: { cause } },
      );
    });
  }

  /**
   * Runs a read-decide-commit step again (up to a few times) when another process changed
   * the sale between the read and the commit: each try decides on the sale as it is now.
   */
  private retryOnChange<T>(work: () => T): T {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return work();
      } catch (error) {
        if (!(error instanceof SaleChangedError) || attempt >= CHANGE_RETRIES) throw error;
      }
    }
  }

  /** Submitting → waiting-for-customer (any other status is left as it is). */
  private toWaiting(rec: SaleRecord, event: JournalEventInput, gatewayStatus?: string): boolean {
    if (rec.status !== 'submitting') return false;
    this.commit(
      rec,
      {
        status: 'waiting-for-customer',
        ...(gatewayStatus !== undefined ? { gatewayStatus } : {}),
      },
      event,
    );
    return true;
  }

  /**
   * Applies one answer about the payment (from unifiedPay, a re-send or a query), to the
   * sale as it is now: decided again if another process changed it meanwhile.
   */
  private applyPayment(
    live: LiveSale,
    outcome: PaymentOutcome,
    via: 'pay' | 'resend' | 'query',
  ): Applied {
    return this.retryOnChange(() => this.applyPaymentTo(live, outcome, via));
  }

  private applyPaymentTo(
    live: LiveSale,
    outcome: PaymentOutcome,
    via: 'pay' | 'resend' | 'query',
  ): Applied {
    const rec = this.mustSale(live.orderId);
    const detail = { via, ...outcomeDetail(outcome) };
    const kind = via === 'query' ? 'resolved' : 'answer';
    if (rec.settled) {
      if (outcome.kind === 'paid') this.lateSuccess(live, rec, outcome, { kind, detail });
      return 'settled';
    }
    switch (outcome.kind) {
      case 'paid': {
        // Paid only for this amount AND this currency, both stated: a missing one is a mismatch.
        if (outcome.amountMinor !== rec.amountMinor || outcome.currency !== rec.currency) {
          this.holdAmountMismatch(live, rec, outcome, { kind, detail });
          return 'settled';
        }
        const next = this.settle(
          live,
          rec,
          'paid',
          rec.abandoned ? REASONS.autoRefunded : null,
          { kind, detail },
          {
            transactionId: outcome.transactionId ?? rec.transactionId,
            gatewayStatus: outcome.status ?? 'SUCCESS',
          },
        );
        if (next.abandoned) this.startAutoRefund(next);
        return 'settled';
      }
      case 'declined':
        this.settle(
          live,
          rec,
          'declined',
          declineReason(outcome),
          { kind, detail },
          {
            transactionId: outcome.transactionId ?? rec.transactionId,
            gatewayStatus: outcome.status ?? null,
          },
        );
        return 'settled';
      case 'closed':
        this.settle(
          live,
          rec,
          'closed',
          closedReason(rec.abandoned),
          { kind, detail },
          {
            transactionId: outcome.transactionId ?? rec.transactionId,
            gatewayStatus: outcome.status ?? 'CLOSED',
          },
        );
        return 'settled';
      case 'pending':
        if (this.toWaiting(rec, { kind, detail }, outcome.status)) {
          this.fault('waiting-for-customer');
        }
        return 'pending';
      case 'unknown':
        // Timeout, dropped connection, 5xx, bad signature: the money may have moved.
        this.log('warn', 'payment outcome unknown', {
          orderId: rec.orderId,
          via,
          cause: outcome.cause,
        });
        this.toWaiting(rec, { kind: 'answer-unknown', detail });
        return 'pending';
      case 'not-found':
        return 'not-found';
      case 'rejected':
        if (isCredentialsRefusal(outcome)) {
          // 103000/104000 come unsigned (the gateway could not authenticate us), so anyone
          // on the path could have sent them: the payment may have gone through. Not
          // declined (that invites a second charge): unknown, resolved by query — and the
          // cashier is told the real cause.
          this.holdCredentialsRefusal(live, rec, outcome, { kind, detail });
          return 'pending';
        }
        if (via === 'query' || categoryOf(outcome.code) === 'duplicate') {
          // A query refused, or "duplicated transaction": the query decides, later.
          this.log('warn', 'gateway refused the call', {
            orderId: rec.orderId,
            via,
            code: outcome.code,
          });
          this.toWaiting(rec, { kind, detail });
          return 'pending';
        }
        this.settle(
          live,
          rec,
          'declined',
          rejectedReason(outcome, outcome.reason),
          { kind, detail },
          {},
        );
        return 'settled';
    }
  }

  /** The answer says paid, but for another amount or currency: not paid, supervisor decides. */
  private holdAmountMismatch(
    live: LiveSale,
    rec: SaleRecord,
    outcome: Extract<PaymentOutcome, { kind: 'paid' }>,
    event: JournalEventInput,
  ): void {
    clearDeadline(live);
    live.code = null; // never re-sent
    const statedCurrency = outcome.currency ?? rec.currency;
    const statedMinor = outcome.amountMinor;
    const stated =
      statedMinor === undefined || outcome.currency === undefined
        ? 'a payment without its amount and currency'
        : isCurrency(statedCurrency)
          ? formatForDisplay(statedMinor, statedCurrency)
          : `${statedMinor} (minor units) ${statedCurrency}`;
    this.log('error', 'the gateway states another amount for this payment', {
      orderId: rec.orderId,
      expectedMinor: rec.amountMinor,
      expectedCurrency: rec.currency,
      statedMinor,
      statedCurrency,
    });
    // Settled (nothing left to ask) but not paid: no auto-refund, no new attempt, no refund.
    this.commit(
      rec,
      {
        status: 'unknown',
        settled: true,
        recovered: live.fromRecovery,
        ...amountMismatchReason(formatForDisplay(rec.amountMinor, rec.currency), stated),
        transactionId: outcome.transactionId ?? rec.transactionId,
        gatewayStatus: outcome.status ?? 'SUCCESS',
      },
      {
        kind: 'amount-mismatch',
        detail: {
          ...event.detail,
          answerKind: event.kind,
          expectedAmountMinor: rec.amountMinor,
          expectedCurrency: rec.currency,
          statedAmountMinor: statedMinor ?? null,
          statedCurrency: outcome.currency ?? null,
        },
      },
    );
  }

  /**
   * An (unverifiable) credentials refusal: unknown, resolved by query, never re-charged. The
   * customer's deadline still runs: at it the cashier gets "not confirmed" with this cause.
   */
  private holdCredentialsRefusal(
    live: LiveSale,
    rec: SaleRecord,
    answer: { code: string; resultCode: string },
    event: JournalEventInput,
  ): void {
    this.log('error', 'the gateway refused the till credentials; payment outcome unknown', {
      orderId: rec.orderId,
      code: answer.code,
    });
    const reason = credentialsReason(answer);
    if (rec.status === 'unknown' && rec.reasonCode === reason.reasonCode) return;
    this.commit(rec, { status: 'unknown', ...reason }, event);
  }

  /**
   * A signed SUCCESS for a sale already recorded as final. Never thrown away: a sale recorded
   * closed or declined (another process gave up on it, or the gateway changed its answer)
   * becomes paid and, since the cashier was told it was not, is refunded automatically; the
   * history keeps both. A SUCCESS for another amount or currency leaves it as it is (logged).
   */
  private lateSuccess(
    live: LiveSale,
    rec: SaleRecord,
    outcome: Extract<PaymentOutcome, { kind: 'paid' }>,
    event: JournalEventInput,
  ): void {
    if (rec.status !== 'closed' && rec.status !== 'declined') return;
    if (outcome.amountMinor !== rec.amountMinor || outcome.currency !== rec.currency) {
      // Money may have moved, for another amount: not "nothing was charged" any more.
      this.holdAmountMismatch(live, rec, outcome, {
        kind: 'late-paid',
        detail: { ...event.detail, answerKind: event.kind, was: rec.status },
      });
      return;
    }
    this.log('error', 'the gateway reports paid a sale recorded not paid: refunding it', {
      orderId: rec.orderId,
      was: rec.status,
    });
    const next = this.commit(
      rec,
      {
        status: 'paid',
        settled: true,
        abandoned: rec.abandoned ?? 'closed',
        ...REASONS.autoRefunded,
        transactionId: outcome.transactionId ?? rec.transactionId,
        gatewayStatus: outcome.status ?? 'SUCCESS',
        recovered: live.fromRecovery || rec.recovered,
      },
      {
        kind: 'late-paid',
        detail: { ...event.detail, answerKind: event.kind, was: rec.status },
      },
    );
    if (next.status === 'paid') this.startAutoRefund(next);
  }

  private settle(
    live: LiveSale,
    rec: SaleRecord,
    status: 'paid' | 'declined' | 'closed',
    reason: Reason | null,
    event: JournalEventInput,
    extra: Partial<SaleRecord>,
  ): SaleRecord {
    clearDeadline(live);
    live.code = null; // the code is single use: forget it as soon as the sale is final
    const recovered = live.fromRecovery;
    const next = this.commit(
      rec,
      {
        ...extra,
        status,
        settled: true,
        recovered,
        reason: reason?.reason ?? null,
        reasonCode: reason?.reasonCode ?? null,
      },
      recovered ? { ...event, detail: { ...event.detail, recovered: true } } : event,
    );
    this.log('info', `sale ${status}`, { orderId: rec.orderId, recovered });
    return next;
  }

  // ---------------------------------------------------------------- refunds

  private startAutoRefund(sale: SaleRecord): void {
    const remaining = sale.amountMinor - this.journal.committedRefundMinor(sale.orderId);
    if (remaining <= 0 || this.stopped) return;
    this.log('warn', 'an abandoned sale was paid: refunding it automatically', {
      orderId: sale.orderId,
    });
    const task = this.refund(sale.orderId, remaining, { automatic: true }).then(
      () => undefined,
      (error: unknown) => {
        this.log('error', 'automatic refund could not be journaled', {
          orderId: sale.orderId,
          error: String(error),
        });
      },
    );
    this.track(task);
  }

  private applyRefund(
    refundId: string,
    outcome: RefundOutcome,
    via: 'refund' | 'resend' | 'query',
  ): Applied {
    const rec = this.journal.refund(refundId);
    if (!rec || rec.settled) return 'settled';
    const detail = { via, ...outcomeDetail(outcome) };
    const kind = via === 'query' ? 'refund-resolved' : 'refund-answer';
    if (
      (outcome.kind === 'refunded' || outcome.kind === 'declined') &&
      !namesRefund(rec, outcome)
    ) {
      // A final answer that does not name this refund could be a replay of any refund the
      // gateway ever signed: it decides nothing, the refund query does.
      this.log('warn', 'a refund answer that does not name the refund asked about', {
        refundId,
        via,
      });
      if (rec.status === 'submitting') {
        this.commitRefund(
          rec,
          { status: 'unknown' },
          { kind: 'refund-answer-unbound', detail: { ...detail, unbound: true } },
        );
      }
      return 'pending';
    }
    switch (outcome.kind) {
      case 'refunded':
        this.commitRefund(
          rec,
          {
            status: 'refunded',
            settled: true,
            reason: null,
            reasonCode: null,
            gatewayRefundId: outcome.refundId ?? rec.gatewayRefundId,
          },
          { kind, detail },
        );
        return 'settled';
      case 'declined':
        this.commitRefund(
          rec,
          {
            status: 'declined',
            settled: true,
            ...refundDeclinedReason(outcome, outcome.reason),
            gatewayRefundId: outcome.refundId ?? rec.gatewayRefundId,
          },
          { kind, detail },
        );
        return 'settled';
      case 'pending':
        if (rec.status !== 'pending')
          this.commitRefund(
            rec,
            {
              status: 'pending',
              gatewayRefundId:
                outcome.merchantRefundId === rec.refundId && outcome.refundId !== undefined
                  ? outcome.refundId
                  : rec.gatewayRefundId,
            },
            { kind, detail },
          );
        return 'pending';
      case 'unknown':
        if (rec.status === 'submitting')
          this.commitRefund(rec, { status: 'unknown' }, { kind, detail });
        return 'pending';
      case 'not-found':
        if (via === 'query') return 'not-found';
        if (rec.status === 'submitting')
          this.commitRefund(rec, { status: 'unknown' }, { kind, detail });
        return 'pending';
      case 'rejected':
        if (via === 'query') {
          this.log('warn', 'gateway refused the refund query', { refundId, code: outcome.code });
          return 'pending';
        }
        if (isCredentialsRefusal(outcome)) {
          // Unverifiable (see applyPayment): the refund may have been made. Not declined,
          // which would invite a second refund; the refund query decides.
          this.log('error', 'the gateway refused the till credentials; refund outcome unknown', {
            refundId,
          });
          if (rec.status === 'submitting') {
            this.commitRefund(
              rec,
              { status: 'unknown', ...REASONS.credentialsRefused },
              { kind, detail },
            );
          }
          return 'pending';
        }
        this.commitRefund(
          rec,
          {
            status: 'declined',
            settled: true,
            ...refundDeclinedReason(outcome, outcome.reason),
          },
          { kind, detail },
        );
        return 'settled';
    }
  }

  private async refundLoop(live: LiveRefund, immediate: boolean): Promise<void> {
    let index = 0;
    for (;;) {
      if (this.stopped) return;
      const rec = this.journal.refund(live.refundId);
      if (!rec || rec.settled) return;
      const delay = immediate && index === 0 ? 0 : queryDelay(this.schedule, index);
      index += 1;
      await this.sleep(live, delay);
      if (this.stopped) return;
      try {
        if (await this.refundStep(live)) return;
      } catch (error) {
        this.logStepError('a refund query', { refundId: live.refundId }, error);
      }
    }
  }

  private async refundStep(live: LiveRefund): Promise<boolean> {
    const rec = this.journal.refund(live.refundId);
    if (!rec || rec.settled) return true;
    const outcome = await this.client.refundQuery({
      merchantRefundId: rec.refundId,
      merchantTransactionId: rec.orderId,
    });
    const applied = this.applyRefund(rec.refundId, outcome, 'query');
    if (applied === 'settled') return true;
    if (applied !== 'not-found') {
      live.notFoundSince = null;
      return false;
    }
    // The gateway never got this refund (e.g. the till died right after journaling it):
    // send it again with the same merchantRefundId, after a short grace.
    const now = this.clock.monotonic();
    if (live.notFoundSince === null) live.notFoundSince = now;
    if (now - live.notFoundSince < this.notFoundGraceMs || this.stopped) return false;
    if (rec.sends > this.maxRefundResends) return false;
    const resent = this.commitRefund(
      rec,
      { sends: rec.sends + 1 },
      {
        kind: 'refund-resend',
        detail: { sends: rec.sends + 1 },
      },
    );
    live.notFoundSince = null;
    const answer = await this.client.refund({
      merchantTransactionId: resent.orderId,
      merchantRefundId: resent.refundId,
      amountMinor: resent.amountMinor,
      currency: resent.currency,
    });
    return this.applyRefund(resent.refundId, answer, 'resend') === 'settled';
  }

  /**
   * The sale says what became of its automatic refund: refused by the gateway (it is tried
   * again by the sweeper a few times; meanwhile someone must know the money is still there)
   * or made after all.
   */
  private noteAutoRefund(refund: RefundRecord): void {
    const reason = refund.status === 'declined' ? REASONS.autoRefundDeclined : REASONS.autoRefunded;
    try {
      this.retryOnChange(() => {
        const sale = this.mustSale(refund.orderId);
        if (sale.status !== 'paid' || sale.reasonCode === reason.reasonCode) return;
        if (
          refund.status === 'refunded' &&
          sale.reasonCode !== REASONS.autoRefundDeclined.reasonCode
        ) {
          return;
        }
        this.commitQuietly(
          sale,
          { ...reason },
          {
            kind: refund.status === 'declined' ? 'auto-refund-declined' : 'auto-refund-made',
            detail: { refundId: refund.refundId },
          },
        );
      });
    } catch (error) {
      this.log('error', 'the sale could not be told about its automatic refund', {
        orderId: refund.orderId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private commitRefund(
    rec: RefundRecord,
    patch: Partial<RefundRecord>,
    event: JournalEventInput,
  ): RefundRecord {
    const next: RefundRecord = { ...rec, ...patch, updatedAt: this.clock.now() };
    this.journal.saveRefund(next, event);
    if (next.automatic && next.settled && !rec.settled) this.noteAutoRefund(next);
    this.emitSale(next.orderId);
    return next;
  }

  // ---------------------------------------------------------------- recovery / sweeper

  private async sweepOnce(): Promise<void> {
    // Only what went to the gateway configured now: another gateway (training vs live, or
    // another URL/store) does not know those orders and would wrongly answer "not found".
    const starts: (() => Promise<void>)[] = [];
    let elsewhere = 0;
    for (const sale of this.journal.unsettledSales()) {
      if (!this.isOurs(sale)) {
        elsewhere += 1;
        continue;
      }
      if (this.lives.get(sale.orderId)?.task) continue;
      starts.push(() => this.startRecoveredSale(sale));
    }
    for (const refund of this.journal.unsettledRefunds()) {
      const sale = this.journal.sale(refund.orderId);
      if (sale && !this.isOurs(sale)) {
        elsewhere += 1;
        continue;
      }
      if (this.refundLives.get(refund.refundId)?.task) continue;
      starts.push(() => this.startRecoveredRefund(refund));
    }
    for (const sale of this.journal.abandonedPaidWithoutAutoRefund()) {
      if (this.isOurs(sale)) this.startAutoRefund(sale);
    }
    // A sale closed as "did not reach the gateway" is asked about again for a while: should
    // the gateway register it late after all, its SUCCESS is not lost (paid, then refunded).
    for (const sale of this.journal.recentlyClosedNotSent(
      this.clock.now() - this.recheckClosedMs,
    )) {
      if (!this.isOurs(sale) || this.lives.get(sale.orderId)?.task) continue;
      starts.push(() => this.recheckClosed(sale));
    }
    if (elsewhere > 0) {
      this.log('info', 'unresolved records of another gateway wait until it is configured', {
        count: elsewhere,
      });
    }
    // First passes, a few at a time (an outage can leave many behind).
    for (let i = 0; i < starts.length; i += this.recoveryConcurrency) {
      if (this.stopped) return;
      await Promise.all(starts.slice(i, i + this.recoveryConcurrency).map((start) => start()));
    }
  }

  /** Starts resolving a journaled sale nobody is resolving; resolves after its first query. */
  private startRecoveredSale(sale: SaleRecord): Promise<void> {
    const live = this.liveFor(sale.orderId, true);
    const { task, first } = stepThenLoop(
      () => this.resolveStep(live),
      () => this.resolveLoop(live, false),
      (error) => this.logStepError('a query', { orderId: sale.orderId }, error),
    );
    this.runSaleTask(live, task);
    return first;
  }

  /** One query about a sale recorded closed (not found): a late SUCCESS makes it paid. */
  private recheckClosed(sale: SaleRecord): Promise<void> {
    const live = this.liveFor(sale.orderId, true);
    const task = (async () => {
      const outcome = await this.client.query({ merchantTransactionId: sale.orderId });
      this.applyPayment(live, outcome, 'query');
    })();
    this.runSaleTask(live, task);
    return task.catch(() => undefined);
  }

  private startRecoveredRefund(refund: RefundRecord): Promise<void> {
    const live = this.newLiveRefund(refund.refundId);
    const { task, first } = stepThenLoop(
      () => this.refundStep(live),
      () => this.refundLoop(live, false),
      (error) => this.logStepError('a refund query', { refundId: refund.refundId }, error),
    );
    this.runRefundTask(live, task);
    return first;
  }

  // ---------------------------------------------------------------- plumbing

  private newLiveRefund(refundId: string): LiveRefund {
    const live: LiveRefund = { refundId, task: null, wake: null, notFoundSince: null };
    this.refundLives.set(refundId, live);
    return live;
  }

  private liveFor(orderId: string, fromRecovery: boolean): LiveSale {
    let live = this.lives.get(orderId);
    if (!live) {
      live = {
        orderId,
        code: null,
        deadlineAt: null,
        deadlineTimer: null,
        paying: false,
        querying: false,
        task: null,
        wake: null,
        notFoundSince: null,
        resends: 0,
        fromRecovery,
      };
      this.lives.set(orderId, live);
    } else if (!live.task) {
      live.fromRecovery = fromRecovery;
    }
    return live;
  }

  private runSaleTask(live: LiveSale, task: Promise<void>): void {
    this.runTask(live, task, 'a sale', { orderId: live.orderId }, () => {
      const rec = this.journal.isOpen ? this.journal.sale(live.orderId) : undefined;
      if (!rec || rec.settled || this.stopped) {
        clearDeadline(live);
        live.code = null;
        if (this.lives.get(live.orderId) === live) this.lives.delete(live.orderId);
      }
    });
  }

  private runRefundTask(live: LiveRefund, task: Promise<void>): void {
    this.runTask(live, task, 'a refund', { refundId: live.refundId }, () => {
      if (this.refundLives.get(live.refundId) === live) this.refundLives.delete(live.refundId);
    });
  }

  /** Runs `task` as `live.task`: a failure is logged (the sweeper retries), then `done` runs. */
  private runTask(
    live: { task: Promise<void> | null },
    task: Promise<void>,
    what: string,
    ids: Record<string, string>,
    done: () => void,
  ): void {
    const wrapped = task
      .catch((error: unknown) => {
        this.log('error', `resolving ${what} failed; the sweeper will retry`, {
          ...ids,
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => {
        if (live.task === wrapped) live.task = null;
        done();
      });
    live.task = wrapped;
    this.track(wrapped);
  }

  private track(promise: Promise<unknown>): void {
    this.tracked.add(promise);
    void promise.finally(() => this.tracked.delete(promise));
  }

  private sleep(live: { wake: (() => void) | null }, ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (live.wake === done) live.wake = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      live.wake = done;
    });
  }

  private async raceTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      promise,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, ms));
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  private fault(point: FaultPoint): void {
    this.faultHook?.(point);
  }

  private assertRunning(): void {
    if (this.stopped) throw new EngineError('engine-stopped', 'The terminal is shutting down');
  }

  private currentRecord(): SaleRecord | null {
    if (!this.currentId) return null;
    if (this.draft && this.draft.orderId === this.currentId) return this.draft;
    return this.journal.sale(this.currentId) ?? null;
  }

  private mustSale(orderId: string): SaleRecord {
    const rec = this.journal.sale(orderId);
    if (!rec) throw new EngineError('not-found', `There is no sale ${orderId}`);
    return rec;
  }

  /** One durable transition: journal first, then the screen. */
  private commit(
    rec: SaleRecord,
    patch: Partial<SaleRecord>,
    event: JournalEventInput,
  ): SaleRecord {
    const next = this.commitQuietly(rec, patch, event);
    this.emitRecord(next);
    return next;
  }

  /**
   * The durable transition alone; the caller tells the screen (emitRecord) when it can. The
   * journal refuses a move its transition table does not allow, and throws SaleChangedError
   * when another process changed the sale since `rec` was read (see retryOnChange).
   */
  private commitQuietly(
    rec: SaleRecord,
    patch: Partial<SaleRecord>,
    event: JournalEventInput,
  ): SaleRecord {
    return this.journal.changeSale(rec, { ...patch, updatedAt: this.clock.now() }, event);
  }

  /**
   * Journals a new attempt, refused when another sale of this data folder is in flight (two
   * processes, or two windows, on one terminal). One left behind by a process that is gone
   * (its latest request older than the customer's deadline plus the not-found window) is
   * marked abandoned in the same transaction (it keeps being resolved in the background).
   */
  private commitAttempt(
    rec: SaleRecord,
    patch: Partial<SaleRecord>,
    event: JournalEventInput,
  ): SaleRecord {
    const now = this.clock.now();
    try {
      return this.journal.changeSale(rec, { ...patch, updatedAt: now }, event, {
        onlyInFlight: {
          abandonStale: {
            now,
            defaults: this.requestTimes(),
            patchFor: (stale) => ({
              status: 'unknown',
              abandoned: 'deadline',
              ...(isCredentialsReason(stale.reasonCode) ? {} : REASONS.customerTimeout),
            }),
            event: { kind: 'abandoned', detail: { cause: 'deadline', stale: true } },
          },
        },
      });
    } catch (error) {
      if (error instanceof SaleInFlightError) {
        throw new EngineError(
          'sale-in-progress',
          `${REASONS.inProgress.reason}: sale ${error.orderId} is still being confirmed ` +
            `(pospay query ${error.orderId})`,
        );
      }
      if (error instanceof SaleChangedError) {
        throw new EngineError(
          'sale-not-current',
          'This sale was changed on another screen of this terminal — look at it again',
        );
      }
      throw error;
    }
  }

  /** This process's window and deadline, for journal events that do not say theirs. */
  private requestTimes(): RequestTimes {
    return {
      windowMs: this.notFoundWindowMs,
      deadlineMs: this.settingsOf().customerDeadlineMs,
    };
  }

  /**
   * A sale in flight nobody can still be waiting for: past the deadline and the not-found
   * window its sender journaled with its latest request (whichever process sent it).
   */
  private isStale(sale: SaleRecord): boolean {
    return this.journal.requestHorizon(sale, this.requestTimes()).staleAfter < this.clock.now();
  }

  private logStepError(what: string, ids: Record<string, string>, error: unknown): void {
    this.log('error', `${what} could not be completed; the sale keeps being resolved`, {
      ...ids,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private emitRecord(rec: SaleRecord): void {
    if (this.listeners.size > 0) this.emit(this.view(rec));
  }

  /** Whether the sale went to the gateway configured now (a sale of unknown gateway: yes). */
  private isOurs(sale: SaleRecord): boolean {
    const id = this.identity;
    if (!id || sale.gateway === null || sale.gateway === undefined) return true;
    if ((sale.training === true) !== id.training) return false;
    if (sale.gateway !== id.gateway) return false;
    return !sale.accId || id.accId === undefined || sale.accId === id.accId;
  }

  private otherGatewayError(sale: SaleRecord): EngineError {
    const where = sale.training ? 'the training simulator' : `the gateway ${sale.gateway ?? ''}`;
    return new EngineError(
      'other-gateway',
      `This sale went to ${where}, not to the gateway configured now — switch back to it to handle this sale`,
    );
  }

  /** Training or live: the filter's choice, else the current mode (every sale without one). */
  private modeOf(option: { training?: boolean | undefined }): boolean | undefined {
    return option.training ?? this.identity?.training;
  }

  private emitSale(orderId: string): void {
    if (this.listeners.size === 0) return;
    const rec = this.journal.sale(orderId);
    if (rec) this.emit(this.view(rec));
  }

  private emit(view: SaleView): void {
    for (const listener of this.listeners) {
      try {
        listener(view);
      } catch (error) {
        this.log('error', 'a sale listener failed', { error: String(error) });
      }
    }
  }

  private viewOf(orderId: string): SaleView {
    const view = this.sale(orderId);
    if (!view) throw new EngineError('not-found', `There is no sale ${orderId}`);
    return view;
  }

  /** `refunds`: the sale's refunds when already read (else read here). */
  private view(rec: SaleRecord, refunds?: RefundRecord[]): SaleView {
    refunds ??=
      rec.status === 'awaiting-scan' && rec.attempt === 0
        ? []
        : this.journal.refundsOf(rec.orderId);
    const live = this.lives.get(rec.orderId);
    const waiting = !rec.settled && !rec.abandoned && isWaiting(rec.status);
    const remainingMs =
      waiting && live && live.deadlineAt !== null
        ? Math.max(0, Math.round(live.deadlineAt - this.clock.monotonic()))
        : null;
    return toSaleView(rec, refunds, remainingMs);
  }
}

export function createPaymentEngine(options: PaymentEngineOptions): PaymentEngine {
  return new Engine(options);
}

export { EngineError } from './errors.ts';
