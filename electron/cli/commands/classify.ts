/**
 * `pospay classify CODE [--region CN|HK] [--method METHOD]`: what the terminal would make of
 * a scan. Prints `{"method":…,"currency":…}` (exit 0) or the reason it cannot be charged
 * (exit 2).
 */
import { parseArgs } from 'node:util';
import {
  classifyPaymentCode,
  type PaymentMethod,
  type Region,
} from '../../../shared/paymentCode.ts';

const METHODS: readonly PaymentMethod[] = [
  'Wechat-Offline',
  'AlipayCN-Offline',
  'AlipayHK-Offline',
];

const help = `usage: pospay classify CODE [--region CN|HK] [--method METHOD]

Classifies a scanned payment code as this terminal would, without sending anything.
CODE may carry the scanner's AIM id (e.g. "]Q1…"); quote it in the shell.

  --region CN|HK   the store's region (default CN): an Alipay code is AlipayCN-Offline (CNY)
                   in CN and AlipayHK-Offline (HKD) in HK
  --method METHOD  the cashier's per-sale override: ${METHODS.join(', ')}
  -h, --help       this text

Prints {"method":…,"currency":…} and exits 0, or prints "<reason>: <message>" and exits 2.
A usage error (no CODE, bad option) also exits 2, with the usage text on stderr.`;

function isRegion(value: string): value is Region {
  return value === 'CN' || value === 'HK';
}

function isMethod(value: string): value is PaymentMethod {
  return (METHODS as readonly string[]).includes(value);
}

function usageError(message: string): number {
  process.stderr.write(`pospay classify: ${message}\n\n${help}\n`);
  return 2;
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        region: { type: 'string' },
        method: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  const [code, ...extra] = parsed.positionals;
  if (code === undefined) return usageError('CODE is required');
  if (extra.length > 0) return usageError('give exactly one CODE (quote it if it has spaces)');
  const region = (parsed.values.region ?? 'CN').toUpperCase();
  if (!isRegion(region)) return usageError(`--region must be CN or HK`);
  const method = parsed.values.method;
  if (method !== undefined && !isMethod(method)) {
    return usageError(`--method must be one of ${METHODS.join(', ')}`);
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
