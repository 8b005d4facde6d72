/**
 * What every part of the payment engine shares: the journal, the gateway client, settings,
 * clock and tuning; the sales and refunds being resolved in memory; the one durable commit
 * path (journal first, then the screen); views, and the task plumbing.
 */
import type { SaleView } from '../../shared/ipc/contract.ts';
import { type PaymentMethod } from '../../shared/paymentCode.ts';
import {
  type Journal,
  type JournalEventInput,
  type RefundRecord,
  type RequestTimes,
  type SaleRecord,
} from '../journal/journal.ts';
import { SaleChangedError, SaleInFlightError, SalePreconditionError } from '../journal/errors.ts';
import { EngineError } from './errors.ts';
import type { FaultHook, FaultPoint } from './faults.ts';
import { REASONS, isCredentialsReason } from './reasons.ts';
import { DEFAULT_QUERY_SCHEDULE_MS } from './schedule.ts';
import { toSaleView } from './views.ts';
import {
  type PaymentGateway,
  type EngineSettings,
  type EngineClock,
  DEFAULT_NOT_FOUND_GRACE_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  notFoundWindowFor,
  DEFAULT_RECHECK_CLOSED_MS,
  type GatewayIdentity,
  type EngineLog,
  type PaymentEngineOptions,
  type MemberPort,
  DEFAULT_CHECKOUT_LIFETIME_MS,
} from './types.ts';
import { type LiveSale, type LiveRefund, clearDeadline } from './tasks.ts';
import { localDay } from '../../shared/sale.ts';
import { CHANGE_RETRIES, systemClock, isWaiting } from './answers.ts';

export class EngineCore {
  readonly journal: Journal;
  readonly client: PaymentGateway;
  readonly settingsOf: () => EngineSettings;
  readonly clock: EngineClock;
  readonly log: EngineLog;
  readonly faultHook: FaultHook | undefined;
  readonly dayOf: (epochMs: number) => string;
  readonly schedule: readonly number[];
  readonly notFoundGraceMs: number;
  readonly notFoundWindowMs: number;
  readonly recheckClosedMs: number;
  readonly maxResends: number;
  readonly maxRefundResends: number;
  readonly sweepIntervalMs: number;
  readonly recoveryConcurrency: number;
  readonly deadlineSlackMs: number;
  readonly identity: GatewayIdentity | undefined;
  members: MemberPort | undefined;
  readonly checkoutDeadlineMs: number;
  readonly checkoutLifetimeMs: number;

  readonly listeners = new Set<(sale: SaleView) => void>();
  readonly lives = new Map<string, LiveSale>();
  readonly refundLives = new Map<string, LiveRefund>();
  readonly tracked = new Set<Promise<unknown>>();
  /** The sale on screen. */
  currentId: string | null = null;
  /** The current sale while it still waits for a code (not journaled: nothing was sent). */
  draft: SaleRecord | null = null;
  draftOverride: PaymentMethod | undefined;
  /** Method override of the current sale, kept for a retry with a fresh code. */
  currentOverride: PaymentMethod | undefined;
  stopped = false;

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
    this.members = options.members;
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
    this.checkoutLifetimeMs = tuning.checkoutLifetimeMs ?? DEFAULT_CHECKOUT_LIFETIME_MS;
    this.checkoutDeadlineMs =
      tuning.checkoutDeadlineMs ??
      this.checkoutLifetimeMs + Math.min(60_000, this.checkoutLifetimeMs);
  }

  // ---------------------------------------------------------------- public API

  sale(orderId: string): SaleView | null {
    if (this.draft && this.draft.orderId === orderId) return this.view(this.draft);
    const rec = this.journal.sale(orderId);
    return rec ? this.view(rec) : null;
  }

  /**
   * Runs a read-decide-commit step again (up to a few times) when another process changed
   * the sale between the read and the commit: each try decides on the sale as it is now.
   */
  retryOnChange<T>(work: () => T): T {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return work();
      } catch (error) {
        if (!(error instanceof SaleChangedError) || attempt >= CHANGE_RETRIES) throw error;
      }
    }
  }

  newLiveRefund(refundId: string): LiveRefund {
    const live: LiveRefund = { refundId, task: null, wake: null, notFoundSince: null };
    this.refundLives.set(refundId, live);
    return live;
  }

  liveFor(orderId: string, fromRecovery: boolean): LiveSale {
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

  runSaleTask(live: LiveSale, task: Promise<void>): void {
    this.runTask(live, task, 'a sale', { orderId: live.orderId }, () => {
      const rec = this.journal.isOpen ? this.journal.sale(live.orderId) : undefined;
      if (!rec || rec.settled || this.stopped) {
        clearDeadline(live);
        live.code = null;
        if (this.lives.get(live.orderId) === live) this.lives.delete(live.orderId);
      }
    });
  }

  runRefundTask(live: LiveRefund, task: Promise<void>): void {
    this.runTask(live, task, 'a refund', { refundId: live.refundId }, () => {
      if (this.refundLives.get(live.refundId) === live) this.refundLives.delete(live.refundId);
    });
  }

  /** Runs `task` as `live.task`: a failure is logged (the sweeper retries), then `done` runs. */
  runTask(
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

  track(promise: Promise<unknown>): void {
    this.tracked.add(promise);
    void promise.finally(() => this.tracked.delete(promise));
  }

  sleep(live: { wake: (() => void) | null }, ms: number): Promise<void> {
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

  async raceTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      promise,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, ms));
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  fault(point: FaultPoint): void {
    this.faultHook?.(point);
  }

  assertRunning(): void {
    if (this.stopped) throw new EngineError('engine-stopped', 'The terminal is shutting down');
  }

  currentRecord(): SaleRecord | null {
    if (!this.currentId) return null;
    if (this.draft && this.draft.orderId === this.currentId) return this.draft;
    return this.journal.sale(this.currentId) ?? null;
  }

  mustSale(orderId: string): SaleRecord {
    const rec = this.journal.sale(orderId);
    if (!rec) throw new EngineError('not-found', `There is no sale ${orderId}`);
    return rec;
  }

  /** One durable transition: journal first, then the screen. */
  commit(rec: SaleRecord, patch: Partial<SaleRecord>, event: JournalEventInput): SaleRecord {
    const next = this.commitQuietly(rec, patch, event);
    this.emitRecord(next);
    return next;
  }

  /**
   * The durable transition alone; the caller tells the screen (emitRecord) when it can. The
   * journal refuses a move its transition table does not allow, and throws SaleChangedError
   * when another process changed the sale since `rec` was read (see retryOnChange).
   */
  commitQuietly(rec: SaleRecord, patch: Partial<SaleRecord>, event: JournalEventInput): SaleRecord {
    return this.journal.changeSale(rec, { ...patch, updatedAt: this.clock.now() }, event);
  }

  /**
   * Journals a new attempt, refused when another sale of this data folder is in flight (two
   * processes, or two windows, on one terminal). One left behind by a process that is gone
   * (its latest request older than the customer's deadline plus the not-found window) is
   * marked abandoned in the same transaction (it keeps being resolved in the background).
   */
  commitAttempt(
    rec: SaleRecord,
    patch: Partial<SaleRecord>,
    event: JournalEventInput,
    /** Checked inside the same write transaction; what it throws is thrown as it is. */
    precondition?: () => void,
  ): SaleRecord {
    const now = this.clock.now();
    try {
      return this.journal.changeSale(rec, { ...patch, updatedAt: now }, event, {
        ...(precondition ? { precondition } : {}),
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
      if (error instanceof SalePreconditionError) throw error.refusal;
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
  requestTimes(): RequestTimes {
    return {
      windowMs: this.notFoundWindowMs,
      deadlineMs: this.settingsOf().customerDeadlineMs,
    };
  }

  /**
   * A sale in flight nobody can still be waiting for: past the deadline and the not-found
   * window its sender journaled with its latest request (whichever process sent it).
   */
  isStale(sale: SaleRecord): boolean {
    return this.journal.requestHorizon(sale, this.requestTimes()).staleAfter < this.clock.now();
  }

  logStepError(what: string, ids: Record<string, string>, error: unknown): void {
    this.log('error', `${what} could not be completed; the sale keeps being resolved`, {
      ...ids,
      error: error instanceof Error ? error.message : String(error),
    });
  }

  emitRecord(rec: SaleRecord): void {
    if (this.listeners.size > 0) this.emit(this.view(rec));
  }

  /** Whether the sale went to the gateway configured now (a sale of unknown gateway: yes). */
  isOurs(sale: SaleRecord): boolean {
    const id = this.identity;
    if (!id || sale.gateway === null || sale.gateway === undefined) return true;
    if ((sale.training === true) !== id.training) return false;
    if (sale.gateway !== id.gateway) return false;
    return !sale.accId || id.accId === undefined || sale.accId === id.accId;
  }

  otherGatewayError(sale: SaleRecord): EngineError {
    const where = sale.training ? 'the training simulator' : `the gateway ${sale.gateway ?? ''}`;
    return new EngineError(
      'other-gateway',
      `This sale went to ${where}, not to the gateway configured now — switch back to it to handle this sale`,
    );
  }

  /** Training or live: the filter's choice, else the current mode (every sale without one). */
  modeOf(option: { training?: boolean | undefined }): boolean | undefined {
    return option.training ?? this.identity?.training;
  }

  emitSale(orderId: string): void {
    if (this.listeners.size === 0) return;
    const rec = this.journal.sale(orderId);
    if (rec) this.emit(this.view(rec));
  }

  emit(view: SaleView): void {
    for (const listener of this.listeners) {
      try {
        listener(view);
      } catch (error) {
        this.log('error', 'a sale listener failed', { error: String(error) });
      }
    }
  }

  viewOf(orderId: string): SaleView {
    const view = this.sale(orderId);
    if (!view) throw new EngineError('not-found', `There is no sale ${orderId}`);
    return view;
  }

  /** `refunds`: the sale's refunds when already read (else read here). */
  view(rec: SaleRecord, refunds?: RefundRecord[]): SaleView {
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
