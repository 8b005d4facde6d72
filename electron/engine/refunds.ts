/** Refunds: journaled first, sent, resolved by query; automatic refunds of abandoned sales. */
import type { SaleView } from '../../shared/ipc/contract.ts';
import type { RefundOutcome } from '../../shared/gateway/outcome.ts';
import { formatForDisplay } from '../../shared/money.ts';
import { type JournalEventInput, type RefundRecord, type SaleRecord } from '../journal/journal.ts';
import { EngineError } from './errors.ts';
import { refundIdFor } from './ids.ts';
import { REASONS, refundDeclinedReason } from './reasons.ts';
import { queryDelay } from './schedule.ts';
import { type LiveRefund, type Applied, stepThenLoop } from './tasks.ts';
import { isCredentialsRefusal, namesRefund, outcomeDetail } from './answers.ts';
import type { EngineCore } from './core.ts';

export class Refunds {
  constructor(readonly core: EngineCore) {}

  async refund(
    orderId: string,
    amountMinor: number,
    options: { automatic?: boolean } = {},
  ): Promise<SaleView> {
    this.core.assertRunning();
    if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
      throw new EngineError('amount-invalid', 'The refund amount must be more than zero');
    }
    const sale = this.core.journal.sale(orderId);
    if (!sale) throw new EngineError('not-found', `There is no sale ${orderId}`);
    if (!this.core.isOurs(sale)) throw this.core.otherGatewayError(sale);
    if (sale.reasonCode === 'amount-mismatch') {
      throw new EngineError(
        'sale-needs-supervisor',
        'The gateway reported another amount for this sale — the supervisor must check it before any refund',
      );
    }
    const now = this.core.clock.now();
    const index = this.core.journal.refundsOf(orderId).length + 1;
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
      day: this.core.dayOf(now),
    };
    const created = this.core.journal.createRefund(record, {
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
    this.core.emitSale(orderId);
    this.core.fault('refund-after-journal-before-request');
    const live = this.core.newLiveRefund(record.refundId);
    const { task, first } = stepThenLoop(
      async () => {
        const outcome = await this.core.client.refund({
          merchantTransactionId: orderId,
          merchantRefundId: record.refundId,
          amountMinor,
          currency: sale.currency,
        });
        this.applyRefund(record.refundId, outcome, 'refund');
        return false; // the loop sees for itself whether the answer was final
      },
      () => this.refundLoop(live, false),
      (error) => this.core.logStepError('the refund request', { refundId: record.refundId }, error),
    );
    this.core.runRefundTask(live, task);
    await first;
    return this.core.viewOf(orderId);
  }

  startAutoRefund(sale: SaleRecord): void {
    const remaining = sale.amountMinor - this.core.journal.committedRefundMinor(sale.orderId);
    if (remaining <= 0 || this.core.stopped) return;
    this.core.log('warn', 'an abandoned sale was paid: refunding it automatically', {
      orderId: sale.orderId,
    });
    const task = this.refund(sale.orderId, remaining, { automatic: true }).then(
      () => undefined,
      (error: unknown) => {
        this.core.log('error', 'automatic refund could not be journaled', {
          orderId: sale.orderId,
          error: String(error),
        });
      },
    );
    this.core.track(task);
  }

  applyRefund(
    refundId: string,
    outcome: RefundOutcome,
    via: 'refund' | 'resend' | 'query',
  ): Applied {
    const rec = this.core.journal.refund(refundId);
    if (!rec || rec.settled) return 'settled';
    const detail = { via, ...outcomeDetail(outcome) };
    const kind = via === 'query' ? 'refund-resolved' : 'refund-answer';
    if (
      (outcome.kind === 'refunded' || outcome.kind === 'declined') &&
      !namesRefund(rec, outcome)
    ) {
      // A final answer that does not name this refund could be a replay of any refund the
      // gateway ever signed: it decides nothing, the refund query does.
      this.core.log('warn', 'a refund answer that does not name the refund asked about', {
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
          this.core.log('warn', 'gateway refused the refund query', {
            refundId,
            code: outcome.code,
          });
          return 'pending';
        }
        if (isCredentialsRefusal(outcome)) {
          // Unverifiable (see applyPayment): the refund may have been made. Not declined,
          // which would invite a second refund; the refund query decides.
          this.core.log(
            'error',
            'the gateway refused the till credentials; refund outcome unknown',
            {
              refundId,
            },
          );
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

  async refundLoop(live: LiveRefund, immediate: boolean): Promise<void> {
    let index = 0;
    for (;;) {
      if (this.core.stopped) return;
      const rec = this.core.journal.refund(live.refundId);
      if (!rec || rec.settled) return;
      const delay = immediate && index === 0 ? 0 : queryDelay(this.core.schedule, index);
      index += 1;
      await this.core.sleep(live, delay);
      if (this.core.stopped) return;
      try {
        if (await this.refundStep(live)) return;
      } catch (error) {
        this.core.logStepError('a refund query', { refundId: live.refundId }, error);
      }
    }
  }

  async refundStep(live: LiveRefund): Promise<boolean> {
    const rec = this.core.journal.refund(live.refundId);
    if (!rec || rec.settled) return true;
    const outcome = await this.core.client.refundQuery({
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
    const now = this.core.clock.monotonic();
    if (live.notFoundSince === null) live.notFoundSince = now;
    if (now - live.notFoundSince < this.core.notFoundGraceMs || this.core.stopped) return false;
    if (rec.sends > this.core.maxRefundResends) return false;
    const resent = this.commitRefund(
      rec,
      { sends: rec.sends + 1 },
      {
        kind: 'refund-resend',
        detail: { sends: rec.sends + 1 },
      },
    );
    live.notFoundSince = null;
    const answer = await this.core.client.refund({
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
  noteAutoRefund(refund: RefundRecord): void {
    const reason = refund.status === 'declined' ? REASONS.autoRefundDeclined : REASONS.autoRefunded;
    try {
      this.core.retryOnChange(() => {
        const sale = this.core.mustSale(refund.orderId);
        if (sale.status !== 'paid' || sale.reasonCode === reason.reasonCode) return;
        if (
          refund.status === 'refunded' &&
          sale.reasonCode !== REASONS.autoRefundDeclined.reasonCode
        ) {
          return;
        }
        this.core.commitQuietly(
          sale,
          { ...reason },
          {
            kind: refund.status === 'declined' ? 'auto-refund-declined' : 'auto-refund-made',
            detail: { refundId: refund.refundId },
          },
        );
      });
    } catch (error) {
      this.core.log('error', 'the sale could not be told about its automatic refund', {
        orderId: refund.orderId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  commitRefund(
    rec: RefundRecord,
    patch: Partial<RefundRecord>,
    event: JournalEventInput,
  ): RefundRecord {
    const next: RefundRecord = { ...rec, ...patch, updatedAt: this.core.clock.now() };
    this.core.journal.saveRefund(next, event);
    if (next.automatic && next.settled && !rec.settled) this.noteAutoRefund(next);
    this.core.emitSale(next.orderId);
    return next;
  }

  // ---------------------------------------------------------------- recovery / sweeper
}
