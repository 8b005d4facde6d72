/**
 * What the terminal asks the gateway (gateway.md): the request types the engine builds, and
 * for each call the bizContent that is sent (key order kept: it is what gets signed) with
 * what its answer must be about. Pure: the envelope, its signature and the HTTP exchange are
 * the main process's (electron/gateway/envelopeCodec.ts, electron/gateway/client.ts).
 */
import { formatForGateway, type Currency } from '../money.ts';
import type { PaymentMethod } from '../paymentCode.ts';
import type { Expected } from './answers.ts';
import {
  isLinkWallet,
  LINK_WALLETS,
  type BindQueryRequest,
  type BindRequest,
  type PrePayRequest,
  type RecurringChargeRequest,
  type UnbindRequest,
} from './codeGrant.ts';

export type {
  BindQueryRequest,
  BindRequest,
  CheckoutBrand,
  IntervalUnit,
  LinkStatus,
  LinkWallet,
  PrePayRequest,
  RecurringChargeRequest,
  SubscriptionRequest,
  UnbindRequest,
} from './codeGrant.ts';
export { CHECKOUT_BRANDS, INTERVAL_UNITS, LINK_STATUSES, LINK_WALLETS } from './codeGrant.ts';

export interface UnifiedPayRequest {
  merchantTransactionId: string;
  requestId: string;
  amountMinor: number;
  currency: Currency;
  method: PaymentMethod;
  /** The digits read from the customer's wallet code (a string, never a number). */
  scanCodeId: string;
  remark?: string;
  notificationUrl?: string;
  shopperIP?: string;
}

export interface UnifiedPayTokenRequest {
  merchantTransactionId: string;
  requestId: string;
  amountMinor: number;
  currency: Currency;
  /** The wallet, e.g. `AlipayHK`. */
  methodType: string;
  token: string;
  merchantUserId: string;
}

export type QueryRequest = ({ merchantTransactionId: string } | { transactionId: string }) & {
  /**
   * The token the order was charged with (a linked wallet's token, a subscription's payment
   * token), when it was: never sent; no text of the answer may carry it (the client replaces
   * it with "[token]").
   */
  token?: string;
};

export interface RefundRequest {
  merchantTransactionId: string;
  merchantRefundId: string;
  amountMinor: number;
  currency: Currency;
  remark?: string;
}

export interface RefundQueryRequest {
  merchantRefundId: string;
  merchantTransactionId?: string;
}

/** The gateway's endpoints, one per call (their paths are the client's configuration). */
export type Endpoint =
  'unifiedPay' | 'query' | 'refund' | 'refundQuery' | 'bind' | 'bindQuery' | 'unbind' | 'prePay';

/** One call: where it goes, the bizContent sent, and what the answer must be about. */
export interface GatewayCall {
  endpoint: Endpoint;
  content: Record<string, unknown>;
  expected: Expected;
}

type OrderFields = Pick<
  UnifiedPayRequest,
  'merchantTransactionId' | 'requestId' | 'amountMinor' | 'currency'
>;

/**
 * A unifiedPay order: the fields every order starts with, then the method's own. The
 * answer must be about this order and this request (and what `about` names: the member, the
 * token). Throws for a non-integer amount.
 */
function orderCall(
  request: OrderFields,
  rest: Record<string, unknown>,
  about: Expected = {},
): GatewayCall {
  return {
    endpoint: 'unifiedPay',
    content: {
      captureDelayHours: 0,
      amount: formatForGateway(request.amountMinor, request.currency),
      currency: request.currency,
      merchantTransactionId: request.merchantTransactionId,
      requestId: request.requestId,
      ...rest,
    },
    expected: {
      merchantTransactionId: request.merchantTransactionId,
      requestId: request.requestId,
      ...about,
    },
  };
}

/** Order and pay with an offline wallet code. */
export function unifiedPayCall(request: UnifiedPayRequest): GatewayCall {
  const call = orderCall(request, {
    paymentMethod: { type: request.method, scanCodeId: request.scanCodeId },
    device: { orderTerminal: '02' },
  });
  if (request.remark !== undefined) call.content.remark = request.remark;
  if (request.notificationUrl !== undefined) call.content.notificationUrl = request.notificationUrl;
  if (request.shopperIP !== undefined) call.content.shopperIP = request.shopperIP;
  return call;
}

/**
 * Order and pay with a CodeGrant token (bizType "CodeGrant"): the answer must be about this
 * order, this member and (when it names one) this token.
 */
export function unifiedPayTokenCall(request: UnifiedPayTokenRequest): GatewayCall {
  return orderCall(
    request,
    {
      bizType: 'CodeGrant',
      token: request.token,
      merchantUserId: request.merchantUserId,
      paymentMethod: { type: request.methodType },
      device: { orderTerminal: '02' },
    },
    { merchantUserId: request.merchantUserId, token: request.token },
  );
}

/** The current state of a payment: the one id asked about is what the answer must name. */
export function queryCall(request: QueryRequest): GatewayCall {
  const expected: Expected =
    'merchantTransactionId' in request
      ? { merchantTransactionId: request.merchantTransactionId }
      : { transactionId: request.transactionId };
  return { endpoint: 'query', content: { ...expected }, expected };
}

/** Full or partial refund of a payment. Throws for a non-integer amount. */
export function refundCall(request: RefundRequest): GatewayCall {
  const content: Record<string, unknown> = {
    merchantTransactionId: request.merchantTransactionId,
    merchantRefundId: request.merchantRefundId,
    amount: formatForGateway(request.amountMinor, request.currency),
    currency: request.currency,
  };
  if (request.remark !== undefined) content.remark = request.remark;
  return {
    endpoint: 'refund',
    content,
    expected: {
      merchantRefundId: request.merchantRefundId,
      merchantTransactionId: request.merchantTransactionId,
    },
  };
}

/** The current state of a refund. */
export function refundQueryCall(request: RefundQueryRequest): GatewayCall {
  const content: Record<string, unknown> = { merchantRefundId: request.merchantRefundId };
  if (request.merchantTransactionId !== undefined) {
    content.merchantTransactionId = request.merchantTransactionId;
  }
  return {
    endpoint: 'refundQuery',
    content,
    expected: {
      merchantRefundId: request.merchantRefundId,
      merchantTransactionId: request.merchantTransactionId,
    },
  };
}

// Linked wallets (CodeGrant) and hosted checkout (shared/gateway/codeGrant.ts) ---------------

/** The till's device type on the gateway (`02` PC, as the seeds send). */
const ORDER_TERMINAL = '02';

/**
 * A CodeGrant sign-up: the answer carries the token and the authUrl the customer opens in the
 * wallet. Throws for a wallet without CodeGrant (a caller bug: the type allows none).
 */
export function bindCall(request: BindRequest): GatewayCall {
  if (!isLinkWallet(request.wallet)) {
    throw new Error(
      `bindCall: wallet must be one of ${LINK_WALLETS.join(', ')}, got "${String(request.wallet)}"`,
    );
  }
  const content: Record<string, unknown> = {
    requestId: request.requestId,
    merchantUserId: request.merchantUserId,
    paymentMethod: { type: request.wallet },
  };
  if (request.merchantResultUrl !== undefined) {
    content.merchantResultUrl = request.merchantResultUrl;
  }
  if (request.notificationUrl !== undefined) content.notificationUrl = request.notificationUrl;
  content.device = { orderTerminal: ORDER_TERMINAL };
  content.bizType = 'CodeGrant';
  return {
    endpoint: 'bind',
    content,
    expected: { requestId: request.requestId, merchantUserId: request.merchantUserId },
  };
}

/**
 * The status of a sign-up, named by its requestId or its token (and the member id). The
 * answer must be about this member and this token: the one asked about, or else `knownToken`
 * (the token the sign-up `requestId` was given, when the caller knows it without sending it),
 * so that a status of another sign-up of the member is never taken for this one.
 */
export function bindQueryCall(request: BindQueryRequest, knownToken?: string): GatewayCall {
  const content: Record<string, unknown> = {};
  if (request.requestId !== undefined) content.requestId = request.requestId;
  if (request.token !== undefined) content.token = request.token;
  content.merchantUserId = request.merchantUserId;
  return {
    endpoint: 'bindQuery',
    content,
    expected: {
      requestId: request.requestId,
      token: request.token ?? knownToken,
      merchantUserId: request.merchantUserId,
    },
  };
}

/** Ends a linked wallet (the merchant's unbind). */
export function unbindCall(request: UnbindRequest): GatewayCall {
  return {
    endpoint: 'unbind',
    content: {
      requestId: request.requestId,
      merchantUserId: request.merchantUserId,
      token: request.token,
    },
    expected: {
      requestId: request.requestId,
      merchantUserId: request.merchantUserId,
      token: request.token,
    },
  };
}

/**
 * A hosted checkout: the answer carries the paymentUrl the customer opens on the phone. With
 * a subscription, the first payment creates the reusable payment token (createToken "Y").
 * Throws for a non-integer amount.
 */
export function prePayCall(request: PrePayRequest): GatewayCall {
  const content: Record<string, unknown> = {
    merchantTransactionId: request.merchantTransactionId,
    requestId: request.requestId,
    amount: formatForGateway(request.amountMinor, request.currency),
    currency: request.currency,
    paymentType: 'DEBIT',
  };
  if (request.brand !== undefined) content.paymentBrand = request.brand;
  if (request.shopperResultUrl !== undefined) content.shopperResultUrl = request.shopperResultUrl;
  if (request.notificationUrl !== undefined) content.notificationUrl = request.notificationUrl;
  const subscription = request.subscription;
  if (subscription !== undefined) {
    content.merchantUserId = subscription.merchantUserId;
    content.createToken = 'Y';
    content.bizType = 'CodeGrant';
    content.recurringInfo = {
      recurringPaymentStartDate: subscription.startDate,
      recurringPaymentIntervalUnit: subscription.intervalUnit,
      recurringPaymentIntervalCount: String(subscription.intervalCount),
      recurringPaymentEndDate: subscription.endDate,
    };
  }
  content.device = { orderTerminal: ORDER_TERMINAL };
  return {
    endpoint: 'prePay',
    content,
    expected: {
      merchantTransactionId: request.merchantTransactionId,
      requestId: request.requestId,
      // A membership's checkout must be about this member.
      ...(subscription === undefined ? {} : { merchantUserId: subscription.merchantUserId }),
    },
  };
}

/**
 * A later charge of a subscription: the order call with bizType "CodeGrant", the member id of
 * the first payment and its payment token (tokenDetail.token). Throws for a non-integer amount.
 */
export function recurringChargeCall(request: RecurringChargeRequest): GatewayCall {
  return orderCall(
    request,
    {
      bizType: 'CodeGrant',
      merchantUserId: request.merchantUserId,
      tokenDetail: { token: request.paymentToken },
      device: { orderTerminal: ORDER_TERMINAL },
    },
    { merchantUserId: request.merchantUserId, token: request.paymentToken },
  );
}

/**
 * The secrets a call carries: every token it sends (a CodeGrant token, a subscription's
 * payment token) and the token its answer must name. No text that comes back may repeat them
 * (./secrets.ts scrubSecrets).
 */
export function secretsOf(call: GatewayCall): string[] {
  const found = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value !== '') found.add(value);
  };
  add(call.content.token);
  const detail = call.content.tokenDetail;
  if (typeof detail === 'object' && detail !== null) add((detail as { token?: unknown }).token);
  add(call.expected.token);
  return [...found];
}
