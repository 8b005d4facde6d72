/**
 * Attacks on "every path of `pospay pay` ends with exactly one JSON outcome line and the
 * exit code (0 paid, 1 not paid, 3 unknown)": real `pospay` processes against the stand-in
 * gateway (test/support/hostileGateway.ts) — Ctrl-C while the first request is at the
 * gateway, a scanner that never scans, the journal held by another program when the answer
 * or the deadline comes, the gateway down, two `pospay pay` at once on one data folder.
 */
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE, newSaleRecord, openJournal } from '../../../electron/journal/journal.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';
import {
  HOSTILE_STORE,
  startHostileGateway,
  type HostileGateway,
} from '../../support/hostileGateway.ts';
import { startPospay, type PospayChild, type PospayRun } from '../../support/pospayCli.ts';
import { wechatCode } from '../../support/simulator.ts';
import { startSocatPair, stopAllSocat } from '../../support/socatPair.ts';

let dataDir: string;
let gateway: HostileGateway | undefined;
const children: PospayChild[] = [];

beforeEach(() => {
  dataDir = tempDataDir();
});

afterEach(async () => {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await c.done.catch(() => undefined);
  }
  children.length = 0;
  await stopAllSocat();
  await gateway?.close();
  gateway = undefined;
  removeDir(dataDir);
});

function envFor(baseUrl: string) {
  return {
    POS_DATA_DIR: dataDir,
    POS_GATEWAY_URL: baseUrl,
    POS_ACC_ID: HOSTILE_STORE.accId,
    POS_SALT: HOSTILE_STORE.salt,
  };
}

function pay(extra: string[], env: Record<string, string>): PospayChild {
  const child = startPospay(['pay', '--amount', '10.00', '--currency', 'CNY', ...extra], env);
  children.push(child);
  return child;
}

/** The run, or a failure naming what it printed when it does not end within `ms`. */
async function endsWithin(child: PospayChild, ms: number): Promise<PospayRun> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const result = await Promise.race([child.done, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    child.child.kill('SIGKILL');
    const run = await child.done;
    throw new Error(`pospay pay did not end within ${ms} ms; stderr:\n${run.stderr}`);
  }
  return result;
}

/** The JSON lines on stdout. */
function jsonLines(run: PospayRun): Record<string, unknown>[] {
  return run.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Another program holds the journal's write lock for `ms` (a stuck tool, a slow disk). */
function holdJournalLock(ms: number): Promise<void> {
  const file = path.join(dataDir, JOURNAL_FILE);
  if (!existsSync(file)) throw new Error('no journal yet');
  const db = new Database(file, { timeout: 5000 });
  db.exec('BEGIN IMMEDIATE');
  return new Promise((resolve) => {
    setTimeout(() => {
      db.exec('COMMIT');
      db.close();
      resolve();
    }, ms);
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Ctrl-C', () => {
  it('while the first request is at the gateway: one JSON line, exit 3 (it may have been charged)', async () => {
    gateway = await startHostileGateway({ answerAfterMs: null });
    const child = pay(['--code', wechatCode()], envFor(gateway.baseUrl));
    await until(() => gateway?.payRequests() === 1);
    child.child.kill('SIGINT');
    const run = await endsWithin(child, 30_000);
    expect(run.signal, `killed by ${String(run.signal)}, printed nothing`).toBeNull();
    expect(jsonLines(run)).toHaveLength(1);
    expect(run.code).toBe(3);
  }, 45_000);

  it('while waiting for the scan: one JSON line, exit 1 (nothing was charged)', async () => {
    gateway = await startHostileGateway();
    const scanner = await startSocatPair(); // plugged in, nobody scans
    const child = pay(
      ['--scanner', `serial:${scanner.a}`, '--deadline', '30'],
      envFor(gateway.baseUrl),
    );
    await child.stderrHas('Scan the customer');
    child.child.kill('SIGINT');
    const run = await endsWithin(child, 20_000);
    expect(run.signal, `killed by ${String(run.signal)}, printed nothing`).toBeNull();
    expect(jsonLines(run)).toHaveLength(1);
    expect(run.code).toBe(1);
    expect(gateway.payRequests()).toBe(0);
  }, 40_000);
});

describe('scanner mode', () => {
  it('a scanner that is not there: pospay pay does not end with exit 0 ("paid") having printed nothing', async () => {
    gateway = await startHostileGateway();
    const child = pay(
      ['--scanner', `serial:${path.join(dataDir, 'no-such-scanner')}`, '--deadline', '2'],
      envFor(gateway.baseUrl),
    );
    const run = await endsWithin(child, 25_000);
    expect(run.code, `exit ${String(run.code)}, stdout ${JSON.stringify(run.stdout)}`).not.toBe(0);
    expect(jsonLines(run)).toHaveLength(1);
    expect(run.code).toBe(1);
    expect(gateway.payRequests()).toBe(0);
  }, 40_000);

  it('a scanner that never scans, --deadline 2: ends with one JSON line (not paid), it does not wait forever', async () => {
    gateway = await startHostileGateway();
    const scanner = await startSocatPair();
    const child = pay(
      ['--scanner', `serial:${scanner.a}`, '--deadline', '2'],
      envFor(gateway.baseUrl),
    );
    const run = await endsWithin(child, 25_000);
    expect(jsonLines(run)).toHaveLength(1);
    expect(run.code).toBe(1);
    expect(gateway.payRequests()).toBe(0);
  }, 40_000);
});

describe('the journal held by another program (write lock) for a few seconds', () => {
  it('when the answer comes: one JSON line, exit 0 or 3 — never exit 2 "nothing was charged"', async () => {
    gateway = await startHostileGateway({ answerAfterMs: 1500 });
    const child = pay(['--code', wechatCode(), '--deadline', '30'], envFor(gateway.baseUrl));
    await until(() => gateway?.payRequests() === 1);
    const released = holdJournalLock(5000);
    const run = await endsWithin(child, 40_000);
    await released;
    expect(gateway.charges()).toHaveLength(1); // the customer was charged
    expect(run.code, run.stderr).not.toBe(2);
    expect(jsonLines(run), run.stderr).toHaveLength(1);
    expect([0, 3]).toContain(run.code);
  }, 60_000);

  it('at the deadline: the process does not crash (exit 1 would read "not paid"); one JSON line, exit 3', async () => {
    gateway = await startHostileGateway({ answerAfterMs: null });
    const child = pay(['--code', wechatCode(), '--deadline', '2'], envFor(gateway.baseUrl));
    await until(() => gateway?.payRequests() === 1);
    const released = holdJournalLock(4500);
    const run = await endsWithin(child, 40_000);
    await released;
    expect.soft(run.code, 'exit 1 tells the script "not paid"').toBe(3);
    expect.soft(run.stderr).not.toMatch(/JournalError|at .*journal\.ts/);
    expect(jsonLines(run), run.stderr).toHaveLength(1);
  }, 60_000);
});

describe('the gateway down (pins)', () => {
  it('connection refused from the start, --deadline 2: one JSON line, unknown, exit 3, by the deadline', async () => {
    const port = await closedPort();
    const started = Date.now();
    const child = pay(
      ['--code', wechatCode(), '--deadline', '2'],
      envFor(`http://127.0.0.1:${port}`),
    );
    const run = await endsWithin(child, 30_000);
    expect(jsonLines(run), run.stderr).toHaveLength(1);
    expect(jsonLines(run)[0]?.status).toBe('unknown');
    expect(run.code).toBe(3);
    // Process start + 2 s deadline + print slack: well under the 10 s request timeout twice.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 40_000);
});

describe('two pospay pay at once on one data folder (pins)', () => {
  it('one is charged; the other is refused before anything is sent', async () => {
    // The gateway registers a payment only 6 s after it came (its query says "does not
    // exist" meanwhile) and answers the pay request at 3 s: the second process cannot
    // resolve the first's sale meanwhile, so both are truly at once.
    gateway = await startHostileGateway({ answerAfterMs: 3000, registerAfterMs: 6000 });
    const env = envFor(gateway.baseUrl);
    const a = pay(['--code', wechatCode()], env);
    const b = pay(['--code', wechatCode()], env);
    const [ra, rb] = await Promise.all([endsWithin(a, 40_000), endsWithin(b, 40_000)]);
    expect(gateway.payRequests()).toBe(1);
    await until(() => gateway?.charges().length === 1, 10_000);
    expect([ra.code, rb.code].sort()).toEqual([0, 2]);
    const refused = ra.code === 2 ? ra : rb;
    expect(refused.stderr).toMatch(/still being confirmed|in progress/);
  }, 60_000);
});

describe('after a crash', () => {
  it('a sale left in flight an hour ago by a process that died (the gateway never got it) does not refuse every pospay pay', async () => {
    gateway = await startHostileGateway();
    const sentAt = Date.now() - 3_600_000;
    const journal = openJournal({ dir: dataDir });
    journal.changeSale(
      newSaleRecord({
        orderId: 'CLI-CRASHED-1',
        terminalId: 'CLI',
        amountMinor: 1000,
        currency: 'CNY',
        createdAt: sentAt,
        day: new Date(sentAt).toISOString().slice(0, 10),
      }),
      {
        status: 'submitting',
        method: 'Wechat-Offline',
        maskedCode: '134567********6789',
        attempt: 1,
        requestId: 'CLI-CRASHED-1-A1',
        updatedAt: sentAt,
      },
      { kind: 'submitted', detail: { attempt: 1 } },
    );
    journal.close();
    // A script retries a few times, as a cashier would.
    const codes: (number | null)[] = [];
    for (let i = 0; i < 3; i += 1) {
      const run = await endsWithin(pay(['--code', wechatCode()], envFor(gateway.baseUrl)), 40_000);
      codes.push(run.code);
      if (run.code === 0) break;
    }
    expect(codes, 'refused every time: "Already a payment in progress"').toContain(0);
  }, 150_000);
});
