/**
 * The journal's file under attack: emptied, deleted or replaced under a running terminal,
 * and created by two processes at once. Nothing is ever lost silently.
 */
import { spawn, spawnSync } from 'node:child_process';
import type * as fs from 'node:fs';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  JOURNAL_FILE,
  JournalError,
  newSaleRecord,
  openJournal,
  type Journal,
  type SaleRecord,
} from '../../../electron/journal/journal.ts';
import { LATEST_VERSION, MIGRATIONS } from '../../../electron/journal/migrations.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';

const JOURNAL_MODULE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../electron/journal/journal.ts',
);

/** link() as on other file systems (this file only; off unless a test sets it). */
const platform = vi.hoisted(() => ({ linkError: null as string | null }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const linkSync = ((existing: fs.PathLike, target: fs.PathLike) => {
    if (platform.linkError !== null) {
      throw Object.assign(new Error(`${platform.linkError}: link '${String(existing)}'`), {
        code: platform.linkError,
      });
    }
    real.linkSync(existing, target);
  }) as typeof real.linkSync;
  return { ...real, default: { ...real, linkSync }, linkSync };
});

const dirs: string[] = [];
const opened: Journal[] = [];

function dir(): string {
  const d = tempDataDir();
  dirs.push(d);
  return d;
}

afterEach(() => {
  platform.linkError = null;
  while (opened.length) {
    try {
      opened.pop()?.close();
    } catch {
      // already closed
    }
  }
  while (dirs.length) removeDir(dirs.pop() as string);
});

let seq = 0;
function submitted(): SaleRecord {
  seq += 1;
  return newSaleRecord({
    orderId: `F-${seq}`,
    terminalId: 'F',
    status: 'submitting',
    amountMinor: 1000 + seq,
    currency: 'CNY',
    method: 'Wechat-Offline',
    attempt: 1,
    requestId: `F-${seq}-A1`,
    createdAt: 1_700_000_000_000 + seq,
    day: '2024-05-01',
  });
}

describe('an empty journal file', () => {
  it('is refused as damaged and left as it is, never replaced by a fresh journal', () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    writeFileSync(file, '');
    let error: unknown;
    try {
      openJournal({ dir: d });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JournalError);
    expect((error as JournalError).code).toBe('journal-corrupt');
    expect((error as Error).message).toMatch(/is empty \(0 bytes\)/);
    expect(statSync(file).size).toBe(0);
  });

  it('a new journal is never left empty: it is complete the moment it appears', () => {
    const d = dir();
    const j = openJournal({ dir: d });
    opened.push(j);
    expect(statSync(path.join(d, JOURNAL_FILE)).size).toBeGreaterThan(0);
    expect(j.schemaVersion()).toBe(LATEST_VERSION);
    // Nothing of the build is left beside it.
    expect(readdirNames(d).filter((n) => n.startsWith(`${JOURNAL_FILE}.new`))).toEqual([]);
  });
});

function readdirNames(d: string): string[] {
  return existsSync(d) ? readdirSync(d) : [];
}

describe('the journal deleted or replaced under a running terminal', () => {
  it('the whole data folder deleted: the next write puts every sale back, and a restart finds them', () => {
    const d = dir();
    const j = openJournal({ dir: d });
    opened.push(j);
    const first = submitted();
    j.saveSale(first, { kind: 'submitted' });
    rmSync(d, { recursive: true, force: true });
    const second = submitted();
    j.saveSale(second, { kind: 'submitted' });
    expect(j.problem).toBeNull();
    expect(existsSync(path.join(d, JOURNAL_FILE))).toBe(true);
    const third = submitted();
    j.saveSale(third, { kind: 'submitted' });
    j.close();
    const again = openJournal({ dir: d });
    opened.push(again);
    for (const rec of [first, second, third]) {
      expect(again.sale(rec.orderId)?.amountMinor).toBe(rec.amountMinor);
    }
  });

  it('another file put in its place: left alone, new sales refused with a reason, nothing lost', () => {
    const d = dir();
    const j = openJournal({ dir: d });
    opened.push(j);
    const first = submitted();
    j.saveSale(first, { kind: 'submitted' });
    const file = path.join(d, JOURNAL_FILE);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    writeFileSync(file, 'somebody else’s file');
    expect(j.problem).toMatch(/was replaced by another file while the terminal was running/);
    // What is open still takes the in-flight sale's answer (kept until it can be written).
    j.saveSale({ ...first, status: 'paid', settled: true }, { kind: 'resolved' });
    expect(j.sale(first.orderId)?.status).toBe('paid');
    expect(readFileSync(file, 'utf8')).toBe('somebody else’s file');
  });
});

/** Runs `count` processes that each open the journal in `d` at the same moment. */
function openConcurrently(d: string, count: number): Promise<string[]> {
  const script = `
    const { openJournal } = await import(${JSON.stringify(JOURNAL_MODULE)});
    const start = Number(process.argv[1]);
    while (Date.now() < start) {}
    try {
      const j = openJournal({ dir: ${JSON.stringify(d)}, busyTimeoutMs: 5000 });
      process.stdout.write('ok ' + j.schemaVersion());
      j.close();
    } catch (e) {
      process.stdout.write('error ' + e.message);
    }`;
  const start = Date.now() + 1500;
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<string>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', '--input-type=module', '-e', script, String(start)],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          let out = '';
          child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
          child.on('error', reject);
          child.on('close', () => resolve(out));
        }),
    ),
  );
}

describe('two processes opening a fresh data folder at once', () => {
  it('both open the same journal at the latest schema: no "table already exists"', async () => {
    for (let round = 0; round < 3; round += 1) {
      const d = dir();
      const results = await openConcurrently(d, 4);
      expect(results).toEqual(Array.from({ length: 4 }, () => `ok ${LATEST_VERSION}`));
    }
  }, 60_000);
});

function open(d: string): Journal {
  const j = openJournal({ dir: d });
  opened.push(j);
  return j;
}

/** Reads a journal file on its own (read-only): its sales' statuses and its journal_id. */
function readJournal(file: string): { statuses: Map<string, string>; id: string | null } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const statuses = new Map<string, string>();
    for (const row of db.prepare('SELECT order_id, status FROM sales').all() as {
      order_id: string;
      status: string;
    }[]) {
      statuses.set(row.order_id, row.status);
    }
    const id = db.prepare("SELECT value FROM meta WHERE key = 'journal_id'").pluck().get();
    return { statuses, id: typeof id === 'string' ? id : null };
  } finally {
    db.close();
  }
}

/** The side file the problem names (`journal.sqlite.kept-<pid>-<ms>`). */
function keptFileIn(problem: string | null): string {
  const match = /(\S+\.kept-\d+-\d+(?:-\d+)?)/.exec(problem ?? '');
  expect(match, `no side file named in: ${String(problem)}`).not.toBeNull();
  return (match as RegExpExecArray)[1] as string;
}

/** An event written straight into a journal file's connection (no file check, as a third process). */
function rawEvent(db: Database.Database, rec: SaleRecord, status: string): void {
  db.prepare(
    'INSERT INTO events (kind, order_id, terminal_id, status, amount_minor, currency, method, ' +
      'attempt, request_id, recovered, settled, created_at, updated_at, day) ' +
      "VALUES ('raw', ?, ?, ?, ?, ?, ?, 1, ?, 0, 0, ?, ?, ?)",
  ).run(
    rec.orderId,
    rec.terminalId,
    status,
    rec.amountMinor,
    rec.currency,
    rec.method,
    rec.requestId,
    rec.createdAt,
    rec.createdAt + 5,
    rec.day,
  );
}

describe("the journal's identity (schema 3)", () => {
  it('a new journal gets a random journal_id; an old one gets one when upgraded', () => {
    const a = dir();
    const b = dir();
    open(a).close();
    open(b).close();
    const idA = readJournal(path.join(a, JOURNAL_FILE)).id;
    expect(idA).toMatch(/^[0-9a-f]{32}$/);
    expect(readJournal(path.join(b, JOURNAL_FILE)).id).not.toBe(idA);
    const c = dir();
    const raw = new Database(path.join(c, JOURNAL_FILE));
    raw.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.filter((x) => x.version <= 2)) raw.exec(m.sql);
    raw.pragma('user_version = 2');
    raw.close();
    open(c).close();
    expect(readJournal(path.join(c, JOURNAL_FILE)).id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('only journal.sqlite deleted (its -wal and -shm left at the path)', () => {
  it('the stale -wal/-shm are renamed aside, the journal is written back whole and sound', () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    const j = open(d);
    const id = readJournal(file).id;
    const before = Array.from({ length: 10 }, () => submitted());
    for (const rec of before) j.saveSale(rec, { kind: 'submitted' });
    rmSync(file);
    const after = submitted();
    j.saveSale(after, { kind: 'submitted' });
    expect(j.problem).toBeNull();
    const names = readdirSync(d);
    expect(names.filter((n) => /^journal\.sqlite-(wal|shm)\.stale-\d+-\d+$/.test(n))).toHaveLength(
      2,
    );
    expect(names.filter((n) => n.includes('.restore-') || n.includes('.kept-'))).toEqual([]);
    // Still written to the same path after the write-back (no false alarm on the new file).
    const later = submitted();
    j.saveSale(later, { kind: 'submitted' });
    expect(j.problem).toBeNull();
    j.close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    const { statuses, id: idAfter } = readJournal(file);
    expect(idAfter).toBe(id);
    for (const rec of [...before, after, later])
      expect(statuses.get(rec.orderId)).toBe('submitting');
  });
});

describe('deleted, and another process made a new journal there first', () => {
  it('that journal is left alone; everything goes to a side file named in problem, and stays', () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    const j = open(d);
    const inFlight = submitted();
    j.saveSale(inFlight, { kind: 'submitted' });
    rmSync(d, { recursive: true, force: true });
    open(d).close(); // e.g. `pospay history`: an empty journal of its own
    const newId = readJournal(file).id;
    j.saveSale({ ...inFlight, status: 'paid', settled: true }, { kind: 'resolved' });
    const problem = j.problem;
    expect(problem).toMatch(/was replaced by another file while the terminal was running/);
    expect(problem).toMatch(/new sales are refused/);
    const kept = keptFileIn(problem);
    expect(path.dirname(kept)).toBe(d);
    expect(readJournal(kept).statuses.get(inFlight.orderId)).toBe('paid');
    // Later changes of what is in flight reach the side file too; the problem stays.
    const refund = {
      refundId: `${inFlight.orderId}-R1`,
      orderId: inFlight.orderId,
      amountMinor: 100,
      currency: inFlight.currency,
      status: 'pending' as const,
      reason: null,
      reasonCode: null,
      automatic: false,
      gatewayRefundId: null,
      sends: 1,
      settled: false,
      createdAt: inFlight.createdAt + 10,
      updatedAt: inFlight.createdAt + 10,
      day: inFlight.day,
    };
    expect(j.createRefund(refund, { kind: 'refund-requested' })).toEqual({ ok: true });
    expect(j.problem).toBe(problem);
    j.close();
    const again = readJournal(kept);
    expect(again.statuses.get(inFlight.orderId)).toBe('paid');
    const db = new Database(kept, { readonly: true });
    expect(
      db.prepare('SELECT status FROM refunds WHERE refund_id = ?').pluck().get(refund.refundId),
    ).toBe('pending');
    db.close();
    // The other process's journal is exactly as it made it.
    const theirs = readJournal(file);
    expect(theirs.id).toBe(newId);
    expect(theirs.statuses.size).toBe(0);
  });
});

describe('deleted under two processes that both had it open', () => {
  it('the one that finds it written back adds the events it has that the file lacks', () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    const app = open(d);
    const cli = open(d);
    // A third writer on the same file (its writes reach the app's connection, not the cli's
    // copy); like any process using the journal, it has read it (its -wal is open).
    const third = new Database(file);
    third.prepare('SELECT COUNT(*) FROM events').get();
    const first = submitted();
    app.saveSale(first, { kind: 'submitted' });
    rmSync(d, { recursive: true, force: true });
    const second = submitted();
    cli.saveSale(second, { kind: 'submitted' }); // writes it back
    const late = submitted();
    rawEvent(third, late, 'submitting'); // lands only in the deleted file
    third.close();
    expect(app.sale(late.orderId)?.status).toBe('submitting');
    app.saveSale({ ...first, status: 'paid', settled: true }, { kind: 'resolved' });
    expect(app.problem).toBeNull();
    expect(readdirSync(d).filter((n) => n.includes('.kept-'))).toEqual([]);
    // Both go on writing the same file.
    const fourth = submitted();
    cli.saveSale(fourth, { kind: 'submitted' });
    expect(app.sale(fourth.orderId)?.status).toBe('submitting');
    expect(cli.sale(late.orderId)?.status).toBe('submitting');
    app.close();
    cli.close();
    const { statuses } = readJournal(file);
    expect(statuses.get(first.orderId)).toBe('paid');
    expect(statuses.get(second.orderId)).toBe('submitting');
    expect(statuses.get(late.orderId)).toBe('submitting');
    expect(statuses.get(fourth.orderId)).toBe('submitting');
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(5);
    db.close();
  });

  it('both changed the same sale: not merged; this side goes to a side file named in problem', () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    const app = open(d);
    const cli = open(d);
    const third = new Database(file);
    third.prepare('SELECT COUNT(*) FROM events').get();
    const sale = submitted();
    app.saveSale(sale, { kind: 'submitted' });
    rmSync(d, { recursive: true, force: true });
    cli.saveSale({ ...sale, status: 'declined', settled: true }, { kind: 'resolved' });
    rawEvent(third, sale, 'unknown'); // the deleted file's own history of the sale
    third.close();
    const other = submitted();
    app.saveSale(other, { kind: 'submitted' });
    const problem = app.problem;
    expect(problem).toMatch(/changing the same sales \(F-\d+\)/);
    const kept = keptFileIn(problem);
    app.close();
    cli.close();
    const ours = readJournal(kept);
    expect(ours.statuses.get(sale.orderId)).toBe('unknown');
    expect(ours.statuses.get(other.orderId)).toBe('submitting');
    const theirs = readJournal(file);
    expect(theirs.statuses.get(sale.orderId)).toBe('declined');
    expect(theirs.statuses.has(other.orderId)).toBe(false);
    expect(ours.id).toBe(theirs.id);
  });
});

describe('an older copy of the journal put back at its path (a backup restored)', () => {
  it('is this journal: what it lacks is added, and the terminal goes on there', () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    const j = open(d);
    const early = submitted();
    j.saveSale(early, { kind: 'submitted' });
    const backup = path.join(d, 'backup.sqlite');
    const reader = new Database(file, { readonly: true });
    reader.prepare('VACUUM INTO ?').run(backup);
    reader.close();
    const late = submitted();
    j.saveSale(late, { kind: 'submitted' });
    renameSync(backup, file); // its -wal/-shm at the path are still the running terminal's
    const next = submitted();
    j.saveSale(next, { kind: 'submitted' });
    expect(j.problem).toBeNull();
    expect(readdirSync(d).filter((n) => n.includes('.stale-'))).toHaveLength(2);
    j.close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    const { statuses } = readJournal(file);
    expect([...statuses.keys()].sort()).toEqual([early, late, next].map((r) => r.orderId).sort());
  });
});

describe('a data folder without hard links (link() fails with EPERM)', () => {
  it('a new journal is copied into place, nothing of the build left', () => {
    platform.linkError = 'EPERM';
    const d = dir();
    const j = open(d);
    j.saveSale(submitted(), { kind: 'submitted' });
    expect(readdirSync(d).filter((n) => n.includes('.new-') || n.includes('.placing'))).toEqual([]);
  });

  it('a deleted journal is still written back', () => {
    const d = dir();
    const j = open(d);
    const first = submitted();
    j.saveSale(first, { kind: 'submitted' });
    platform.linkError = 'EPERM';
    rmSync(d, { recursive: true, force: true });
    const second = submitted();
    j.saveSale(second, { kind: 'submitted' });
    expect(j.problem).toBeNull();
    j.close();
    const { statuses } = readJournal(path.join(d, JOURNAL_FILE));
    expect(statuses.has(first.orderId) && statuses.has(second.orderId)).toBe(true);
    expect(readdirSync(d).filter((n) => n.includes('.restore-') || n.includes('.placing'))).toEqual(
      [],
    );
  });
});

describe('the write-back fails (the copy cannot be put at the path)', () => {
  it('the copy itself becomes the live journal, named in problem; later changes reach it', () => {
    const d = dir();
    const j = open(d);
    const sale = submitted();
    j.saveSale(sale, { kind: 'submitted' });
    platform.linkError = 'EIO';
    rmSync(d, { recursive: true, force: true });
    j.saveSale({ ...sale, status: 'paid', settled: true }, { kind: 'resolved' });
    const problem = j.problem;
    expect(problem).toMatch(/could not be written back \(EIO/);
    const kept = keptFileIn(problem);
    expect(existsSync(path.join(d, JOURNAL_FILE))).toBe(false);
    j.saveSale({ ...sale, status: 'paid', settled: true, recovered: true }, { kind: 'again' });
    j.close();
    expect(readJournal(kept).statuses.get(sale.orderId)).toBe('paid');
    const db = new Database(kept, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(3);
    db.close();
  });
});

describe('a journal being copied into place by another process (no hard links)', () => {
  it('is waited for, not refused as empty', async () => {
    const source = dir();
    open(source).close();
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    writeFileSync(file, ''); // the other process's copy has just begun
    const marker = `${file}.placing`; // its lock
    writeFileSync(marker, '');
    const child = spawn(
      process.execPath,
      [
        '-e',
        `setTimeout(() => { const fs = require('node:fs'); fs.copyFileSync(${JSON.stringify(
          path.join(source, JOURNAL_FILE),
        )}, ${JSON.stringify(file)}); fs.rmSync(${JSON.stringify(marker)}); }, 300);`,
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      const j = openJournal({ dir: d, busyTimeoutMs: 10_000 });
      opened.push(j);
      expect(j.schemaVersion()).toBe(LATEST_VERSION);
    } finally {
      await exited;
    }
  }, 20_000);

  it('an empty journal with a marker left behind is still refused once the wait is over', () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    writeFileSync(file, '');
    writeFileSync(`${file}.placing`, ''); // left by a process that died
    let error: unknown = null;
    try {
      opened.push(openJournal({ dir: d, busyTimeoutMs: 200 }));
    } catch (e) {
      error = e;
    }
    expect((error as JournalError).code).toBe('journal-corrupt');
    expect(statSync(file).size).toBe(0);
  });
});

describe('another journal renamed over the running one (its -wal/-shm left at the path)', () => {
  it("that journal is not read with the running terminal's -wal: left whole, this one aside", () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    const j = open(d);
    const ours = Array.from({ length: 5 }, () => submitted());
    for (const rec of ours) j.saveSale(rec, { kind: 'submitted' });
    const elsewhere = dir();
    const other = open(elsewhere);
    const theirs = submitted();
    other.saveSale(theirs, { kind: 'submitted' });
    other.close();
    renameSync(path.join(elsewhere, JOURNAL_FILE), file);
    const last = submitted();
    j.saveSale(last, { kind: 'submitted' });
    const kept = keptFileIn(j.problem);
    expect(j.problem).toMatch(/was replaced by another file/);
    j.close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
    expect([...readJournal(file).statuses.keys()]).toEqual([theirs.orderId]);
    expect([...readJournal(kept).statuses.keys()].sort()).toEqual(
      [...ours, last].map((r) => r.orderId).sort(),
    );
  });
});

describe('a new journal where a deleted one left its -wal and -shm', () => {
  it('they are renamed aside, not read as the new journal’s own', () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    // A terminal whose journal.sqlite was deleted while it ran, killed before it wrote again.
    const script = `
      const { openJournal, newSaleRecord } = await import(${JSON.stringify(JOURNAL_MODULE)});
      const fs = await import('node:fs');
      const j = openJournal({ dir: ${JSON.stringify(d)} });
      for (let i = 0; i < 20; i += 1) {
        j.saveSale(newSaleRecord({ orderId: 'K-' + i, terminalId: 'K', amountMinor: 100 + i,
          currency: 'CNY', createdAt: 1, day: '2024-05-01' }), { kind: 'started' });
      }
      fs.rmSync(${JSON.stringify(file)});
      process.kill(process.pid, 'SIGKILL');`;
    const run = spawnSync(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ]);
    expect(run.signal).toBe('SIGKILL');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}-wal`)).toBe(true);
    const j = open(d);
    expect(j.listSales()).toEqual([]);
    j.saveSale(submitted(), { kind: 'submitted' });
    expect(readdirSync(d).filter((n) => /^journal\.sqlite-wal\.stale-/.test(n))).toHaveLength(1);
  }, 20_000);
});
