/**
 * `pospay renew --member ID --amount X --currency C` (interfaces.md): a membership's charge
 * with the member's kept payment token, through the same engine lifecycle as any sale. A
 * person's decision: nothing charges renewals on its own (pospay member list --due lists
 * those due). Prints {"orderId","status","reason","method"}; exit 0 paid, 1 not paid,
 * 3 unknown, 2 refused before anything was sent (no membership, token revoked, bad input).
 */
import type { SaleView } from '../../../shared/ipc/contract.ts';
import { isCurrency, parseAmount, type Currency } from '../../../shared/money.ts';
import { memberIdProblem } from '../../../shared/members.ts';
import { EngineError } from '../../engine/errors.ts';
import { parseCommand } from '../args.ts';
import { onInterrupt } from '../interrupt.ts';
import { errorMessage, exitCodeForSale, payResult } from '../output.ts';
import { openMemberTerminal, waitUntilShown, type MemberTerminal } from '../memberTerminal.ts';

const help = `usage: pospay renew --member ID --amount X [--currency HKD|CNY] [--subscription ID]

Charges a membership with the member's kept payment token (from its first payment with
pospay checkout --member … --every …). Prints {"orderId","status","reason","method"};
exit 0 paid, 1 not paid (e.g. the token was revoked: the customer pays on the phone again),
3 unknown, 2 refused before anything was sent.`;

function fail(message: string, withHelp = false): number {
  process.stderr.write(`pospay renew: ${message}\n${withHelp ? `\n${help}\n` : ''}`);
  return 2;
}

const PRINT_SLACK_MS = 5000;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'renew',
    args,
    { strings: ['member', 'amount', 'currency', 'subscription'] },
    help,
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values } = parsed;
  if (values.member === undefined) return fail('--member is required', true);
  const problem = memberIdProblem(values.member.trim());
  if (problem) return fail(problem);
  const currencyText = (values.currency ?? 'HKD').toUpperCase();
  if (!isCurrency(currencyText)) return fail(`unknown currency "${values.currency}"`, true);
  const currency: Currency = currencyText;
  if (values.amount === undefined) return fail('--amount is required', true);
  const amount = parseAmount(values.amount, currency);
  if (!amount.ok) return fail(amount.message);
  let opened: MemberTerminal;
  try {
    opened = await openMemberTerminal({ currency, region: currency === 'HKD' ? 'HK' : 'CN' });
  } catch (error) {
    return fail(errorMessage(error));
  }
  const { engine } = opened.terminal;
  process.exitCode = 3;
  let orderId: string | null = null;
  const stopListening = onInterrupt(() => {
    if (orderId) engine.cancel(orderId);
  });
  try {
    let sale: SaleView;
    try {
      sale = await engine.renew({
        memberId: values.member.trim(),
        amountMinor: amount.minor,
        currency,
        ...(values.subscription ? { subscriptionId: values.subscription } : {}),
      });
    } catch (error) {
      if (error instanceof EngineError) return fail(error.message);
      throw error;
    }
    orderId = sale.orderId;
    const final = await waitUntilShown(engine, sale, opened.customerDeadlineMs + PRINT_SLACK_MS);
    process.stdout.write(`${JSON.stringify(payResult(final))}\n`);
    return exitCodeForSale(final);
  } catch (error) {
    const journaled = orderId !== null ? engine.sale(orderId) : null;
    if (!journaled) throw error;
    process.stderr.write(`pospay renew: ${errorMessage(error)}\n`);
    process.stdout.write(`${JSON.stringify(payResult(journaled))}\n`);
    return exitCodeForSale(journaled.status === 'paid' ? journaled : { status: 'unknown' });
  } finally {
    stopListening();
    await opened.close();
  }
}
