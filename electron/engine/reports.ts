/**
 * The daily report (Z report) and the CSV export of one business day, computed from the
 * journal: paid sales and completed refunds per method and currency, and the net. The CSV's
 * times are the terminal's local time with its zone (2026-12-02 14:03:11 +08:00) and its
 * reasons are in the language asked for (shared/reasonTexts.ts, the screen's own words).
 */
import type { ZReport } from '../../shared/ipc/contract.ts';
import type { Language } from '../../shared/languages.ts';
import { formatForGateway } from '../../shared/money.ts';
import { reasonLine } from '../../shared/reasonTexts.ts';
import type { DaySummaryRow, RefundRecord, SaleRecord } from '../journal/journal.ts';
import { refundedMinor } from './views.ts';

export function zReport(day: string, summary: DaySummaryRow[]): ZReport {
  return {
    day,
    rows: summary.map((row) => ({
      method: row.method,
      currency: row.currency,
      salesCount: row.salesCount,
      salesMinor: row.salesMinor,
      refundsCount: row.refundsCount,
      refundsMinor: row.refundsMinor,
      netMinor: row.salesMinor - row.refundsMinor,
    })),
  };
}

/** One CSV field: quoted when needed; a leading = + - @ cannot start a spreadsheet formula. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_HEADER = [
  'type',
  'order_id',
  'refund_id',
  'time',
  'status',
  'method',
  'currency',
  'amount',
  'refunded',
  'masked_code',
  'transaction_id',
  'automatic',
  'recovered',
  'reason',
  'training',
];

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * An epoch-ms time as the terminal's local time with its zone, e.g. 2026-12-02 14:03:11 +08:00
 * (`offsetMinutes`: the zone's offset east of UTC at that moment; default this machine's).
 */
export function localTimeWithZone(
  epochMs: number,
  offsetMinutes: (epochMs: number) => number = (ms) => -new Date(ms).getTimezoneOffset(),
): string {
  const offset = offsetMinutes(epochMs);
  const d = new Date(epochMs + offset * 60_000); // read with the UTC getters: local fields
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${zone}`
  );
}

export interface CsvOptions {
  /** The language of the reason column (default English: the terminal's own sentences). */
  language?: Language;
  /** The zone's offset east of UTC at a moment, in minutes (default this machine's zone). */
  offsetMinutes?: (epochMs: number) => number;
}

/**
 * Every sale created on the day (whatever its status) and every refund made on the day,
 * oldest first, amounts in major units as the gateway writes them.
 */
export function dayCsv(
  sales: SaleRecord[],
  refundsOfSale: (orderId: string) => RefundRecord[],
  refundsOfDay: RefundRecord[],
  methodOf: (orderId: string) => string | null,
  trainingOf: (orderId: string) => boolean = () => false,
  options: CsvOptions = {},
): string {
  const language = options.language ?? 'en';
  const when = (ms: number): string => localTimeWithZone(ms, options.offsetMinutes);
  const lines = [CSV_HEADER.join(',')];
  const rows: { at: number; fields: (string | number | null)[] }[] = [];
  for (const sale of sales) {
    const refunded = refundedMinor(refundsOfSale(sale.orderId));
    rows.push({
      at: sale.createdAt,
      fields: [
        'sale',
        sale.orderId,
        null,
        when(sale.createdAt),
        sale.status,
        sale.method,
        sale.currency,
        formatForGateway(sale.amountMinor, sale.currency),
        formatForGateway(refunded, sale.currency),
        sale.maskedCode,
        sale.transactionId,
        null,
        sale.recovered ? 'yes' : 'no',
        reasonLine(language, sale),
        sale.training ? 'yes' : 'no',
      ],
    });
  }
  for (const refund of refundsOfDay) {
    rows.push({
      at: refund.createdAt,
      fields: [
        'refund',
        refund.orderId,
        refund.refundId,
        when(refund.createdAt),
        refund.status,
        methodOf(refund.orderId),
        refund.currency,
        formatForGateway(refund.amountMinor, refund.currency),
        null,
        null,
        refund.gatewayRefundId,
        refund.automatic ? 'yes' : 'no',
        null,
        reasonLine(language, {
          reason: refund.reason,
          reasonCode:
            refund.reasonCode ?? (refund.status === 'declined' ? 'refund-declined' : null),
        }),
        trainingOf(refund.orderId) ? 'yes' : 'no',
      ],
    });
  }
  rows.sort((a, b) => a.at - b.at);
  for (const row of rows) lines.push(row.fields.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
