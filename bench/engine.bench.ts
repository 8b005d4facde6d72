/**
 * The payment engine's figures (performance.md), as JSON lines:
 *
 * - final_lag_ms p50: the simulator's payment turns final (scenario 2: the payer confirms
 *   3 s after the order, at time scale 1) → the engine shows it paid (no async notification).
 *   Reference: WeChat's 5 s query interval ≈ 2.5 s average lag. Several terminals run at once
 *   (each its own journal) to gather samples; plus the number of queries one terminal sends
 *   during 60 s of waiting for a customer who never confirms (scenario 4; budget 15).
 * - journal_commit_ms p99: one durable state transition of the journal as the engine makes it
 *   (Journal.changeSale), against a raw durably committed INSERT on the same SQLite file in
 *   the same run (alternating).
 * - rss_mb: the terminal (engine + journal + client through the runtime `pospay serve` opens,
 *   in a process of its own, bundled with esbuild as dist/cli is: no TypeScript loader in it)
 *   after 1,000 sales, and its growth after the first 100 (after a GC); started with the V8
 *   flags `npm start` gives `pospay serve` (`v8_flags` in the output), and with V8's defaults
 *   (a bare `pospay serve`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import type { SaleView } from '../shared/ipc/contract.ts';
import { GatewayClient } from '../electron/gateway/client.ts';
import { openTerminal, type Terminal } from '../electron/app/runtime.ts';
import type { PaymentGateway } from '../electron/engine/paymentEngine.ts';
import { createPaymentEngine } from '../electron/engine/paymentEngine.ts';
import {
  JOURNAL_FILE,
  newSaleRecord,
  openJournal,
  type SaleRecord,
} from '../electron/journal/journal.ts';
import { DEFAULT_STORES } from '../electron/simulator/stores.ts';
// The flags bin/pospay.mjs runs the terminal with (`pospay serve`, the CLI).
import { POSPAY_V8_FLAGS } from '../bin/v8flags.mjs';

const STORE = DEFAULT_STORES[0] as { accId: string; salt: string };
const root = mkdtempSync(path.join(tmpdir(), 'pospay-bench-engine-'));
let dirs = 0;
const dataDir = (): string => path.join(root, `t${(dirs += 1)}`);

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

let codeSeq = 0;
function wechatCode(): string {
  codeSeq += 1;
  return `13${String(process.pid % 10_000).padStart(4, '0')}${String(codeSeq).padStart(12, '0')}`;
}

/** The simulator in its own process, so that this process's memory is the terminal's. */
async function startSimulatorProcess(
  timeScale: number,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['bin/pospay.mjs', 'simulator', '--time-scale', String(timeScale)],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('no stdout'));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      lines.close();
      resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (${String(code)})`)));
  });
  return { url, child };
}

async function ledger(
  url: string,
): Promise<{ merchantTransactionId: string; status: string; updatedAt: number }[]> {
  const response = await fetch(`${url}/__sim/ledger`);
  return (await response.json()) as {
    merchantTransactionId: string;
    status: string;
    updatedAt: number;
  }[];
}

function terminalFor(url: string, deadlineMs = 60_000): Promise<Terminal> {
  return openTerminal({
    dataDir: dataDir(),
    gateway: { baseUrl: url, accId: STORE.accId, salt: STORE.salt, timeoutMs: 10_000 },
    region: 'CN',
    currency: 'CNY',
    customerDeadlineMs: deadlineMs,
    amountCeilingMinor: 5_000_000,
    terminalId: `B${dirs}`,
    recovery: 'off',
  });
}

function untilShown(terminal: Terminal, orderId: string): Promise<{ view: SaleView; at: number }> {
  return new Promise((resolve) => {
    const check = (view: SaleView | null): boolean => {
      if (!view || view.orderId !== orderId) return false;
      if (['paid', 'declined', 'closed'].includes(view.status) || view.abandoned) {
        off();
        resolve({ view, at: Date.now() });
        return true;
      }
      return false;
    };
    const off = terminal.engine.onSaleUpdated((view) => void check(view));
    check(terminal.engine.sale(orderId));
  });
}

/** Queries one terminal sends while a customer never confirms (60 s, real time). */
async function queriesWhileWaiting(url: string): Promise<number> {
  const dir = dataDir();
  const journal = openJournal({ dir });
  const real = new GatewayClient({
    baseUrl: url,
    accId: STORE.accId,
    salt: STORE.salt,
    timeoutMs: 10_000,
  });
  const queries: number[] = [];
  const counting: PaymentGateway = {
    unifiedPay: (r) => real.unifiedPay(r),
    query: (r) => {
      queries.push(performance.now());
      return real.query(r);
    },
    refund: (r) => real.refund(r),
    refundQuery: (r) => real.refundQuery(r),
  };
  const engine = createPaymentEngine({
    journal,
    client: counting,
    settings: {
      terminalId: 'BQ',
      region: 'CN',
      currency: 'CNY',
      amountCeilingMinor: 5_000_000,
      customerDeadlineMs: 60_000,
    },
  });
  const sale = engine.startSale({ amountMinor: 1234 });
  const waitingFrom = performance.now();
  await engine.submitCode(sale.orderId, wechatCode(), 'manual');
  await new Promise((resolve) => setTimeout(resolve, 60_500));
  const count = queries.filter((t) => t - waitingFrom <= 60_000).length;
  await engine.stop();
  real.close();
  journal.close();
  return count;
}

async function finalLag(url: string): Promise<number[]> {
  const TERMINALS = 8;
  const SALES = 3;
  const lags: number[] = [];
  await Promise.all(
    Array.from({ length: TERMINALS }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 211)); // spread the phases
      const terminal = await terminalFor(url);
      for (let n = 0; n < SALES; n += 1) {
        const sale = terminal.engine.startSale({ amountMinor: 1232 });
        await terminal.engine.submitCode(sale.orderId, wechatCode(), 'manual');
        const shown = await untilShown(terminal, sale.orderId);
        const entry = (await ledger(url)).find(
          (e) => e.merchantTransactionId === sale.orderId && e.status === 'SUCCESS',
        );
        if (shown.view.status === 'paid' && entry) lags.push(shown.at - entry.updatedAt);
      }
      await terminal.close();
    }),
  );
  return lags;
}

function journalCommit(): { journal: number[]; reference: number[] } {
  const dir = dataDir();
  const journal = openJournal({ dir });
  const raw = new Database(path.join(dir, JOURNAL_FILE));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec(
    'CREATE TABLE IF NOT EXISTS bench_reference (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)',
  );
  const insert = raw.prepare('INSERT INTO bench_reference (payload) VALUES (?)');
  const N = 600;
  const journalMs: number[] = [];
  const referenceMs: number[] = [];
  const base = newSaleRecord({
    orderId: '',
    terminalId: 'BJ',
    status: 'submitting',
    amountMinor: 1230,
    currency: 'CNY',
    method: 'Wechat-Offline',
    maskedCode: '130000********0001',
    source: 'serial',
    attempt: 1,
    createdAt: Date.now(),
    day: '2025-01-01',
  });
  // What the engine commits: Journal.changeSale (one write transaction: the current row,
  // the transition table, the insert), a first attempt then its answer, in turn.
  let last: SaleRecord | null = null;
  for (let i = 0; i < N; i += 1) {
    let t = performance.now();
    if (i % 2 === 0 || last === null) {
      const orderId = `BJ-${i}`;
      last = journal.changeSale(
        { ...base, orderId, status: 'awaiting-scan', attempt: 0 },
        { status: 'submitting', attempt: 1, requestId: `${orderId}-A1`, updatedAt: Date.now() },
        { kind: 'submitted' },
      );
    } else {
      last = journal.changeSale(
        last,
        { status: 'paid', settled: true, updatedAt: last.updatedAt + 1 },
        { kind: 'answer' },
      );
    }
    journalMs.push(performance.now() - t);
    t = performance.now();
    insert.run(`reference row ${i} ${'x'.repeat(120)}`);
    referenceMs.push(performance.now() - t);
  }
  raw.close();
  journal.close();
  return { journal: journalMs, reference: referenceMs };
}

function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / (1024 * 1024);
}

/** In the child: 1,000 sales through the runtime; prints {after100, after1000} (MB). */
async function rssChild(url: string): Promise<void> {
  const terminal = await terminalFor(url);
  let after100 = 0;
  for (let n = 1; n <= 1000; n += 1) {
    const sale = terminal.engine.startSale({ amountMinor: 1000 + (n % 50) * 10 });
    const view = await terminal.engine.submitCode(sale.orderId, wechatCode(), 'serial');
    if (view.status !== 'paid') throw new Error(`sale ${n} ended ${view.status}`);
    if (n % 10 === 0) terminal.engine.history({ limit: 20 });
    if (n === 100) after100 = rssMb();
  }
  const after1000 = rssMb();
  await terminal.close();
  rmSync(root, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ after100, after1000 })}\n`);
}

/**
 * This file bundled as the shipped command is (the esbuild options of dist/cli), for the
 * memory child: the terminal's code as it runs, without tsx's loader thread in the process.
 * Written under dist/ so that the native modules resolve from node_modules.
 */
async function bundledSelf(): Promise<string> {
  const { build } = await import('esbuild');
  const { BUNDLES } = await import('../scripts/build-electron.mjs');
  const cli = BUNDLES.find((bundle) => bundle.name === 'pospay');
  if (!cli) throw new Error('scripts/build-electron.mjs has no pospay bundle');
  const outfile = path.resolve('dist/bench/engine-rss.mjs');
  await build({
    absWorkingDir: process.cwd(),
    entryPoints: ['bench/engine.bench.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: cli.options.target ?? 'node20',
    external: [...(cli.options.external ?? []), 'esbuild', '../scripts/build-electron.mjs'],
    logLevel: 'warning',
  });
  return outfile;
}

/** The terminal in a process of its own (no simulator, no bench bookkeeping in it). */
function rssOverSales(
  script: string,
  url: string,
  v8Flags: readonly string[],
): Promise<{ after100: number; after1000: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...v8Flags, '--expose-gc', script, '--rss-child', url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`rss child exited with ${String(code)}`));
      resolve(
        JSON.parse(out.trim().split('\n').pop() as string) as {
          after100: number;
          after1000: number;
        },
      );
    });
  });
}

async function main(): Promise<void> {
  const sim = await startSimulatorProcess(1);
  try {
    const waiting = queriesWhileWaiting(sim.url);

    const lags = await finalLag(sim.url);
    emit({
      metric: 'final_lag_ms',
      stat: 'p50',
      value: round(percentile(lags, 50)),
      unit: 'ms',
      p90: round(percentile(lags, 90)),
      samples: lags.length,
      reference: 2500,
      reference_note: "WeChat's 5 s query interval ≈ 2.5 s average lag",
      ratio: round(percentile(lags, 50) / 2500, 3),
      target: 1000,
    });

    const commits = journalCommit();
    const p99 = percentile(commits.journal, 99);
    const ref99 = percentile(commits.reference, 99);
    emit({
      metric: 'journal_commit_ms',
      stat: 'p99',
      value: round(p99, 3),
      unit: 'ms',
      p50: round(percentile(commits.journal, 50), 3),
      reference: round(ref99, 3),
      reference_p50: round(percentile(commits.reference, 50), 3),
      reference_note: 'raw durable INSERT (WAL, synchronous=FULL) on the same SQLite file',
      ratio: round(p99 / ref99, 3),
      target_ratio: 1.5,
      samples: commits.journal.length,
    });

    const script = await bundledSelf();
    const rss = await rssOverSales(script, sim.url, POSPAY_V8_FLAGS);
    const defaults = await rssOverSales(script, sim.url, []);
    rmSync(path.dirname(script), { recursive: true, force: true });
    emit({
      metric: 'rss_mb',
      value: round(rss.after1000, 1),
      unit: 'MB',
      sales: 1000,
      after_100_sales: round(rss.after100, 1),
      growth_after_100_mb: round(rss.after1000 - rss.after100, 1),
      target: 150,
      v8_flags: POSPAY_V8_FLAGS,
      note: 'the terminal code bundled as dist/cli, with the V8 flags npm start gives pospay serve',
      with_v8_defaults: {
        value: round(defaults.after1000, 1),
        after_100_sales: round(defaults.after100, 1),
        growth_after_100_mb: round(defaults.after1000 - defaults.after100, 1),
        note: "a bare `pospay serve`: V8's default young generation grows to 32 MB under sustained allocation",
      },
    });

    const queries = await waiting;
    emit({
      metric: 'queries_per_60s_waiting',
      value: queries,
      unit: 'queries',
      note: 'one sale, customer never confirms, 60 s deadline',
      target: 15,
    });
  } finally {
    sim.child.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
}

const rssUrl = process.argv[2] === '--rss-child' ? process.argv[3] : undefined;
(rssUrl ? rssChild(rssUrl) : main()).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `engine bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
