/** Journal records → the SaleView the screen renders (shared/ipc/contract.ts). */
import type { RefundView, SaleView } from '../../shared/ipc/contract.ts';
import type { RefundRecord, SaleRecord } from '../journal/journal.ts';

export function toRefundView(r: RefundRecord): RefundView {
  return {
    refundId: r.refundId,
    orderId: r.orderId,
    amountMinor: r.amountMinor,
    currency: r.currency,
    status: r.status,
    reason: r.reason,
    automatic: r.automatic,
    createdAt: r.createdAt,
  };
}

/** What was actually given back (refunds done, not pending or declined). */
export function refundedMinor(refunds: readonly RefundRecord[]): number {
  return refunds.filter((r) => r.status === 'refunded').reduce((sum, r) => sum + r.amountMinor, 0);
}

/** `remainingMs` only while the cashier is still waiting for the customer. */
export function toSaleView(
  rec: SaleRecord,
  refunds: RefundRecord[],
  remainingMs: number | null,
): SaleView {
  const refundViews = refunds.map(toRefundView);
  return {
    orderId: rec.orderId,
    status: rec.status,
    amountMinor: rec.amountMinor,
    currency: rec.currency,
    method: rec.method,
    maskedCode: rec.maskedCode,
    reason: rec.reason,
    reasonCode: rec.reasonCode,
    remainingMs,
    abandoned: rec.abandoned !== null,
    recovered: rec.recovered,
    refundedMinor: refundedMinor(refunds),
    refunds: refundViews,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
    training: rec.training === true,
    tender: rec.tender ?? 'code',
    memberId: rec.memberId ?? null,
    // The page is shown while the customer may still pay on it.
    paymentUrl:
      rec.tender === 'checkout' && !rec.settled && !rec.abandoned ? (rec.paymentUrl ?? null) : null,
    paymentExpiresAt: rec.tender === 'checkout' ? (rec.expiresAt ?? null) : null,
    // The gateway's id of the payment (for a receipt, or a call to the gateway's support).
    transactionId: rec.transactionId,
  };
}
