/** After a restart and every sweep: resolve what is unresolved; re-check recently closed sales. */
import type { SaleView } from '../../shared/ipc/contract.ts';
import { type RefundRecord, type SaleRecord } from '../journal/journal.ts';
import { EngineError } from './errors.ts';
import { REASONS } from './reasons.ts';
import { stepThenLoop } from './tasks.ts';
import { isWaiting } from './answers.ts';
import type { EngineCore } from './core.ts';
import type { Deadlines } from './deadlines.ts';
import type { Refunds } from './refunds.ts';
import { queryFor, type SaleResolution } from './resolution.ts';

export class Recovery {
  sweeper: NodeJS.Timeout | null = null;
  sweeping: Promise<void> | null = null;

  constructor(
    readonly core: EngineCore,
    readonly resolution: SaleResolution,
    readonly refunds: Refunds,
    readonly deadlines: Deadlines,
  ) {}

  async recover(): Promise<void> {
    this.core.assertRunning();
    // The sale that was on screen when the terminal stopped comes back on screen, with a
    // fresh deadline: the cashier sees it resolve (or cancels it) before the next sale.
    const unsettled = this.core.journal.unsettledSales().filter((s) => this.core.isOurs(s));
    if (!this.core.currentId) {
      const candidate = [...unsettled].reverse().find((s) => !s.abandoned);
      // One left behind long ago (deadline and window past) has nobody waiting for it: it
      // is resolved in the background, not put back in front of the cashier.
      const onScreen = candidate && this.core.isStale(candidate) ? undefined : candidate;
      if (candidate && !onScreen) this.deadlines.abandon(candidate.orderId, 'deadline');
      if (onScreen) {
        this.core.currentId = onScreen.orderId;
        const live = this.core.liveFor(onScreen.orderId, true);
        if (isWaiting(onScreen.status)) {
          const deadline =
            onScreen.tender === 'checkout'
              ? Math.max(this.core.settingsOf().customerDeadlineMs, this.core.checkoutDeadlineMs)
              : this.core.settingsOf().customerDeadlineMs;
          live.deadlineAt = this.core.clock.monotonic() + deadline;
          this.deadlines.armDeadline(live, deadline);
        }
        this.core.log('info', 'recovered the sale that was in progress', {
          orderId: onScreen.orderId,
        });
      }
    }
    await this.sweep();
  }

  sweep(): Promise<void> {
    if (this.core.stopped) return Promise.resolve();
    if (!this.sweeping) {
      this.sweeping = this.sweepOnce().finally(() => {
        this.sweeping = null;
      });
    }
    return this.sweeping;
  }

  startSweeper(): void {
    if (this.sweeper || this.core.stopped) return;
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) => {
        this.core.log('error', 'sweep failed', { error: String(error) });
      });
    }, this.core.sweepIntervalMs);
    this.sweeper.unref();
  }

  async refresh(orderId: string, options: { waitMs?: number } = {}): Promise<SaleView> {
    const rec = this.core.journal.sale(orderId);
    if (!rec) {
      if (this.core.draft?.orderId === orderId) return this.core.view(this.core.draft);
      throw new EngineError('not-found', `There is no sale ${orderId}`);
    }
    if (!this.core.stopped && this.core.isOurs(rec)) {
      const started: Promise<void>[] = [];
      if (!this.core.lives.get(orderId)?.task) {
        if (!rec.settled) started.push(this.startRecoveredSale(rec));
        else if (rec.status === 'closed' && rec.reasonCode === REASONS.notSent.reasonCode) {
          started.push(this.recheckClosed(rec));
        }
      }
      for (const refund of this.core.journal.refundsOf(orderId)) {
        if (!refund.settled && !this.core.refundLives.get(refund.refundId)?.task) {
          started.push(this.startRecoveredRefund(refund));
        }
      }
      await Promise.all(started);
      const waitMs = options.waitMs ?? 0;
      if (waitMs > 0) {
        const tasks = [
          this.core.lives.get(orderId)?.task,
          ...this.core.journal
            .refundsOf(orderId)
            .map((r) => this.core.refundLives.get(r.refundId)?.task),
        ].filter((t): t is Promise<void> => t !== undefined && t !== null);
        await this.core.raceTimeout(Promise.allSettled(tasks), waitMs);
      }
    }
    return this.core.viewOf(orderId);
  }

  async sweepOnce(): Promise<void> {
    // Only what went to the gateway configured now: another gateway (training vs live, or
    // another URL/store) does not know those orders and would wrongly answer "not found".
    const starts: (() => Promise<void>)[] = [];
    let elsewhere = 0;
    for (const sale of this.core.journal.unsettledSales()) {
      if (!this.core.isOurs(sale)) {
        elsewhere += 1;
        continue;
      }
      if (this.core.lives.get(sale.orderId)?.task) continue;
      starts.push(() => this.startRecoveredSale(sale));
    }
    for (const refund of this.core.journal.unsettledRefunds()) {
      const sale = this.core.journal.sale(refund.orderId);
      if (sale && !this.core.isOurs(sale)) {
        elsewhere += 1;
        continue;
      }
      if (this.core.refundLives.get(refund.refundId)?.task) continue;
      starts.push(() => this.startRecoveredRefund(refund));
    }
    for (const sale of this.core.journal.abandonedPaidWithoutAutoRefund()) {
      if (this.core.isOurs(sale)) this.refunds.startAutoRefund(sale);
    }
    // A sale closed as "did not reach the gateway" is asked about again for a while: should
    // the gateway register it late after all, its SUCCESS is not lost (paid, then refunded).
    for (const sale of this.core.journal.recentlyClosedNotSent(
      this.core.clock.now() - this.core.recheckClosedMs,
    )) {
      if (!this.core.isOurs(sale) || this.core.lives.get(sale.orderId)?.task) continue;
      starts.push(() => this.recheckClosed(sale));
    }
    if (elsewhere > 0) {
      this.core.log('info', 'unresolved records of another gateway wait until it is configured', {
        count: elsewhere,
      });
    }
    // First passes, a few at a time (an outage can leave many behind).
    for (let i = 0; i < starts.length; i += this.core.recoveryConcurrency) {
      if (this.core.stopped) return;
      await Promise.all(starts.slice(i, i + this.core.recoveryConcurrency).map((start) => start()));
    }
  }

  /** Starts resolving a journaled sale nobody is resolving; resolves after its first query. */
  startRecoveredSale(sale: SaleRecord): Promise<void> {
    const live = this.core.liveFor(sale.orderId, true);
    const { task, first } = stepThenLoop(
      () => this.resolution.resolveStep(live),
      () => this.resolution.resolveLoop(live, false),
      (error) => this.core.logStepError('a query', { orderId: sale.orderId }, error),
    );
    this.core.runSaleTask(live, task);
    return first;
  }

  /**
   * Tells the members side how the first payments of its pending memberships ended when
   * they ended while no members side was attached (nobody else will tell it). A paid one's
   * payment token is never journaled: the gateway is asked again for it (kept in memory,
   * sealed by the members side). An unanswered query leaves it pending for the next time.
   */
  async catchUpMembers(): Promise<void> {
    const members = this.core.members;
    if (!members?.pendingFirstPayments) return;
    // Chosen now, before any wait: a sale this process settles from now on is told as usual.
    const ended = members
      .pendingFirstPayments()
      .map((orderId) => this.core.journal.sale(orderId))
      .filter(
        (rec): rec is SaleRecord =>
          rec !== undefined && rec.settled && rec.tender === 'checkout' && this.core.isOurs(rec),
      );
    for (const rec of ended) {
      if (this.core.stopped) return;
      if (rec.status !== 'paid' || rec.abandoned) {
        this.resolution.tellMembers(rec, {});
        continue;
      }
      const outcome = await this.core.client.query({ merchantTransactionId: rec.orderId });
      if (this.core.stopped) return;
      if (outcome.kind !== 'paid') continue;
      const token = outcome.paymentToken;
      const named = (outcome as { merchantUserId?: unknown }).merchantUserId;
      const otherMember = typeof named === 'string' && named !== '' && named !== rec.memberId;
      this.resolution.tellMembers(
        rec,
        otherMember
          ? { tokenForOtherMember: true }
          : token !== undefined && token !== ''
            ? { paymentToken: token }
            : {},
      );
    }
  }

  /** One query about a sale recorded closed (not found): a late SUCCESS makes it paid. */
  recheckClosed(sale: SaleRecord): Promise<void> {
    const live = this.core.liveFor(sale.orderId, true);
    const task = (async () => {
      const outcome = await this.core.client.query(queryFor(sale, live));
      this.resolution.applyPayment(live, outcome, 'query');
    })();
    this.core.runSaleTask(live, task);
    return task.catch(() => undefined);
  }

  startRecoveredRefund(refund: RefundRecord): Promise<void> {
    const live = this.core.newLiveRefund(refund.refundId);
    const { task, first } = stepThenLoop(
      () => this.refunds.refundStep(live),
      () => this.refunds.refundLoop(live, false),
      (error) => this.core.logStepError('a refund query', { refundId: refund.refundId }, error),
    );
    this.core.runRefundTask(live, task);
    return first;
  }

  // ---------------------------------------------------------------- plumbing
}
