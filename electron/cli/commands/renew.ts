/**
 * `pospay renew --member ID --amount X --currency C` (interfaces.md): a membership's charge
 * with the member's kept payment token, through the same engine lifecycle as any sale. A
 * person's decision: nothing charges renewals on its own (pospay member list --due lists
 * those due). Prints {"orderId","status","reason","method"}; exit 0 paid, 1 not paid,
 * 3 unknown, 2 refused before anything was sent (no membership, token revoked, bad input).
 */
import { memberIdProblem } from '../../../shared/members.ts';
import { EngineError } from '../../engine/errors.ts';
import { moneyArgs, parseCommand } from '../args.ts';
import { runSaleCommand } from '../memberTerminal.ts';

const help = `usage: pospay renew --member ID --amount X [--currency HKD|CNY] [--subscription ID]

Charges a membership with the member's kept payment token (from its first payment with
pospay checkout --member … --every …). Prints {"orderId","status","reason","method"};
exit 0 paid, 1 not paid (e.g. the token was revoked: the customer pays on the phone again),
3 unknown, 2 refused before anything was sent.`;

function fail(message: string, withHelp = false): number {
  process.stderr.write(`pospay renew: ${message}\n${withHelp ? `\n${help}\n` : ''}`);
  return 2;
}

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
  const amount = moneyArgs(values, 'HKD');
  if (!amount.ok) return fail(amount.message, amount.withHelp);
  const { currency } = amount;
  const memberId = values.member.trim();
  return runSaleCommand({
    name: 'renew',
    open: [{ currency, region: currency === 'HKD' ? 'HK' : 'CN' }],
    start: async ({ terminal }) => {
      try {
        return await terminal.engine.renew({
          memberId,
          amountMinor: amount.minor,
          currency,
          ...(values.subscription ? { subscriptionId: values.subscription } : {}),
        });
      } catch (error) {
        if (error instanceof EngineError) return fail(error.message);
        throw error;
      }
    },
  });
}
