/**
 * `pospay print ORDER_ID [--printer SPEC]` and `pospay print --report DAY [--printer SPEC]`:
 * prints a sale's receipt (or, given a refund id, its refund slip) or the day's Z report on
 * an ESC/POS printer (interfaces.md). Reads the journal only; a printer problem never touches
 * the sale: "receipt not printed: <why>" on stderr, exit 1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { defaultDataDir } from '../../app/paths.ts';
import { settingsPath } from '../../app/settings.ts';
import { toRefundView, toSaleView } from '../../engine/views.ts';
import { zReport } from '../../engine/reports.ts';
import { openJournal } from '../../journal/journal.ts';
import type { SaleRecord } from '../../journal/journal.ts';
import {
  DEFAULT_RECEIPT_SETTINGS,
  ReceiptSettingsSchema,
  type ReceiptSettings as SavedReceiptSettings,
} from '../../../shared/ipc/receiptSettings.ts';
import { resolveReceiptConfig } from '../../printing/config.ts';
import {
  refundReceipt,
  saleReceipt,
  zReportReceipt,
  type ReceiptSale,
} from '../../printing/layout.ts';
import { printBytes } from '../../printing/printer.ts';
import { parsePrinterSpec } from '../../printing/spec.ts';
import { errorMessage } from '../output.ts';
import { parseCommand } from '../args.ts';

const help = `usage: pospay print ORDER_ID [--printer SPEC]
       pospay print --report DAY [--training] [--printer SPEC]

Prints the receipt of a sale of the journal (POS_DATA_DIR) — or the refund slip, given a
refund id — or the day's Z report (--training: the training sales' report).
  --printer   serial:PATH[@BAUD], tcp:HOST[:9100], usb:VID:PID (HID-class printers),
              file:PATH (raw ESC/POS bytes); default POS_PRINTER, else the printer saved
              in Settings (settings.json)
  --width     paper width in mm: 58 or 80 (default POS_PRINTER_WIDTH, else Settings, else 80)
  --codepage  gb18030 (mainland printers) or big5 (Hong Kong printers); default
              POS_PRINTER_CODEPAGE, else Settings, else big5 for an HK store and gb18030
The store's name and address: Settings (POS_STORE_NAME, POS_STORE_ADDRESS override them).
Exit 0 printed, 1 not printed (the reason on stderr), 2 usage or unknown sale.`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    'print',
    args,
    {
      strings: ['printer', 'report', 'width', 'codepage'],
      booleans: ['training'],
      positionals: true,
    },
    help,
  );
  if (!parsed.ok) return parsed.exitCode;
  const { values, positionals } = parsed;
  const usage = (message: string) => {
    process.stderr.write(`pospay print: ${message}\n`);
    return 2;
  };
  const report = values.report;
  if (report !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(report)) {
    return usage('--report must be YYYY-MM-DD');
  }
  const id = positionals[0];
  if ((report === undefined) === (id === undefined) || positionals.length > 1) {
    return usage('give one ORDER_ID or --report DAY');
  }
  const dataDir = defaultDataDir();
  const saved = readSavedSettings(dataDir);
  if (saved.warning) process.stderr.write(`warning: ${saved.warning}\n`);
  const config = resolveReceiptConfig(saved.receipts, saved.region, process.env, {
    printer: values.printer,
    width: values.width,
    codepage: values.codepage,
  });
  const firstProblem = config.problems[0];
  if (firstProblem !== undefined) return usage(firstProblem);
  const specText = config.printer;
  if (specText === null) {
    return usage('no printer: give --printer SPEC, set POS_PRINTER or choose one in Settings');
  }
  const spec = parsePrinterSpec(specText);
  if (!spec.ok) return usage(spec.message);
  const settings = config.layout;

  let bytes: Uint8Array;
  let journal;
  try {
    journal = openJournal({ dir: dataDir });
  } catch (error) {
    return usage(errorMessage(error));
  }
  try {
    if (report !== undefined) {
      const training = values.training === true;
      const summary = zReport(report, journal.daySummary(report, training));
      bytes = zReportReceipt(summary, settings, { training, printedAt: Date.now() });
    } else {
      const wanted = id as string;
      const refund = journal.sale(wanted) ? undefined : journal.refund(wanted);
      const rec = journal.sale(refund ? refund.orderId : wanted);
      if (!rec) return usage(`no sale or refund "${wanted}" in the journal`);
      const sale = receiptSale(rec, journal.refundsOf(rec.orderId));
      bytes = refund
        ? refundReceipt(toRefundView(refund), sale, settings)
        : saleReceipt(sale, settings);
    }
  } finally {
    journal.close();
  }

  const result = await printBytes(spec.spec, bytes);
  if (!result.printed) {
    process.stderr.write(`receipt not printed: ${result.reason}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify({ printed: true, printer: specText })}\n`);
  return 0;
}

function receiptSale(rec: SaleRecord, refunds: Parameters<typeof toSaleView>[1]): ReceiptSale {
  return { ...toSaleView(rec, refunds, null), transactionId: rec.transactionId };
}

/**
 * The store's region and receipt settings from settings.json (read only: never creates nor
 * moves the file; the app owns it). A file that cannot be read gives the defaults, said once.
 */
function readSavedSettings(dataDir: string): {
  region: string;
  receipts: SavedReceiptSettings;
  warning?: string;
} {
  const fallback = { region: 'CN', receipts: DEFAULT_RECEIPT_SETTINGS };
  const file = settingsPath(dataDir);
  if (!existsSync(file)) return fallback;
  let json: { region?: unknown; receipts?: unknown } | null;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as typeof json;
  } catch (error) {
    return {
      ...fallback,
      warning: `${file} could not be read (${errorMessage(error)}): receipt settings not used`,
    };
  }
  const region = typeof json?.region === 'string' ? json.region : 'CN';
  const receipts = ReceiptSettingsSchema.safeParse(json?.receipts ?? {});
  if (!receipts.success) {
    return {
      region,
      receipts: DEFAULT_RECEIPT_SETTINGS,
      warning: `the receipt settings in ${file} are not valid (${receipts.error.issues[0]?.message ?? 'invalid'}): not used`,
    };
  }
  return { region, receipts: receipts.data };
}
