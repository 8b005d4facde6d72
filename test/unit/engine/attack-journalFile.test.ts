/**
 * Attacks on the journal's file rules (docs/ARCHITECTURE.md, "The journal's file"): the
 * journal deleted in ways the first tests did not try (only the main file, leaving its -wal
 * and -shm; another process opening the folder before the running terminal writes again; two
 * processes holding it), an empty journal beside a left-over WAL, and upgrading an old
 * journal from several processes at once with the default busy timeout.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
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

const dirs: string[] = [];
const opened: Journal[] = [];

function dir(): string {
  const d = tempDataDir();
  dirs.push(d);
  return d;
}

function open(d: string): Journal {
  const j = openJournal({ dir: d });
  opened.push(j);
  return j;
}

afterEach(() => {
  while (opened.length) {
    try {
      opened.pop()?.close();
    } catch {
      // already closed, or its file is gone
    }
  }
  while (dirs.length) removeDir(dirs.pop() as string);
});

let seq = 0;
function submitted(): SaleRecord {
  seq += 1;
  return newSaleRecord({
    orderId: `ATK-${seq}`,
    terminalId: 'ATK',
    status: 'submitting',
    amountMinor: 1000 + seq,
    currency: 'CNY',
    method: 'Wechat-Offline',
    attempt: 1,
    requestId: `ATK-${seq}-A1`,
    createdAt: 1_700_000_000_000 + seq,
    day: '2024-05-01',
  });
}

const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Every sale id found on disk in the folder: in the journal and in any other SQLite file
 * beside it (a restored or set-aside copy counts: the sales are on disk, not lost).
 */
function salesOnDisk(d: string): Set<string> {
  const found = new Set<string>();
  if (!existsSync(d)) return found;
  for (const name of readdirSync(d)) {
    if (name.endsWith('-wal') || name.endsWith('-shm') || name.endsWith('-journal')) continue;
    const file = path.join(d, name);
    if (!statSync(file).isFile() || statSync(file).size < 16) continue;
    if (readFileSync(file).subarray(0, 16).toString('latin1') !== SQLITE_HEADER) continue;
    let db: Database.Database | null = null;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
      for (const row of db.prepare('SELECT order_id FROM sales').all() as {
        order_id: string;
      }[]) {
        found.add(row.order_id);
      }
    } catch {
      // damaged or not a journal: it holds nothing readable
    } finally {
      db?.close();
    }
  }
  return found;
}

describe('only journal.sqlite deleted under the running terminal (its -wal and -shm left)', () => {
  it('the write-back leaves a journal that opens, with every sale', () => {
    const d = dir();
    const j = open(d);
    const before = Array.from({ length: 20 }, () => submitted());
    for (const rec of before) j.saveSale(rec, { kind: 'submitted' });
    expect(readdirSync(d)).toEqual(
      expect.arrayContaining([JOURNAL_FILE, `${JOURNAL_FILE}-wal`, `${JOURNAL_FILE}-shm`]),
    );
    rmSync(path.join(d, JOURNAL_FILE)); // e.g. a clean-up tool deleting *.sqlite
    const after = submitted();
    j.saveSale(after, { kind: 'submitted' });
    expect.soft(j.problem).toBeNull();
    j.close();
    let reopened: Journal | null = null;
    let error: unknown = null;
    try {
      reopened = open(d);
    } catch (e) {
      error = e;
    }
    expect(error, 'the journal written back does not open').toBeNull();
    for (const rec of [...before, after]) {
      expect(reopened?.sale(rec.orderId)?.amountMinor).toBe(rec.amountMinor);
    }
  });
});

describe('deleted, and another process opens the folder before the terminal writes again', () => {
  it("the running terminal's sales still reach the disk (not only its open connection)", () => {
    const d = dir();
    const j = open(d);
    const inFlight = submitted();
    j.saveSale(inFlight, { kind: 'submitted' });
    rmSync(d, { recursive: true, force: true });
    // `pospay history` (or a second app) starts now: it finds no journal and makes one.
    const other = open(d);
    expect(other.listSales()).toEqual([]);
    // The running terminal journals the answer of its sale in flight.
    j.saveSale({ ...inFlight, status: 'paid', settled: true }, { kind: 'resolved' });
    expect(j.problem).not.toBeNull(); // it does say something is wrong…
    // …but is anything of its sales on disk, where the next start can find them?
    expect(salesOnDisk(d).has(inFlight.orderId), 'the sale exists only in memory').toBe(true);
  });
});

describe('deleted under two processes that both have it open', () => {
  it("after one writes it back, the other's next change reaches the disk too", () => {
    const d = dir();
    const app = open(d);
    const cli = open(d); // a second process (pospay) on the same data folder
    const first = submitted();
    app.saveSale(first, { kind: 'submitted' });
    rmSync(d, { recursive: true, force: true });
    const second = submitted();
    cli.saveSale(second, { kind: 'submitted' }); // cli notices first and writes it back
    expect(cli.problem).toBeNull();
    // The app journals the answer of its own sale.
    app.saveSale({ ...first, status: 'paid', settled: true }, { kind: 'resolved' });
    expect.soft(app.problem, 'the app now refuses every new sale').toBeNull();
    app.close();
    cli.close();
    const again = open(d);
    expect(again.sale(second.orderId)?.status).toBe('submitting');
    expect(again.sale(first.orderId)?.status, "the app's answer was lost").toBe('paid');
  });
});

describe('an empty journal (pins)', () => {
  it('beside a left-over -wal is still refused and left as it is', () => {
    const d = dir();
    const file = path.join(d, JOURNAL_FILE);
    writeFileSync(file, '');
    writeFileSync(`${file}-wal`, Buffer.alloc(4096, 7));
    for (let i = 0; i < 3; i += 1) {
      let error: unknown = null;
      try {
        open(d);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(JournalError);
      expect((error as JournalError).code).toBe('journal-corrupt');
    }
    expect(statSync(file).size).toBe(0);
    expect(readdirSync(d).filter((n) => n.startsWith(`${JOURNAL_FILE}.new`))).toEqual([]);
  });
});

/** Runs `count` processes that open the journal in `d` at the same moment (default options). */
function openConcurrently(d: string, count: number): Promise<string[]> {
  const script = `
    const { openJournal } = await import(${JSON.stringify(JOURNAL_MODULE)});
    const start = Number(process.argv[1]);
    while (Date.now() < start) {}
    try {
      const j = openJournal({ dir: ${JSON.stringify(d)} });
      process.stdout.write('ok ' + j.schemaVersion());
      j.close();
    } catch (e) {
      process.stdout.write('error ' + e.message);
    }`;
  const start = Date.now() + 2000;
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

describe('a fresh data folder opened by several processes at once (pins)', () => {
  it('with the default busy timeout (what pospay and the app use), every one opens it', async () => {
    for (let round = 0; round < 2; round += 1) {
      const results = await openConcurrently(dir(), 4);
      expect(results).toEqual(Array.from({ length: 4 }, () => `ok ${LATEST_VERSION}`));
    }
  }, 90_000);
});

describe('an old journal upgraded by several processes at once (pins)', () => {
  it('with the default busy timeout, every process opens it at the latest schema, sales kept', async () => {
    for (let round = 0; round < 2; round += 1) {
      const d = dir();
      // A journal as version 1 of the terminal left it (schema 1, one sale).
      const rec = submitted();
      const raw = new Database(path.join(d, JOURNAL_FILE));
      raw.pragma('journal_mode = WAL');
      raw.exec(MIGRATIONS.find((m) => m.version === 1)?.sql ?? '');
      raw.pragma('user_version = 1');
      raw
        .prepare(
          'INSERT INTO events (kind, order_id, terminal_id, status, amount_minor, currency, ' +
            'attempt, recovered, settled, created_at, updated_at, day) ' +
            'VALUES (?, ?, ?, ?, ?, ?, 1, 0, 0, ?, ?, ?)',
        )
        .run('submitted', rec.orderId, 'ATK', 'submitting', rec.amountMinor, 'CNY', 1, 1, 'x');
      raw.close();
      const results = await openConcurrently(d, 4);
      expect(results).toEqual(Array.from({ length: 4 }, () => `ok ${LATEST_VERSION}`));
      const j = open(d);
      expect(j.sale(rec.orderId)?.amountMinor).toBe(rec.amountMinor);
    }
  }, 90_000);
});
