/**
 * The contract's channels for members, linked wallets (CodeGrant), pay-on-phone checkouts and
 * subscriptions. Spread into invokeChannels / eventChannels of contract.ts: defined here once.
 *
 * What never crosses: a token (a linked wallet's or a membership's), a phone number (a member
 * found by phone gets an opaque id, derived by a keyed hash in the terminal). What may: the
 * sign-up's authUrl and the checkout's paymentUrl (shown as QR codes; not secrets).
 * Unbinding a linked wallet and charging a renewal need the supervisor PIN ('members').
 */
import { z } from 'zod';
import { INTERVAL_UNITS, LINK_STATUSES, LINK_WALLETS, SUBSCRIPTION_STATUSES } from '../members.ts';
import { CURRENCY_CODES } from '../money.ts';
import { CHECKOUT_BRANDS } from '../paymentMethods.ts';
// Read lazily: contract.ts (which spreads these channels) defines SaleViewSchema.
import { SaleViewSchema } from './contract.ts';

const SaleView = z.lazy(() => SaleViewSchema);
const Currency = z.enum(CURRENCY_CODES);
const DaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const MemberIdSchema = z.string().trim().min(1).max(64);
const PinSchema = z.string().max(16);
export const LinkWalletSchema = z.enum(LINK_WALLETS);

/** A member by id, or by phone number (turned into an opaque id by the terminal). */
const MemberRefSchema = z
  .object({ memberId: MemberIdSchema.optional(), phone: z.string().max(32).optional() })
  .refine((m) => (m.memberId === undefined) !== (m.phone === undefined), {
    message: 'give a member id or a phone number',
  });

/** A linked wallet as the screen shows it: never its token. */
export const LinkViewSchema = z.object({
  linkId: z.string(),
  memberId: z.string(),
  wallet: LinkWalletSchema,
  status: z.enum(LINK_STATUSES),
  /** While pending: the wallet page the customer opens (QR on the customer display). */
  authUrl: z.string().nullable(),
  /** When a pending sign-up lapses (epoch ms): the countdown. */
  expiresAt: z.number().nullable(),
  reason: z.string().nullable(),
  reasonCode: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  lastCheckedAt: z.number().nullable(),
  unboundBy: z.string().nullable(),
});

export const ScheduleSchema = z.object({
  startDate: DaySchema,
  intervalUnit: z.enum(INTERVAL_UNITS),
  intervalCount: z.number().int().min(1).max(366),
  endDate: DaySchema,
});

export const SubscriptionViewSchema = z.object({
  subscriptionId: z.string(),
  memberId: z.string(),
  amountMinor: z.number().int(),
  currency: Currency,
  schedule: ScheduleSchema,
  status: z.enum(SUBSCRIPTION_STATUSES),
  method: z.string().nullable(),
  firstOrderId: z.string(),
  paidCount: z.number().int(),
  /** YYYY-MM-DD, or null when the schedule has ended (or the membership is not active). */
  nextDue: z.string().nullable(),
  reason: z.string().nullable(),
  reasonCode: z.string().nullable(),
  createdAt: z.number(),
});

export const MemberViewSchema = z.object({
  memberId: z.string(),
  label: z.string().nullable(),
  phoneHashed: z.boolean(),
  createdAt: z.number(),
  /** The latest sign-up of each wallet. */
  links: z.array(LinkViewSchema),
  subscriptions: z.array(SubscriptionViewSchema),
});

export const memberInvokeChannels = {
  /** The member by id or phone number, or null when there is none. */
  'member:find': { request: MemberRefSchema, response: MemberViewSchema.nullable() },
  /** The member (created when new); `label` is a name, never a phone number. */
  'member:create': {
    request: z
      .object({
        memberId: MemberIdSchema.optional(),
        phone: z.string().max(32).optional(),
        label: z.string().max(80).optional(),
      })
      .refine((m) => (m.memberId === undefined) !== (m.phone === undefined), {
        message: 'give a member id or a phone number',
      }),
    response: MemberViewSchema,
  },
  'member:list': {
    request: z.object({ search: z.string().max(64).optional() }),
    response: z.array(MemberViewSchema),
  },
  /** Starts a sign-up (or returns the active / still pending one): its authUrl and expiry. */
  'member:link': {
    request: z.object({ memberId: MemberIdSchema, wallet: LinkWalletSchema }),
    response: LinkViewSchema,
  },
  /**
   * The sign-up waiting for the customer now (the newest pending one still open), or null:
   * what a customer display opened meanwhile shows as a QR code. Only its page and expiry.
   */
  'member:open-sign-up': {
    request: z.object({}),
    response: z
      .object({ linkId: z.string(), authUrl: z.string(), expiresAt: z.number().nullable() })
      .nullable(),
  },
  /** Asks the gateway about a sign-up now (the screen's "check again"). */
  'member:check-link': {
    request: z.object({ linkId: z.string().min(1).max(128) }),
    response: LinkViewSchema,
  },
  /** Ends the member's linked wallet(s) at the gateway (supervisor PIN). */
  'member:unbind': {
    request: z.object({
      memberId: MemberIdSchema,
      wallet: LinkWalletSchema.optional(),
      pin: PinSchema,
    }),
    response: z.array(LinkViewSchema),
  },
  /** Charges the member's linked wallet (no scan): the sale, after the gateway's first answer. */
  'sale:start-member': {
    request: z.object({
      /** The sale awaiting its code on this screen: replaced (nothing was sent for it). */
      replaces: z.string().max(128).optional(),
      amountText: z.string().max(32),
      currency: Currency.optional(),
      memberId: MemberIdSchema,
      wallet: LinkWalletSchema.optional(),
    }),
    response: SaleView,
  },
  /**
   * Pay on the customer's phone: the sale with its paymentUrl (QR on the customer display).
   * With `subscription`: a membership's first payment (its token kept once paid).
   */
  'sale:start-checkout': {
    request: z.object({
      /** The sale awaiting its code on this screen: replaced (nothing was sent for it). */
      replaces: z.string().max(128).optional(),
      amountText: z.string().max(32),
      currency: Currency.optional(),
      brand: z.enum(CHECKOUT_BRANDS).optional(),
      subscription: z
        .object({
          memberId: MemberIdSchema,
          intervalUnit: z.enum(INTERVAL_UNITS),
          intervalCount: z.number().int().min(1).max(366),
          endDate: DaySchema,
          startDate: DaySchema.optional(),
        })
        .optional(),
    }),
    response: SaleView,
  },
  /** The member's sales (linked wallet, memberships), newest first: the Members screen's history. */
  'member:history': {
    request: z.object({
      memberId: MemberIdSchema,
      subscriptionId: z.string().max(128).optional(),
      limit: z.number().int().min(1).max(1000).optional(),
    }),
    response: z.array(SaleView),
  },
  /** Memberships (of one member, or all); `due`: only those due today or before. */
  'subscription:list': {
    request: z.object({ memberId: MemberIdSchema.optional(), due: z.boolean().optional() }),
    response: z.array(SubscriptionViewSchema),
  },
  /** Charges a renewal with the kept token (supervisor PIN; never automatic). */
  'subscription:renew': {
    request: z.object({
      memberId: MemberIdSchema,
      amountText: z.string().max(32),
      currency: Currency.optional(),
      subscriptionId: z.string().max(128).optional(),
      pin: PinSchema,
    }),
    response: SaleView,
  },
} as const;

export const memberEventChannels = {
  /** A sign-up changed (created, agreed, declined, expired, unbound). */
  'member:link-updated': LinkViewSchema,
} as const;
