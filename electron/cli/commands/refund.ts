/**
 * `pospay refund ORDER_ID --amount X`: a full or partial refund of a paid sale, never beyond
 * what is left to refund. Prints one JSON object; exit 0 refunded, 1 refused or declined,
 * 3 still pending (resolved later by the sweeper / `pospay query`), 2 usage error.
 */
import { formatForGateway, parseAmount } from '../../../shared/money.ts';
import { openTerminal, terminalConfigFromEnv } from '../../app/runtime.ts';
import { errorMessage } from '../output.ts';
import { EngineError } from '../../engine/errors.ts';
import { parseCommand } from '../args.ts';

const help = `usage: pospay refund ORDER_ID --amount X [--wait SECONDS]

Refunds X (major units, e.g. 5.00) of a paid sale in the journal (POS_DATA_DIR). Several
partial refunds are allowed, never more than what was paid. A refund the gateway has not
confirmed yet is waited for up to --wait seconds (default 15).
Exit 0 refunded, 1 refused or declined, 3 still pending, 2 usage error or no such sale.`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'refund',
    args,
    { strings: ['amount', 'wait'], positionals: true },
    help,
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values, positionals } = parsed;
  const orderId = positionals[0];
  if (!orderId || positionals.length > 1 || values.amount === undefined) {
    process.stderr.write(`pospay refund: give one ORDER_ID and --amount\n\n${help}\n`);
    return 2;
  }
  const waitSeconds = values.wait === undefined ? 15 : Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
    process.stderr.write('pospay refund: --wait must be a number of seconds\n');
    return 2;
  }
  let terminal;
  try {
    terminal = await openTerminal({ ...terminalConfigFromEnv(process.env), recovery: 'off' });
  } catch (error) {
    process.stderr.write(`pospay refund: ${errorMessage(error)}\n`);
    return 2;
  }
  try {
    const { engine } = terminal;
    const sale = engine.sale(orderId);
    if (!sale) {
      process.stderr.write(`pospay refund: there is no sale ${orderId} in the journal\n`);
      return 2;
    }
    const amount = parseAmount(values.amount, sale.currency);
    if (!amount.ok) {
      process.stderr.write(`pospay refund: ${amount.message}\n`);
      return 2;
    }
    let after;
    try {
      after = await engine.refund(orderId, amount.minor);
    } catch (error) {
      if (error instanceof EngineError) {
        process.stderr.write(`pospay refund: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    const refund = after.refunds[after.refunds.length - 1];
    if (!refund) throw new Error('the refund is missing from the journal');
    if (refund.status !== 'refunded' && refund.status !== 'declined') {
      after = await engine.refresh(orderId, { waitMs: waitSeconds * 1000 });
    }
    const final = after.refunds.find((r) => r.refundId === refund.refundId) ?? refund;
    process.stdout.write(
      `${JSON.stringify({
        orderId,
        refundId: final.refundId,
        status: final.status,
        amount: formatForGateway(final.amountMinor, final.currency),
        currency: final.currency,
        refunded: formatForGateway(after.refundedMinor, after.currency),
        reason: final.reason,
      })}\n`,
    );
    if (final.status === 'refunded') return 0;
    if (final.status === 'declined') return 1;
    return 3;
  } finally {
    await terminal.close();
  }
}
