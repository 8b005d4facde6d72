/**
 * Linked wallets (CodeGrant) and pay-on-phone hosted checkout (prePay): the names and request
 * types the terminal and the simulator share (facts: shared/spec/codegrant.md, summarised
 * here). Pure.
 *
 * - A member links a wallet once (`/v4/paymethod/bind` → `token` + `authUrl`); the token
 *   works only once the customer agreed in the wallet (status ACTIVE). The sign-up status is
 *   asked with `/v4/paymethod/bind/query`; `/v4/paymethod/unbind` ends it.
 * - Hosted checkout (`/v4/payment/prePay` → `paymentUrl` + session `token`): the customer pays
 *   on the phone (Apple Pay, Google Pay, card); the till learns the outcome by query. With a
 *   subscription the paid order carries a reusable payment token for later charges.
 */
import type { Currency } from '../money.ts';

import type { CheckoutBrand, LinkWallet } from '../paymentMethods.ts';

export {
  CHECKOUT_BRANDS,
  isCheckoutBrand,
  isLinkWallet,
  LINK_WALLETS,
  type CheckoutBrand,
  type LinkWallet,
} from '../paymentMethods.ts';

/** The currency a linked wallet is charged in. */
export const LINK_WALLET_CURRENCY: Readonly<Record<LinkWallet, Currency>> = {
  AlipayHK: 'HKD',
  Alipay: 'CNY',
};

/** A sign-up's status, as the sign-up query answers it. */
export const LINK_STATUSES = ['PENDING', 'ACTIVE', 'DECLINED', 'EXPIRED', 'UNBOUND'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

export function isLinkStatus(value: unknown): value is LinkStatus {
  return typeof value === 'string' && (LINK_STATUSES as readonly string[]).includes(value);
}

export interface BindRequest {
  /** ≤ 64 characters; the sign-up's idempotency key. */
  requestId: string;
  /** ≤ 256 characters: the store's member id. */
  merchantUserId: string;
  wallet: LinkWallet;
  /** ≤ 255 characters: where the wallet sends the customer after agreeing. */
  merchantResultUrl?: string;
  /** ≤ 255 characters: where the gateway POSTs the sign-up's notifications. */
  notificationUrl?: string;
}

/** Either the sign-up's requestId or its token names it (with the member id always). */
export interface BindQueryRequest {
  merchantUserId: string;
  requestId?: string;
  token?: string;
}

export interface UnbindRequest {
  requestId: string;
  merchantUserId: string;
  token: string;
}

export const INTERVAL_UNITS = ['day', 'week', 'month', 'year'] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];

export function isIntervalUnit(value: unknown): value is IntervalUnit {
  return typeof value === 'string' && (INTERVAL_UNITS as readonly string[]).includes(value);
}

/** A membership sold with recurring payments: the first checkout payment creates the token. */
export interface SubscriptionRequest {
  merchantUserId: string;
  /** "YYYY-MM-DD HH:mm:ss" */
  startDate: string;
  intervalUnit: IntervalUnit;
  /** A positive whole number. */
  intervalCount: number;
  /** "YYYY-MM-DD HH:mm:ss", after startDate. */
  endDate: string;
}

export interface PrePayRequest {
  merchantTransactionId: string;
  requestId: string;
  amountMinor: number;
  currency: Currency;
  /** Absent: the card page. */
  brand?: CheckoutBrand;
  shopperResultUrl?: string;
  notificationUrl?: string;
  subscription?: SubscriptionRequest;
}

/** A later charge of a subscription, with the payment token of its first payment. */
export interface RecurringChargeRequest {
  merchantTransactionId: string;
  requestId: string;
  amountMinor: number;
  currency: Currency;
  merchantUserId: string;
  paymentToken: string;
}

/** The gateway's date-time text of recurringInfo ("2025-06-01 00:00:00"). */
export const GATEWAY_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Whether `text` is a real date-time in the gateway's format. */
export function isGatewayDateTime(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  const match = GATEWAY_DATE_TIME.exec(text);
  if (!match) return false;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60
  );
}
