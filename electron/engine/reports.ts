/**
 * The daily report (Z report) and the CSV export of one business day, computed from the
 * journal: paid sales and completed refunds per method and currency, and the net.
 */
import type { ZReport } from '../../shared/ipc/contract.ts';
import { formatForGateway } from '../../shared/money.ts';
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
  'time_utc',
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
): string {
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
        new Date(sale.createdAt).toISOString(),
        sale.status,
        sale.method,
        sale.currency,
        formatForGateway(sale.amountMinor, sale.currency),
        formatForGateway(refunded, sale.currency),
        sale.maskedCode,
        sale.transactionId,
        null,
        sale.recovered ? 'yes' : 'no',
        sale.reason,
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
        new Date(refund.createdAt).toISOString(),
        refund.status,
        methodOf(refund.orderId),
        refund.currency,
        formatForGateway(refund.amountMinor, refund.currency),
        null,
        null,
        refund.gatewayRefundId,
        refund.automatic ? 'yes' : 'no',
        null,
        refund.reason,
        trainingOf(refund.orderId) ? 'yes' : 'no',
      ],
    });
  }
  rows.sort((a, b) => a.at - b.at);
  for (const row of rows) lines.push(row.fields.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
