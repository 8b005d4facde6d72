/**
 * `pospay history [--json] [--day YYYY-MM-DD] [--status S] [--limit N]`: the journal, newest
 * first. `--json` prints one JSON object per sale (orderId, status, amount, currency, method,
 * …). Reads the journal only: no gateway, no simulator.
 */
import { SaleStatusSchema, type SaleStatus } from '../../../shared/ipc/contract.ts';
import { defaultDataDir } from '../../app/paths.ts';
import { errorMessage, saleJson, saleLine } from '../output.ts';
import { toSaleView } from '../../engine/views.ts';
import { openJournal } from '../../journal/journal.ts';
import { parseCommand } from '../args.ts';

const help = `usage: pospay history [--json] [--day YYYY-MM-DD] [--status STATUS] [--limit N]

Lists the sales of the journal (POS_DATA_DIR), newest first (default: the last 200).
  --json     one JSON object per line: orderId, status, amount, currency, method, refunds…
  --status   ${SaleStatusSchema.options.join(', ')}`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'history',
    args,
    { strings: ['day', 'status', 'limit'], booleans: ['json'] },
    help,
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values } = parsed;
  if (values.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.day)) {
    process.stderr.write('pospay history: --day must be YYYY-MM-DD\n');
    return 2;
  }
  const status =
    values.status === undefined ? undefined : SaleStatusSchema.safeParse(values.status);
  if (status && !status.success) {
    process.stderr.write(`pospay history: unknown status "${values.status}"\n`);
    return 2;
  }
  const limit = values.limit === undefined ? 200 : Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    process.stderr.write('pospay history: --limit must be a positive whole number\n');
    return 2;
  }
  let journal;
  try {
    journal = openJournal({ dir: defaultDataDir() });
  } catch (error) {
    process.stderr.write(`pospay history: ${errorMessage(error)}\n`);
    return 2;
  }
  try {
    const sales = journal.listSales({
      limit,
      ...(values.day !== undefined ? { day: values.day } : {}),
      ...(status?.success ? { status: status.data as SaleStatus } : {}),
    });
    for (const rec of sales) {
      const view = toSaleView(rec, journal.refundsOf(rec.orderId), null);
      process.stdout.write(`${values.json ? JSON.stringify(saleJson(view)) : saleLine(view)}\n`);
    }
    if (!values.json && sales.length === 0) process.stderr.write('No sales in the journal.\n');
    return 0;
  } finally {
    journal.close();
  }
}
