/**
 * The ledger of GET /__sim/ledger: one entry per payment the gateway accepted (a charge, with
 * its current status: only `SUCCESS` moved money) and one per refund. Linked-wallet, hosted
 * checkout and subscription charges have no payment code (scanCodeId null) and name how they
 * were paid and the member.
 */
import { formatForGateway, type Currency } from '../../shared/money.ts';
import type { SimState } from './state.ts';

export interface LedgerEntry {
  kind: 'charge' | 'refund';
  accId: string;
  merchantTransactionId: string;
  /** The charge's request id (for a refund: the request id of the refunded charge). */
  requestId: string;
  /**
   * The payment code charged, masked as the terminal's journal keeps it (`maskCode`: first 6
   * and last 4 digits); null for CodeGrant token payments. The full code is never shown.
   */
  scanCodeId: string | null;
  transactionId: string;
  /** Refunds only. */
  refundId?: string;
  merchantRefundId?: string;
  methodType: string;
  /** Major units as on the wire, e.g. "12.50". */
  amount: string;
  amountMinor: number;
  currency: Currency;
  /** Charges: PROCESSING, SUCCESS, FAILED, CLOSED. Refunds: SUCCESS, FAILED, PROCESSING. */
  status: string;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
  /**
   * Payments without a payment code only: how it was paid (a linked wallet's token, a hosted
   * checkout, a subscription's later charge) and the member (linked wallet, subscription).
   * Never a token.
   */
  source?: 'linked-wallet' | 'checkout' | 'recurring';
  merchantUserId?: string;
}

export function buildLedger(state: SimState): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const txn of state.transactions.values()) {
    const extra: Pick<LedgerEntry, 'source' | 'merchantUserId'> = {};
    if (txn.source !== undefined) extra.source = txn.source;
    if (txn.merchantUserId) extra.merchantUserId = txn.merchantUserId;
    entries.push({
      kind: 'charge',
      accId: txn.accId,
      merchantTransactionId: txn.merchantTransactionId,
      requestId: txn.requestId,
      scanCodeId: txn.scanCodeId,
      transactionId: txn.transactionId,
      methodType: txn.methodType,
      amount: formatForGateway(txn.amountMinor, txn.currency),
      amountMinor: txn.amountMinor,
      currency: txn.currency,
      status: txn.status,
      createdAt: txn.createdAt,
      updatedAt: txn.updatedAt,
      ...extra,
    });
  }
  for (const refund of state.refunds.values()) {
    const charge = state.transactions.get(refund.transactionId);
    entries.push({
      kind: 'refund',
      accId: refund.accId,
      merchantTransactionId: refund.merchantTransactionId,
      requestId: charge?.requestId ?? '',
      scanCodeId: charge?.scanCodeId ?? null,
      transactionId: refund.transactionId,
      refundId: refund.refundId,
      merchantRefundId: refund.merchantRefundId,
      methodType: charge?.methodType ?? '',
      amount: formatForGateway(refund.amountMinor, refund.currency),
      amountMinor: refund.amountMinor,
      currency: refund.currency,
      status: refund.status,
      createdAt: refund.createdAt,
      updatedAt: refund.updatedAt,
    });
  }
  return entries.sort((a, b) => a.createdAt - b.createdAt);
}
