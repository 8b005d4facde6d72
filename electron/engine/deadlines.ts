/** The customer's deadline: when the cashier stops waiting, and the abandon it records. */
import { type AbandonCause, type SaleRecord } from '../journal/journal.ts';
import { REASONS, abandonReason, isCredentialsReason } from './reasons.ts';
import { type LiveSale, clearDeadline } from './tasks.ts';
import { DEADLINE_EPSILON_MS, DEADLINE_RETRY_MS } from './answers.ts';
import type { EngineCore } from './core.ts';

export class Deadlines {
  constructor(readonly core: EngineCore) {}

  checkDeadline(live: LiveSale): void {
    const rec = this.core.journal.sale(live.orderId);
    if (!rec || rec.settled || rec.abandoned || live.deadlineAt === null) return;
    if (this.core.clock.monotonic() >= live.deadlineAt - DEADLINE_EPSILON_MS) {
      this.abandon(rec.orderId, 'deadline');
    }
  }

  /**
   * The deadline's timer. Nothing may escape a timer (it would end the process with the
   * payment unresolved): a failure (a journal busy with another program) is logged and the
   * deadline is tried again shortly.
   */
  armDeadline(live: LiveSale, delayMs: number): void {
    if (live.deadlineTimer) clearTimeout(live.deadlineTimer);
    live.deadlineTimer = setTimeout(() => {
      live.deadlineTimer = null;
      try {
        this.onDeadline(live);
      } catch (error) {
        this.core.log('error', 'the customer deadline could not be recorded; trying again', {
          orderId: live.orderId,
          error: error instanceof Error ? error.message : String(error),
        });
        if (!this.core.stopped) this.armDeadline(live, DEADLINE_RETRY_MS);
      }
    }, delayMs);
    live.deadlineTimer.unref();
  }

  /**
   * The deadline passed. A sleeping resolver is woken to ask once more first (the payer may
   * have confirmed a moment ago); a request still in flight cannot be waited for.
   */
  onDeadline(live: LiveSale): void {
    const rec = this.core.journal.sale(live.orderId);
    if (!rec || rec.settled || rec.abandoned || this.core.stopped) return;
    if (live.paying) {
      this.abandon(rec.orderId, 'deadline');
    } else if (live.wake) {
      live.wake();
    } else if (live.querying) {
      // Asked right now: give the answer a moment, then stop waiting.
      live.deadlineTimer = setTimeout(() => {
        live.deadlineTimer = null;
        if (this.core.stopped) return;
        try {
          this.abandon(live.orderId, 'deadline');
        } catch (error) {
          this.core.log('error', 'the customer deadline could not be recorded; trying again', {
            orderId: live.orderId,
            error: error instanceof Error ? error.message : String(error),
          });
          this.armDeadline(live, DEADLINE_RETRY_MS);
        }
      }, this.core.deadlineSlackMs);
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
  abandon(orderId: string, cause: AbandonCause): SaleRecord {
    const live = this.core.lives.get(orderId);
    if (live) clearDeadline(live);
    return this.core.retryOnChange(() => {
      const rec = this.core.mustSale(orderId);
      if (rec.settled || rec.abandoned) return rec;
      this.core.log(
        'info',
        cause === 'deadline' ? 'customer did not confirm in time' : 'cancelled',
        {
          orderId,
        },
      );
      // The real cause stays on screen when it is known (a refused signature is not a
      // customer who did not confirm).
      const reason = isCredentialsReason(rec.reasonCode)
        ? {}
        : rec.tender === 'checkout' && cause === 'cancel'
          ? REASONS.checkoutCancelledOpen
          : abandonReason(cause);
      return this.core.commit(
        rec,
        { status: 'unknown', abandoned: cause, ...reason },
        { kind: 'abandoned', detail: { cause } },
      );
    });
  }
}
