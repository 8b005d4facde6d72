/**
 * What the `pospay member | pay --member | checkout | renew` commands share: the terminal
 * (journal, gateway, engine) opened from the environment with its members side, and the
 * wait for a sale's outcome that `pospay pay` uses, and the run of a sale command.
 */
import type { SaleView } from '../../shared/ipc/contract.ts';
import type { Currency } from '../../shared/money.ts';
import { isFinal } from '../../shared/sale.ts';
import {
  gatewayKey,
  openTerminal,
  terminalConfigFromEnv,
  type EnvConfigOverrides,
  type Terminal,
} from '../app/runtime.ts';
import { EMBEDDED_SIMULATOR_GATEWAY } from '../engine/paymentEngine.ts';
import type { MemberService } from '../members/memberService.ts';
import { openMembers } from '../members/runtime.ts';
import { onInterrupt } from './interrupt.ts';
import { errorMessage, exitCodeForSale, payResult } from './output.ts';

export interface MemberTerminal {
  terminal: Terminal;
  members: MemberService;
  customerDeadlineMs: number;
  close(): Promise<void>;
}

export async function openMemberTerminal(
  overrides: EnvConfigOverrides & { currency?: Currency },
  options: {
    recovery?: 'await' | 'off';
    startMembers?: boolean;
    /** How long the cashier waits on a checkout (pay on phone), ms. */
    checkoutDeadlineMs?: number;
  } = {},
): Promise<MemberTerminal> {
  const base = terminalConfigFromEnv(process.env, overrides);
  const config =
    options.checkoutDeadlineMs === undefined
      ? base
      : {
          ...base,
          engineTuning: {
            ...(base.engineTuning ?? {}),
            checkoutDeadlineMs: options.checkoutDeadlineMs,
          },
        };
  const log = (level: 'info' | 'warn' | 'error', message: string): void => {
    if (level !== 'info') process.stderr.write(`${level}: ${message}\n`);
  };
  // Recovery runs once the members side is attached: a membership's first payment left
  // by a killed process and recovered paid makes the membership active with its token.
  const recovery = options.recovery ?? 'await';
  const terminal = await openTerminal({ ...config, recovery: 'off', log });
  const members = openMembers(terminal, {
    dataDir: config.dataDir,
    identity: {
      training: terminal.trainingMode,
      gateway: config.gateway ? gatewayKey(config.gateway.baseUrl) : EMBEDDED_SIMULATOR_GATEWAY,
    },
    log,
    start: options.startMembers ?? false,
  });
  if (recovery !== 'off') {
    try {
      await terminal.engine.recover();
    } catch (error) {
      await members.stop();
      await terminal.close();
      throw error;
    }
    terminal.engine.startSweeper();
  }
  if (terminal.trainingMode) {
    process.stderr.write('Training mode: built-in simulator, no real money.\n');
  }
  return {
    terminal,
    members,
    customerDeadlineMs: config.customerDeadlineMs,
    close: async () => {
      await members.stop();
      await terminal.close();
    },
  };
}

/**
 * Whether the cashier's wait for this sale is over: a final answer, or unknown with nobody
 * waiting any more (the deadline passed or the cashier stopped: still resolved in the
 * background), or unknown for good (the gateway stated another amount: the supervisor).
 */
export function isShown(view: SaleView): boolean {
  if (isFinal(view.status)) return true;
  return view.status === 'unknown' && (view.abandoned || view.reasonCode === 'amount-mismatch');
}

/** How often a waiting command looks at the journal for a change made by another process. */
const JOURNAL_POLL_MS = 250;

/**
 * Resolves with the sale once it is shown — and at the latest at `limitMs` with whatever it
 * is then, so that every path prints one outcome.
 */
export function waitUntilShown(
  engine: Terminal['engine'],
  sale: SaleView,
  limitMs: number,
): Promise<SaleView> {
  if (isShown(sale)) return Promise.resolve(sale);
  return new Promise((resolve) => {
    let done = false;
    const finish = (view: SaleView): void => {
      if (done) return;
      done = true;
      off();
      clearTimeout(limit);
      clearInterval(poll);
      resolve(view);
    };
    const off = engine.onSaleUpdated((view) => {
      if (view.orderId === sale.orderId && isShown(view)) finish(view);
    });
    const poll = setInterval(() => {
      const latest = engine.sale(sale.orderId);
      if (latest && isShown(latest)) finish(latest);
    }, JOURNAL_POLL_MS);
    // Also keeps the process alive while the engine works in the background.
    const limit = setTimeout(() => {
      finish(engine.sale(sale.orderId) ?? sale);
    }, limitMs);
    const latest = engine.sale(sale.orderId);
    if (latest && isShown(latest)) finish(latest);
  });
}

/** How long past the customer's deadline a sale command waits before printing "unknown". */
const PRINT_SLACK_MS = 5000;

/**
 * What `pospay pay --member`, `pospay checkout` and `pospay renew` share: the terminal opened
 * (a failure to open it is a refusal, exit 2), the sale started, Ctrl-C cancelling it, one
 * outcome line {"orderId","status","reason","method"} and its exit code — after a failure
 * once the sale was journaled, the journaled outcome (unknown unless it is paid) — and the
 * terminal closed.
 */
export async function runSaleCommand(command: {
  /** The command's name in its messages: `pospay NAME: …`. */
  name: string;
  open: Parameters<typeof openMemberTerminal>;
  /** Starts the sale; a number is the exit code of a refusal before anything was sent. */
  start(opened: MemberTerminal): Promise<SaleView | number>;
  /** Once it is started (pay on phone: its link shown): the sale to wait on. */
  started?(sale: SaleView, opened: MemberTerminal): Promise<SaleView>;
  /** How long the customer has, ms (default the terminal's customer deadline). */
  deadlineMs?: number;
}): Promise<number> {
  let opened: MemberTerminal;
  try {
    opened = await openMemberTerminal(...command.open);
  } catch (error) {
    process.stderr.write(`pospay ${command.name}: ${errorMessage(error)}\n`);
    return 2;
  }
  const { engine } = opened.terminal;
  process.exitCode = 3;
  let orderId: string | null = null;
  const stopListening = onInterrupt(() => {
    if (orderId) engine.cancel(orderId);
  });
  try {
    const sale = await command.start(opened);
    if (typeof sale === 'number') return sale;
    orderId = sale.orderId;
    const waitOn = command.started ? await command.started(sale, opened) : sale;
    const final = await waitUntilShown(
      engine,
      waitOn,
      (command.deadlineMs ?? opened.customerDeadlineMs) + PRINT_SLACK_MS,
    );
    process.stdout.write(`${JSON.stringify(payResult(final))}\n`);
    return exitCodeForSale(final);
  } catch (error) {
    const journaled = orderId !== null ? engine.sale(orderId) : null;
    if (!journaled) throw error;
    process.stderr.write(`pospay ${command.name}: ${errorMessage(error)}\n`);
    process.stdout.write(`${JSON.stringify(payResult(journaled))}\n`);
    return exitCodeForSale(journaled.status === 'paid' ? journaled : { status: 'unknown' });
  } finally {
    stopListening();
    await opened.close();
  }
}
