/**
 * The journal's two write transactions that decide from what is in the file: a change of a
 * sale (applied to its CURRENT row, checked against the transition table, one sale in flight
 * per data folder) and a new refund (the sale paid, the amount within what is left).
 */
import type Database from 'better-sqlite3';
import { checkSaleTransition } from '../../shared/saleTransitions.ts';
import {
  JournalError,
  SaleChangedError,
  SaleInFlightError,
  SalePreconditionError,
} from './errors.ts';
import {
  refundEvent,
  saleEvent,
  saleFromRow,
  type JournalEventInput,
  type RefundRecord,
  type Row,
  type SaleRecord,
} from './records.ts';
import { committedOf, horizonOf, type RequestTimes, type Statements } from './statements.ts';

export type CreateRefundResult =
  | { ok: true }
  | { ok: false; problem: 'no-sale' }
  | { ok: false; problem: 'not-paid'; sale: SaleRecord }
  | { ok: false; problem: 'exceeds-balance'; sale: SaleRecord; availableMinor: number };

export interface ChangeSaleOptions {
  /**
   * Refuse with SaleInFlightError when another sale of the journal is in flight. One whose
   * horizon (`requestHorizon`, with `defaults` for events that do not say) is past `now` gets
   * `patchFor(sale)` instead (its process is gone, its customer's deadline long past).
   */
  onlyInFlight?: {
    abandonStale?: {
      now: number;
      defaults: RequestTimes;
      patchFor: (sale: SaleRecord) => Partial<SaleRecord>;
      event: JournalEventInput;
    };
  };
  /**
   * The caller's check, run inside the write transaction (no other process can write
   * meanwhile); what it throws aborts the change as SalePreconditionError (its `refusal`).
   */
  precondition?: () => void;
}

/** The transactions, run with `.immediate(...)` (a write lock taken at their start). */
export interface Transactions {
  changeSale: {
    immediate(
      initial: SaleRecord,
      patch: Partial<SaleRecord>,
      event: JournalEventInput,
      options: ChangeSaleOptions,
    ): SaleRecord;
  };
  createRefund: {
    immediate(refund: RefundRecord, event: JournalEventInput): CreateRefundResult;
  };
}

/** Whether `current` (the row now) differs from `read` (what the caller based its change on). */
function changedSince(read: SaleRecord, current: SaleRecord): boolean {
  return (
    read.status !== current.status ||
    read.settled !== current.settled ||
    read.abandoned !== current.abandoned ||
    read.attempt !== current.attempt ||
    read.reasonCode !== current.reasonCode ||
    read.updatedAt !== current.updatedAt
  );
}

/** The transactions on `db`, with `stmts` prepared on it; `file` names the journal in errors. */
export function prepareTransactions(
  db: Database.Database,
  stmts: Statements,
  file: string,
): Transactions {
  const changeSale = db.transaction(
    (
      initial: SaleRecord,
      patch: Partial<SaleRecord>,
      event: JournalEventInput,
      options: ChangeSaleOptions,
    ): SaleRecord => {
      const row = stmts.getSale.get(initial.orderId) as Row | undefined;
      const current = row ? saleFromRow(row) : undefined;
      if (current && changedSince(initial, current)) {
        // Another process moved the sale after the caller read it: the caller decides
        // again from what is there now (never a change computed from a stale record).
        throw new SaleChangedError(file, current);
      }
      const next: SaleRecord = { ...(current ?? initial), ...patch };
      if (options.onlyInFlight) {
        for (const other of stmts.inFlight.all(next.orderId) as Row[]) {
          const sale = saleFromRow(other);
          const stale = options.onlyInFlight.abandonStale;
          if (stale && horizonOf(stmts, sale, stale.defaults).staleAfter < stale.now) {
            // Its process is gone and its customer's deadline long past: nobody waits for
            // it any more (it is still resolved in the background, and refunded if paid).
            stmts.insertEvent.run(
              saleEvent(
                { ...sale, ...stale.patchFor(sale), updatedAt: next.updatedAt },
                stale.event,
              ),
            );
            continue;
          }
          throw new SaleInFlightError(file, sale.orderId);
        }
      }
      if (options.precondition) {
        try {
          options.precondition();
        } catch (refusal) {
          throw new SalePreconditionError(refusal);
        }
      }
      const check = checkSaleTransition(current, next);
      if (!check.ok) {
        throw new JournalError('sale-transition-refused', `Sale ${next.orderId}: ${check.reason}`);
      }
      stmts.insertEvent.run(saleEvent(next, event));
      return next;
    },
  );
  const createRefund = db.transaction(
    (refund: RefundRecord, event: JournalEventInput): CreateRefundResult => {
      const row = stmts.getSale.get(refund.orderId) as Row | undefined;
      if (!row) return { ok: false, problem: 'no-sale' };
      const sale = saleFromRow(row);
      if (sale.status !== 'paid') return { ok: false, problem: 'not-paid', sale };
      const availableMinor = sale.amountMinor - committedOf(stmts, refund.orderId);
      if (refund.amountMinor > availableMinor) {
        return { ok: false, problem: 'exceeds-balance', sale, availableMinor };
      }
      stmts.insertEvent.run(refundEvent(refund, event));
      return { ok: true };
    },
  );
  return { changeSale, createRefund };
}
