/**
 * The sales journal: one SQLite file (better-sqlite3) in the data folder, WAL mode,
 * `synchronous=FULL`, so every committed transition is on disk before the call that follows
 * it. The payment engine writes each transition here BEFORE the network call it leads to.
 *
 * Layout: `events` is the append-only log — one row per transition of a sale or a refund,
 * holding its state after the transition. A transition is ONE INSERT (one durable commit);
 * triggers keep `sales` and `refunds` (the current state, what history and recovery read)
 * in step inside that same statement, so they can never disagree with the log.
 *
 * What is never stored: a payment code in clear (only `maskCode` output) and the salt (the
 * journal never receives it). Errors leave as JournalError with a clear message; a damaged
 * or foreign file is never rewritten.
 *
 * This file is the Journal class (its reads and writes). Its parts: records.ts (records and
 * the `events` row), statements.ts, transactions.ts (changeSale, createRefund), open.ts
 * (create, open, configure, migrate), fileGuard.ts (a deleted or replaced file), with
 * placement.ts and fileIdentity.ts (putting a file in place, telling files apart).
 */
import type Database from 'better-sqlite3';
import type { Currency } from '../../shared/money.ts';
import type { SaleMethod } from '../../shared/paymentMethods.ts';
import type { SaleStatus } from '../../shared/sale.ts';
import { JournalError, toJournalError } from './errors.ts';
import { JournalFileGuard } from './fileGuard.ts';
import { LATEST_VERSION } from './migrations.ts';
import { MemberStore } from './members.ts';
import { openJournalFile, type JournalFiles, type OpenJournalOptions } from './open.ts';
import {
  int,
  refundEvent,
  refundFromRow,
  saleEvent,
  saleFromRow,
  text,
  type JournalEvent,
  type JournalEventInput,
  type RefundRecord,
  type Row,
  type SaleRecord,
} from './records.ts';
import {
  committedOf,
  horizonOf,
  prepareStatements,
  type RequestHorizon,
  type RequestTimes,
  type Statements,
} from './statements.ts';
import {
  prepareTransactions,
  type ChangeSaleOptions,
  type CreateRefundResult,
  type Transactions,
} from './transactions.ts';

export { newSaleRecord } from './records.ts';
export type {
  AbandonCause,
  JournalEvent,
  JournalEventInput,
  NewSaleInit,
  RefundRecord,
  RefundStatus,
  SaleRecord,
} from './records.ts';
export { JOURNAL_FILE } from './open.ts';
export { MemberStore } from './members.ts';
export type {
  LinkRecord,
  MemberEvent,
  MemberEventInput,
  MemberRecord,
  SubscriptionRecord,
} from './members.ts';
export type { OpenJournalOptions } from './open.ts';
export type { RequestHorizon, RequestTimes } from './statements.ts';
export type { ChangeSaleOptions, CreateRefundResult } from './transactions.ts';

export interface SaleFilter {
  day?: string;
  status?: SaleStatus;
  method?: SaleMethod;
  /** Part of the order id, transaction id or masked code. */
  search?: string;
  limit?: number;
  /** Only training sales (true) or only live sales (false); both when absent. */
  training?: boolean;
  /** Only the sales of this member (linked wallet, membership). */
  memberId?: string;
  /** Only the sales of this membership (its first payment and renewals). */
  subscriptionId?: string;
}

export interface DaySummaryRow {
  method: string;
  currency: Currency;
  salesCount: number;
  salesMinor: number;
  refundsCount: number;
  refundsMinor: number;
}

export class Journal {
  readonly file: string;
  private db: Database.Database | null;
  private stmts!: Statements;
  private tx!: Transactions;
  private readonly statements = new Map<string, Database.Statement>();
  /** Watches that the file at `file` is still the one open (deleted, replaced: see there). */
  private readonly fileGuard: JournalFileGuard;

  /** Use openJournal(). */
  constructor(db: Database.Database, file: string, files?: JournalFiles) {
    this.db = db;
    this.file = file;
    this.fileGuard = new JournalFileGuard(file, files, db, {
      handle: () => this.handle,
      switchTo: (next) => this.switchTo(next),
    });
    this.rebind(db);
  }

  /** Members, linked wallets and subscriptions (migration 4), on this journal's file. */
  readonly members: MemberStore = new MemberStore(
    () => this.handle,
    (work) =>
      this.guard(() => {
        this.checkFile();
        return work();
      }),
    (work) => this.guard(work),
  );

  /** Prepares every statement and transaction on `db` (at open, and after a restore). */
  private rebind(db: Database.Database): void {
    const stmts = prepareStatements(db);
    const tx = prepareTransactions(db, stmts, this.file);
    this.stmts = stmts;
    this.tx = tx;
  }

  /** Continues on `db` (the file was written back or moved aside); returns the old one. */
  private switchTo(db: Database.Database): Database.Database | null {
    const old = this.db;
    this.rebind(db);
    this.db = db;
    this.statements.clear();
    return old;
  }

  private assertOpen(): void {
    if (!this.db) throw new JournalError('journal-closed', 'The sales journal is closed.');
  }

  private get handle(): Database.Database {
    if (!this.db) throw new JournalError('journal-closed', 'The sales journal is closed.');
    return this.db;
  }

  /** A statement built from `sql` once, then reused (the SQL of reads varies by filter). */
  private prepared(sql: string): Database.Statement {
    const db = this.handle;
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw toJournalError(error, this.file);
    }
  }

  /**
   * One durable change of a sale, as the engine makes it: `patch` is applied to the sale's
   * CURRENT row (another process may have changed it since the caller read it) inside one
   * write transaction, and refused (JournalError 'sale-transition-refused') unless the
   * transition table allows the move. `initial` is the record when the sale is not
   * journaled yet (its first attempt). `onlyInFlight`: refuse (SaleInFlightError) when
   * another sale of this data folder is in flight — one sale at a time per terminal, across
   * processes. Throws SaleChangedError (with the current record) when another process changed
   * the sale after the caller read it: the caller decides again from that. Returns the
   * record as written.
   */
  changeSale(
    initial: SaleRecord,
    patch: Partial<SaleRecord>,
    event: JournalEventInput,
    options: ChangeSaleOptions = {},
  ): SaleRecord {
    return this.guard(() => {
      this.checkFile();
      return this.tx.changeSale.immediate(initial, patch, event, options);
    });
  }

  /** Another sale of this data folder in flight (a cashier waits on it), if any. */
  inFlightSale(exceptOrderId = ''): SaleRecord | undefined {
    return this.guard(() => {
      const row = this.stmts.inFlight.get(exceptOrderId) as Row | undefined;
      return row ? saleFromRow(row) : undefined;
    });
  }

  /**
   * From every request of the sale journaled so far (attempts and re-sends, by whichever
   * process sent them, each with its sender's window and deadline; `defaults` for events
   * that do not say): until when the gateway may still register one, and from when nobody
   * can still be waiting for the sale. A sale with no request journaled: from its last change.
   */
  requestHorizon(sale: SaleRecord, defaults: RequestTimes): RequestHorizon {
    return this.guard(() => horizonOf(this.stmts, sale, defaults));
  }

  /** Sales closed as "did not reach the gateway" since `sinceEpochMs` (re-checked a while). */
  recentlyClosedNotSent(sinceEpochMs: number): SaleRecord[] {
    return this.guard(() =>
      (this.stmts.recentlyNotSent.all(sinceEpochMs) as Row[]).map(saleFromRow),
    );
  }

  /**
   * Why the journal cannot take new sales, or null when it is healthy: its file was replaced
   * under the running terminal (the message names the side file that now holds everything
   * this terminal has, where its sales in flight keep being journaled), or it was deleted or
   * replaced and what is open could not be written to disk at all.
   */
  get problem(): string | null {
    if (this.db && this.fileGuard.problem === null) {
      try {
        this.checkFile();
      } catch {
        // the guard's problem says why
      }
    }
    return this.fileGuard.problem;
  }

  /** Before every write: open, and its file still the one open (JournalFileGuard.check). */
  private checkFile(): void {
    this.assertOpen();
    this.fileGuard.check();
  }

  /** One durable transition of a sale: the row and its event, committed (fsync'd) together. */
  saveSale(sale: SaleRecord, event: JournalEventInput): void {
    this.guard(() => {
      this.checkFile();
      // One statement: autocommit, so one durable commit (the trigger updates `sales`).
      this.stmts.insertEvent.run(saleEvent(sale, event));
    });
  }

  /**
   * Journals a new refund after checking, in the same write transaction, that the sale is
   * paid and that the amount fits in what is left (paid minus every refund not declined).
   */
  createRefund(refund: RefundRecord, event: JournalEventInput): CreateRefundResult {
    return this.guard(() => {
      this.checkFile();
      return this.tx.createRefund.immediate(refund, event);
    });
  }

  /** One durable transition of an existing refund. */
  saveRefund(refund: RefundRecord, event: JournalEventInput): void {
    this.guard(() => {
      this.checkFile();
      this.stmts.insertEvent.run(refundEvent(refund, event));
    });
  }

  sale(orderId: string): SaleRecord | undefined {
    return this.guard(() => {
      const row = this.stmts.getSale.get(orderId) as Row | undefined;
      return row ? saleFromRow(row) : undefined;
    });
  }

  refund(refundId: string): RefundRecord | undefined {
    return this.guard(() => {
      const row = this.stmts.getRefund.get(refundId) as Row | undefined;
      return row ? refundFromRow(row) : undefined;
    });
  }

  refundsOf(orderId: string): RefundRecord[] {
    return this.guard(() => (this.stmts.refundsOf.all(orderId) as Row[]).map(refundFromRow));
  }

  /** refundsOf for many sales in one read: each sale's refunds, oldest first (none: absent). */
  refundsOfSales(orderIds: readonly string[]): Map<string, RefundRecord[]> {
    return this.guard(() => {
      const bySale = new Map<string, RefundRecord[]>();
      if (orderIds.length === 0) return bySale;
      const rows = this.stmts.refundsOfMany.all(JSON.stringify(orderIds)) as Row[];
      for (const refund of rows.map(refundFromRow)) {
        const list = bySale.get(refund.orderId);
        if (list) list.push(refund);
        else bySale.set(refund.orderId, [refund]);
      }
      return bySale;
    });
  }

  /** Sales whose gateway outcome is not final yet, oldest first. */
  unsettledSales(): SaleRecord[] {
    return this.guard(() => (this.stmts.unsettledSales.all() as Row[]).map(saleFromRow));
  }

  unsettledRefunds(): RefundRecord[] {
    return this.guard(() => (this.stmts.unsettledRefunds.all() as Row[]).map(refundFromRow));
  }

  /** Paid sales the cashier had abandoned and that have no automatic refund yet. */
  abandonedPaidWithoutAutoRefund(): SaleRecord[] {
    return this.guard(() => (this.stmts.abandonedPaid.all() as Row[]).map(saleFromRow));
  }

  /** Sum of every refund of the sale that is not declined (done, pending or unknown). */
  committedRefundMinor(orderId: string): number {
    return this.guard(() => committedOf(this.stmts, orderId));
  }

  /** Newest first. */
  listSales(filter: SaleFilter = {}): SaleRecord[] {
    return this.guard(() => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.day !== undefined) {
        where.push('day = ?');
        params.push(filter.day);
      }
      if (filter.status !== undefined) {
        where.push('status = ?');
        params.push(filter.status);
      }
      if (filter.method !== undefined) {
        where.push('method = ?');
        params.push(filter.method);
      }
      if (filter.training !== undefined) {
        where.push('training = ?');
        params.push(filter.training ? 1 : 0);
      }
      if (filter.memberId !== undefined) {
        where.push('member_id = ?');
        params.push(filter.memberId);
      }
      if (filter.subscriptionId !== undefined) {
        where.push('subscription_id = ?');
        params.push(filter.subscriptionId);
      }
      const search = filter.search?.trim();
      if (search) {
        where.push(
          "(instr(lower(order_id), lower(?)) > 0 OR instr(COALESCE(transaction_id, ''), ?) > 0 " +
            "OR instr(COALESCE(masked_code, ''), ?) > 0)",
        );
        params.push(search, search, search);
      }
      const limit = Math.max(1, Math.min(filter.limit ?? 200, 100_000));
      const sql =
        `SELECT * FROM sales ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
        'ORDER BY created_at DESC, rowid DESC LIMIT ?';
      return (this.prepared(sql).all(...params, limit) as Row[]).map(saleFromRow);
    });
  }

  /**
   * Sales of one day oldest first, with their refunds (for the CSV export); only training
   * or only live sales when `training` is given.
   */
  salesOfDay(day: string, training?: boolean): SaleRecord[] {
    return this.guard(() =>
      (training === undefined
        ? (this.prepared('SELECT * FROM sales WHERE day = ? ORDER BY created_at, rowid').all(
            day,
          ) as Row[])
        : (this.prepared(
            'SELECT * FROM sales WHERE day = ? AND training = ? ORDER BY created_at, rowid',
          ).all(day, training ? 1 : 0) as Row[])
      ).map(saleFromRow),
    );
  }

  /**
   * Refunds made on one day (whatever the day of their sale), oldest first; only those of
   * training or of live sales when `training` is given.
   */
  refundsOfDay(day: string, training?: boolean): RefundRecord[] {
    return this.guard(() =>
      (training === undefined
        ? (this.prepared('SELECT * FROM refunds WHERE day = ? ORDER BY created_at, rowid').all(
            day,
          ) as Row[])
        : (this.prepared(
            'SELECT r.* FROM refunds r JOIN sales s ON s.order_id = r.order_id ' +
              'WHERE r.day = ? AND s.training = ? ORDER BY r.created_at, r.rowid',
          ).all(day, training ? 1 : 0) as Row[])
      ).map(refundFromRow),
    );
  }

  /**
   * Z report figures: paid sales of the day and refunds completed on the day, per method
   * and currency (a refund counts under its sale's method). Only training or only live
   * sales when `training` is given.
   */
  daySummary(day: string, training?: boolean): DaySummaryRow[] {
    return this.guard(() => {
      const mode = training === undefined ? '' : ' AND s.training = ?';
      const args: unknown[] = training === undefined ? [day] : [day, training ? 1 : 0];
      const sales = this.prepared(
        `SELECT s.method AS method, s.currency AS currency, COUNT(*) AS n, SUM(s.amount_minor) AS total FROM sales s WHERE s.day = ? AND s.status = 'paid'${mode} GROUP BY s.method, s.currency`,
      ).all(...args) as Row[];
      const refunds = this.prepared(
        `SELECT s.method AS method, r.currency AS currency, COUNT(*) AS n, SUM(r.amount_minor) AS total FROM refunds r JOIN sales s ON s.order_id = r.order_id WHERE r.day = ? AND r.status = 'refunded'${mode} GROUP BY s.method, r.currency`,
      ).all(...args) as Row[];
      const rows = new Map<string, DaySummaryRow>();
      const rowFor = (method: string, currency: Currency): DaySummaryRow => {
        const key = `${method}\u0000${currency}`;
        let row = rows.get(key);
        if (!row) {
          row = {
            method,
            currency,
            salesCount: 0,
            salesMinor: 0,
            refundsCount: 0,
            refundsMinor: 0,
          };
          rows.set(key, row);
        }
        return row;
      };
      for (const r of sales) {
        const row = rowFor(String(r.method), String(r.currency) as Currency);
        row.salesCount = int(r.n);
        row.salesMinor = int(r.total);
      }
      for (const r of refunds) {
        const row = rowFor(String(r.method), String(r.currency) as Currency);
        row.refundsCount = int(r.n);
        row.refundsMinor = int(r.total);
      }
      return [...rows.values()].sort((a, b) =>
        a.method === b.method
          ? a.currency.localeCompare(b.currency)
          : a.method.localeCompare(b.method),
      );
    });
  }

  events(orderId: string): JournalEvent[] {
    return this.guard(() =>
      (this.stmts.events.all(orderId) as Row[]).map((row) => ({
        seq: int(row.seq),
        orderId: String(row.order_id),
        refundId: text(row.refund_id),
        at: int(row.updated_at),
        kind: String(row.kind),
        status: text(row.status),
        detail: typeof row.detail === 'string' ? (JSON.parse(row.detail) as Row) : null,
      })),
    );
  }

  /** The schema version of the open file. */
  schemaVersion(): number {
    return this.guard(() => Number(this.handle.pragma('user_version', { simple: true })));
  }

  close(): void {
    if (!this.db) return;
    const db = this.db;
    this.db = null;
    try {
      db.close();
    } catch (error) {
      throw toJournalError(error, this.file);
    }
  }

  get isOpen(): boolean {
    return this.db !== null;
  }
}

/**
 * Opens (creating if needed) the journal in `dir`, upgrades its schema, checks it.
 * Throws JournalError: corrupt or empty (left untouched), locked, too new, unwritable.
 */
export function openJournal(options: OpenJournalOptions): Journal {
  return openJournalFile(options, (db, file, files) => new Journal(db, file, files));
}

export { JournalError, LATEST_VERSION };
