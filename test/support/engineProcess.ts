/**
 * Payment-engine test support.
 *
 * In process: `openTestTerminal` opens the real runtime (journal in a temp folder, gateway
 * client, engine) against a test simulator, with the engine's timings scaled to the
 * simulator's time scale; `ledgerProblems` checks the simulator's ledger against the journal.
 *
 * Child process (crash tests): `runEngineChild` runs THIS file with `node --import tsx` as a
 * terminal of its own — `pay` one sale (optionally with POS_FAULT so it SIGKILLs itself at a
 * chosen point), `refund`, or `recover` (restart: resolve everything left, print the sales).
 * The simulator stays in the test process, so its ledger survives the kill.
 *
 * No vitest import here: the child loads this file too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SaleView } from '../../shared/ipc/contract.ts';
import type { Currency } from '../../shared/money.ts';
import {
  openTerminal,
  scaledTuning,
  type Terminal,
  type TerminalConfig,
} from '../../electron/app/runtime.ts';
import type { EngineTuning } from '../../electron/engine/paymentEngine.ts';
import type { Journal } from '../../electron/journal/journal.ts';
import type { LedgerEntry } from '../../electron/simulator/index.ts';

export const TEST_TIME_SCALE = 0.05;

/** Engine timings for a simulator running at `scale` (its delays shrink, so do ours). */
export function testTuning(scale = TEST_TIME_SCALE): EngineTuning {
  return {
    ...scaledTuning(scale),
    sweepIntervalMs: 60_000,
    deadlineSlackMs: 200,
  };
}

export interface SimTarget {
  baseUrl: string;
  store: { accId: string; salt: string };
}

export interface TestTerminalOptions {
  dataDir?: string;
  currency?: Currency;
  region?: 'CN' | 'HK';
  customerDeadlineMs?: number;
  /** The client's whole-call timeout (scenario 6 answers after 30 s × scale). */
  timeoutMs?: number;
  tuning?: EngineTuning;
  recovery?: TerminalConfig['recovery'];
  terminalId?: string;
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'pospay-engine-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function testTerminalConfig(
  sim: SimTarget,
  options: TestTerminalOptions = {},
): TerminalConfig {
  return {
    dataDir: options.dataDir ?? tempDataDir(),
    gateway: {
      baseUrl: sim.baseUrl,
      accId: sim.store.accId,
      salt: sim.store.salt,
      timeoutMs: options.timeoutMs ?? 1000,
    },
    region: options.region ?? 'CN',
    currency: options.currency ?? 'CNY',
    customerDeadlineMs: options.customerDeadlineMs ?? 2000,
    amountCeilingMinor: 5_000_000,
    terminalId: options.terminalId ?? 'TEST',
    engineTuning: options.tuning ?? testTuning(),
    recovery: options.recovery ?? 'off',
  };
}

/** The real runtime against a test simulator. */
export async function openTestTerminal(
  sim: SimTarget,
  options: TestTerminalOptions = {},
): Promise<Terminal & { dataDir: string }> {
  const config = testTerminalConfig(sim, options);
  const terminal = await openTerminal(config);
  return { ...terminal, dataDir: config.dataDir };
}

/** An amount whose last minor digit picks the simulator scenario (simulator.md). */
export function scenarioAmount(digit: number, base = 1230): number {
  return Math.floor(base / 10) * 10 + digit;
}

const FINAL = new Set(['paid', 'declined', 'closed']);

/** True once the sale shows a final state, or the cashier was told to stop waiting. */
export function isShownFinal(sale: SaleView): boolean {
  return FINAL.has(sale.status) || (sale.status === 'unknown' && sale.abandoned);
}

/**
 * Problems between the simulator's ledger and the journal, sale by sale (empty = agree):
 * every paid sale has exactly one SUCCESS charge, no other sale has one, every SUCCESS charge
 * belongs to a paid sale, and completed refunds match refunds in the ledger.
 */
export function ledgerProblems(
  ledger: LedgerEntry[],
  journal: Journal,
  options: { terminalId?: string } = {},
): string[] {
  const problems: string[] = [];
  const sales = journal.listSales({ limit: 100_000 });
  const known = new Set(sales.map((s) => s.orderId));
  // Several terminals may share one simulator: this journal answers for its own orders.
  const mine = (orderId: string): boolean =>
    options.terminalId === undefined || orderId.startsWith(`${options.terminalId}-`);
  const charges = ledger.filter(
    (e) => e.kind === 'charge' && e.status === 'SUCCESS' && mine(e.merchantTransactionId),
  );
  for (const sale of sales) {
    const own = charges.filter((e) => e.merchantTransactionId === sale.orderId);
    const expected = sale.status === 'paid' ? 1 : 0;
    if (own.length !== expected) {
      problems.push(
        `${sale.orderId}: journal says ${sale.status}, ledger has ${own.length} successful charge(s)`,
      );
    }
    for (const charge of own) {
      if (charge.amountMinor !== sale.amountMinor || charge.currency !== sale.currency) {
        problems.push(`${sale.orderId}: charged ${charge.amount} ${charge.currency}`);
      }
    }
    const ledgerRefunds = ledger.filter(
      (e) =>
        e.kind === 'refund' && e.status === 'SUCCESS' && e.merchantTransactionId === sale.orderId,
    );
    const journalRefunds = journal.refundsOf(sale.orderId).filter((r) => r.status === 'refunded');
    const ledgerIds = ledgerRefunds.map((e) => e.merchantRefundId).sort();
    const journalIds = journalRefunds.map((r) => r.refundId).sort();
    if (JSON.stringify(ledgerIds) !== JSON.stringify(journalIds)) {
      problems.push(
        `${sale.orderId}: refunds in journal [${journalIds.join(', ')}], in ledger [${ledgerIds.join(', ')}]`,
      );
    }
  }
  for (const charge of charges) {
    if (!known.has(charge.merchantTransactionId)) {
      problems.push(`ledger charge ${charge.merchantTransactionId} is missing from the journal`);
    }
  }
  return problems;
}

/** Waits (without a timed assertion) until `predicate` holds or `timeoutMs` passes. */
export async function waitFor<T>(
  read: () => T,
  predicate: (value: T) => boolean,
  timeoutMs = 15_000,
  stepMs = 10,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (predicate(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

// ------------------------------------------------------------------ child process

export type ChildCommand =
  | {
      mode: 'pay';
      config: TerminalConfig;
      amountMinor: number;
      currency: Currency;
      code: string;
    }
  | { mode: 'refund'; config: TerminalConfig; orderId: string; amountMinor: number }
  | { mode: 'recover'; config: TerminalConfig; waitMs: number };

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The JSON the child printed last (sale or sales), when it got that far. */
  output: unknown;
}

const THIS_FILE = fileURLToPath(import.meta.url);

/** Runs this file as a separate terminal process; POS_FAULT makes it kill itself. */
export function runEngineChild(
  command: ChildCommand,
  options: {
    fault?: string;
    timeoutMs?: number;
    /**
     * Polled every few ms once the child printed the order id: when it returns true the
     * child is SIGKILLed from outside (e.g. "the gateway has charged", answer still pending).
     */
    killWhen?: (orderId: string) => boolean;
  } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.POS_FAULT;
    if (options.fault) env.POS_FAULT = options.fault;
    const child = spawn(process.execPath, ['--import', 'tsx', THIS_FILE, JSON.stringify(command)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let poller: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const started = /"started":"([^"]+)"/.exec(stdout);
      const killWhen = options.killWhen;
      if (started && killWhen && !poller) {
        const orderId = started[1] as string;
        poller = setInterval(() => {
          if (killWhen(orderId)) {
            clearInterval(poller);
            child.kill('SIGKILL');
          }
        }, 2);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poller) clearInterval(poller);
      const lines = stdout.trim().split('\n').filter(Boolean);
      let output: unknown = null;
      try {
        output = lines.length ? JSON.parse(lines[lines.length - 1] as string) : null;
      } catch {
        output = null;
      }
      resolve({ code, signal, stdout, stderr, output });
    });
  });
}

async function childMain(command: ChildCommand): Promise<number> {
  const terminal = await openTerminal({
    ...command.config,
    recovery: command.mode === 'recover' ? 'await' : 'off',
  });
  try {
    const { engine } = terminal;
    if (command.mode === 'pay') {
      const sale = engine.startSale({
        amountMinor: command.amountMinor,
        currency: command.currency,
      });
      process.stdout.write(`${JSON.stringify({ started: sale.orderId })}\n`);
      let view = await engine.submitCode(sale.orderId, command.code, 'manual');
      while (!isShownFinal(view)) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        view = engine.sale(sale.orderId) ?? view;
      }
      process.stdout.write(`${JSON.stringify(view)}\n`);
      return 0;
    }
    if (command.mode === 'refund') {
      const view = await engine.refund(command.orderId, command.amountMinor);
      process.stdout.write(`${JSON.stringify(view)}\n`);
      return 0;
    }
    await engine.whenIdle(command.waitMs);
    process.stdout.write(`${JSON.stringify(engine.history({ limit: 1000 }))}\n`);
    return 0;
  } finally {
    await terminal.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = process.argv[2];
  if (!arg) {
    process.stderr.write('usage: engineProcess.ts <command JSON>\n');
    process.exit(2);
  }
  childMain(JSON.parse(arg) as ChildCommand).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
