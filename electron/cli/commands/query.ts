/**
 * `pospay query ORDER_ID`: the sale as the journal knows it, resolved with the gateway first
 * when it is not final yet (the same resolution the terminal's sweeper does). Prints one JSON
 * object; exit 0 paid, 1 not paid, 3 still unknown, 2 no such sale / usage error.
 */
import { openTerminal, terminalConfigFromEnv } from '../../app/runtime.ts';
import { errorMessage, exitCodeForSale, saleJson } from '../output.ts';
import { parseCommand } from '../args.ts';

const help = `usage: pospay query ORDER_ID [--wait SECONDS]

Shows one sale of the journal (POS_DATA_DIR). A sale or refund still in progress is resolved
with the gateway first, waiting up to --wait seconds (default 15) for a final answer.
Exit 0 paid, 1 not paid, 3 still unknown, 2 no such sale.`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand('query', args, { strings: ['wait'], positionals: true }, help);
  if (!parsed.ok) return parsed.exitCode;
  const { values, positionals } = parsed;
  const orderId = positionals[0];
  if (!orderId || positionals.length > 1) {
    process.stderr.write(`pospay query: give exactly one ORDER_ID\n\n${help}\n`);
    return 2;
  }
  const waitSeconds = values.wait === undefined ? 15 : Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
    process.stderr.write('pospay query: --wait must be a number of seconds\n');
    return 2;
  }
  let terminal;
  try {
    terminal = await openTerminal({ ...terminalConfigFromEnv(process.env), recovery: 'off' });
  } catch (error) {
    process.stderr.write(`pospay query: ${errorMessage(error)}\n`);
    return 2;
  }
  try {
    if (!terminal.engine.sale(orderId)) {
      process.stderr.write(`pospay query: there is no sale ${orderId} in the journal\n`);
      return 2;
    }
    const sale = await terminal.engine.refresh(orderId, { waitMs: waitSeconds * 1000 });
    process.stdout.write(`${JSON.stringify(saleJson(sale))}\n`);
    return exitCodeForSale(sale);
  } finally {
    await terminal.close();
  }
}
