/**
 * What the gateway client returns. It never throws for a gateway answer: every answer, and
 * every failure to get one, becomes one of these. The payment engine decides what to do next.
 */
import type { LinkStatus, LinkWallet } from './codeGrant.ts';

/** Why the outcome of a call is not known (the money may or may not have moved). */
export type UnknownCause =
  | 'timeout'
  | 'connection-lost'
  | 'http-error' // HTTP 5xx or another non-2xx without a usable signed body
  | 'bad-signature' // a response whose signature does not verify: never trusted
  | 'malformed-response'
  | 'gateway-error'; // 500000–500009, 600000–600002

export interface GatewayAnswer {
  /** `code` of the envelope. */
  code: string;
  /** `resultCode` of bizContent when present, else `code`. */
  resultCode: string;
  description: string;
  status?: string;
}

export interface PaymentFacts {
  transactionId?: string;
  merchantTransactionId?: string;
  requestId?: string;
  /** The member the answer names (CodeGrant, subscriptions), when it names one. */
  merchantUserId?: string;
  /** Minor units, when the gateway stated an amount. */
  amountMinor?: number;
  currency?: string;
  /** Epoch ms stated by the gateway. */
  transactionTime?: number;
  methodType?: string;
  /**
   * The reusable payment token a SUCCESS of a subscription's first (hosted checkout) payment
   * carries (`token` of the answer). A secret: never logged, never shown.
   */
  paymentToken?: string;
}

export type PaymentOutcome =
  | ({ kind: 'paid' } & GatewayAnswer & PaymentFacts)
  | ({ kind: 'declined'; reason: string } & GatewayAnswer & PaymentFacts)
  | ({ kind: 'closed'; reason: string } & GatewayAnswer & PaymentFacts)
  | ({ kind: 'pending' } & GatewayAnswer & PaymentFacts)
  /** Only from query: the gateway has no such payment (107001). */
  | ({ kind: 'not-found' } & GatewayAnswer)
  | { kind: 'unknown'; cause: UnknownCause; detail: string; answer?: GatewayAnswer }
  /** Configuration or input error (101xxx, 102000, 103000, 104000, 107000…): do not retry. */
  | ({ kind: 'rejected'; reason: string } & GatewayAnswer);

// Linked wallets (CodeGrant) and hosted checkout ------------------------------------------

/**
 * The outcome of a call that moves no money (sign-up, its query, unbind, checkout creation).
 * `unknown`: timeout, dropped connection, bad signature, an answer about another request or
 * that cannot be read; nothing in it was trusted.
 */
export interface CallUnknown {
  kind: 'unknown';
  reason: string;
  cause: UnknownCause;
}

/** The gateway refused the call (its code and description as answered). */
export interface CallRefused {
  kind: 'refused';
  code: string;
  description: string;
}

export type BindOutcome =
  | { kind: 'created'; token: string; authUrl: string; status?: LinkStatus }
  | CallRefused
  | CallUnknown;

export type BindQueryOutcome =
  | {
      kind: 'status';
      token: string;
      merchantUserId: string;
      wallet: LinkWallet;
      status: LinkStatus;
    }
  /** e.g. no such sign-up (107001). */
  | CallRefused
  | CallUnknown;

export type UnbindOutcome = { kind: 'unbound' } | CallRefused | CallUnknown;

export type PrePayOutcome =
  { kind: 'created'; paymentUrl: string; sessionToken: string } | CallRefused | CallUnknown;

export interface RefundFacts {
  refundId?: string;
  merchantRefundId?: string;
  amountMinor?: number;
  currency?: string;
  refundTime?: number;
}

export type RefundOutcome =
  | ({ kind: 'refunded' } & GatewayAnswer & RefundFacts)
  | ({ kind: 'pending' } & GatewayAnswer & RefundFacts)
  | ({ kind: 'declined'; reason: string } & GatewayAnswer & RefundFacts)
  | ({ kind: 'not-found' } & GatewayAnswer)
  | { kind: 'unknown'; cause: UnknownCause; detail: string; answer?: GatewayAnswer }
  | ({ kind: 'rejected'; reason: string } & GatewayAnswer);
