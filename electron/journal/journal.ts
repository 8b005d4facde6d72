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
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RefundStatus, SaleStatus } from '../../shared/sale.ts';
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
export type { RefundStatus };

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
  /** Device and inode of the file open (`live`): a deleted or replaced journal is noticed. */
  private identity: FileIdentity | null;
  /** The file the connection is on: `file`, or the side file the journal moved to. */
  private live: string;
  /** The journal moved to a side file (its path holds another file): `problem` stays set. */
  private aside = false;
  /** meta.journal_id: a copy of this journal has it, another journal another one. */
  private journalId: string | null;
  /** Identities of the open file's -wal and -shm (stable while a connection is open). */
  private sidecars: (FileIdentity | null)[];
  private readonly files: JournalFiles | undefined;
  private lostReason: string | null = null;

  /** Use openJournal(). */
  constructor(db: Database.Database, file: string, files?: JournalFiles) {
    this.db = db;
    this.file = file;
    this.live = file;
    this.files = files;
    this.identity = fileIdentity(file);
    this.journalId = journalIdOf(db);
    this.sidecars = sidecarIdentities(file);
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
    const row = this.stmts.horizon.get({ orderId: sale.orderId, ...defaults }) as Row | undefined;
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
   * Why the journal cannot take new sales, or null when it is healthy: its file was replaced
   * under the running terminal (the message names the side file that now holds everything
   * this terminal has, where its sales in flight keep being journaled), or it was deleted or
   * replaced and what is open could not be written to disk at all.
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
   * Before every write: is the file at its path still the one open (one stat on the healthy
   * path)? If not, `fileChanged` makes sure everything the open connection holds is on disk:
   *   - deleted (even with its folder): written back to its path, reopened, nothing lost;
   *   - another file there that is this journal (same journal_id: written back by another
   *     process, a backup put back): the events this connection has and it lacks are added
   *     to it and the journal continues there, unless both changed the same sale;
   *   - anything else (another journal, a foreign or empty file), or that conflict: the file
   *     there is left alone, everything open is written to a side file beside it
   *     (`journal.sqlite.kept-<pid>-<ms>`) that becomes the live journal, and new sales are
   *     refused (`problem` names the side file).
   */
  private checkFile(): void {
    this.assertOpen();
    if (this.identity === null) return;
    const now = fileIdentity(this.live);
    if (now !== null && now.dev === this.identity.dev && now.ino === this.identity.ino) {
      if (this.lostReason !== null && !this.aside) this.lostReason = null;
      return;
    }
    this.fileChanged(now === null);
  }

  private fileChanged(deleted: boolean): void {
    const files = this.files;
    if (!files) {
      this.lostReason = deleted
        ? `The sales journal ${this.live} was deleted while the terminal was running. ` +
          'Every sale so far is kept by the running terminal: do not close it; call IT.'
        : `The sales journal ${this.live} was replaced by another file while the terminal was ` +
          'running. It was left as it is; the running terminal keeps every sale so far: do ' +
          'not close it; call IT.';
      return;
    }
    try {
      if (deleted) this.restoreFromOpen(files);
      else this.takeOver(files);
    } catch (error) {
      this.lostReason =
        `The sales journal ${this.live} was ${deleted ? 'deleted' : 'replaced by another file'} ` +
        `while the terminal was running and what the terminal holds could not be written to ` +
        `disk (${messageOf(error)}). Every sale so far is kept by the running terminal only: ` +
        'do not close it; check the data folder and call IT.';
    }
  }

  /**
   * The file was deleted: everything the open connection sees goes to a file of its own
   * (VACUUM INTO copies every committed row), the deleted file's -wal/-shm still at the path
   * are renamed aside (a new file must not read them as its own: "malformed"), the copy is
   * put at the path (never over a file that appeared meanwhile) and opened. The old
   * connection is closed only once the new one is open, so a failure loses nothing: the copy
   * then becomes the live journal under a side name.
   */
  private restoreFromOpen(files: JournalFiles): void {
    const target = this.live;
    mkdirSync(path.dirname(target), { recursive: true });
    const temp = sideName(target, 'restore');
    try {
      this.handle.prepare('VACUUM INTO ?').run(temp);
      fsyncPath(temp);
    } catch (error) {
      removeDbFiles(temp);
      throw error;
    }
    let placed: Placement | null = null;
    let opened: Opened;
    try {
      placed = placeJournal(temp, target, files.waitMs);
      opened = this.openAt(files, target, placed === 'link' ? fileIdentity(temp) : null);
    } catch (error) {
      if (placed === null && (error as NodeJS.ErrnoException).code === 'EEXIST') {
        // Another process put a file there first (wrote it back, or made a journal).
        removeDbFiles(temp);
        this.takeOver(files);
        return;
      }
      this.continueAside(
        files,
        temp,
        placed === 'link',
        `The sales journal ${target} was deleted while the terminal was running and could ` +
          `not be written back (${messageOf(error)}).`,
      );
      return;
    }
    removeDbFiles(temp); // linked: the journal keeps its own name; copied: a spare copy
    this.adopt(opened, target);
    if (!this.aside) this.lostReason = null;
  }

  /** Another file is at the path: this journal (merge into it) or not (move aside). */
  private takeOver(files: JournalFiles): void {
    const target = this.live;
    waitForPlacement(target, files.waitMs);
    // Renamed over the journal, the new file has no -wal/-shm of its own at the path: the
    // ones there are this connection's, which SQLite would read (and checkpoint) as the new
    // file's. They are renamed aside; this connection keeps using them.
    SIDECARS.forEach((suffix, i) => {
      const mine = this.sidecars[i];
      const there = fileIdentity(target + suffix);
      if (mine && there && sameFile(mine, there)) renameAside(target + suffix);
    });
    const theirs = this.journalId === null ? null : readJournalId(files, target);
    if (theirs === null || theirs !== this.journalId) {
      this.setAside(
        files,
        `The sales journal ${target} was replaced by another file while the terminal was ` +
          'running. It was left as it is.',
      );
      return;
    }
    this.mergeInto(files, target, (error) =>
      error instanceof MergeConflict
        ? `The sales journal ${target} was written back by another program while this ` +
          `terminal was changing the same sales (${error.orderIds.join(', ')}). It was left ` +
          'as the other program made it.'
        : `The sales journal ${target} was written back by another program, and this ` +
          `terminal's changes could not be added to it (${messageOf(error)}). It was left as ` +
          'the other program made it.',
    );
  }

  /**
   * The file at `target` is this journal (the same journal_id), e.g. written back by another
   * process that had it open too. Everything this connection has is first written to a side
   * file (VACUUM INTO); then, in ONE write transaction on the file at the path, every event
   * of that copy the file lacks (compared on every column but seq, duplicates counted) is
   * appended — without seq, so nothing collides with what the other process appends, and the
   * triggers bring `sales`/`refunds` up to date. Refused (MergeConflict) when the file also
   * has events this connection lacks for one of those sales: two diverging histories of one
   * sale are not merged silently. Merged: the journal continues on that file and the side
   * file is removed; refused or failed: the side file becomes the live journal.
   */
  private mergeInto(files: JournalFiles, target: string, why: (error: unknown) => string): void {
    const before = fileIdentity(target);
    if (before === null) throw new Error(`${target} disappeared`);
    const kept = this.snapshot(`The sales journal ${target} was written back by another program.`);
    if (kept === null) return;
    let opened: Opened | null = null;
    try {
      opened = this.openAt(files, target, before);
      const db = opened.db;
      db.prepare('ATTACH DATABASE ? AS ours').run(kept);
      try {
        db.transaction(() => this.copyMissingEvents(db)).immediate();
      } finally {
        db.prepare('DETACH DATABASE ours').run();
      }
    } catch (error) {
      closeQuietly(opened?.db);
      this.moveAside(files, kept, why(error));
      return;
    }
    this.adopt(opened, target);
    removeDbFiles(kept);
    if (!this.aside) this.lostReason = null;
  }

  /** Appends to `main` the events of `ours` it lacks (see mergeInto), in their order. */
  private copyMissingEvents(db: Database.Database): void {
    const id: unknown = db
      .prepare("SELECT value FROM main.meta WHERE key = 'journal_id'")
      .pluck()
      .get();
    if (id !== this.journalId) throw new Error('it is another journal');
    const version = (schema: string): number =>
      Number(db.pragma(`${schema}.user_version`, { simple: true }));
    if (version('main') !== version('ours')) {
      throw new Error(`it is at schema ${version('main')}, this terminal at ${version('ours')}`);
    }
    const columnsOf = (schema: string): string[] =>
      (db.pragma(`${schema}.table_info(events)`) as { name: string }[])
        .map((c) => c.name)
        .filter((name) => name !== 'seq');
    const columns = columnsOf('ours');
    if ([...columns].sort().join() !== columnsOf('main').sort().join()) {
      throw new Error('its events have other columns');
    }
    const list = columns.map((c) => `"${c}"`).join(', ');
    // Rows of `from` beyond as many identical rows as `to` has (the n-th copy of a row
    // counts only if `to` has fewer than n).
    const surplus = (from: string, to: string, select: string): string =>
      `WITH other AS (SELECT json_array(${list}) AS k, COUNT(*) AS c FROM ${to}.events GROUP BY k), ` +
      `keyed AS (SELECT seq, json_array(${list}) AS k FROM ${from}.events), ` +
      'numbered AS (SELECT seq, k, row_number() OVER (PARTITION BY k ORDER BY seq) AS n FROM keyed) ' +
      `SELECT ${select} FROM numbered JOIN ${from}.events e ON e.seq = numbered.seq ` +
      'LEFT JOIN other ON other.k = numbered.k WHERE numbered.n > COALESCE(other.c, 0) ' +
      'ORDER BY numbered.seq';
    const missing = db.prepare(surplus('ours', 'main', 'e.*')).all() as Row[];
    if (missing.length === 0) return;
    const theirs = new Set(
      db
        .prepare(surplus('main', 'ours', 'e.order_id'))
        .pluck()
        .all() as string[],
    );
    const clash = [...new Set(missing.map((row) => String(row.order_id)))].filter((orderId) =>
      theirs.has(orderId),
    );
    if (clash.length > 0) throw new MergeConflict(clash);
    const insert = db.prepare(
      `INSERT INTO main.events (${list}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    for (const row of missing) insert.run(columns.map((c) => row[c]));
  }

  /**
   * Everything the open connection sees, written to a new side file beside the journal;
   * null (and `problem` says so) when even that fails.
   */
  private snapshot(why: string): string | null {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const kept = sideName(this.file, 'kept');
    try {
      this.handle.prepare('VACUUM INTO ?').run(kept);
      fsyncPath(kept);
      return kept;
    } catch (error) {
      removeDbFiles(kept);
      this.lostReason =
        `${why} What the terminal holds could not be written to a side file ` +
        `(${messageOf(error)}): it is kept by the running terminal only. Do not close it; ` +
        'check the data folder and call IT.';
      return null;
    }
  }

  /** Everything open goes to a new side file, which becomes the live journal. */
  private setAside(files: JournalFiles, why: string): void {
    const kept = this.snapshot(why);
    if (kept !== null) this.moveAside(files, kept, why);
  }

  /** `temp`, a complete copy of what is open, becomes the live journal under a side name. */
  private continueAside(files: JournalFiles, temp: string, linked: boolean, why: string): void {
    const kept = sideName(this.file, 'kept');
    if (linked) {
      // Also at the journal's path, where other processes may open it: a file of its own.
      copyExclusive(temp, kept);
      removeDbFiles(temp);
    } else {
      renameSync(temp, kept);
    }
    this.moveAside(files, kept, why);
  }

  private moveAside(files: JournalFiles, kept: string, why: string): void {
    let opened: Opened;
    try {
      opened = this.openAt(files, kept, null);
    } catch (error) {
      this.lostReason =
        `${why} Everything the terminal held was written to ${kept}, but that file could not ` +
        `be opened (${messageOf(error)}): later changes are kept by the running terminal ` +
        'only. Do not close it; call IT.';
      return;
    }
    this.adopt(opened, kept);
    this.aside = true;
    this.lostReason =
      `${why} Everything this terminal holds was written to ${kept}, and its sales in flight ` +
      'keep being journaled there; new sales are refused. Keep that file and call IT: it ' +
      `holds sales that may not be in ${path.basename(this.file)}.`;
  }

  /** Opens `file` read-write and checks it is the file expected (identity before and after). */
  private openAt(files: JournalFiles, file: string, expected: FileIdentity | null): Opened {
    const before = fileIdentity(file);
    if (before === null || (expected !== null && !sameFile(before, expected))) {
      throw new Error(`${file} changed while it was being opened`);
    }
    const db = files.open(file);
    const identity = fileIdentity(file);
    if (identity === null || !sameFile(before, identity)) {
      closeQuietly(db);
      throw new Error(`${file} changed while it was being opened`);
    }
    return { db, identity };
  }

  /** Continues on `opened` (at `live`); the old connection is closed only now. */
  private adopt(opened: Opened, live: string): void {
    const old = this.db;
    try {
      this.rebind(opened.db);
    } catch (error) {
      closeQuietly(opened.db); // this.stmts is still bound to the old connection
      throw error;
    }
    this.db = opened.db;
    this.statements.clear();
    this.live = live;
    this.identity = opened.identity;
    this.journalId = journalIdOf(opened.db) ?? this.journalId;
    this.sidecars = sidecarIdentities(live);
    closeQuietly(old);
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

/** Device and inode, as bigints: NTFS file ids are 64-bit, a plain number loses low bits. */
interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

function fileIdentity(file: string): FileIdentity | null {
  try {
    const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
    return stat ? { dev: stat.dev, ino: stat.ino } : null;
  } catch {
    return null;
  }
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** How the journal's files are opened again (a write-back, a side file, a look at another). */
interface JournalFiles {
  /** Read-write, WAL, configured; the file must exist. Closed again if it fails. */
  open(file: string): Database.Database;
  /** Read-only; the file must exist. */
  inspect(file: string): Database.Database;
  /** How long to wait for another process's copy in progress (ms). */
  waitMs: number;
}

interface Opened {
  db: Database.Database;
  identity: FileIdentity;
}

type Placement = 'link' | 'copy';

/** Two histories of the same sales: not merged, kept apart. */
class MergeConflict extends Error {
  constructor(readonly orderIds: string[]) {
    super(`both changed ${orderIds.join(', ')}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function closeQuietly(db: Database.Database | null | undefined): void {
  try {
    db?.close();
  } catch {
    // already failing, or its files are gone
  }
}

/** meta.journal_id of an open journal; null before schema 3 (or when unreadable). */
function journalIdOf(db: Database.Database): string | null {
  try {
    const id: unknown = db.prepare("SELECT value FROM meta WHERE key = 'journal_id'").pluck().get();
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** meta.journal_id of the file at `file`, opened read-only; null if it is not a journal. */
function readJournalId(files: JournalFiles, file: string): string | null {
  let db: Database.Database | null = null;
  try {
    db = files.inspect(file);
    return journalIdOf(db);
  } catch {
    return null;
  } finally {
    closeQuietly(db);
  }
}

/** `<file>.<kind>-<pid>-<epoch ms>`, beside `file`, not taken yet. */
function sideName(file: string, kind: string): string {
  const base = `${file}.${kind}-${process.pid}-${Date.now()}`;
  let name = base;
  for (let n = 1; existsSync(name); n += 1) name = `${base}-${n}`;
  return name;
}

function removeDbFiles(file: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}

function fsyncPath(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a new name in `dir` durable where the platform allows it (not on Windows). */
function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported here
  }
}

const SIDECARS = ['-wal', '-shm'] as const;

function sidecarIdentities(file: string): (FileIdentity | null)[] {
  return SIDECARS.map((suffix) => fileIdentity(file + suffix));
}

/** `<file>.stale-<pid>-<ms>`: kept (it may hold what a process still has open), out of the way. */
function renameAside(file: string): void {
  renameSync(file, sideName(file, 'stale'));
}

/**
 * The -wal, -shm (and rollback -journal) of a deleted journal still at its path: SQLite would
 * read them as a new file's own ("database disk image is malformed"). Closing a connection to
 * a deleted file does not remove them (SQLite skips the checkpoint of a file unlinked or
 * moved), and another process may still be using them through its open descriptors.
 */
function staleSidecars(file: string): string[] {
  return [...SIDECARS, '-journal'].map((suffix) => file + suffix).filter((f) => existsSync(f));
}

/** link() errors of a file system without hard links (FAT/exFAT, some shares; EISDIR: Windows). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EISDIR', 'ENOSYS']);
/** A lock left by a process that died while placing a file is broken after this long. */
const PLACING_STALE_MS = 60_000;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function placingLock(file: string): string {
  return `${file}.placing`;
}

/** Takes `<file>.placing` (created exclusively); null if another process holds it past `waitMs`. */
function lockPlacement(file: string, waitMs: number): string | null {
  const lock = placingLock(file);
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = statSync(lock, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs > PLACING_STALE_MS) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() >= until) return null;
    Atomics.wait(SLEEPER, 0, 0, 10);
  }
}

/**
 * Puts the complete file `temp` at `file` (a new journal, or one written back), never over a
 * file there (throws EEXIST). Under `<file>.placing`, taken exclusively, so that two
 * processes doing it at once cannot take each other's fresh -wal for a stale one, and so that
 * readers wait for a copy in progress rather than take it for a damaged journal
 * (`waitForPlacement`). Only while nothing is at `file` are the -wal/-shm/-journal found
 * there renamed aside. A hard link puts it there in one step; without hard links it is
 * copied into a file created exclusively. `temp` stays.
 */
function placeJournal(temp: string, file: string, waitMs: number): Placement {
  const lock = lockPlacement(file, waitMs);
  try {
    if (existsSync(file)) {
      throw Object.assign(new Error(`EEXIST: file already exists, '${file}'`), { code: 'EEXIST' });
    }
    const stale = staleSidecars(file);
    if (stale.length > 0) {
      if (lock === null) {
        throw new Error(
          `${placingLock(file)} is held by another program, and ${stale.join(', ')} ` +
            'must be moved aside first',
        );
      }
      for (const f of stale) renameAside(f);
    }
    return placeFile(temp, file);
  } finally {
    if (lock !== null) rmSync(lock, { force: true });
  }
}

function placeFile(temp: string, file: string): Placement {
  try {
    linkSync(temp, file);
    fsyncDir(path.dirname(file));
    return 'link';
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  copyExclusive(temp, file);
  return 'copy';
}

/** Copies `from` into a new file `to` (EEXIST if there is one), fsync'd; no partial copy left. */
function copyExclusive(from: string, to: string): void {
  const out = openSync(to, 'wx');
  let complete = false;
  try {
    const input = openSync(from, 'r');
    try {
      const buffer = Buffer.allocUnsafe(1 << 20);
      let position = 0;
      for (;;) {
        const read = readSync(input, buffer, 0, buffer.length, position);
        if (read === 0) break;
        let written = 0;
        while (written < read) {
          written += writeSync(out, buffer, written, read - written, position + written);
        }
        position += read;
      }
    } finally {
      closeSync(input);
    }
    fsyncSync(out);
    complete = true;
  } finally {
    closeSync(out);
    if (!complete) rmSync(to, { force: true }); // our own partial copy, never a journal
  }
  fsyncDir(path.dirname(to));
}

function placementInProgress(file: string): boolean {
  return existsSync(placingLock(file));
}

/** Waits (at most `timeoutMs`) while another process puts a file at `file`. */
function waitForPlacement(file: string, timeoutMs: number): void {
  const until = Date.now() + timeoutMs;
  while (placementInProgress(file) && Date.now() < until) Atomics.wait(SLEEPER, 0, 0, 10);
}

/** checkHeader, after waiting for a copy in progress to `file` if it looks empty or damaged. */
function checkPlacedHeader(file: string, waitMs: number): void {
  try {
    checkHeader(file);
  } catch (error) {
    if (!(error instanceof JournalError) || !placementInProgress(file)) throw error;
    waitForPlacement(file, waitMs);
    checkHeader(file);
  }
}

/** `create`: makes the file if missing; otherwise it must exist (never an empty file made). */
function connect(
  file: string,
  options: OpenJournalOptions,
  mode: 'create' | 'existing' | 'readonly' = 'existing',
): Database.Database {
  return new Database(file, {
    timeout: options.busyTimeoutMs ?? 2000,
    ...(mode === 'create' ? {} : { fileMustExist: true }),
    ...(mode === 'readonly' ? { readonly: true } : {}),
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
 * it at once: the first link wins and the other opens that one. Without hard links it is
 * copied into a file created exclusively (`placeJournal`): the first still wins, and the
 * others wait for its copy to complete before they read it.
 */
function createJournalFile(file: string, options: OpenJournalOptions): void {
  const temp = `${file}.new-${process.pid}-${Date.now().toString(36)}`;
  let db: Database.Database | null = null;
  try {
    db = connect(temp, options, 'create');
    db.pragma('synchronous = FULL');
    migrate(db, file, options.migrations ?? MIGRATIONS);
    db.close();
    db = null;
    try {
      placeJournal(temp, file, options.busyTimeoutMs ?? 2000);
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
    if (!existsSync(file)) createJournalFile(file, options);
    checkPlacedHeader(file, options.busyTimeoutMs ?? 2000);
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
    return new Journal(db, file, {
      open: (again) => {
        const fresh = connect(again, options);
        try {
          configure(fresh, again);
        } catch (error) {
          closeQuietly(fresh);
          throw error;
        }
        return fresh;
      },
      inspect: (again) => connect(again, options, 'readonly'),
      waitMs: options.busyTimeoutMs ?? 2000,
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
