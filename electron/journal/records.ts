/**
 * What the journal holds and how it maps to rows: the sale and refund records, the events
 * read back, and the one `events` row every transition is written as (INSERT_EVENT; the
 * triggers keep `sales` and `refunds` in step with it).
 */
import type { RefundStatus, SaleStatus } from '../../shared/sale.ts';
import type { Currency } from '../../shared/money.ts';
import type { SaleMethod } from '../../shared/paymentMethods.ts';
import type { Tender } from '../../shared/sale.ts';

/**
 * Why nobody waits for the sale any more: the cashier cancelled, the customer's deadline
 * passed, or (`closed`) the sale had been recorded as not paid when the gateway reported it
 * paid after all (it is then refunded automatically, like any abandoned sale found paid).
 */
export type AbandonCause = 'cancel' | 'deadline' | 'closed';
export type { RefundStatus };

export interface SaleRecord {
  /** The gateway's merchantTransactionId. */
  orderId: string;
  terminalId: string;
  status: SaleStatus;
  amountMinor: number;
  currency: Currency;
  /** A code method, a linked wallet (AlipayHK, Alipay) or a checkout brand (ApplePay…). */
  method: SaleMethod | null;
  /** Masked payment code of the latest attempt (never the code itself). */
  maskedCode: string | null;
  source: string | null;
  /** Number of the latest attempt (a new code = a new attempt); 0 before any. */
  attempt: number;
  /** requestId of the latest attempt. */
  requestId: string | null;
  transactionId: string | null;
  gatewayStatus: string | null;
  reason: string | null;
  reasonCode: string | null;
  /** Set when the cashier stopped waiting (cancel) or the deadline passed. */
  abandoned: AbandonCause | null;
  /** The final state was found after a restart. */
  recovered: boolean;
  /** The gateway's answer is final (paid, declined, closed): nothing left to resolve. */
  settled: boolean;
  createdAt: number;
  updatedAt: number;
  /** Business day (YYYY-MM-DD) the sale belongs to. */
  day: string;
  /** Sent to the embedded simulator (training mode), not a live gateway. Default false. */
  training?: boolean;
  /**
   * The gateway the sale went to: 'embedded-simulator' or the live base URL; null for a
   * sale journaled before this was recorded. Set when the sale is first journaled.
   */
  gateway?: string | null;
  /** The store (accId) the sale was charged to; null when not recorded. */
  accId?: string | null;
  /** How it is paid (default `code`: a scanned code; every sale before journal version 4). */
  tender?: Tender;
  /** The member charged (merchantUserId): linked wallet, checkout of a membership, renewal. */
  memberId?: string | null;
  /** The checkout's paymentBrand (ApplePay, GooglePay); null: the card page or no checkout. */
  brand?: string | null;
  /** The checkout page the customer opens (shown as a QR; not a secret). */
  paymentUrl?: string | null;
  /** When the checkout page closes (epoch ms, as far as the till knows). */
  expiresAt?: number | null;
  /** The membership this sale pays (first payment or renewal). */
  subscriptionId?: string | null;
}

/** What a new sale is made of; everything else starts empty (no attempt yet). */
export type NewSaleInit = Pick<
  SaleRecord,
  'orderId' | 'terminalId' | 'amountMinor' | 'currency' | 'createdAt' | 'day'
> &
  Partial<SaleRecord>;

/** A sale before its first attempt (`awaiting-scan`), with `overrides` applied on top. */
export function newSaleRecord(init: NewSaleInit): SaleRecord {
  return {
    status: 'awaiting-scan',
    method: null,
    maskedCode: null,
    source: null,
    attempt: 0,
    requestId: null,
    transactionId: null,
    gatewayStatus: null,
    reason: null,
    reasonCode: null,
    abandoned: null,
    recovered: false,
    settled: false,
    updatedAt: init.createdAt,
    training: false,
    gateway: null,
    accId: null,
    tender: 'code',
    memberId: null,
    brand: null,
    paymentUrl: null,
    expiresAt: null,
    subscriptionId: null,
    ...init,
  };
}

export interface RefundRecord {
  /** The gateway's merchantRefundId. */
  refundId: string;
  orderId: string;
  amountMinor: number;
  currency: Currency;
  status: RefundStatus;
  reason: string | null;
  reasonCode: string | null;
  automatic: boolean;
  gatewayRefundId: string | null;
  /** How many times the refund request was sent (the same merchantRefundId each time). */
  sends: number;
  settled: boolean;
  createdAt: number;
  updatedAt: number;
  day: string;
}

export interface JournalEventInput {
  kind: string;
  /** Extra facts (never a code in clear, never a secret). */
  detail?: Record<string, unknown>;
}

export interface JournalEvent {
  seq: number;
  orderId: string;
  refundId: string | null;
  at: number;
  kind: string;
  status: string | null;
  detail: Record<string, unknown> | null;
}

export type Row = Record<string, unknown>;

export function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function int(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function saleFromRow(row: Row): SaleRecord {
  return {
    orderId: String(row.order_id),
    terminalId: String(row.terminal_id),
    status: String(row.status) as SaleStatus,
    amountMinor: int(row.amount_minor),
    currency: String(row.currency) as Currency,
    method: text(row.method) as SaleMethod | null,
    maskedCode: text(row.masked_code),
    source: text(row.source),
    attempt: int(row.attempt),
    requestId: text(row.request_id),
    transactionId: text(row.transaction_id),
    gatewayStatus: text(row.gateway_status),
    reason: text(row.reason),
    reasonCode: text(row.reason_code),
    abandoned: text(row.abandoned) as AbandonCause | null,
    recovered: int(row.recovered) === 1,
    settled: int(row.settled) === 1,
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
    day: String(row.day),
    training: int(row.training) === 1,
    gateway: text(row.gateway),
    accId: text(row.acc_id),
    tender: (text(row.tender) ?? 'code') as Tender,
    memberId: text(row.member_id),
    brand: text(row.brand),
    paymentUrl: text(row.payment_url),
    expiresAt: row.expires_at === null || row.expires_at === undefined ? null : int(row.expires_at),
    subscriptionId: text(row.subscription_id),
  };
}

export function refundFromRow(row: Row): RefundRecord {
  return {
    refundId: String(row.refund_id),
    orderId: String(row.order_id),
    amountMinor: int(row.amount_minor),
    currency: String(row.currency) as Currency,
    status: String(row.status) as RefundStatus,
    reason: text(row.reason),
    reasonCode: text(row.reason_code),
    automatic: int(row.automatic) === 1,
    gatewayRefundId: text(row.gateway_refund_id),
    sends: int(row.sends),
    settled: int(row.settled) === 1,
    createdAt: int(row.created_at),
    updatedAt: int(row.updated_at),
    day: String(row.day),
  };
}

/** One row of `events`, by column: named parameters of INSERT_EVENT. */
export interface EventRow {
  kind: string;
  detail: string | null;
  order_id: string;
  refund_id: string | null;
  terminal_id: string | null;
  status: string;
  amount_minor: number;
  currency: string;
  method: string | null;
  masked_code: string | null;
  source: string | null;
  attempt: number | null;
  request_id: string | null;
  transaction_id: string | null;
  gateway_status: string | null;
  reason: string | null;
  reason_code: string | null;
  abandoned: string | null;
  recovered: number | null;
  settled: number;
  automatic: number | null;
  gateway_refund_id: string | null;
  sends: number | null;
  created_at: number;
  updated_at: number;
  day: string;
  training: number | null;
  gateway: string | null;
  acc_id: string | null;
  tender: string | null;
  member_id: string | null;
  brand: string | null;
  payment_url: string | null;
  expires_at: number | null;
  subscription_id: string | null;
}

/** The columns nobody sets for the other kind of row (a sale's refund columns and back). */
const EMPTY_ROW = {
  refund_id: null,
  terminal_id: null,
  method: null,
  masked_code: null,
  source: null,
  attempt: null,
  request_id: null,
  transaction_id: null,
  gateway_status: null,
  abandoned: null,
  recovered: null,
  automatic: null,
  gateway_refund_id: null,
  sends: null,
  training: null,
  gateway: null,
  acc_id: null,
  tender: null,
  member_id: null,
  brand: null,
  payment_url: null,
  expires_at: null,
  subscription_id: null,
} as const satisfies Partial<EventRow>;

const EVENT_COLUMNS: readonly (keyof EventRow)[] = [
  'kind',
  'detail',
  'order_id',
  'refund_id',
  'terminal_id',
  'status',
  'amount_minor',
  'currency',
  'method',
  'masked_code',
  'source',
  'attempt',
  'request_id',
  'transaction_id',
  'gateway_status',
  'reason',
  'reason_code',
  'abandoned',
  'recovered',
  'settled',
  'automatic',
  'gateway_refund_id',
  'sends',
  'created_at',
  'updated_at',
  'day',
  'training',
  'gateway',
  'acc_id',
  'tender',
  'member_id',
  'brand',
  'payment_url',
  'expires_at',
  'subscription_id',
];

export const INSERT_EVENT = `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map((c) => `@${c}`).join(', ')})`;

function detailText(event: JournalEventInput): string | null {
  return event.detail === undefined ? null : JSON.stringify(event.detail);
}
export function saleEvent(sale: SaleRecord, event: JournalEventInput): EventRow {
  return {
    ...EMPTY_ROW,
    kind: event.kind,
    detail: detailText(event),
    order_id: sale.orderId,
    terminal_id: sale.terminalId,
    status: sale.status,
    amount_minor: sale.amountMinor,
    currency: sale.currency,
    method: sale.method,
    masked_code: sale.maskedCode,
    source: sale.source,
    attempt: sale.attempt,
    request_id: sale.requestId,
    transaction_id: sale.transactionId,
    gateway_status: sale.gatewayStatus,
    reason: sale.reason,
    reason_code: sale.reasonCode,
    abandoned: sale.abandoned,
    recovered: sale.recovered ? 1 : 0,
    settled: sale.settled ? 1 : 0,
    created_at: sale.createdAt,
    updated_at: sale.updatedAt,
    day: sale.day,
    training: sale.training ? 1 : 0,
    gateway: sale.gateway ?? null,
    acc_id: sale.accId ?? null,
    // A scanned-code sale keeps NULL (as before version 4): the same rows as ever.
    tender: sale.tender === undefined || sale.tender === 'code' ? null : sale.tender,
    member_id: sale.memberId ?? null,
    brand: sale.brand ?? null,
    payment_url: sale.paymentUrl ?? null,
    expires_at: sale.expiresAt ?? null,
    subscription_id: sale.subscriptionId ?? null,
  };
}

export function refundEvent(refund: RefundRecord, event: JournalEventInput): EventRow {
  return {
    ...EMPTY_ROW,
    kind: event.kind,
    detail: detailText(event),
    order_id: refund.orderId,
    refund_id: refund.refundId,
    status: refund.status,
    amount_minor: refund.amountMinor,
    currency: refund.currency,
    reason: refund.reason,
    reason_code: refund.reasonCode,
    settled: refund.settled ? 1 : 0,
    automatic: refund.automatic ? 1 : 0,
    gateway_refund_id: refund.gatewayRefundId,
    sends: refund.sends,
    created_at: refund.createdAt,
    updated_at: refund.updatedAt,
    day: refund.day,
  };
}
