/**
 * The sale domain: the statuses a sale and a refund move through, the reason codes the
 * engine puts on them, and the business day. The journal, the engine, the CLI and the
 * screen contract (shared/ipc/contract.ts, whose zod enums derive from these lists) all
 * take them from here. Which moves are allowed: shared/saleTransitions.ts.
 */
import type { MemberReasonCode } from './members.ts';

/** No outcome yet: the cashier is still on the sale (waiting for the scan, charging, waiting for the customer). */
export const IN_PROGRESS_STATUSES = [
  'awaiting-scan',
  'submitting',
  'waiting-for-customer',
] as const;
/** An outcome the cashier can be told (`unknown` is neither in progress nor final). */
export const FINAL_STATUSES = ['paid', 'declined', 'closed'] as const;
export const SALE_STATUSES = [...IN_PROGRESS_STATUSES, ...FINAL_STATUSES, 'unknown'] as const;
export type SaleStatus = (typeof SALE_STATUSES)[number];

export const REFUND_STATUSES = [
  'submitting',
  'pending',
  'refunded',
  'declined',
  'unknown',
] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/**
 * Whether a sale with this status has no outcome yet (the screen stays on it, settings that
 * change the gateway wait). The journal's question, whether a request of the sale may still
 * be answered, is `isInFlight` (shared/saleTransitions.ts).
 */
export function isInProgress(status: SaleStatus): boolean {
  return (IN_PROGRESS_STATUSES as readonly SaleStatus[]).includes(status);
}

/** Whether the sale ended paid, declined or closed (an `unknown` sale has not). */
export function isFinal(status: SaleStatus): boolean {
  return (FINAL_STATUSES as readonly SaleStatus[]).includes(status);
}

/**
 * Every reasonCode the engine can put on a sale or refund (electron/engine/reasons.ts builds
 * them). The screen translates each (renderer/src/i18n: `Record<ReasonCode, string>`), so a
 * new code without words in every language does not compile.
 */
export type ReasonCode =
  | 'customer-timeout'
  | 'cancelled'
  | 'closed'
  | 'code-expired'
  | 'not-sent'
  | 'auto-refunded'
  | 'auto-refund-declined'
  | 'sale-in-progress'
  | 'gateway-credentials'
  | 'risk-declined'
  | 'declined'
  | 'gateway-rejected'
  | 'amount-mismatch'
  | 'refund-declined'
  // linked wallets, pay on phone, memberships (shared/members.ts MemberReasonCode)
  | MemberReasonCode
  | 'checkout-expired'
  | 'checkout-cancelled'
  | 'checkout-failed'
  /** A linked-wallet or renewal charge the gateway answered "payment code expired" (there is no code). */
  | 'token-charge-expired';

/**
 * How a sale is paid: a scanned code, a linked wallet (CodeGrant token), the customer's
 * phone (hosted checkout), or a subscription's renewal (the kept payment token).
 */
export const TENDERS = ['code', 'linked-wallet', 'checkout', 'renewal'] as const;
export type Tender = (typeof TENDERS)[number];

/** The local calendar day of an epoch-ms time, as YYYY-MM-DD: the business day of a sale. */
export function localDay(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
