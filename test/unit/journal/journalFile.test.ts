/**
 * The journal's file under attack: emptied, deleted or replaced under a running terminal,
 * and created by two processes at once. Nothing is ever lost silently.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  JOURNAL_FILE,
  JournalError,
  newSaleRecord,
  openJournal,
  type Journal,
  type SaleRecord,
} from '../../../electron/journal/journal.ts';
import { LATEST_VERSION } from '../../../electron/journal/migrations.ts';
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

afterEach(() => {
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
