/**
 * `pospay checkout --amount X --currency C [--brand ApplePay|GooglePay]
 *   [--member ID --every N --unit month --until YYYY-MM-DD]` (interfaces.md): pay on the
 * customer's phone (hosted checkout). Prints {"orderId","status":"pending","paymentUrl"}
 * (and the QR code when stdout is a terminal), waits, then prints the outcome line of
 * `pospay pay`; exit 0 paid, 1 not paid, 3 unknown, 2 refused before anything was sent.
 * With --member and a schedule it is a membership's first payment: the member's payment
 * token is kept (encrypted) once it is paid, for `pospay renew`.
 */
import QRCode from 'qrcode';
import { isDate, isIntervalUnit, memberIdProblem, type Schedule } from '../../../shared/members.ts';
import { isCheckoutBrand, type CheckoutBrand } from '../../../shared/paymentMethods.ts';
import { localDay } from '../../../shared/sale.ts';
import { EngineError } from '../../engine/errors.ts';
import { MemberError } from '../../members/memberService.ts';
import { moneyArgs, parseCommand } from '../args.ts';
import { runSaleCommand } from '../memberTerminal.ts';

const help = `usage: pospay checkout --amount X [--currency HKD|CNY] [--brand ApplePay|GooglePay]
                       [--member ID --every N --unit day|week|month|year --until YYYY-MM-DD
                        [--start YYYY-MM-DD]] [--deadline SECONDS]

Pay on the customer's phone: the gateway's payment page (Apple Pay, Google Pay, or the card
page without --brand). Prints {"orderId","status":"pending","paymentUrl"} — the customer
opens paymentUrl (a QR code on a terminal) — then waits and prints
{"orderId","status","reason","method"}; exit 0 paid, 1 not paid, 3 unknown (still being
resolved: pospay query ORDER_ID), 2 refused before anything was sent.

With --member and a schedule (--every, --unit, --until; --start default today) it is a
membership's first payment: once paid, the member's payment token is kept (encrypted)
for later charges with pospay renew. Ctrl-C stops waiting: the page may still be paid
until it closes, and such a payment is refunded automatically.`;

function fail(message: string, withHelp = false): number {
  process.stderr.write(`pospay checkout: ${message}\n${withHelp ? `\n${help}\n` : ''}`);
  return 2;
}

const DEFAULT_CHECKOUT_DEADLINE_MS = 16 * 60_000;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'checkout',
    args,
    {
      strings: [
        'amount',
        'currency',
        'brand',
        'member',
        'every',
        'unit',
        'until',
        'start',
        'deadline',
      ],
    },
    help,
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values } = parsed;
  const amount = moneyArgs(values, 'HKD');
  if (!amount.ok) return fail(amount.message, amount.withHelp);
  const { currency } = amount;
  let brand: CheckoutBrand | undefined;
  if (values.brand !== undefined) {
    if (!isCheckoutBrand(values.brand))
      return fail('--brand must be ApplePay or GooglePay (none: the card page)');
    brand = values.brand;
  }
  let schedule: Schedule | undefined;
  const scheduleGiven = [values.every, values.unit, values.until, values.start].some(
    (v) => v !== undefined,
  );
  if (values.member !== undefined || scheduleGiven) {
    if (values.member === undefined) return fail('a membership needs --member ID', true);
    const problem = memberIdProblem(values.member.trim());
    if (problem) return fail(problem);
    const every = Number(values.every ?? '1');
    if (!Number.isInteger(every) || every < 1)
      return fail('--every must be a whole number of at least 1');
    const unit = values.unit ?? 'month';
    if (!isIntervalUnit(unit)) return fail('--unit must be day, week, month or year');
    if (values.until === undefined || !isDate(values.until))
      return fail('--until YYYY-MM-DD is required for a membership');
    const start = values.start ?? localDay(Date.now());
    if (!isDate(start)) return fail('--start must be a date YYYY-MM-DD');
    schedule = {
      startDate: start,
      intervalUnit: unit,
      intervalCount: every,
      endDate: values.until,
    };
  }
  let deadlineMs = DEFAULT_CHECKOUT_DEADLINE_MS;
  if (values.deadline !== undefined) {
    const seconds = Number(values.deadline);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
      return fail('--deadline must be a number of seconds between 0 and 3600');
    }
    deadlineMs = Math.round(seconds * 1000);
  }

  const subscription =
    schedule && values.member ? { memberId: values.member.trim(), schedule } : undefined;
  return runSaleCommand({
    name: 'checkout',
    open: [
      { currency, region: currency === 'HKD' ? 'HK' : 'CN' },
      { checkoutDeadlineMs: deadlineMs },
    ],
    deadlineMs,
    start: async ({ terminal }) => {
      try {
        return await terminal.engine.startCheckout({
          amountMinor: amount.minor,
          currency,
          ...(brand ? { brand } : {}),
          ...(subscription ? { subscription } : {}),
        });
      } catch (error) {
        if (error instanceof EngineError || error instanceof MemberError)
          return fail(error.message);
        throw error;
      }
    },
    started: async (sale, { terminal }) => {
      if (sale.paymentUrl) {
        process.stdout.write(
          `${JSON.stringify({ orderId: sale.orderId, status: 'pending', paymentUrl: sale.paymentUrl })}\n`,
        );
        if (process.stdout.isTTY) {
          process.stdout.write(
            await QRCode.toString(sale.paymentUrl, { type: 'terminal', small: true }),
          );
        }
        process.stderr.write('Waiting for the customer to pay on the phone…\n');
      }
      return terminal.engine.sale(sale.orderId) ?? sale;
    },
  });
}
