/**
 * What the `pospay pay | query | refund | history` commands share: exit codes and the JSON
 * a script reads (interfaces.md).
 */
import type { SaleView } from '../../shared/ipc/contract.ts';
import { formatForGateway } from '../../shared/money.ts';
import { isFinal } from '../../shared/sale.ts';

/** interfaces.md: exit 0 paid, 1 not paid, 3 unknown (2 is a usage error or a refusal). */
export function exitCodeForSale(sale: Pick<SaleView, 'status'>): number {
  if (sale.status === 'paid') return 0;
  if (isFinal(sale.status)) return 1;
  return 3;
}

/** The one JSON line of `pospay pay`. */
export function payResult(sale: SaleView): {
  orderId: string;
  status: SaleView['status'];
  reason: string | null;
  method: SaleView['method'];
} {
  return { orderId: sale.orderId, status: sale.status, reason: sale.reason, method: sale.method };
}

/** One sale as `pospay history --json` / `pospay query` print it. */
export function saleJson(sale: SaleView): Record<string, unknown> {
  return {
    orderId: sale.orderId,
    status: sale.status,
    amount: formatForGateway(sale.amountMinor, sale.currency),
    amountMinor: sale.amountMinor,
    currency: sale.currency,
    method: sale.method,
    /** code, linked-wallet, checkout or renewal */
    tender: sale.tender ?? 'code',
    ...(sale.memberId ? { memberId: sale.memberId } : {}),
    reason: sale.reason,
    maskedCode: sale.maskedCode,
    refunded: formatForGateway(sale.refundedMinor, sale.currency),
    refunds: sale.refunds.map((r) => ({
      refundId: r.refundId,
      status: r.status,
      amount: formatForGateway(r.amountMinor, r.currency),
      automatic: r.automatic,
      reason: r.reason,
      createdAt: new Date(r.createdAt).toISOString(),
    })),
    abandoned: sale.abandoned,
    recovered: sale.recovered,
    createdAt: new Date(sale.createdAt).toISOString(),
  };
}

/** One human-readable history line. */
export function saleLine(sale: SaleView): string {
  const when = new Date(sale.createdAt).toISOString().replace('T', ' ').slice(0, 19);
  const amount = `${formatForGateway(sale.amountMinor, sale.currency)} ${sale.currency}`;
  const refunded =
    sale.refundedMinor > 0
      ? ` refunded ${formatForGateway(sale.refundedMinor, sale.currency)}`
      : '';
  const flags = [sale.recovered ? 'recovered' : null, sale.abandoned ? 'abandoned' : null]
    .filter(Boolean)
    .join(',');
  return [
    when,
    sale.orderId,
    sale.status.padEnd(20),
    amount.padStart(14),
    (sale.method ?? '-').padEnd(16),
    `${refunded}${flags ? ` [${flags}]` : ''}${sale.reason ? ` — ${sale.reason}` : ''}`,
  ].join('  ');
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
