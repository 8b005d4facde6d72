/**
 * Resolving a payment: the request sent once (same requestId on a re-send), the query loop,
 * "not found" handling, and what each gateway answer means for the sale (decide.ts), applied
 * to the sale as it is now in the journal.
 */
import type { PaymentOutcome } from '../../shared/gateway/outcome.ts';
import { SaleChangedError } from '../journal/errors.ts';
import type { SaleRecord } from '../journal/journal.ts';
import { outcomeDetail } from './answers.ts';
import type { EngineCore } from './core.ts';
import type { Deadlines } from './deadlines.ts';
import {
  decidePayment,
  settleDecision,
  waitDecision,
  type AnswerVia,
  type Decision,
} from './decide.ts';
import { REASONS } from './reasons.ts';
import type { Refunds } from './refunds.ts';
import { queryDelay } from './schedule.ts';
import { clearDeadline, type Applied, type LiveSale } from './tasks.ts';

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
      this.core.retryOnChange(() => {
        const rec = this.core.mustSale(live.orderId);
        this.carryOut(
          live,
          rec,
          waitDecision(rec, { kind: 'answer-unknown', detail: outcomeDetail(outcome) }, undefined),
        );
      });
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
        this.carryOut(
          live,
          rec,
          settleDecision(
            rec,
            'closed',
            REASONS.notSent,
            { kind: 'resolved', detail: { outcome: 'not-found' } },
            {},
            live,
          ),
        );
      } catch (error) {
        if (!(error instanceof SaleChangedError)) throw error;
        return error.current.settled; // another process decided meanwhile
      }
      return true;
    }
    return false;
  }

  /**
   * Applies one answer about the payment (from unifiedPay, a re-send or a query), to the
   * sale as it is now: decided again if another process changed it meanwhile.
   */
  applyPayment(live: LiveSale, outcome: PaymentOutcome, via: AnswerVia): Applied {
    return this.core.retryOnChange(() => this.applyPaymentTo(live, outcome, via));
  }

  applyPaymentTo(live: LiveSale, outcome: PaymentOutcome, via: AnswerVia): Applied {
    const rec = this.core.mustSale(live.orderId);
    return this.carryOut(live, rec, decidePayment(rec, outcome, via, live));
  }

  /** Journals the decision's patch (on the sale as it is now), then carries out its effects. */
  carryOut(live: LiveSale, rec: SaleRecord, decision: Decision): Applied {
    const next =
      decision.patch && decision.event
        ? this.core.commit(rec, decision.patch, decision.event)
        : rec;
    for (const effect of decision.effects) {
      switch (effect.kind) {
        case 'final':
          clearDeadline(live);
          live.code = null; // the code is single use: forget it once the sale is final
          break;
        case 'auto-refund':
          if (next.status === 'paid' && next.abandoned) this.refunds.startAutoRefund(next);
          break;
        case 'fault-waiting':
          if (decision.patch) this.core.fault('waiting-for-customer');
          break;
        case 'log':
          this.core.log(effect.level, effect.message, effect.fields);
          break;
      }
    }
    return decision.applied;
  }

  // ---------------------------------------------------------------- refunds
}
