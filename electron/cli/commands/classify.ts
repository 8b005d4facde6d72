/**
 * `pospay classify CODE [--region CN|HK] [--method METHOD]`: what the terminal would make of
 * a scan. Prints `{"method":…,"currency":…}` (exit 0) or the reason it cannot be charged
 * (exit 2).
 */
import { classifyPaymentCode } from '../../../shared/paymentCode.ts';
import {
  isPaymentMethod,
  isRegion,
  METHODS,
  methodsOf,
  PAYMENT_METHODS,
} from '../../../shared/paymentMethods.ts';
import { parseCommand } from '../args.ts';

/** Which method an Alipay code is charged as in each region, as the help says it. */
const ALIPAY_BY_REGION = methodsOf('alipay')
  .map((m) => `${m} (${METHODS[m].currency}) in ${METHODS[m].region ?? 'every region'}`)
  .join(' and ');

const help = `usage: pospay classify CODE [--region CN|HK] [--method METHOD]

Classifies a scanned payment code as this terminal would, without sending anything.
CODE may carry the scanner's AIM id (e.g. "]Q1…"); quote it in the shell.

  --region CN|HK   the store's region (default CN): an Alipay code is charged as
                   ${ALIPAY_BY_REGION}
  --method METHOD  the cashier's per-sale override: ${PAYMENT_METHODS.join(', ')}
  -h, --help       this text

Prints {"method":…,"currency":…} and exits 0, or prints "<reason>: <message>" and exits 2.
A usage error (no CODE, bad option) also exits 2, with the usage text on stderr.`;

function usageError(message: string): number {
  process.stderr.write(`pospay classify: ${message}\n\n${help}\n`);
  return 2;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'classify',
    args,
    { strings: ['region', 'method'], positionals: true },
    help,
  );
  if (!parsed.ok) return parsed.exitCode;
  const [code, ...extra] = parsed.positionals;
  if (code === undefined) return usageError('CODE is required');
  if (extra.length > 0) return usageError('give exactly one CODE (quote it if it has spaces)');
  const region = (parsed.values.region ?? 'CN').toUpperCase();
  if (!isRegion(region)) return usageError(`--region must be CN or HK`);
  const method = parsed.values.method;
  if (method !== undefined && !isPaymentMethod(method)) {
    return usageError(`--method must be one of ${PAYMENT_METHODS.join(', ')}`);
  }
  const result = classifyPaymentCode(
    code,
    method === undefined ? { region } : { region, override: method },
  );
  if (!result.ok) {
    process.stdout.write(`${result.rejection}: ${result.message}\n`);
    return 2;
  }
  process.stdout.write(`${JSON.stringify({ method: result.method, currency: result.currency })}\n`);
  return 0;
}
