/**
 * `pospay pay --amount 12.50 --currency CNY [--code DIGITS | --scanner SPEC]`: one sale
 * through the same engine (and journal) as the cashier app. Prints the final outcome as one
 * JSON line {"orderId","status","reason","method"}; exit 0 paid, 1 not paid, 3 unknown,
 * 2 when nothing was charged because the input was refused.
 */
import type { SaleView, ScanSource } from '../../../shared/ipc/contract.ts';
import type { Currency } from '../../../shared/money.ts';
import { isPaymentMethod, isRegion, PAYMENT_METHODS } from '../../../shared/paymentMethods.ts';
import { openTerminal, terminalConfigFromEnv, type Terminal } from '../../app/runtime.ts';
import { errorMessage, exitCodeForSale, payResult } from '../output.ts';
import { EngineError } from '../../engine/errors.ts';
import { onInterrupt } from '../interrupt.ts';
import { moneyArgs, parseCommand } from '../args.ts';
import {
  isLinkWallet,
  memberIdProblem,
  walletRefusal,
  type LinkWallet,
} from '../../../shared/members.ts';
import { runSaleCommand, waitUntilShown } from '../memberTerminal.ts';

const help = `usage: pospay pay --amount 12.50 [--currency CNY|HKD] (--code DIGITS | --scanner SPEC)
                  [--method METHOD] [--region CN|HK] [--deadline SECONDS]
       pospay pay --amount X --currency C --member ID [--wallet AlipayHK|Alipay]

Charges one sale through the terminal's engine and journal (POS_DATA_DIR), against
POS_GATEWAY_URL with POS_ACC_ID / POS_SALT, or the built-in simulator (training mode).

  --amount X        the amount in major units, e.g. 12.50
  --currency C      CNY (default) or HKD
  --code DIGITS     the customer's payment code
  --scanner SPEC    wait for one scan on this scanner (serial:PATH[@BAUD], hid:VID:PID);
                    default POS_SCANNER when --code is not given
  --method METHOD   per-sale override: ${PAYMENT_METHODS.join(', ')}
  --region CN|HK    Alipay as AlipayCN (CN) or AlipayHK (HK); default from the currency
  --deadline S      how long to wait for the customer (default 60)
  --member ID       charge the member's linked wallet (no scan; pospay member link);
                    --phone NUMBER instead of --member: the member found by phone number
  --wallet W        which linked wallet (default: the one charged in the sale's currency)

Prints {"orderId","status","reason","method"}; exit 0 paid, 1 not paid, 3 unknown (still
being resolved: \`pospay query ORDER_ID\` later), 2 refused before charging (bad input).
Ctrl-C while waiting stops waiting; the terminal still checks that nothing was charged.`;

function fail(message: string, withHelp = false): number {
  process.stderr.write(`pospay pay: ${message}\n${withHelp ? `\n${help}\n` : ''}`);
  return 2;
}

/**
 * Waits for one usable scan from a hardware scanner, at most `limitMs` (or until `stop`
 * resolves). `accept` is given each scan and says whether it was taken (a code that is not a
 * payment code is not: the scanner stays open for the next one). Resolves with whether a
 * scan was taken; rejects on a refusal that is not about the code.
 */
async function scanOnce(
  spec: string,
  limitMs: number,
  stop: Promise<void>,
  accept: (text: string, source: ScanSource) => Promise<boolean>,
): Promise<boolean> {
  const { ScannerManager } = await import('../../scanners/manager.ts');
  const scanners = new ScannerManager();
  let limit: NodeJS.Timeout | undefined;
  try {
    return await new Promise<boolean>((resolve, reject) => {
      // A ref'd timer: the process waits here for the scan, and never longer than the limit.
      limit = setTimeout(() => resolve(false), limitMs);
      void stop.then(() => resolve(false));
      let busy = false;
      scanners.on('scan', (scan) => {
        if (busy) return;
        busy = true;
        accept(scan.text, scan.source).then(
          (taken) => {
            busy = false;
            if (taken) resolve(true);
          },
          (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
        );
      });
      scanners.on('rejected', (r) => process.stderr.write(`scan not usable: ${r.detail}\n`));
      scanners.on('state', (state) => {
        if (state.detail) process.stderr.write(`scanner: ${state.detail}\n`);
      });
      scanners.use(spec).then(
        () => process.stderr.write(`Scan the customer's payment code (${spec})…\n`),
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
  } finally {
    if (limit) clearTimeout(limit);
    await scanners.close();
  }
}

/** How long past the customer's deadline `pospay pay` waits before printing "unknown". */
const PRINT_SLACK_MS = 5000;

/**
 * `pospay pay --member`: the member's linked wallet charged through the same engine
 * lifecycle; the same outcome line and exit codes, `method` the wallet.
 */
async function payMember(input: {
  amountMinor: number;
  currency: Currency;
  member?: string;
  phone?: string;
  wallet?: string;
  region?: 'CN' | 'HK';
  deadlineMs?: number;
}): Promise<number> {
  let wallet: LinkWallet | undefined;
  if (input.wallet !== undefined) {
    if (!isLinkWallet(input.wallet)) {
      return fail(walletRefusal(input.wallet)?.reason ?? `unknown wallet ${input.wallet}`);
    }
    wallet = input.wallet;
  }
  if (input.member !== undefined && input.phone !== undefined) {
    return fail('give --member or --phone, not both');
  }
  if (input.member !== undefined) {
    const problem = memberIdProblem(input.member.trim());
    if (problem) return fail(problem);
  }
  return runSaleCommand({
    name: 'pay',
    open: [
      {
        currency: input.currency,
        ...(input.region ? { region: input.region } : {}),
        ...(input.deadlineMs !== undefined ? { customerDeadlineMs: input.deadlineMs } : {}),
      },
    ],
    start: async ({ terminal, members }) => {
      let memberId: string;
      try {
        memberId =
          input.phone !== undefined
            ? members.memberIdFor({ phone: input.phone }).memberId
            : (input.member ?? '').trim();
      } catch (error) {
        return fail(errorMessage(error));
      }
      try {
        return await terminal.engine.chargeMember({
          amountMinor: input.amountMinor,
          currency: input.currency,
          memberId,
          ...(wallet ? { wallet } : {}),
        });
      } catch (error) {
        if (error instanceof EngineError) return fail(error.message);
        throw error;
      }
    },
  });
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'pay',
    args,
    {
      strings: [
        'amount',
        'currency',
        'code',
        'scanner',
        'method',
        'region',
        'deadline',
        'member',
        'phone',
        'wallet',
      ],
    },
    help,
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values } = parsed;
  const amount = moneyArgs(values, 'CNY');
  if (!amount.ok) return fail(amount.message, amount.withHelp);
  const { currency } = amount;
  const method = values.method;
  if (method !== undefined && !isPaymentMethod(method)) {
    return fail(`unknown method "${method}" (${PAYMENT_METHODS.join(', ')})`);
  }
  const region = values.region?.toUpperCase();
  if (region !== undefined && !isRegion(region)) {
    return fail('--region must be CN or HK');
  }
  let deadlineMs: number | undefined;
  if (values.deadline !== undefined) {
    const seconds = Number(values.deadline);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
      return fail('--deadline must be a number of seconds between 0 and 600');
    }
    deadlineMs = Math.round(seconds * 1000);
  }
  if (values.member !== undefined || values.phone !== undefined) {
    if (values.code !== undefined || values.scanner !== undefined || method !== undefined) {
      return fail(
        'a member charge takes no code, scanner or method (it is the linked wallet)',
        true,
      );
    }
    return payMember({
      amountMinor: amount.minor,
      currency,
      ...(values.member !== undefined ? { member: values.member } : {}),
      ...(values.phone !== undefined ? { phone: values.phone } : {}),
      ...(values.wallet !== undefined ? { wallet: values.wallet } : {}),
      ...(region ? { region } : {}),
      ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    });
  }
  if (values.wallet !== undefined) return fail('--wallet goes with --member', true);
  const scannerSpec =
    values.code === undefined ? (values.scanner ?? process.env.POS_SCANNER) : undefined;
  if (values.code !== undefined && values.scanner !== undefined) {
    return fail('give either --code or --scanner, not both', true);
  }
  if (values.code === undefined && !scannerSpec) {
    return fail(
      'give the customer’s code with --code DIGITS, or a scanner with --scanner SPEC',
      true,
    );
  }

  let terminal: Terminal;
  let customerDeadlineMs: number;
  try {
    const config = terminalConfigFromEnv(process.env, {
      currency,
      ...(region ? { region } : {}),
      ...(deadlineMs !== undefined ? { customerDeadlineMs: deadlineMs } : {}),
    });
    customerDeadlineMs = config.customerDeadlineMs;
    terminal = await openTerminal({
      ...config,
      recovery: 'await',
      log: (level, message) => {
        if (level !== 'info') process.stderr.write(`${level}: ${message}\n`);
      },
    });
  } catch (error) {
    return fail(errorMessage(error));
  }
  if (terminal.trainingMode) {
    process.stderr.write('Training mode: built-in simulator, no real money.\n');
  }
  const { engine } = terminal;
  // From here every path prints exactly one outcome line. Should the event loop ever empty
  // before that, the exit status says "unknown", never "paid".
  process.exitCode = 3;
  let interrupted!: () => void;
  const interruption = new Promise<void>((resolve) => (interrupted = resolve));
  const stopListening = onInterrupt(() => interrupted());
  let orderId: string | null = null;
  try {
    let sale: SaleView;
    try {
      sale = engine.startSale({
        amountMinor: amount.minor,
        currency,
        ...(method !== undefined ? { methodOverride: method } : {}),
      });
    } catch (error) {
      if (error instanceof EngineError) {
        const pending = engine.current();
        return fail(
          error.code === 'sale-in-progress' && pending && !error.message.includes(pending.orderId)
            ? `${error.message}: sale ${pending.orderId} is still being confirmed (pospay query ${pending.orderId})`
            : error.message,
        );
      }
      throw error;
    }
    orderId = sale.orderId;
    const saleId = sale.orderId;
    /** Submits a code; resolves once it is journaled (sent), rejects if it was refused. */
    const submit = async (code: string, source: ScanSource): Promise<void> => {
      const answer = engine.submitCode(saleId, code, source);
      if (engine.sale(saleId)?.status === 'awaiting-scan') {
        await answer; // refused before anything was journaled: this rejects with the reason
      }
      // Journaled and on its way: the answer is followed through the sale's updates.
      answer.catch((error: unknown) => {
        process.stderr.write(`pospay pay: ${errorMessage(error)}\n`);
      });
    };
    if (values.code !== undefined) {
      try {
        await submit(values.code, 'manual');
      } catch (error) {
        engine.cancel(saleId);
        if (error instanceof EngineError) return fail(error.message);
        throw error;
      }
    } else {
      const taken = await scanOnce(
        scannerSpec as string,
        customerDeadlineMs,
        interruption,
        async (text, source) => {
          try {
            await submit(text, source);
            return true;
          } catch (error) {
            if (error instanceof EngineError && error.code === 'code-invalid') {
              process.stderr.write(`${error.message}\n`);
              return false;
            }
            throw error;
          }
        },
      );
      if (!taken) {
        // Nothing was sent: the sale ends here, not charged.
        const cancelled = engine.cancel(saleId);
        process.stderr.write(
          `pospay pay: no code was scanned${engine.sale(saleId) ? '' : ' (nothing was charged)'}\n`,
        );
        process.stdout.write(`${JSON.stringify(payResult(cancelled))}\n`);
        return exitCodeForSale(cancelled);
      }
    }
    process.stderr.write('Waiting for the customer to confirm in the wallet…\n');
    // Ctrl-C stops waiting; the terminal still checks that nothing was charged.
    void interruption.then(() => engine.cancel(saleId));
    const final = await waitUntilShown(
      engine,
      engine.sale(saleId) ?? sale,
      customerDeadlineMs + PRINT_SLACK_MS,
    );
    process.stdout.write(`${JSON.stringify(payResult(final))}\n`);
    return exitCodeForSale(final);
  } catch (error) {
    // After the attempt was journaled nothing is "refused": the outcome is unknown until
    // the terminal resolves it (pospay query).
    const journaled = orderId !== null ? engine.sale(orderId) : null;
    if (!journaled || journaled.status === 'awaiting-scan') throw error;
    process.stderr.write(`pospay pay: ${errorMessage(error)}\n`);
    process.stdout.write(`${JSON.stringify(payResult(journaled))}\n`);
    return exitCodeForSale(journaled.status === 'paid' ? journaled : { status: 'unknown' });
  } finally {
    stopListening();
    await terminal.close();
  }
}
