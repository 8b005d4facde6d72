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
import type { SaleView, ZReport } from '../../shared/ipc/contract.ts';
import { classifyPaymentCode, maskCode } from '../../shared/paymentCode.ts';
import {
  newSaleRecord,
  type JournalEvent,
  type SaleFilter,
  type SaleRecord,
} from '../journal/journal.ts';
import { EngineError } from './errors.ts';
import { newOrderId, requestIdFor } from './ids.ts';
import { REASONS } from './reasons.ts';
import {
  type CheckoutInput,
  type MemberChargeInput,
  type MemberPort,
  type ModeOption,
  type PaymentEngine,
  type RenewalInput,
  type PaymentEngineOptions,
  type ScanSource,
  type StartSaleInput,
} from './types.ts';
import { clearDeadline, stepThenLoop } from './tasks.ts';
import { methodCurrency, methodName } from '../../shared/paymentMethods.ts';
import { EngineCore } from './core.ts';
import { Deadlines } from './deadlines.ts';
import { Refunds } from './refunds.ts';
import { SaleResolution } from './resolution.ts';
import { Recovery } from './recovery.ts';
import { ReadModel } from './readModel.ts';
import type { CsvOptions } from './reports.ts';
import { checkNewSaleInput, checkNoOtherSale, Tenders } from './tenders.ts';

export * from './types.ts';

class Engine implements PaymentEngine {
  readonly core: EngineCore;
  readonly deadlines: Deadlines;
  readonly refunds: Refunds;
  readonly resolution: SaleResolution;
  readonly recovery: Recovery;
  readonly readModel: ReadModel;
  readonly tenders: Tenders;

  constructor(options: PaymentEngineOptions) {
    this.core = new EngineCore(options);
    this.deadlines = new Deadlines(this.core);
    this.refunds = new Refunds(this.core);
    this.resolution = new SaleResolution(this.core, this.deadlines, this.refunds);
    this.recovery = new Recovery(this.core, this.resolution, this.refunds, this.deadlines);
    this.readModel = new ReadModel(this.core);
    this.tenders = new Tenders(this.core, this.deadlines, this.resolution);
  }

  useMembers(members: MemberPort | undefined): void {
    this.core.members = members;
    // Memberships whose first payment ended while no members side was attached.
    if (members) {
      this.recovery.catchUpMembers().catch((error: unknown) => {
        this.core.log('error', 'memberships could not be brought up to date', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
    }
  }

  chargeMember(input: MemberChargeInput): Promise<SaleView> {
    return this.tenders.chargeMember(input);
  }

  startCheckout(input: CheckoutInput): Promise<SaleView> {
    return this.tenders.startCheckout(input);
  }

  renew(input: RenewalInput): Promise<SaleView> {
    return this.tenders.renew(input);
  }

  startSale(input: StartSaleInput): SaleView {
    const amount = input.amountMinor;
    const { currency, settings } = checkNewSaleInput(this.core, amount, input.currency, 'code');
    const override = input.methodOverride;
    if (override !== undefined && methodCurrency(override) !== currency) {
      throw new EngineError(
        'method-invalid',
        `${methodName(override)} is charged in ${methodCurrency(override)}, but this sale is in ${currency}`,
      );
    }
    checkNoOtherSale(this.core, 'code');
    const now = this.core.clock.now();
    this.core.draft = newSaleRecord({
      orderId: newOrderId(settings.terminalId, now),
      terminalId: settings.terminalId,
      amountMinor: amount,
      currency,
      createdAt: now,
      day: this.core.dayOf(now),
      training: this.core.identity?.training ?? false,
      gateway: this.core.identity?.gateway ?? null,
      accId: this.core.identity?.accId ?? null,
    });
    this.core.draftOverride = override;
    this.core.currentOverride = override;
    this.core.currentId = this.core.draft.orderId;
    this.core.client.warm?.();
    const view = this.core.view(this.core.draft);
    this.core.emit(view);
    return view;
  }

  async submitCode(orderId: string, rawCode: string, source: ScanSource): Promise<SaleView> {
    this.core.assertRunning();
    const rec = this.core.currentRecord();
    if (!rec || rec.orderId !== orderId) {
      if (this.core.journal.sale(orderId)) {
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
    if ((rec.tender ?? 'code') !== 'code') {
      // A linked wallet, a checkout or a renewal that was declined: a scanned code is a new
      // sale of its own (never sent under this sale's token or checkout).
      throw new EngineError(
        'sale-already-final',
        'This sale was not paid with a scanned code — start a new sale to scan the customer’s code',
      );
    }
    const settings = this.core.settingsOf();
    const override = rec === this.core.draft ? this.core.draftOverride : this.core.currentOverride;
    const classified = classifyPaymentCode(rawCode, {
      region: settings.region,
      ...(override !== undefined ? { override } : {}),
    });
    if (!classified.ok) throw new EngineError('code-invalid', classified.message);
    if (classified.currency !== rec.currency) {
      throw new EngineError(
        'code-invalid',
        `This is a ${methodName(classified.method)} code, charged in ${classified.currency}, ` +
          `but this sale is in ${rec.currency}. Ask the customer for another wallet, or start the sale in ${classified.currency}.`,
      );
    }
    const attempt = rec.attempt + 1;
    // Write-ahead: the attempt is durable before a byte goes to the gateway. Nothing else
    // happens before the request (the screen is told once it is on its way). In the same
    // write transaction: no other sale of this data folder (another process) is in flight.
    const submitted = this.core.commitAttempt(
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
          windowMs: this.core.notFoundWindowMs,
          deadlineMs: settings.customerDeadlineMs,
        },
      },
    );
    if (rec === this.core.draft) this.core.draft = null;
    const live = this.core.liveFor(submitted.orderId, false);
    live.code = classified.code;
    live.resends = 0;
    live.notFoundSince = null;
    live.deadlineAt = this.core.clock.monotonic() + settings.customerDeadlineMs;
    this.deadlines.armDeadline(live, settings.customerDeadlineMs);
    this.core.fault('after-journal-before-request');

    const { task, first } = stepThenLoop(
      async () => {
        await this.resolution.payOnce(live, submitted, () => this.core.emitRecord(submitted));
        return false; // the loop sees for itself whether the answer was final
      },
      () => this.resolution.resolveLoop(live, false),
      (error) => this.core.logStepError('the payment request', { orderId }, error),
    );
    this.core.runSaleTask(live, task);
    await first;
    return this.core.viewOf(orderId);
  }

  cancel(orderId: string): SaleView {
    if (this.core.draft && this.core.draft.orderId === orderId) {
      const dropped: SaleRecord = {
        ...this.core.draft,
        status: 'closed',
        settled: true,
        abandoned: 'cancel',
        reason: 'Cancelled before a code was scanned',
        reasonCode: 'cancelled',
        updatedAt: this.core.clock.now(),
      };
      this.core.draft = null;
      this.core.currentId = null;
      const view = this.core.view(dropped);
      this.core.emit(view);
      return view;
    }
    const rec = this.core.journal.sale(orderId);
    if (!rec) throw new EngineError('not-found', `There is no sale ${orderId}`);
    if (rec.settled || rec.abandoned) return this.core.view(rec);
    return this.core.view(this.deadlines.abandon(orderId, 'cancel'));
  }

  current(): SaleView | null {
    const rec = this.core.currentRecord();
    return rec ? this.core.view(rec) : null;
  }

  onSaleUpdated(listener: (sale: SaleView) => void): () => void {
    this.core.listeners.add(listener);
    return () => {
      this.core.listeners.delete(listener);
    };
  }

  async whenIdle(timeoutMs = 120_000): Promise<boolean> {
    const until = this.core.clock.monotonic() + timeoutMs;
    while (this.core.tracked.size > 0) {
      const left = until - this.core.clock.monotonic();
      if (left <= 0) return false;
      await this.core.raceTimeout(Promise.allSettled([...this.core.tracked]), left);
    }
    return true;
  }

  async stop(): Promise<void> {
    this.core.stopped = true;
    if (this.recovery.sweeper) clearInterval(this.recovery.sweeper);
    this.recovery.sweeper = null;
    for (const live of this.core.lives.values()) {
      clearDeadline(live);
      live.wake?.();
    }
    for (const live of this.core.refundLives.values()) live.wake?.();
    while (this.core.tracked.size > 0) await Promise.allSettled([...this.core.tracked]);
    if (this.recovery.sweeping) await this.recovery.sweeping.catch(() => undefined);
  }

  // ---------------------------------------------------------------- sales: resolution

  sale(orderId: string): SaleView | null {
    return this.core.sale(orderId);
  }

  warm(): void {
    if (!this.core.stopped) this.core.client.warm?.();
  }

  refund(
    orderId: string,
    amountMinor: number,
    options?: { automatic?: boolean },
  ): Promise<SaleView> {
    return this.refunds.refund(orderId, amountMinor, options);
  }

  history(filter?: SaleFilter): SaleView[] {
    return this.readModel.history(filter);
  }

  report(day: string, options?: ModeOption): ZReport {
    return this.readModel.report(day, options);
  }

  exportCsv(day: string, options?: ModeOption & CsvOptions): { filename: string; csv: string } {
    return this.readModel.exportCsv(day, options);
  }

  events(orderId: string): JournalEvent[] {
    return this.readModel.events(orderId);
  }

  recover(): Promise<void> {
    return this.recovery.recover();
  }

  sweep(): Promise<void> {
    return this.recovery.sweep();
  }

  startSweeper(): void {
    this.recovery.startSweeper();
  }

  refresh(orderId: string, options?: { waitMs?: number }): Promise<SaleView> {
    return this.recovery.refresh(orderId, options);
  }
}

export function createPaymentEngine(options: PaymentEngineOptions): PaymentEngine {
  return new Engine(options);
}

export { EngineError } from './errors.ts';
