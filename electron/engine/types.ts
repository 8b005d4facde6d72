/** The payment engine's public types, options and tuning (paymentEngine.ts re-exports them). */
import type { SaleView, ZReport } from '../../shared/ipc/contract.ts';
import type { PaymentOutcome, RefundOutcome } from '../../shared/gateway/outcome.ts';
import { type Currency } from '../../shared/money.ts';
import { type PaymentMethod, type Region } from '../../shared/paymentCode.ts';
import type {
  QueryRequest,
  RefundQueryRequest,
  RefundRequest,
  UnifiedPayRequest,
} from '../../shared/gateway/requests.ts';
import {
  type Journal,
  type JournalEvent,
  type SaleFilter,
  type SaleRecord,
} from '../journal/journal.ts';
import type { LinkWallet, MemberReasonCode, Schedule } from '../../shared/members.ts';
import type { SaleMethod } from '../../shared/paymentMethods.ts';
import type { FaultHook } from './faults.ts';
import type { CsvOptions } from './reports.ts';

/** A linked wallet's charge (bizType CodeGrant): shared/gateway/requests.ts. */
export interface TokenPayRequest {
  merchantTransactionId: string;
  requestId: string;
  amountMinor: number;
  currency: Currency;
  token: string;
  merchantUserId: string;
  methodType: string;
}

/** A subscription's renewal with the kept payment token (tokenDetail.token). */
export interface RenewalChargeRequest {
  merchantTransactionId: string;
  requestId: string;
  amountMinor: number;
  currency: Currency;
  merchantUserId: string;
  paymentToken: string;
}

/** A hosted checkout (pay on the customer's phone), v4 prePay. */
export interface CheckoutRequest {
  merchantTransactionId: string;
  requestId: string;
  amountMinor: number;
  currency: Currency;
  brand?: 'ApplePay' | 'GooglePay';
  shopperResultUrl?: string;
  notificationUrl?: string;
  subscription?: {
    merchantUserId: string;
    /** "YYYY-MM-DD HH:mm:ss" */
    startDate: string;
    intervalUnit: 'day' | 'week' | 'month' | 'year';
    intervalCount: number;
    endDate: string;
  };
}

/** What a checkout creation answers (no money moves until the customer pays on the phone). */
export type CheckoutCreated =
  | { kind: 'created'; paymentUrl: string; sessionToken: string }
  | { kind: 'refused'; code: string; description: string }
  | { kind: 'unknown'; reason: string };

/** What the engine needs from the gateway client (GatewayClient satisfies it). */
export interface PaymentGateway {
  unifiedPay(request: UnifiedPayRequest): Promise<PaymentOutcome>;
  /** Linked wallets (CodeGrant); absent: the engine refuses member charges. */
  unifiedPayToken?(request: TokenPayRequest): Promise<PaymentOutcome>;
  /** Subscriptions' renewals; absent: refused. */
  recurringCharge?(request: RenewalChargeRequest): Promise<PaymentOutcome>;
  /** Pay on the customer's phone; absent: refused. */
  prePay?(request: CheckoutRequest): Promise<CheckoutCreated>;
  query(request: QueryRequest): Promise<PaymentOutcome>;
  refund(request: RefundRequest): Promise<RefundOutcome>;
  refundQuery(request: RefundQueryRequest): Promise<RefundOutcome>;
  /** A sale awaits its code: open a connection ahead (nothing sent). Never throws, no wait. */
  warm?(): void;
}

/** What a member charge may use: the token in memory only, or why it may not be sent. */
export type MemberGrant<T> =
  | ({ ok: true } & T)
  | {
      ok: false;
      code: 'not-found' | 'method-invalid' | 'amount-invalid' | 'currency-invalid';
      reasonCode: MemberReasonCode;
      reason: string;
    };

export interface LinkedChargeGrant {
  wallet: LinkWallet;
  token: string;
  merchantUserId: string;
}

/** What a person asked to renew (RenewalInput as the members side checks it). */
export interface RenewalRequest {
  memberId: string;
  subscriptionId?: string | undefined;
  amountMinor: number;
  /** Absent: the membership's. */
  currency?: Currency | undefined;
}

export interface RenewalGrant {
  subscriptionId: string;
  /** The membership's currency (the renewal is charged in it). */
  currency: Currency;
  token: string;
  merchantUserId: string;
  /** What the first payment was made with (the renewal's method): ApplePay, GooglePay, Card. */
  method: SaleMethod;
}

/** What the gateway's answer about a member charge said about the token (decide.ts). */
export interface TokenFacts {
  /** The gateway refused the token as not active, naming its state (UNBOUND, EXPIRED…). */
  tokenState?: string;
  /** "Token does not exist": the merchantUserId is not the sign-up's (integration fault). */
  tokenMismatch?: boolean;
  /** The payment token a subscription's first (checkout) payment yielded. A secret. */
  paymentToken?: string;
  /** The first payment's answer named another member: its token was not kept (call IT). */
  tokenForOtherMember?: boolean;
}

/**
 * The members side the engine asks and tells (electron/members/memberService.ts). Every
 * method may be absent in a terminal without members (member charges are then refused).
 */
export interface MemberPort {
  /** Ready to charge a linked wallet (re-checked at the gateway when its last check is old). */
  prepareLinkedCharge(
    memberId: string,
    wallet: LinkWallet | undefined,
    currency: Currency,
  ): Promise<MemberGrant<LinkedChargeGrant>>;
  /**
   * Refused while an earlier charge of the member's `wallet` is not final (it may still go
   * through); asked again inside the write-ahead transaction, where another process's charge
   * journaled meanwhile is seen. Null: no such charge.
   */
  unsettledLinkedCharge(memberId: string, wallet: LinkWallet): MemberGrant<never> | null;
  /**
   * Ready to charge a renewal with the subscription's kept token: refused unless it is
   * due, at the membership's amount and currency, made with this gateway, named when the
   * member has more than one, and no earlier charge of it is still unresolved.
   */
  prepareRenewal(request: RenewalRequest): MemberGrant<RenewalGrant>;
  /** A membership's first payment: journals the subscription (pending) before the checkout. */
  beginSubscription(input: {
    memberId: string;
    orderId: string;
    amountMinor: number;
    currency: Currency;
    method: SaleMethod;
    schedule: Schedule;
  }): { subscriptionId: string };
  /** A member sale is final (paid or not) with what its answer said about the token. */
  saleFinal(sale: SaleRecord, facts: TokenFacts): void;
  /**
   * The first payments (orderIds) of this gateway's memberships still pending: one that
   * ended while no members side was attached (recovered by `pospay query`, or before the
   * app attached it) is told when the members side is attached (Recovery.catchUpMembers).
   */
  pendingFirstPayments?(): string[];
}

export interface EngineSettings {
  terminalId: string;
  region: Region;
  /** Currency of a sale started without one. */
  currency: Currency;
  amountCeilingMinor: number;
  /** How long the cashier waits for the customer before "customer did not confirm". */
  customerDeadlineMs: number;
}

export interface EngineClock {
  /** Wall clock, UTC epoch ms: only to stamp records. */
  now(): number;
  /** Monotonic ms: every duration, deadline and timer. */
  monotonic(): number;
}

export interface EngineTuning {
  /** Delays between status queries (ms); the last one repeats. */
  querySchedule?: readonly number[];
  /**
   * A payment the gateway does not know, with no code left to retry it (after a restart, or
   * the cashier gave up), is ended as not paid once it stays unknown to the gateway this long.
   */
  notFoundGraceMs?: number;
  /**
   * How long after a request was sent the gateway may still register it: "not found" is
   * never final before the latest request of the sale (by any process: every request is
   * journaled before it is sent) is this old. The request timeout plus a margin
   * (notFoundWindowFor).
   */
  notFoundWindowMs?: number;
  /**
   * How long the cashier waits on a checkout (pay on phone) before it is left to resolve in
   * the background: the page's life (15 min at the simulator's time scale 1) plus a minute.
   */
  checkoutDeadlineMs?: number;
  /** How long a checkout page stays open, as far as the till knows (shown as a countdown). */
  checkoutLifetimeMs?: number;
  /** How long a sale closed as "did not reach the gateway" is still re-checked by the sweeper. */
  recheckClosedMs?: number;
  /** Re-sends of the same attempt (same requestId and code) when the gateway has no trace. */
  maxResends?: number;
  /** Same for refunds (same merchantRefundId). */
  maxRefundResends?: number;
  /** How often the sweeper looks for unresolved sales and refunds. */
  sweepIntervalMs?: number;
  /** How many unresolved sales recovery queries at once. */
  recoveryConcurrency?: number;
  /** When a query is stuck at the deadline, how much longer before the cashier is told. */
  deadlineSlackMs?: number;
}

/** Default of EngineTuning.checkoutLifetimeMs: the gateway's checkout page lives 15 minutes. */
export const DEFAULT_CHECKOUT_LIFETIME_MS = 15 * 60_000;

/** Default of EngineTuning.notFoundGraceMs. */
export const DEFAULT_NOT_FOUND_GRACE_MS = 3000;

/** The gateway client's default request timeout (GatewayClient timeoutMs). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * EngineTuning.notFoundWindowMs for a client with this request timeout: the timeout plus a
 * margin of half of it (at least a second) for a gateway that registers a request late —
 * 15 s for the default 10 s timeout.
 */
export function notFoundWindowFor(requestTimeoutMs: number): number {
  return requestTimeoutMs + Math.max(1000, Math.round(requestTimeoutMs / 2));
}

/** Default of EngineTuning.recheckClosedMs: a WeChat/Alipay code lives about this long. */
export const DEFAULT_RECHECK_CLOSED_MS = 10 * 60_000;

/** The value of `gateway` for sales sent to the embedded simulator (training mode). */
export const EMBEDDED_SIMULATOR_GATEWAY = 'embedded-simulator';

/** Which gateway the engine's client talks to; recorded on every sale. */
export interface GatewayIdentity {
  /** The embedded simulator (training mode): nothing is really charged. */
  training: boolean;
  /** EMBEDDED_SIMULATOR_GATEWAY, or the live gateway's base URL. */
  gateway: string;
  /** The store the client signs as. */
  accId?: string;
}

export type EngineLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface PaymentEngineOptions {
  journal: Journal;
  client: PaymentGateway;
  /** Fixed settings, or a getter so that saved settings apply to the next sale. */
  settings: EngineSettings | (() => EngineSettings);
  tuning?: EngineTuning;
  clock?: EngineClock;
  log?: EngineLog;
  /** Crash-test hook (POS_FAULT); see faults.ts. */
  fault?: FaultHook;
  /** Members, linked wallets and subscriptions; without it member charges are refused. */
  members?: MemberPort;
  /** Business day of a record (default: the till's local date). */
  dayOf?: (epochMs: number) => string;
  /**
   * The gateway `client` talks to. Each sale records it; recovery and the sweeper only
   * resolve sales of this gateway (a sale of another one waits until it is configured
   * again); history and reports default to this mode's sales. Without it: every sale.
   */
  gateway?: GatewayIdentity;
}

/** Which sales a history, report or export covers. */
export interface ModeOption {
  /** Training sales (true) or live sales (false); default: the current mode's. */
  training?: boolean;
}

export interface StartSaleInput {
  amountMinor: number;
  currency?: Currency;
  methodOverride?: PaymentMethod;
}

import type { ScanSource } from '../../shared/ipc/contract.ts';
export type { ScanSource };

/** The sale awaiting its code on this screen, replaced by another tender (nothing was sent). */
interface ReplacesDraft {
  replaces?: string;
}

export interface MemberChargeInput extends ReplacesDraft {
  amountMinor: number;
  currency?: Currency;
  memberId: string;
  /** Which linked wallet; default: the member's active one in the sale's currency. */
  wallet?: LinkWallet;
}

export interface CheckoutInput extends ReplacesDraft {
  amountMinor: number;
  currency?: Currency;
  brand?: 'ApplePay' | 'GooglePay';
  /** A membership's first payment: the member and the schedule of later charges. */
  subscription?: { memberId: string; schedule: Schedule };
}

export interface RenewalInput {
  memberId: string;
  amountMinor: number;
  currency?: Currency;
  subscriptionId?: string;
}

export interface PaymentEngine {
  /**
   * Connects the members side (linked wallets, memberships) once it is open; until then
   * (or with undefined) member charges are refused. Prefer PaymentEngineOptions.members.
   */
  useMembers(members: MemberPort | undefined): void;
  /** Charges a member's linked wallet (no scan); resolves after the gateway's first answer. */
  chargeMember(input: MemberChargeInput): Promise<SaleView>;
  /** Pay on the customer's phone: resolves once the checkout page exists (or is refused). */
  startCheckout(input: CheckoutInput): Promise<SaleView>;
  /** A subscription's renewal with the member's kept token (a person's decision, never automatic). */
  renew(input: RenewalInput): Promise<SaleView>;
  /** Opens the gateway connection ahead of a sale (nothing is sent); never throws. */
  warm?(): void;
  /** A new sale waiting for the customer's code (refused while another is in progress). */
  startSale(input: StartSaleInput): SaleView;
  /** Classifies the scan and charges it; resolves with the sale after the gateway's first answer. */
  submitCode(orderId: string, rawCode: string, source: ScanSource): Promise<SaleView>;
  /** The cashier stops waiting; the engine keeps resolving (and refunds a late payment). */
  cancel(orderId: string): SaleView;
  current(): SaleView | null;
  sale(orderId: string): SaleView | null;
  onSaleUpdated(listener: (sale: SaleView) => void): () => void;
  refund(
    orderId: string,
    amountMinor: number,
    options?: { automatic?: boolean },
  ): Promise<SaleView>;
  /** Sales of the current mode (training or live) unless `filter.training` says otherwise. */
  history(filter?: SaleFilter): SaleView[];
  report(day: string, options?: ModeOption): ZReport;
  /** The day's CSV; `language`: the reason column's (default English). */
  exportCsv(day: string, options?: ModeOption & CsvOptions): { filename: string; csv: string };
  events(orderId: string): JournalEvent[];
  /** Resolves every unresolved sale and refund of the journal (first pass awaited). */
  recover(): Promise<void>;
  /** One sweep: starts resolving anything unresolved that nobody is resolving. */
  sweep(): Promise<void>;
  startSweeper(): void;
  /** Resolves one sale now (and waits up to `waitMs` for a final answer). */
  refresh(orderId: string, options?: { waitMs?: number }): Promise<SaleView>;
  /** Waits until no resolution is running (true) or the timeout passes (false). */
  whenIdle(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}
