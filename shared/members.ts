/**
 * Members, their linked wallets (CodeGrant, "一键支付") and their subscriptions: the pure
 * domain the journal, the link service, the engine, the CLI and the screen share.
 *
 * Facts (copied from ../shared/spec/codegrant.md, PingPong's public docs and the wallets'
 * agreement-pay guides):
 * - CodeGrant wallets a till offers: AlipayHK and Alipay. WeChat Pay does NOT support
 *   CodeGrant (it is never offered; asked for, the reason says so).
 * - Per-payment limits: Alipay about CNY 500.00 by default (the merchant's agreement may
 *   say otherwise), AlipayHK HKD 50,000.00 (Antom's figures for the same wallet). A charge
 *   above is refused before anything is sent.
 * - A sign-up (bind) is `pending` until the customer agrees (`active`), declines
 *   (`declined`) or lets it lapse (`expired`); an active link ends `unbound` (by the
 *   merchant at the till, or by the customer inside the wallet).
 */
import { formatForDisplay, type Currency } from './money.ts';

import { classifyPaymentCode } from './paymentCode.ts';
import { isLinkWallet, REGIONS, type LinkWallet } from './paymentMethods.ts';

export { isLinkWallet, LINK_WALLETS, type LinkWallet } from './paymentMethods.ts';

export interface LinkWalletFacts {
  /** The one currency the wallet is charged in at this terminal. */
  currency: Currency;
  /** Default per-payment limit, minor units. */
  limitMinor: number;
  name: string;
}

export const LINK_WALLET_FACTS = {
  AlipayHK: { currency: 'HKD', limitMinor: 5_000_000, name: 'AlipayHK' },
  Alipay: { currency: 'CNY', limitMinor: 50_000, name: 'Alipay' },
} as const satisfies Record<LinkWallet, LinkWalletFacts>;

export const LINK_STATUSES = ['pending', 'active', 'declined', 'expired', 'unbound'] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

/** from → the statuses it may move to (declined, expired and unbound are final). */
const LINK_ALLOWED: Readonly<Record<LinkStatus, readonly LinkStatus[]>> = {
  pending: ['active', 'declined', 'expired'],
  active: ['unbound'],
  declined: [],
  expired: [],
  unbound: [],
};

export type LinkTransitionCheck = { ok: true } | { ok: false; reason: string };

/** Whether a linked wallet may move from `from` to `to` (the same status: a no-op, allowed). */
export function checkLinkTransition(from: LinkStatus, to: LinkStatus): LinkTransitionCheck {
  if (from === to || LINK_ALLOWED[from].includes(to)) return { ok: true };
  return { ok: false, reason: `a linked wallet cannot move from ${from} to ${to}` };
}

export function isFinalLinkStatus(status: LinkStatus): boolean {
  return LINK_ALLOWED[status].length === 0;
}

/** The gateway's sign-up statuses (bind query) → ours. */
export function linkStatusOf(gateway: string): LinkStatus | null {
  switch (gateway.toUpperCase()) {
    case 'PENDING':
      return 'pending';
    case 'ACTIVE':
      return 'active';
    case 'DECLINED':
      return 'declined';
    case 'EXPIRED':
      return 'expired';
    case 'UNBOUND':
      return 'unbound';
    default:
      return null;
  }
}

/** Reason codes of refusals about members (shared/sale.ts ReasonCode includes them). */
export type MemberReasonCode =
  | 'wallet-not-codegrant'
  | 'link-limit-exceeded'
  | 'link-currency'
  | 'member-unknown'
  | 'link-missing'
  | 'link-not-active'
  | 'link-unbound'
  | 'link-token-unreadable'
  | 'member-token-mismatch'
  /** An earlier charge of the same linked wallet is still being confirmed. */
  | 'link-unsettled'
  | 'subscription-missing'
  | 'subscription-token-revoked'
  /** A renewal asked for before it is due (the period is paid). */
  | 'subscription-not-due'
  /** A renewal at another amount or currency than the membership's. */
  | 'subscription-terms'
  /** A renewal that names no membership of a member who has more than one. */
  | 'subscription-ambiguous'
  /** A membership made with another gateway (or training/live mode). */
  | 'subscription-other-gateway'
  /** An earlier charge of the membership is still being confirmed. */
  | 'subscription-unsettled'
  // Why a membership is not (or no longer) renewed: its state, on the Members screen.
  /** Its first payment was not made. */
  | 'subscription-first-unpaid'
  /** Its checkout was cancelled (or abandoned) before the customer paid. */
  | 'subscription-checkout-abandoned'
  /** The gateway's answer about the first payment named another member. */
  | 'subscription-token-other-member'
  /** The first payment came without a payment token. */
  | 'subscription-no-token'
  /** The first payment was refunded in full. */
  | 'subscription-first-refunded';

export interface MemberRefusal {
  reasonCode: MemberReasonCode;
  reason: string;
}

/** What the cashier is told when the customer's link no longer works. */
export const ASK_SCAN_OR_RELINK = 'ask the customer to scan their payment code or link again';

/** WeChat Pay (or anything but AlipayHK / Alipay) asked for as a linked wallet. */
export function walletRefusal(wallet: string): MemberRefusal | null {
  if (isLinkWallet(wallet)) return null;
  if (/wechat|weixin/i.test(wallet)) {
    return {
      reasonCode: 'wallet-not-codegrant',
      reason:
        'WeChat Pay does not support linked wallets (CodeGrant) — link AlipayHK or Alipay, ' +
        'or scan the customer’s WeChat Pay code',
    };
  }
  return {
    reasonCode: 'wallet-not-codegrant',
    reason: `${wallet} cannot be linked at this till — link AlipayHK or Alipay`,
  };
}

/**
 * Whether a charge of `amountMinor` `currency` may be sent to a linked `wallet`: its one
 * currency, and at most its per-payment limit. Null when it may.
 */
export function chargeRefusal(
  wallet: LinkWallet,
  amountMinor: number,
  currency: Currency,
  limits: Partial<Record<LinkWallet, number>> = {},
): MemberRefusal | null {
  const facts = LINK_WALLET_FACTS[wallet];
  if (currency !== facts.currency) {
    return {
      reasonCode: 'link-currency',
      reason: `A linked ${facts.name} is charged in ${facts.currency}, but this sale is in ${currency}`,
    };
  }
  const limit = limits[wallet] ?? facts.limitMinor;
  if (amountMinor > limit) {
    return {
      reasonCode: 'link-limit-exceeded',
      reason:
        `${formatForDisplay(amountMinor, currency)} is above the ${facts.name} limit of ` +
        `${formatForDisplay(limit, currency)} per linked-wallet payment — nothing was charged; ` +
        'ask the customer to scan their payment code',
    };
  }
  return null;
}

// ------------------------------------------------------------------ member ids

/** A member id: letters, digits, `-`, `_`, `.`, at most 64 (the gateway allows 256). */
const MEMBER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The text with full-width and other compatibility forms folded to ASCII (NFKC): "９１２３"
 * (a Chinese input method's default) is "9123", the ideographic space a space.
 */
function folded(text: string): string {
  return text.normalize('NFKC');
}

/**
 * Something a cashier typed that looks like a phone number: 7 to 15 digits with spaces, dots,
 * `+`, `-` or brackets between them, in ASCII or full-width forms ("852.9123.4567",
 * "９１２３ ４５６７").
 */
export function looksLikePhone(text: string): boolean {
  const plain = folded(text).trim();
  const digits = plain.replace(/[\s().+-]/g, '');
  return /^\d{7,15}$/.test(digits) && /^[\d\s().+-]+$/.test(plain);
}

/** Digits only, for hashing a phone number (so "+852 9123-4567", "85291234567" and "８５２９１２３４５６７" agree). */
export function normalisePhone(text: string): string {
  return folded(text).replace(/\D/g, '');
}

/** Null when `id` is a usable member id, else why not. */
/**
 * Why `id` cannot be a member id, or null. `creating`: a new member — an id that reads as a
 * wallet payment code is refused too (a scan of the card would be charged as a code); a
 * member made with one before that rule is still found, charged and unbound by it.
 */
export function memberIdProblem(id: string, options: { creating?: boolean } = {}): string | null {
  if (looksLikePhone(id)) {
    return 'A phone number is never used as a member id in clear — give it as a phone number (it is hashed)';
  }
  if (!MEMBER_ID.test(id)) {
    return 'A member id is 1–64 letters, digits, ".", "-" or "_" (starting with a letter or digit)';
  }
  // A scan of such a member's card would be a payment code to the till (and the gateway).
  if (options.creating && REGIONS.some((region) => classifyPaymentCode(id, { region }).ok)) {
    return 'A member id that reads as a wallet payment code (18 digits from 10–15, or 16–24 digits from 25–30) is refused: a scan of the card would be charged as a payment code — add a letter or a prefix';
  }
  return null;
}

// ------------------------------------------------------------------ subscriptions

export const INTERVAL_UNITS = ['day', 'week', 'month', 'year'] as const;
export type IntervalUnit = (typeof INTERVAL_UNITS)[number];

export function isIntervalUnit(value: unknown): value is IntervalUnit {
  return typeof value === 'string' && (INTERVAL_UNITS as readonly string[]).includes(value);
}

/** A subscription's schedule: calendar dates YYYY-MM-DD (the store's local days). */
export interface Schedule {
  startDate: string;
  intervalUnit: IntervalUnit;
  intervalCount: number;
  endDate: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface Ymd {
  y: number;
  m: number; // 1..12
  d: number;
}

function parseDate(text: string): Ymd | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d };
}

export function isDate(text: string): boolean {
  return parseDate(text) !== null;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function formatYmd({ y, m, d }: Ymd): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function addDays(date: Ymd, days: number): Ymd {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/**
 * The `n`-th due date (n = 0: the start). Months and years count from the START date, so
 * a subscription started on the 31st falls due on the last day of shorter months and on
 * the 31st again afterwards (Jan 31 → Feb 28/29 → Mar 31), never drifting.
 */
export function dueDate(schedule: Schedule, n: number): string {
  const start = parseDate(schedule.startDate);
  if (!start) throw new RangeError(`not a date: ${schedule.startDate}`);
  const steps = n * schedule.intervalCount;
  switch (schedule.intervalUnit) {
    case 'day':
      return formatYmd(addDays(start, steps));
    case 'week':
      return formatYmd(addDays(start, steps * 7));
    case 'month':
    case 'year': {
      const months = schedule.intervalUnit === 'month' ? steps : steps * 12;
      const index = start.y * 12 + (start.m - 1) + months;
      const y = Math.floor(index / 12);
      const m = (index % 12) + 1;
      return formatYmd({ y, m, d: Math.min(start.d, daysInMonth(y, m)) });
    }
  }
}

/** Null when the schedule is usable, else why not. */
export function scheduleProblem(schedule: Schedule): string | null {
  if (!isDate(schedule.startDate)) return `the start date ${schedule.startDate} is not a date`;
  if (!isDate(schedule.endDate)) return `the end date ${schedule.endDate} is not a date`;
  if (!isIntervalUnit(schedule.intervalUnit)) {
    return `the interval unit must be ${INTERVAL_UNITS.join(', ')}`;
  }
  if (!Number.isInteger(schedule.intervalCount) || schedule.intervalCount < 1) {
    return 'the interval count must be a whole number of at least 1';
  }
  if (schedule.intervalCount > 366) return 'the interval count is at most 366';
  if (schedule.endDate <= schedule.startDate) return 'the end date must be after the start date';
  return null;
}

/**
 * The first due date after the `paidCount` charges already made (the first payment is
 * charge 1, on the start date), or null when the schedule has ended (past endDate).
 */
export function nextDueDate(schedule: Schedule, paidCount: number): string | null {
  const next = dueDate(schedule, Math.max(0, paidCount));
  return next <= schedule.endDate ? next : null;
}

/** Every due date of the schedule, start to end (at most `max`). */
export function dueDates(schedule: Schedule, max = 1000): string[] {
  const out: string[] = [];
  for (let n = 0; n < max; n += 1) {
    const date = dueDate(schedule, n);
    if (date > schedule.endDate) break;
    out.push(date);
  }
  return out;
}

/** Whether a renewal is due on `today` (YYYY-MM-DD): its next due date is today or before. */
export function isDue(schedule: Schedule, paidCount: number, today: string): boolean {
  const next = nextDueDate(schedule, paidCount);
  return next !== null && next <= today;
}

export const SUBSCRIPTION_STATUSES = ['pending', 'active', 'failed', 'revoked', 'ended'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
