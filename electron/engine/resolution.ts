/**
 * Resolving a payment: the request sent once (same requestId on a re-send), the query loop,
 * "not found" handling, and what each gateway answer means for the sale (decide.ts), applied
 * to the sale as it is now in the journal.
 */
import type { PaymentOutcome } from '../../shared/gateway/outcome.ts';
import { categoryOf } from '../../shared/gateway/resultCodes.ts';
import { formatForDisplay, isCurrency } from '../../shared/money.ts';
import { type JournalEventInput, type SaleRecord } from '../journal/journal.ts';
import { SaleChangedError } from '../journal/errors.ts';
import {
  REASONS,
  closedReason,
  credentialsReason,
  declineReason,
  rejectedReason,
  type Reason,
  amountMismatchReason,
} from './reasons.ts';
import { queryDelay } from './schedule.ts';
import { type LiveSale, type Applied, clearDeadline } from './tasks.ts';
import { isCredentialsRefusal, outcomeDetail } from './answers.ts';
import type { EngineCore } from './core.ts';
import type { Deadlines } from './deadlines.ts';
import type { Refunds } from './refunds.ts';

export class SaleResolution {
  constructor(
    readonly core: EngineCore,
    readonly deadlines: Deadlines,
    readonly refunds: Refunds,
  ) {}

  /** Sends the attempt (same requestId every time) and applies the answer. */
  async payOnce(live: LiveSale, known?: SaleRecord, afterSend?: () => void): Promise<Applied> {
    const outcome = await this.sendPay(live, known, afterSend);
    const applied = this.applyPayment(live, outcome, 'pay');
    if (applied === 'not-found') {
      // unifiedPay never answers "not found"; treat it as an unknown outcome.
      this.core.retryOnChange(() =>
        this.toWaiting(this.core.mustSale(live.orderId), {
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
  async sendPay(
    live: LiveSale,
    known?: SaleRecord,
    afterSend?: () => void,
  ): Promise<PaymentOutcome> {
    const rec = known ?? this.core.mustSale(live.orderId);
    if (live.code === null || rec.method === null || rec.requestId === null) {
      throw new Error(`sale ${rec.orderId} has no attempt to send`);
    }
    live.paying = true;
    let outcome: PaymentOutcome;
    try {
      const answer = this.core.client.unifiedPay({
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
    this.core.fault('after-send-before-answer');
    return outcome;
  }

  /** Queries on the schedule until the sale is final (or the engine stops). */
  async resolveLoop(live: LiveSale, immediate: boolean): Promise<void> {
    let index = 0;
    for (;;) {
      if (this.core.stopped) return;
      const rec = this.core.journal.sale(live.orderId);
      if (!rec || rec.settled) return;
      let delay = immediate && index === 0 ? 0 : queryDelay(this.core.schedule, index);
      index += 1;
      if (live.deadlineAt !== null && !rec.abandoned) {
        delay = Math.max(0, Math.min(delay, live.deadlineAt - this.core.clock.monotonic()));
      }
      await this.core.sleep(live, delay);
      if (this.core.stopped) return;
      try {
        if (await this.resolveStep(live)) return;
      } catch (error) {
        // A busy journal, a query that failed to run: the next step asks again.
        this.core.logStepError('a query', { orderId: live.orderId }, error);
      }
    }
  }

  /** One query and what follows from it. True when the sale is final. */
  async resolveStep(live: LiveSale): Promise<boolean> {
    const rec = this.core.journal.sale(live.orderId);
    if (!rec || rec.settled) return true;
    live.querying = true;
    let outcome: PaymentOutcome;
    try {
      outcome = await this.core.client.query({ merchantTransactionId: live.orderId });
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
    this.deadlines.checkDeadline(live);
    return false;
  }

  /**
   * The gateway has no trace of the payment. With the code still in memory (this process
   * sent it) and the cashier still waiting, the SAME attempt is sent again — the gateway
   * de-duplicates on requestId, so this can never charge twice. Otherwise (after a restart,
   * or the cashier gave up) the sale ends as not paid once it stays unknown for a while.
   */
  async onNotFound(live: LiveSale): Promise<boolean> {
    const rec = this.core.mustSale(live.orderId);
    if (
      live.code !== null &&
      !rec.abandoned &&
      live.resends < this.core.maxResends &&
      !this.core.stopped
    ) {
      live.resends += 1;
      let resent: SaleRecord;
      try {
        resent = this.core.commit(
          rec,
          {},
          {
            kind: 'resend',
            detail: {
              attempt: rec.attempt,
              resend: live.resends,
              windowMs: this.core.notFoundWindowMs,
            },
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
    const now = this.core.clock.monotonic();
    if (live.notFoundSince === null) live.notFoundSince = now;
    // Final only when no request of this sale can still be registered by the gateway: none
    // in flight here, and the latest one (journaled by whichever process sent it) older
    // than the request timeout plus a margin.
    const { registrableUntil } = this.core.journal.requestHorizon(rec, this.core.requestTimes());
    if (
      !live.paying &&
      now - live.notFoundSince >= this.core.notFoundGraceMs &&
      this.core.clock.now() >= registrableUntil
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

  /** Submitting → waiting-for-customer (any other status is left as it is). */
  toWaiting(rec: SaleRecord, event: JournalEventInput, gatewayStatus?: string): boolean {
    if (rec.status !== 'submitting') return false;
    this.core.commit(
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
  applyPayment(live: LiveSale, outcome: PaymentOutcome, via: 'pay' | 'resend' | 'query'): Applied {
    return this.core.retryOnChange(() => this.applyPaymentTo(live, outcome, via));
  }

  applyPaymentTo(
    live: LiveSale,
    outcome: PaymentOutcome,
    via: 'pay' | 'resend' | 'query',
  ): Applied {
    const rec = this.core.mustSale(live.orderId);
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
        if (next.abandoned) this.refunds.startAutoRefund(next);
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
          this.core.fault('waiting-for-customer');
        }
        return 'pending';
      case 'unknown':
        // Timeout, dropped connection, 5xx, bad signature: the money may have moved.
        this.core.log('warn', 'payment outcome unknown', {
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
          this.core.log('warn', 'gateway refused the call', {
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
  holdAmountMismatch(
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
    this.core.log('error', 'the gateway states another amount for this payment', {
      orderId: rec.orderId,
      expectedMinor: rec.amountMinor,
      expectedCurrency: rec.currency,
      statedMinor,
      statedCurrency,
    });
    // Settled (nothing left to ask) but not paid: no auto-refund, no new attempt, no refund.
    this.core.commit(
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
  holdCredentialsRefusal(
    live: LiveSale,
    rec: SaleRecord,
    answer: { code: string; resultCode: string },
    event: JournalEventInput,
  ): void {
    this.core.log('error', 'the gateway refused the till credentials; payment outcome unknown', {
      orderId: rec.orderId,
      code: answer.code,
    });
    const reason = credentialsReason(answer);
    if (rec.status === 'unknown' && rec.reasonCode === reason.reasonCode) return;
    this.core.commit(rec, { status: 'unknown', ...reason }, event);
  }

  /**
   * A signed SUCCESS for a sale already recorded as final. Never thrown away: a sale recorded
   * closed or declined (another process gave up on it, or the gateway changed its answer)
   * becomes paid and, since the cashier was told it was not, is refunded automatically; the
   * history keeps both. A SUCCESS for another amount or currency leaves it as it is (logged).
   */
  lateSuccess(
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
    this.core.log('error', 'the gateway reports paid a sale recorded not paid: refunding it', {
      orderId: rec.orderId,
      was: rec.status,
    });
    const next = this.core.commit(
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
    if (next.status === 'paid') this.refunds.startAutoRefund(next);
  }

  settle(
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
    const next = this.core.commit(
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
    this.core.log('info', `sale ${status}`, { orderId: rec.orderId, recovered });
    return next;
  }

  // ---------------------------------------------------------------- refunds
}
