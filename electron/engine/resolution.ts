/**
 * Resolving a payment: the request sent once (same requestId on a re-send), the query loop,
 * "not found" handling, and what each gateway answer means for the sale (decide.ts), applied
 * to the sale as it is now in the journal.
 */
import type { PaymentOutcome } from '../../shared/gateway/outcome.ts';
import type { QueryRequest } from '../../shared/gateway/requests.ts';
import { SaleChangedError } from '../journal/errors.ts';
import type { SaleRecord } from '../journal/journal.ts';
import { outcomeDetail, withoutSecret } from './answers.ts';
import type { EngineCore } from './core.ts';
import type { Deadlines } from './deadlines.ts';
import {
  decideCheckoutCreated,
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
import type { CheckoutCreated, CheckoutRequest, TokenFacts } from './types.ts';
import { isPaymentMethod } from '../../shared/paymentMethods.ts';

/**
 * The status query of a sale: with the member's token when this process holds it (a linked
 * wallet's or a renewal's), so that the client scrubs it from every text of the answer.
 */
export function queryFor(rec: SaleRecord, live: LiveSale): QueryRequest {
  const token =
    (rec.tender === 'linked-wallet' || rec.tender === 'renewal') &&
    typeof live.code === 'string' &&
    live.code !== ''
      ? live.code
      : undefined;
  return token === undefined
    ? { merchantTransactionId: rec.orderId }
    : { merchantTransactionId: rec.orderId, token };
}

export class SaleResolution {
  constructor(
    readonly core: EngineCore,
    readonly deadlines: Deadlines,
    readonly refunds: Refunds,
  ) {}

  /** Sends the attempt (same requestId every time) and applies the answer. */
  async payOnce(live: LiveSale, known?: SaleRecord, afterSend?: () => void): Promise<Applied> {
    const rec = known ?? this.core.mustSale(live.orderId);
    if (rec.tender === 'checkout') return this.sendCheckout(live, rec, 'pay', afterSend);
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
      const answer = this.requestFor(rec, live.code, rec.requestId);
      afterSend?.();
      outcome = await answer;
    } finally {
      live.paying = false;
    }
    this.core.fault('after-send-before-answer');
    return outcome;
  }

  /**
   * The order call of the sale's tender: a scanned code (unifiedPay), a linked wallet's
   * token (bizType CodeGrant) or a subscription's kept token. `credential` is the code or
   * token, held in memory only.
   */
  private requestFor(
    rec: SaleRecord,
    credential: string,
    requestId: string,
  ): Promise<PaymentOutcome> {
    const client = this.core.client;
    const order = {
      merchantTransactionId: rec.orderId,
      requestId,
      amountMinor: rec.amountMinor,
      currency: rec.currency,
    };
    const tender = rec.tender ?? 'code';
    if (tender === 'linked-wallet') {
      if (!client.unifiedPayToken || !rec.memberId || rec.method === null) {
        throw new Error(`sale ${rec.orderId}: linked-wallet charges are not available`);
      }
      return client.unifiedPayToken({
        ...order,
        token: credential,
        merchantUserId: rec.memberId,
        methodType: rec.method,
      });
    }
    if (tender === 'renewal') {
      if (!client.recurringCharge || !rec.memberId) {
        throw new Error(`sale ${rec.orderId}: renewals are not available`);
      }
      return client.recurringCharge({
        ...order,
        merchantUserId: rec.memberId,
        paymentToken: credential,
      });
    }
    if (!isPaymentMethod(rec.method)) {
      throw new Error(`sale ${rec.orderId}: ${String(rec.method)} is not a code method`);
    }
    return client.unifiedPay({ ...order, method: rec.method, scanCodeId: credential });
  }

  /**
   * Creates (or, the same requestId, re-creates) the sale's checkout page, and applies the
   * answer: the paymentUrl journaled (shown as a QR), a refusal, or unknown (the query
   * decides). `live.code` holds the subscription request while this process may send it.
   */
  async sendCheckout(
    live: LiveSale,
    rec: SaleRecord,
    via: AnswerVia,
    afterSend?: () => void,
  ): Promise<Applied> {
    const client = this.core.client;
    if (!client.prePay || rec.requestId === null) {
      throw new Error(`sale ${rec.orderId}: pay on phone is not available`);
    }
    const request: CheckoutRequest = {
      merchantTransactionId: rec.orderId,
      requestId: rec.requestId,
      amountMinor: rec.amountMinor,
      currency: rec.currency,
      ...(rec.brand === 'ApplePay' || rec.brand === 'GooglePay' ? { brand: rec.brand } : {}),
      ...(live.checkout?.subscription ? { subscription: live.checkout.subscription } : {}),
    };
    live.paying = true;
    let created: CheckoutCreated;
    try {
      const answer = client.prePay(request);
      afterSend?.();
      created = await answer;
    } finally {
      live.paying = false;
    }
    this.core.fault('after-send-before-answer');
    const expiresAt = this.core.clock.now() + this.core.checkoutLifetimeMs;
    return this.core.retryOnChange(() => {
      const now = this.core.mustSale(live.orderId);
      return this.carryOut(live, now, decideCheckoutCreated(now, created, via, expiresAt, live));
    });
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
      outcome = await this.core.client.query(queryFor(rec, live));
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
      if (resent.tender === 'checkout') {
        const created = await this.sendCheckout(live, resent, 'resend');
        live.notFoundSince = null;
        return created === 'settled';
      }
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
    const clean = withoutSecret(outcome, live.code);
    return this.core.retryOnChange(() => this.applyPaymentTo(live, clean, via));
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
        case 'member':
          live.checkout = null;
          this.tellMembers(next, effect.facts);
          break;
        case 'log':
          this.core.log(effect.level, effect.message, effect.fields);
          break;
      }
    }
    return decision.applied;
  }

  /** The members side learns how a member sale ended; its failure never undoes the sale. */
  tellMembers(sale: SaleRecord, facts: TokenFacts): void {
    const members = this.core.members;
    if (!members) return;
    if (facts.tokenMismatch) {
      this.core.log('error', 'integration fault: the gateway says the token does not exist', {
        orderId: sale.orderId,
        memberId: sale.memberId,
        wallet: sale.method,
      });
    }
    try {
      members.saleFinal(sale, facts);
    } catch (error) {
      this.core.log('error', 'the member record could not be updated after a sale', {
        orderId: sale.orderId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
