/**
 * The sales journal on its own: durable transitions, versioned schema, and the clear errors
 * a store gets for a damaged, locked, too new or unwritable journal — never silent data loss.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  JOURNAL_FILE,
  JournalError,
  newSaleRecord,
  openJournal,
  type Journal,
  type RefundRecord,
  type SaleRecord,
} from '../../../electron/journal/journal.ts';
import { SalePreconditionError } from '../../../electron/journal/errors.ts';
import { LATEST_VERSION, MIGRATIONS } from '../../../electron/journal/migrations.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';

const dirs: string[] = [];
const open: Journal[] = [];

function dir(): string {
  const d = tempDataDir();
  dirs.push(d);
  return d;
}

function journalIn(d: string, options: Partial<Parameters<typeof openJournal>[0]> = {}): Journal {
  const j = openJournal({ dir: d, ...options });
  open.push(j);
  return j;
}

afterEach(() => {
  while (open.length) open.pop()?.close();
  while (dirs.length) removeDir(dirs.pop() as string);
});

let seq = 0;
function sale(overrides: Partial<SaleRecord> = {}): SaleRecord {
  seq += 1;
  return newSaleRecord({
    orderId: `T-${seq}`,
    terminalId: 'T',
    status: 'submitting',
    amountMinor: 1000,
    currency: 'CNY',
    method: 'Wechat-Offline',
    maskedCode: '134567********1234',
    source: 'wedge',
    attempt: 1,
    requestId: `T-${seq}-A1`,
    createdAt: 1_700_000_000_000 + seq,
    updatedAt: 1_700_000_000_000 + seq,
    day: '2024-05-01',
    training: false,
    gateway: 'https://gw.example',
    accId: '2018092714313010016291',
    ...overrides,
  });
}

function refund(orderId: string, amountMinor: number, n = 1): RefundRecord {
  return {
    refundId: `${orderId}-R${n}`,
    orderId,
    amountMinor,
    currency: 'CNY',
    status: 'submitting',
    reason: null,
    reasonCode: null,
    automatic: false,
    gatewayRefundId: null,
    sends: 1,
    settled: false,
    createdAt: 1_700_000_100_000 + n,
    updatedAt: 1_700_000_100_000 + n,
    day: '2024-05-01',
  };
}

function errorOf(work: () => unknown): JournalError | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof JournalError) return error;
    throw error;
  }
  return undefined;
}

describe('durable transitions', () => {
  it('a fresh journal is WAL, at the latest schema version, and keeps every transition across a reopen', () => {
    const d = dir();
    const j = openJournal({ dir: d });
    expect(j.schemaVersion()).toBe(LATEST_VERSION);
    const s = sale();
    j.saveSale(s, { kind: 'submitted', detail: { attempt: 1 } });
    j.saveSale(
      { ...s, status: 'waiting-for-customer', updatedAt: s.updatedAt + 5 },
      { kind: 'answer' },
    );
    j.saveSale(
      { ...s, status: 'paid', settled: true, updatedAt: s.updatedAt + 9 },
      { kind: 'resolved' },
    );
    j.close();

    const raw = new Database(path.join(d, JOURNAL_FILE), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();

    const again = journalIn(d);
    expect(again.sale(s.orderId)).toEqual({
      ...s,
      status: 'paid',
      settled: true,
      updatedAt: s.updatedAt + 9,
    });
    expect(again.events(s.orderId).map((e) => [e.kind, e.status])).toEqual([
      ['submitted', 'submitting'],
      ['answer', 'waiting-for-customer'],
      ['resolved', 'paid'],
    ]);
    expect(again.events(s.orderId)[0]?.detail).toEqual({ attempt: 1 });
    expect(again.unsettledSales()).toEqual([]);
  });

  it('lists unsettled sales oldest first, and filters the history', () => {
    const j = journalIn(dir());
    const a = sale({ method: 'AlipayHK-Offline', currency: 'HKD' });
    const b = sale({ status: 'paid', settled: true, transactionId: '2024TXN99' });
    const c = sale({ day: '2024-05-02' });
    for (const s of [a, b, c]) j.saveSale(s, { kind: 'submitted' });
    expect(j.unsettledSales().map((s) => s.orderId)).toEqual([a.orderId, c.orderId]);
    expect(j.listSales().map((s) => s.orderId)).toEqual([c.orderId, b.orderId, a.orderId]);
    expect(j.listSales({ day: '2024-05-01' }).map((s) => s.orderId)).toEqual([
      b.orderId,
      a.orderId,
    ]);
    expect(j.listSales({ status: 'paid' }).map((s) => s.orderId)).toEqual([b.orderId]);
    expect(j.listSales({ method: 'AlipayHK-Offline' }).map((s) => s.orderId)).toEqual([a.orderId]);
    expect(j.listSales({ search: 'TXN99' }).map((s) => s.orderId)).toEqual([b.orderId]);
    expect(j.listSales({ search: 't-', limit: 2 })).toHaveLength(2);
  });
});

describe('refund bookkeeping', () => {
  it('refuses a refund of an unpaid sale and any refund beyond the paid balance', () => {
    const j = journalIn(dir());
    const pending = sale();
    j.saveSale(pending, { kind: 'submitted' });
    expect(j.createRefund(refund(pending.orderId, 100), { kind: 'refund' })).toMatchObject({
      ok: false,
      problem: 'not-paid',
    });
    expect(j.createRefund(refund('NOPE', 100), { kind: 'refund' })).toEqual({
      ok: false,
      problem: 'no-sale',
    });

    const paid = sale({ status: 'paid', settled: true, amountMinor: 1000 });
    j.saveSale(paid, { kind: 'resolved' });
    expect(j.createRefund(refund(paid.orderId, 600, 1), { kind: 'refund' })).toEqual({ ok: true });
    expect(j.createRefund(refund(paid.orderId, 401, 2), { kind: 'refund' })).toMatchObject({
      ok: false,
      problem: 'exceeds-balance',
      availableMinor: 400,
    });
    // A declined refund gives its amount back to the balance.
    j.saveRefund(
      { ...refund(paid.orderId, 600, 1), status: 'declined', settled: true },
      { kind: 'x' },
    );
    expect(j.createRefund(refund(paid.orderId, 1000, 2), { kind: 'refund' })).toEqual({ ok: true });
    expect(j.refundsOf(paid.orderId).map((r) => [r.refundId, r.status])).toEqual([
      [`${paid.orderId}-R1`, 'declined'],
      [`${paid.orderId}-R2`, 'submitting'],
    ]);
    expect(j.unsettledRefunds().map((r) => r.refundId)).toEqual([`${paid.orderId}-R2`]);
  });

  it('sums the day per method and currency: paid sales and completed refunds', () => {
    const j = journalIn(dir());
    const w1 = sale({ status: 'paid', settled: true, amountMinor: 1000 });
    const w2 = sale({ status: 'paid', settled: true, amountMinor: 250 });
    const hk = sale({
      status: 'paid',
      settled: true,
      amountMinor: 900,
      method: 'AlipayHK-Offline',
      currency: 'HKD',
    });
    const declined = sale({ status: 'declined', settled: true, amountMinor: 777 });
    for (const s of [w1, w2, hk, declined]) j.saveSale(s, { kind: 'resolved' });
    j.createRefund(refund(w1.orderId, 300), { kind: 'refund' });
    j.saveRefund(
      { ...refund(w1.orderId, 300), status: 'refunded', settled: true },
      { kind: 'done' },
    );
    j.createRefund(refund(w2.orderId, 50), { kind: 'refund' }); // still pending: not counted
    expect(j.daySummary('2024-05-01')).toEqual([
      {
        method: 'AlipayHK-Offline',
        currency: 'HKD',
        salesCount: 1,
        salesMinor: 900,
        refundsCount: 0,
        refundsMinor: 0,
      },
      {
        method: 'Wechat-Offline',
        currency: 'CNY',
        salesCount: 2,
        salesMinor: 1250,
        refundsCount: 1,
        refundsMinor: 300,
      },
    ]);
  });
});

describe('a journal the terminal cannot use is reported, never replaced', () => {
  it('a file that is not a database: journal-corrupt, and the file is left byte for byte', () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    const garbage = 'receipt printer paper roll\n'.repeat(300);
    writeFileSync(file, garbage);
    const error = errorOf(() => openJournal({ dir: d }));
    expect(error?.code).toBe('journal-corrupt');
    expect(error?.message).toContain(file);
    expect(error?.message).toMatch(/left exactly as it is/);
    expect(readFileSync(file, 'utf8')).toBe(garbage);
  });

  it('a database with a damaged page: journal-corrupt, file untouched', () => {
    const d = dir();
    const j = openJournal({ dir: d });
    for (let i = 0; i < 200; i += 1)
      j.saveSale(sale({ reason: 'x'.repeat(200) }), { kind: 'submitted' });
    j.close();
    const file = path.join(d, JOURNAL_FILE);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(8 * 4096);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * 3);
    closeSync(fd);
    const damaged = readFileSync(file);
    const error = errorOf(() => openJournal({ dir: d }));
    expect(error?.code).toBe('journal-corrupt');
    expect(readFileSync(file).equals(damaged)).toBe(true);
  });

  it('a journal held by another program: journal-locked with a clear message, nothing half-written', () => {
    const d = dir();
    const j = journalIn(d, { busyTimeoutMs: 50 });
    const s = sale();
    j.saveSale(s, { kind: 'submitted' });
    const other = new Database(path.join(d, JOURNAL_FILE));
    other.exec('BEGIN EXCLUSIVE');
    try {
      const error = errorOf(() =>
        j.saveSale({ ...s, status: 'paid', settled: true }, { kind: 'resolved' }),
      );
      expect(error?.code).toBe('journal-locked');
      expect(error?.message).toMatch(/in use by another program/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(j.sale(s.orderId)?.status).toBe('submitting');
    expect(j.events(s.orderId)).toHaveLength(1);
  });

  it('a journal written by a newer version is refused and left unchanged', () => {
    const d = dir();
    openJournal({ dir: d }).close();
    const raw = new Database(path.join(d, JOURNAL_FILE));
    raw.pragma(`user_version = ${LATEST_VERSION + 5}`);
    raw.close();
    const error = errorOf(() => openJournal({ dir: d }));
    expect(error?.code).toBe('journal-too-new');
    const check = new Database(path.join(d, JOURNAL_FILE), { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 5);
    check.close();
  });

  it('a data folder that cannot be created: journal-unwritable', () => {
    const d = dir();
    const blocker = path.join(d, 'not-a-folder');
    writeFileSync(blocker, 'x');
    expect(errorOf(() => openJournal({ dir: path.join(blocker, 'data') }))?.code).toBe(
      'journal-unwritable',
    );
  });
});

describe('schema migrations', () => {
  it('a failing migration is rolled back whole: the old version and its data stay', () => {
    const d = dir();
    const j = openJournal({ dir: d });
    const s = sale();
    j.saveSale(s, { kind: 'submitted' });
    j.close();
    const broken = [
      ...MIGRATIONS,
      {
        version: LATEST_VERSION + 1,
        description: 'adds a column, then fails',
        sql: 'ALTER TABLE sales ADD COLUMN note TEXT; THIS IS NOT SQL;',
      },
    ];
    expect(errorOf(() => openJournal({ dir: d, migrations: broken }))).toBeInstanceOf(JournalError);
    const after = journalIn(d);
    expect(after.schemaVersion()).toBe(LATEST_VERSION);
    expect(after.sale(s.orderId)).toEqual(s);
    after.close();

    const fixed = [
      ...MIGRATIONS,
      {
        version: LATEST_VERSION + 1,
        description: 'adds a column',
        sql: 'ALTER TABLE sales ADD COLUMN note TEXT;',
      },
    ];
    const upgraded = journalIn(d, { migrations: fixed });
    expect(upgraded.schemaVersion()).toBe(LATEST_VERSION + 1);
    expect(upgraded.sale(s.orderId)).toEqual(s);
  });
});

describe('training and live sales in one journal', () => {
  it('a version-1 journal is upgraded: its sales stay, of unknown gateway; new sales keep theirs', () => {
    const d = dir();
    const old = sale();
    // A journal, and a sale, as version 1 of the terminal wrote them (no gateway columns).
    const raw = new Database(path.join(d, JOURNAL_FILE));
    raw.pragma('journal_mode = WAL');
    raw.exec((MIGRATIONS.find((m) => m.version === 1) as { sql: string }).sql);
    raw.pragma('user_version = 1');
    raw
      .prepare(
        'INSERT INTO events (kind, order_id, terminal_id, status, amount_minor, currency, method, ' +
          'attempt, request_id, recovered, settled, created_at, updated_at, day) ' +
          "VALUES ('submitted', ?, 'T', 'submitting', 1000, 'CNY', 'Wechat-Offline', 1, ?, 0, 0, ?, ?, ?)",
      )
      .run(old.orderId, old.requestId, old.createdAt, old.updatedAt, old.day);
    raw.close();

    const j = journalIn(d);
    expect(j.schemaVersion()).toBe(LATEST_VERSION);
    expect(j.sale(old.orderId)).toMatchObject({
      orderId: old.orderId,
      status: 'submitting',
      training: false,
      gateway: null,
      accId: null,
    });
    const drill = sale({ training: true, gateway: 'embedded-simulator' });
    j.saveSale(drill, { kind: 'submitted' });
    // A later transition cannot move a sale to another gateway.
    j.saveSale(
      { ...drill, status: 'paid', settled: true, training: false, gateway: 'https://other' },
      { kind: 'resolved' },
    );
    expect(j.sale(drill.orderId)).toMatchObject({
      status: 'paid',
      training: true,
      gateway: 'embedded-simulator',
    });
  });

  it('history, the day summary and the day export can be limited to training or live sales', () => {
    const j = journalIn(dir());
    const live = sale({ status: 'paid', settled: true, amountMinor: 1000 });
    const drill = sale({
      status: 'paid',
      settled: true,
      amountMinor: 777,
      training: true,
      gateway: 'embedded-simulator',
    });
    for (const s of [live, drill]) j.saveSale(s, { kind: 'resolved' });
    expect(j.createRefund(refund(drill.orderId, 100), { kind: 'refund-submitted' })).toEqual({
      ok: true,
    });
    j.saveRefund(
      { ...refund(drill.orderId, 100), status: 'refunded', settled: true },
      { kind: 'refund-resolved' },
    );

    expect(j.listSales({ training: false }).map((s) => s.orderId)).toEqual([live.orderId]);
    expect(j.listSales({ training: true }).map((s) => s.orderId)).toEqual([drill.orderId]);
    expect(
      j
        .listSales()
        .map((s) => s.orderId)
        .sort(),
    ).toEqual([live.orderId, drill.orderId].sort());
    expect(j.daySummary('2024-05-01', false)).toEqual([
      expect.objectContaining({ salesMinor: 1000, refundsMinor: 0 }),
    ]);
    expect(j.daySummary('2024-05-01', true)).toEqual([
      expect.objectContaining({ salesMinor: 777, refundsMinor: 100 }),
    ]);
    expect(j.salesOfDay('2024-05-01', true).map((s) => s.orderId)).toEqual([drill.orderId]);
    expect(j.refundsOfDay(refund(drill.orderId, 100).day, false)).toEqual([]);
  });
});

describe('a change checked by the caller inside the write transaction', () => {
  it('refused by the check: nothing journaled, the check’s own error given back; passed: journaled', () => {
    const j = journalIn(dir());
    const rec = sale({ status: 'awaiting-scan' });
    const refusal = new Error('not due until 2027-01-02');
    let thrown: unknown;
    try {
      j.changeSale(
        rec,
        { status: 'submitting' },
        { kind: 'submitted' },
        {
          onlyInFlight: {},
          precondition: () => {
            throw refusal;
          },
        },
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SalePreconditionError);
    expect((thrown as SalePreconditionError).refusal).toBe(refusal);
    expect(j.sale(rec.orderId)).toBeUndefined();
    let checked = 0;
    j.changeSale(
      rec,
      { status: 'submitting' },
      { kind: 'submitted' },
      {
        precondition: () => {
          checked += 1;
        },
      },
    );
    expect(checked).toBe(1);
    expect(j.sale(rec.orderId)?.status).toBe('submitting');
  });
});
