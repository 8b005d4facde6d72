/**
 * Sale and refund views as the engine hands them to the screen and the receipt service
 * (types from shared/ipc/contract.ts): a paid CNY 12.50 WeChat Pay sale of 1 December 2026,
 * 12:00:05 UTC, and a refund of CNY 5.00 of it. A test passes only what it is about.
 */
import type { RefundView, SaleView } from '../../shared/ipc/contract.ts';
import type { ReceiptSale } from '../../electron/printing/layout.ts';

export const ORDER_ID = 'T1-1201-AB12CD34';

/** A paid sale; `over` replaces any field (its order id, its times…). */
export function saleView(over: Partial<SaleView> = {}): SaleView {
  return {
    orderId: ORDER_ID,
    status: 'paid',
    amountMinor: 1250,
    currency: 'CNY',
    method: 'Wechat-Offline',
    maskedCode: '134567********1234',
    reason: null,
    reasonCode: null,
    remainingMs: null,
    abandoned: false,
    recovered: false,
    refundedMinor: 0,
    refunds: [],
    createdAt: Date.UTC(2026, 11, 1, 12, 0, 5),
    updatedAt: Date.UTC(2026, 11, 1, 12, 0, 9),
    training: false,
    ...over,
  };
}

/** A refund done of CNY 5.00, id `<orderId>-R1`, at 13:00 UTC. */
export function refundView(over: Partial<RefundView> = {}): RefundView {
  const orderId = over.orderId ?? ORDER_ID;
  return {
    refundId: `${orderId}-R1`,
    orderId,
    amountMinor: 500,
    currency: 'CNY',
    status: 'refunded',
    reason: null,
    automatic: false,
    createdAt: Date.UTC(2026, 11, 1, 13, 0, 0),
    ...over,
  };
}

/** A sale as a receipt prints it: with the gateway's transaction id. */
export function asReceipt(sale: SaleView, transactionId: string | null = 'GW-1'): ReceiptSale {
  return { ...sale, transactionId };
}

/** A paid sale with its transaction id (default GW-1), for the receipt layout. */
export function receiptSale(over: Partial<ReceiptSale> = {}): ReceiptSale {
  return { ...saleView(over), transactionId: 'GW-1', ...over };
}
