/**
 * Every statement the journal reuses, prepared on one connection (at open, and again on the
 * connection it continues on after its file was deleted or replaced), and the reads built on
 * them that the write transactions share.
 */
import type Database from 'better-sqlite3';
import { INSERT_EVENT, int, type Row, type SaleRecord } from './records.ts';

export interface Statements {
  insertEvent: Database.Statement;
  getSale: Database.Statement;
  getRefund: Database.Statement;
  refundsOf: Database.Statement;
  refundsOfMany: Database.Statement;
  unsettledSales: Database.Statement;
  unsettledRefunds: Database.Statement;
  committedRefunds: Database.Statement;
  events: Database.Statement;
  abandonedPaid: Database.Statement;
  inFlight: Database.Statement;
  horizon: Database.Statement;
  recentlyNotSent: Database.Statement;
}

/** What the sender of a request put in its journal event (every request is journaled first). */
export interface RequestTimes {
  /** How long after it was sent the gateway may still register it (the sender's window). */
  windowMs: number;
  /** How long the cashier waits for the customer after an attempt (the sender's deadline). */
  deadlineMs: number;
}

/** When nothing sent for a sale can be registered any more, and when it is left behind. */
export interface RequestHorizon {
  /** Epoch ms after which no request of the sale can still be registered by the gateway. */
  registrableUntil: number;
  /** Epoch ms after which nobody can still be waiting for it (deadline + window passed). */
  staleAfter: number;
}

export function prepareStatements(db: Database.Database): Statements {
  return {
    insertEvent: db.prepare(INSERT_EVENT),
    getSale: db.prepare('SELECT * FROM sales WHERE order_id = ?'),
    getRefund: db.prepare('SELECT * FROM refunds WHERE refund_id = ?'),
    refundsOf: db.prepare('SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at, rowid'),
    refundsOfMany: db.prepare(
      'SELECT * FROM refunds WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, rowid',
    ),
    unsettledSales: db.prepare('SELECT * FROM sales WHERE settled = 0 ORDER BY created_at, rowid'),
    unsettledRefunds: db.prepare(
      'SELECT * FROM refunds WHERE settled = 0 ORDER BY created_at, rowid',
    ),
    committedRefunds: db.prepare(
      "SELECT COALESCE(SUM(amount_minor), 0) AS total FROM refunds WHERE order_id = ? AND status <> 'declined'",
    ),
    events: db.prepare(
      'SELECT seq, order_id, refund_id, updated_at, kind, status, detail FROM events WHERE order_id = ? ORDER BY seq',
    ),
    abandonedPaid: db.prepare(
      // An automatic refund the gateway declined is tried again (up to 3 in all).
      "SELECT * FROM sales s WHERE s.status = 'paid' AND s.abandoned IS NOT NULL AND NOT EXISTS " +
        "(SELECT 1 FROM refunds r WHERE r.order_id = s.order_id AND r.automatic = 1 AND r.status <> 'declined') " +
        'AND (SELECT COUNT(*) FROM refunds r WHERE r.order_id = s.order_id AND r.automatic = 1) < 3 ' +
        'ORDER BY created_at',
    ),
    // shared/saleTransitions.ts isInFlight, in SQL.
    inFlight: db.prepare(
      "SELECT * FROM sales WHERE settled = 0 AND abandoned IS NULL AND status <> 'awaiting-scan' " +
        'AND order_id <> ? ORDER BY created_at DESC, rowid DESC',
    ),
    horizon: db.prepare(
      "SELECT MAX(updated_at + COALESCE(json_extract(detail, '$.windowMs'), @windowMs)) AS registrable, " +
        "MAX(updated_at + COALESCE(json_extract(detail, '$.deadlineMs'), @deadlineMs) + " +
        "COALESCE(json_extract(detail, '$.windowMs'), @windowMs)) AS stale " +
        'FROM events WHERE order_id = @orderId AND refund_id IS NULL ' +
        "AND kind IN ('submitted', 'new-attempt', 'resend')",
    ),
    recentlyNotSent: db.prepare(
      "SELECT * FROM sales WHERE status = 'closed' AND reason_code = 'not-sent' AND updated_at >= ? " +
        'ORDER BY updated_at',
    ),
  };
}

/** See Journal.requestHorizon. */
export function horizonOf(
  stmts: Statements,
  sale: SaleRecord,
  defaults: RequestTimes,
): RequestHorizon {
  const row = stmts.horizon.get({ orderId: sale.orderId, ...defaults }) as Row | undefined;
  const registrable = row?.registrable;
  const stale = row?.stale;
  return {
    registrableUntil:
      registrable === null || registrable === undefined
        ? sale.updatedAt + defaults.windowMs
        : int(registrable),
    staleAfter:
      stale === null || stale === undefined
        ? sale.updatedAt + defaults.deadlineMs + defaults.windowMs
        : int(stale),
  };
}

/** Sum of every refund of the sale that is not declined (done, pending or unknown). */
export function committedOf(stmts: Statements, orderId: string): number {
  return int((stmts.committedRefunds.get(orderId) as Row | undefined)?.total ?? 0);
}
