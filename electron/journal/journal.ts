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
 */
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RefundView, SaleStatus } from '../../shared/ipc/contract.ts';
import type { Currency } from '../../shared/money.ts';
import type { PaymentMethod } from '../../shared/paymentCode.ts';
import { checkSaleTransition } from '../../shared/saleTransitions.ts';
import { JournalError, SaleChangedError, SaleInFlightError, toJournalError } from './errors.ts';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations.ts';

export const JOURNAL_FILE = 'journal.sqlite';

/**
 * Why nobody waits for the sale any more: the cashier cancelled, the customer's deadline
 * passed, or (`closed`) the sale had been recorded as not paid when the gateway reported it
 * paid after all (it is then refunded automatically, like any abandoned sale found paid).
 */
export type AbandonCause = 'cancel' | 'deadline' | 'closed';
export type RefundStatus = RefundView['status'];

export interface SaleRecord {
  /** The gateway's merchantTransactionId. */
  orderId: string;
  terminalId: string;
  status: SaleStatus;
  amountMinor: number;
  currency: Currency;
  method: PaymentMethod | null;
  /** Masked payment code of the latest attempt (never the code itself). */
  maskedCode: string | null;
  source: string | null;
  /** Number of the latest attempt (a new code = a new attempt); 0 before any. */
  attempt: number;
  /** requestId of the latest attempt. */
  requestId: string | null;
  transactionId: string | null;
  gatewayStatus: string | null;
  reason: string | null;
  reasonCode: string | null;
  /** Set when the cashier stopped waiting (cancel) or the deadline passed. */
  abandoned: AbandonCause | null;
  /** The final state was found after a restart. */
  recovered: boolean;
  /** The gateway's answer is final (paid, declined, closed): nothing left to resolve. */
  settled: boolean;
  createdAt: number;
  updatedAt: number;
  /** Business day (YYYY-MM-DD) the sale belongs to. */
  day: string;
  /** Sent to the embedded simulator (training mode), not a live gateway. Default false. */
  training?: boolean;
  /**
   * The gateway the sale went to: 'embedded-simulator' or the live base URL; null for a
   * sale journaled before this was recorded. Set when the sale is first journaled.
   */
  gateway?: string | null;
  /** The store (accId) the sale was charged to; null when not recorded. */
  accId?: string | null;
}

/** What a new sale is made of; everything else starts empty (no attempt yet). */
export type NewSaleInit = Pick<
  SaleRecord,
  'orderId' | 'terminalId' | 'amountMinor' | 'currency' | 'createdAt' | 'day'
> &
  Partial<SaleRecord>;

/** A sale before its first attempt (`awaiting-scan`), with `overrides` applied on top. */
export function newSaleRecord(init: NewSaleInit): SaleRecord {
  return {
    status: 'awaiting-scan',
    method: null,
    maskedCode: null,
    source: null,
    attempt: 0,
    requestId: null,
    transactionId: null,
    gatewayStatus: null,
    reason: null,
    reasonCode: null,
    abandoned: null,
    recovered: false,
    settled: false,
    updatedAt: init.createdAt,
    training: false,
    gateway: null,
    accId: null,
    ...init,
  };
}

export interface RefundRecord {
  /** The gateway's merchantRefundId. */
  refundId: string;
  orderId: string;
  amountMinor: number;
  currency: Currency;
  status: RefundStatus;
  reason: string | null;
  reasonCode: string | null;
  automatic: boolean;
  gatewayRefundId: string | null;
  /** How many times the refund request was sent (the same merchantRefundId each time). */
  sends: number;
  settled: boolean;
  createdAt: number;
  updatedAt: number;
  day: string;
}

export interface JournalEventInput {
  kind: string;
  /** Extra facts (never a code in clear, never a secret). */
  detail?: Record<string, unknown>;
}

export interface JournalEvent {
  seq: number;
  orderId: string;
  refundId: string | null;
  at: number;
  kind: string;
  status: string | null;
  detail: Record<string, unknown> | null;
}

export interface SaleFilter {
  day?: string;
  status?: SaleStatus;
  method?: PaymentMethod;
  /** Part of the order id, transaction id or masked code. */
  search?: string;
  limit?: number;
  /** Only training sales (true) or only live sales (false); both when absent. */
  training?: boolean;
}

export type CreateRefundResult =
  | { ok: true }
  | { ok: false; problem: 'no-sale' }
  | { ok: false; problem: 'not-paid'; sale: SaleRecord }
  | { ok: false; problem: 'exceeds-balance'; sale: SaleRecord; availableMinor: number };

export interface DaySummaryRow {
  method: string;
  currency: Currency;
  salesCount: number;
  salesMinor: number;
  refundsCount: number;
  refundsMinor: number;
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
}

export interface OpenJournalOptions {
  /** Folder of the journal (POS_DATA_DIR); created if missing. */
  dir: string;
  fileName?: string;
  /** How long a write waits for another program's lock before failing (ms). */
  busyTimeoutMs?: number;
  /** For tests of the migration runner only. */
  migrations?: readonly Migration[];
  /**
   * Path of the better-sqlite3 native addon to load (an Electron-ABI build under Electron);
   * default: the one next to the package (Node's ABI).
   */
  nativeBinding?: string;
}

type Row = Record<string, unknown>;

const SQLITE_HEADER = 'SQLite format 3\0';
const CACHE_KIB = 2048;

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function int(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

function saleFromRow(row: Row): SaleRecord {
  return {
    orderId: String(row.order_id),
    terminalId: String(row.terminal_id),
    status: String(row.status) as SaleStatus,
    amountMinor: int(row.amount_minor),
    currency: String(row.currency) as Currency,
    method: text(row.method) as PaymentMethod | null,
    maskedCode: text(row.masked_code),
    source: text(row.source),
    attempt: int(row.attempt),
    requestId: text(row.request_id),
    transactionId: text(row.transaction_id),
    gatewayStatus: text(row.gateway_status),
    reason: text(row.reason),
    reasonCode: text(row.reason_code),
    abandoned: text(row.abandoned) as AbandonCause | null,
    recovered: int(row.recovered) === 1,
    settled: int(row.settled) === 1,
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
    day: String(row.day),
    training: int(row.training) === 1,
    gateway: text(row.gateway),
    accId: text(row.acc_id),
  };
}

function refundFromRow(row: Row): RefundRecord {
  return {
    refundId: String(row.refund_id),
    orderId: String(row.order_id),
    amountMinor: int(row.amount_minor),
    currency: String(row.currency) as Currency,
    status: String(row.status) as RefundStatus,
    reason: text(row.reason),
    reasonCode: text(row.reason_code),
    automatic: int(row.automatic) === 1,
    gatewayRefundId: text(row.gateway_refund_id),
    sends: int(row.sends),
    settled: int(row.settled) === 1,
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
    day: String(row.day),
  };
}

/** Every column of an event row, in the order of the INSERT below. */
/** One row of `events`, by column: named parameters of INSERT_EVENT. */
interface EventRow {
  kind: string;
  detail: string | null;
  order_id: string;
  refund_id: string | null;
  terminal_id: string | null;
  status: string;
  amount_minor: number;
  currency: string;
  method: string | null;
  masked_code: string | null;
  source: string | null;
  attempt: number | null;
  request_id: string | null;
  transaction_id: string | null;
  gateway_status: string | null;
  reason: string | null;
  reason_code: string | null;
  abandoned: string | null;
  recovered: number | null;
  settled: number;
  automatic: number | null;
  gateway_refund_id: string | null;
  sends: number | null;
  created_at: number;
  updated_at: number;
  day: string;
  training: number | null;
  gateway: string | null;
  acc_id: string | null;
}

/** The columns nobody sets for the other kind of row (a sale's refund columns and back). */
const EMPTY_ROW = {
  refund_id: null,
  terminal_id: null,
  method: null,
  masked_code: null,
  source: null,
  attempt: null,
  request_id: null,
  transaction_id: null,
  gateway_status: null,
  abandoned: null,
  recovered: null,
  automatic: null,
  gateway_refund_id: null,
  sends: null,
  training: null,
  gateway: null,
  acc_id: null,
} as const satisfies Partial<EventRow>;

const EVENT_COLUMNS: readonly (keyof EventRow)[] = [
  'kind',
  'detail',
  'order_id',
  'refund_id',
  'terminal_id',
  'status',
  'amount_minor',
  'currency',
  'method',
  'masked_code',
  'source',
  'attempt',
  'request_id',
  'transaction_id',
  'gateway_status',
  'reason',
  'reason_code',
  'abandoned',
  'recovered',
  'settled',
  'automatic',
  'gateway_refund_id',
  'sends',
  'created_at',
  'updated_at',
  'day',
  'training',
  'gateway',
  'acc_id',
];

const INSERT_EVENT = `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map((c) => `@${c}`).join(', ')})`;

function detailText(event: JournalEventInput): string | null {
  return event.detail === undefined ? null : JSON.stringify(event.detail);
}

function saleEvent(sale: SaleRecord, event: JournalEventInput): EventRow {
  return {
    ...EMPTY_ROW,
    kind: event.kind,
    detail: detailText(event),
    order_id: sale.orderId,
    terminal_id: sale.terminalId,
    status: sale.status,
    amount_minor: sale.amountMinor,
    currency: sale.currency,
    method: sale.method,
    masked_code: sale.maskedCode,
    source: sale.source,
    attempt: sale.attempt,
    request_id: sale.requestId,
    transaction_id: sale.transactionId,
    gateway_status: sale.gatewayStatus,
    reason: sale.reason,
    reason_code: sale.reasonCode,
    abandoned: sale.abandoned,
    recovered: sale.recovered ? 1 : 0,
    settled: sale.settled ? 1 : 0,
    created_at: sale.createdAt,
    updated_at: sale.updatedAt,
    day: sale.day,
    training: sale.training ? 1 : 0,
    gateway: sale.gateway ?? null,
    acc_id: sale.accId ?? null,
  };
}

function refundEvent(refund: RefundRecord, event: JournalEventInput): EventRow {
  return {
    ...EMPTY_ROW,
    kind: event.kind,
    detail: detailText(event),
    order_id: refund.orderId,
    refund_id: refund.refundId,
    status: refund.status,
    amount_minor: refund.amountMinor,
    currency: refund.currency,
    reason: refund.reason,
    reason_code: refund.reasonCode,
    settled: refund.settled ? 1 : 0,
    automatic: refund.automatic ? 1 : 0,
    gateway_refund_id: refund.gatewayRefundId,
    sends: refund.sends,
    created_at: refund.createdAt,
    updated_at: refund.updatedAt,
    day: refund.day,
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

/** Refuses a file that exists but is not SQLite, before SQLite opens it. */
function checkHeader(file: string): void {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    return; // does not exist yet
  }
  if (size === 0) {
    throw new JournalError(
      'journal-corrupt',
      `The sales journal ${file} is empty (0 bytes): it was truncated or replaced, and the ` +
        'sales it held are not in it. It was left as it is and no new journal was made over ' +
        'it: restore it from a backup (or move it aside to start an empty journal), then ' +
        'start the terminal again.',
    );
  }
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(16);
    const read = readSync(fd, buffer, 0, 16, 0);
    if (read < 16 || buffer.toString('latin1') !== SQLITE_HEADER) {
      throw new JournalError(
        'journal-corrupt',
        `The sales journal ${file} is not a database (damaged or replaced). It was left exactly ` +
          'as it is: move it aside or restore it from a backup, then start the terminal again.',
      );
    }
  } finally {
    closeSync(fd);
  }
}

export class Journal {
  readonly file: string;
  private db: Database.Database | null;
  private stmts!: {
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
  };
  private readonly statements = new Map<string, Database.Statement>();
  private createRefundTx!: {
    immediate(refund: RefundRecord, event: JournalEventInput): CreateRefundResult;
  };
  private changeSaleTx!: {
    immediate(
      initial: SaleRecord,
      patch: Partial<SaleRecord>,
      event: JournalEventInput,
      options: ChangeSaleOptions,
    ): SaleRecord;
  };
  /** Device and inode of the file opened: a deleted or replaced journal is noticed. */
  private identity: FileIdentity | null;
  private readonly reopen: ((file: string) => Database.Database) | undefined;
  private lostReason: string | null = null;

  /** Use openJournal(). */
  constructor(db: Database.Database, file: string, reopen?: (file: string) => Database.Database) {
    this.db = db;
    this.file = file;
    this.reopen = reopen;
    this.identity = fileIdentity(file);
    this.rebind(db);
  }

  /** Prepares every statement and transaction on `db` (at open, and after a restore). */
  private rebind(db: Database.Database): void {
    this.stmts = {
      insertEvent: db.prepare(INSERT_EVENT),
      getSale: db.prepare('SELECT * FROM sales WHERE order_id = ?'),
      getRefund: db.prepare('SELECT * FROM refunds WHERE refund_id = ?'),
      refundsOf: db.prepare('SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at, rowid'),
      refundsOfMany: db.prepare(
        'SELECT * FROM refunds WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, rowid',
      ),
      unsettledSales: db.prepare(
        'SELECT * FROM sales WHERE settled = 0 ORDER BY created_at, rowid',
      ),
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
        'SELECT MAX(updated_at + COALESCE(json_extract(detail, \'$.windowMs\'), @windowMs)) AS registrable, ' +
          'MAX(updated_at + COALESCE(json_extract(detail, \'$.deadlineMs\'), @deadlineMs) + ' +
          'COALESCE(json_extract(detail, \'$.windowMs\'), @windowMs)) AS stale ' +
          'FROM events WHERE order_id = @orderId AND refund_id IS NULL ' +
          "AND kind IN ('submitted', 'new-attempt', 'resend')",
      ),
      recentlyNotSent: db.prepare(
        "SELECT * FROM sales WHERE status = 'closed' AND reason_code = 'not-sent' AND updated_at >= ? " +
          'ORDER BY updated_at',
      ),
    };
    this.changeSaleTx = db.transaction(
      (
        initial: SaleRecord,
        patch: Partial<SaleRecord>,
        event: JournalEventInput,
        options: ChangeSaleOptions,
      ): SaleRecord => {
        const row = this.stmts.getSale.get(initial.orderId) as Row | undefined;
        const current = row ? saleFromRow(row) : undefined;
        if (current && changedSince(initial, current)) {
          // Another process moved the sale after the caller read it: the caller decides
          // again from what is there now (never a change computed from a stale record).
          throw new SaleChangedError(this.file, current);
        }
        const next: SaleRecord = { ...(current ?? initial), ...patch };
        if (options.onlyInFlight) {
          for (const other of this.stmts.inFlight.all(next.orderId) as Row[]) {
            const sale = saleFromRow(other);
            const stale = options.onlyInFlight.abandonStale;
            if (stale && this.horizonOf(sale, stale.defaults).staleAfter < stale.now) {
              // Its process is gone and its customer's deadline long past: nobody waits for
              // it any more (it is still resolved in the background, and refunded if paid).
              this.stmts.insertEvent.run(
                saleEvent(
                  { ...sale, ...stale.patchFor(sale), updatedAt: next.updatedAt },
                  stale.event,
                ),
              );
              continue;
            }
            throw new SaleInFlightError(this.file, sale.orderId);
          }
        }
        const check = checkSaleTransition(current, next);
        if (!check.ok) {
          throw new JournalError(
            'sale-transition-refused',
            `Sale ${next.orderId}: ${check.reason}`,
          );
        }
        this.stmts.insertEvent.run(saleEvent(next, event));
        return next;
      },
    );
    this.createRefundTx = db.transaction(
      (refund: RefundRecord, event: JournalEventInput): CreateRefundResult => {
        const row = this.stmts.getSale.get(refund.orderId) as Row | undefined;
        if (!row) return { ok: false, problem: 'no-sale' };
        const sale = saleFromRow(row);
        if (sale.status !== 'paid') return { ok: false, problem: 'not-paid', sale };
        const availableMinor = sale.amountMinor - this.committedOf(refund.orderId);
        if (refund.amountMinor > availableMinor) {
          return { ok: false, problem: 'exceeds-balance', sale, availableMinor };
        }
        this.stmts.insertEvent.run(refundEvent(refund, event));
        return { ok: true };
      },
    );
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
      return this.changeSaleTx.immediate(initial, patch, event, options);
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
    return this.guard(() => this.horizonOf(sale, defaults));
  }

  private horizonOf(sale: SaleRecord, defaults: RequestTimes): RequestHorizon {
    const row = this.stmts.horizon.get({ orderId: sale.orderId, ...defaults }) as
      | Row
      | undefined;
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

  /** Sales closed as "did not reach the gateway" since `sinceEpochMs` (re-checked a while). */
  recentlyClosedNotSent(sinceEpochMs: number): SaleRecord[] {
    return this.guard(() =>
      (this.stmts.recentlyNotSent.all(sinceEpochMs) as Row[]).map(saleFromRow),
    );
  }

  /**
   * Why the journal cannot take new sales (its file was deleted or replaced under the
   * running terminal and could not be restored), or null when it is healthy.
   */
  get problem(): string | null {
    if (this.db && this.lostReason === null) {
      try {
        this.checkFile();
      } catch {
        // lostReason says why
      }
    }
    return this.lostReason;
  }

  /**
   * Before every write: is the file at `this.file` still the one open? If the file (or its
   * whole folder) was deleted, everything is still in the open connection: it is written
   * back to the same path (VACUUM INTO, which copies every committed row) and reopened, so
   * nothing is lost. If something else now sits there, it is left alone and the journal
   * refuses new sales (`problem`) while what is open keeps every change.
   */
  private checkFile(): void {
    this.assertOpen();
    if (this.identity === null) return;
    const now = fileIdentity(this.file);
    if (now !== null && now.dev === this.identity.dev && now.ino === this.identity.ino) {
      if (this.lostReason !== null) this.lostReason = null;
      return;
    }
    if (now === null && this.reopen) {
      try {
        this.restoreFromOpen();
        return;
      } catch (error) {
        this.lostReason =
          `The sales journal ${this.file} was deleted while the terminal was running and ` +
          `could not be written back (${error instanceof Error ? error.message : String(error)}). ` +
          'Every sale so far is kept by the running terminal: do not close it; check the data folder.';
        return;
      }
    }
    this.lostReason =
      now === null
        ? `The sales journal ${this.file} was deleted while the terminal was running. ` +
          'Every sale so far is kept by the running terminal: do not close it; call IT.'
        : `The sales journal ${this.file} was replaced by another file while the terminal was ` +
          'running. It was left as it is; the running terminal keeps every sale so far: do ' +
          'not close it; call IT.';
  }

  private restoreFromOpen(): void {
    const db = this.handle;
    const reopen = this.reopen;
    if (!reopen) throw new Error('cannot reopen');
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.restore-${process.pid}`;
    rmSync(temp, { force: true });
    db.prepare('VACUUM INTO ?').run(temp);
    try {
      linkSync(temp, this.file); // never over a file that appeared meanwhile
    } finally {
      rmSync(temp, { force: true });
    }
    const fresh = reopen(this.file);
    this.db = fresh;
    this.statements.clear();
    try {
      db.close();
    } catch {
      // the old connection's files are gone; nothing to flush
    }
    this.rebind(fresh);
    this.identity = fileIdentity(this.file);
    this.lostReason = null;
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
      return this.createRefundTx.immediate(refund, event);
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
    return this.guard(() => this.committedOf(orderId));
  }

  private committedOf(orderId: string): number {
    return int((this.stmts.committedRefunds.get(orderId) as Row | undefined)?.total ?? 0);
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
 * Brings the schema up to date. The version is read and every pending migration applied in
 * ONE exclusive transaction, so two processes opening the same folder at once cannot both
 * see an old version and both run a migration ("table sales already exists"); a crash in
 * the middle leaves the previous version intact.
 */
function migrate(db: Database.Database, file: string, migrations: readonly Migration[]): void {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const tooNew = (current: number): JournalError =>
    new JournalError(
      'journal-too-new',
      `The sales journal ${file} was written by a newer version of the terminal (schema ` +
        `${current}, this version knows ${latest}). Update the terminal; the journal was not changed.`,
    );
  const peek = Number(db.pragma('user_version', { simple: true }));
  if (peek > latest) throw tooNew(peek);
  if (peek === latest) return;
  db.transaction(() => {
    const current = Number(db.pragma('user_version', { simple: true }));
    if (current > latest) throw tooNew(current);
    const pending = [...migrations]
      .filter((m) => m.version > current)
      .sort((a, b) => a.version - b.version);
    for (const migration of pending) {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
  }).exclusive();
}

interface FileIdentity {
  dev: number;
  ino: number;
}

function fileIdentity(file: string): FileIdentity | null {
  try {
    const stat = statSync(file);
    return { dev: stat.dev, ino: stat.ino };
  } catch {
    return null;
  }
}

function connect(file: string, options: OpenJournalOptions): Database.Database {
  return new Database(file, {
    timeout: options.busyTimeoutMs ?? 2000,
    ...(options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding } : {}),
  });
}

/** WAL, fsync on every commit, foreign keys, a bounded page cache. */
function configure(db: Database.Database, file: string): void {
  const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
  if (mode.toLowerCase() !== 'wal') {
    throw new JournalError(
      'journal-unwritable',
      `The sales journal ${file} cannot use write-ahead logging (mode ${mode}).`,
    );
  }
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // better-sqlite3 defaults to a 16 MB page cache; a till's working set is far smaller,
  // and a bounded cache keeps the terminal's memory flat as the journal grows.
  db.pragma(`cache_size = -${CACHE_KIB}`);
}

/**
 * A new journal is built beside its final name and linked into place in one step: a journal
 * file that exists is therefore never empty, and an empty one (0 bytes: truncated by a disk
 * fault or a tool) is refused rather than mistaken for a new journal. Two processes creating
 * it at once: the first link wins and the other opens that one.
 */
function createJournalFile(file: string, options: OpenJournalOptions): void {
  const temp = `${file}.new-${process.pid}-${Date.now().toString(36)}`;
  let db: Database.Database | null = null;
  try {
    db = connect(temp, options);
    db.pragma('synchronous = FULL');
    migrate(db, file, options.migrations ?? MIGRATIONS);
    db.close();
    db = null;
    try {
      linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } finally {
    try {
      db?.close();
    } catch {
      // already failing
    }
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(temp + suffix, { force: true });
  }
}

/**
 * Opens (creating if needed) the journal in `dir`, upgrades its schema, checks it.
 * Throws JournalError: corrupt or empty (left untouched), locked, too new, unwritable.
 */
export function openJournal(options: OpenJournalOptions): Journal {
  const file = path.join(options.dir, options.fileName ?? JOURNAL_FILE);
  try {
    mkdirSync(options.dir, { recursive: true });
    checkHeader(file);
    if (!existsSync(file)) createJournalFile(file, options);
  } catch (error) {
    throw toJournalError(error, file);
  }
  let db: Database.Database | null = null;
  try {
    db = connect(file, options);
    configure(db, file);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      throw new JournalError(
        'journal-corrupt',
        `The sales journal ${file} failed its integrity check (${String(check)}). It was left ` +
          'as it is: restore it from a backup or move it aside, then start the terminal again.',
      );
    }
    migrate(db, file, options.migrations ?? MIGRATIONS);
    return new Journal(db, file, (again) => {
      const fresh = connect(again, options);
      configure(fresh, again);
      return fresh;
    });
  } catch (error) {
    try {
      db?.close();
    } catch {
      // already failing; the first error is the one to report
    }
    throw toJournalError(error, file);
  }
}

export { JournalError, LATEST_VERSION };
