/**
 * GatewayClient: the terminal's only way to talk to PingPong Checkout v4 (gateway.md).
 *
 * - Builds the v4 envelope; `bizContent` is serialised once and that exact string is signed.
 * - Verifies every response's signature over the raw `bizContent` string before parsing it.
 * - Never throws for a gateway answer or a network failure: every call resolves to a
 *   PaymentOutcome / RefundOutcome. No hidden retries: one call, one request.
 * - Keeps connections alive (the payment latency matters) and times out with AbortController.
 * - Never logs the salt (it logs nothing at all).
 * - 103000/104000 are the one exception to "unverified is never trusted": the gateway sends
 *   them when it could not authenticate us (unknown store, wrong key), so it cannot sign them
 *   for us either. Without bizContent they are reported as `rejected` (nothing processed,
 *   fix the configuration); every other unverifiable answer is `unknown`/`bad-signature`.
 * - Throws only for caller bugs (a non-integer amount), never for an answer or its absence.
 */
import http from 'node:http';
import https from 'node:https';
import {
  clientIdFor,
  isSignType,
  type Envelope,
  type SignType,
} from '../../shared/gateway/envelope.ts';
import type {
  GatewayAnswer,
  PaymentFacts,
  PaymentOutcome,
  RefundFacts,
  RefundOutcome,
  UnknownCause,
} from '../../shared/gateway/outcome.ts';
import {
  categoryOf,
  reasonForCategory,
  reasonForCode,
  type ResultCategory,
} from '../../shared/gateway/resultCodes.ts';
import {
  formatForGateway,
  isCurrency,
  parseGatewayAmount,
  type Currency,
} from '../../shared/money.ts';
import { isRecord } from '../../shared/guards.ts';
import type { PaymentMethod } from '../../shared/paymentCode.ts';
import { computeSign, verifyEnvelope } from './signing.ts';

export interface GatewayPaths {
  unifiedPay: string;
  query: string;
  refund: string;
  refundQuery: string;
}

export const DEFAULT_PATHS: Readonly<GatewayPaths> = {
  unifiedPay: '/v4/payment/unifiedPay',
  query: '/v4/payment/query',
  refund: '/v4/payment/refund',
  refundQuery: '/v4/payment/refund/query',
};

export interface GatewayClientOptions {
  baseUrl: string;
  accId: string;
  /** Defaults to the accId without its last three digits. */
  clientId?: string;
  salt: string;
  /** Defaults to SHA256. */
  signType?: SignType;
  /** Whole-call deadline (connect, send, answer). */
  timeoutMs: number;
  paths?: Partial<GatewayPaths>;
}

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

export type QueryRequest = { merchantTransactionId: string } | { transactionId: string };

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

const MAX_RESPONSE_BYTES = 1024 * 1024;
/** Idle kept-alive connections are closed after this (below common server idle timeouts). */
const IDLE_SOCKET_MS = 30_000;

/** Codes the gateway sends when it could not authenticate us: it cannot sign them for us. */
const UNVERIFIABLE_REJECTIONS = new Set(['103000', '104000']);

type Unknown = { kind: 'unknown'; cause: UnknownCause; detail: string; answer?: GatewayAnswer };
type Rejected = { kind: 'rejected'; reason: string } & GatewayAnswer;
type NotFound = { kind: 'not-found' } & GatewayAnswer;

type Exchange =
  | { ok: true; answer: GatewayAnswer; biz: Record<string, unknown> }
  | { ok: false; outcome: Unknown | Rejected };

type HttpResult =
  { ok: true; status: number; body: string } | { ok: false; cause: UnknownCause; detail: string };

type OrderFields = Pick<
  UnifiedPayRequest,
  'merchantTransactionId' | 'requestId' | 'amountMinor' | 'currency'
>;

/** The fields every unifiedPay order starts with (key order kept: it is what gets signed). */
function orderOf(request: OrderFields): Record<string, unknown> {
  return {
    captureDelayHours: 0,
    amount: formatForGateway(request.amountMinor, request.currency),
    currency: request.currency,
    merchantTransactionId: request.merchantTransactionId,
    requestId: request.requestId,
  };
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function unknown(cause: UnknownCause, detail: string, answer?: GatewayAnswer): Unknown {
  return answer ? { kind: 'unknown', cause, detail, answer } : { kind: 'unknown', cause, detail };
}

function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`GatewayClient: ${name} is required`);
  }
  return value;
}

export class GatewayClient {
  private readonly accId: string;
  private readonly clientId: string;
  private readonly salt: string;
  private readonly signType: SignType;
  private readonly timeoutMs: number;
  /** Each call's endpoint, resolved once from baseUrl and the paths. */
  private readonly urls: Readonly<Record<keyof GatewayPaths, URL>>;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;

  constructor(options: GatewayClientOptions) {
    if (!isRecord(options)) throw new Error('GatewayClient: options are required');
    this.accId = requireText('accId', options.accId).trim();
    if (!/^\d{4,}$/.test(this.accId)) {
      throw new Error(`GatewayClient: accId must be the store's digits, got "${this.accId}"`);
    }
    this.clientId =
      options.clientId === undefined
        ? clientIdFor(this.accId)
        : requireText('clientId', options.clientId).trim();
    // The salt is checked for presence only; it never appears in a message.
    if (typeof options.salt !== 'string' || options.salt === '') {
      throw new Error('GatewayClient: salt is required (the store key)');
    }
    this.salt = options.salt;
    const signType = options.signType ?? 'SHA256';
    if (!isSignType(signType)) {
      throw new Error(`GatewayClient: signType must be SHA256 or MD5, got "${String(signType)}"`);
    }
    this.signType = signType;
    if (
      typeof options.timeoutMs !== 'number' ||
      !Number.isFinite(options.timeoutMs) ||
      options.timeoutMs <= 0
    ) {
      throw new Error(`GatewayClient: timeoutMs must be a positive number of milliseconds`);
    }
    this.timeoutMs = options.timeoutMs;
    const baseText = requireText('baseUrl', options.baseUrl).trim();
    let base: URL;
    try {
      base = new URL(baseText);
    } catch {
      throw new Error(`GatewayClient: baseUrl "${baseText}" is not a URL`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new Error(`GatewayClient: baseUrl must be http:// or https://, got "${baseText}"`);
    }
    if (base.username || base.password || base.search || base.hash) {
      throw new Error('GatewayClient: baseUrl must not carry credentials, a query or a fragment');
    }
    const paths: GatewayPaths = { ...DEFAULT_PATHS, ...(options.paths ?? {}) };
    for (const [name, path] of Object.entries(paths)) {
      if (typeof path !== 'string' || !path.startsWith('/')) {
        throw new Error(`GatewayClient: path ${name} must start with "/"`);
      }
    }
    const urlFor = (path: string): URL => {
      const url = new URL(base.href);
      url.pathname = url.pathname.replace(/\/+$/, '') + path;
      return url;
    };
    this.urls = {
      unifiedPay: urlFor(paths.unifiedPay),
      query: urlFor(paths.query),
      refund: urlFor(paths.refund),
      refundQuery: urlFor(paths.refundQuery),
    };
    this.transport = base.protocol === 'https:' ? https : http;
    // Kept-alive connections save a TCP (and TLS) handshake on every payment. An idle
    // connection is dropped after IDLE_SOCKET_MS (or sooner when the server announces a
    // shorter Keep-Alive timeout), so that a payment is not sent on a socket the server has
    // already closed: that would end in "unknown" for a request that never left.
    const agentOptions = {
      keepAlive: true,
      keepAliveMsecs: 15_000,
      maxSockets: 8,
      timeout: IDLE_SOCKET_MS,
    };
    this.agent =
      base.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /** Order and pay with an offline wallet code. */
  async unifiedPay(request: UnifiedPayRequest): Promise<PaymentOutcome> {
    const biz: Record<string, unknown> = {
      ...orderOf(request),
      paymentMethod: { type: request.method, scanCodeId: request.scanCodeId },
      device: { orderTerminal: '02' },
    };
    if (request.remark !== undefined) biz.remark = request.remark;
    if (request.notificationUrl !== undefined) biz.notificationUrl = request.notificationUrl;
    if (request.shopperIP !== undefined) biz.shopperIP = request.shopperIP;
    return this.order(biz, request);
  }

  /** Order and pay with a CodeGrant token (bizType "CodeGrant"). */
  async unifiedPayToken(request: UnifiedPayTokenRequest): Promise<PaymentOutcome> {
    const biz: Record<string, unknown> = {
      ...orderOf(request),
      bizType: 'CodeGrant',
      token: request.token,
      merchantUserId: request.merchantUserId,
      paymentMethod: { type: request.methodType },
      device: { orderTerminal: '02' },
    };
    return this.order(biz, request);
  }

  /** Sends a unifiedPay order; the answer must be about this order and request. */
  private async order(biz: Record<string, unknown>, request: OrderFields): Promise<PaymentOutcome> {
    const exchange = await this.exchange(this.urls.unifiedPay, biz);
    return this.paymentOutcome(exchange, {
      merchantTransactionId: request.merchantTransactionId,
      requestId: request.requestId,
    });
  }

  /** The current state of a payment. */
  async query(request: QueryRequest): Promise<PaymentOutcome> {
    // The one identifier asked about is both what is sent and what the answer must name.
    const expected: Expected =
      'merchantTransactionId' in request
        ? { merchantTransactionId: request.merchantTransactionId }
        : { transactionId: request.transactionId };
    const exchange = await this.exchange(this.urls.query, { ...expected });
    return this.paymentOutcome(exchange, expected);
  }

  /** Full or partial refund of a payment. */
  async refund(request: RefundRequest): Promise<RefundOutcome> {
    const biz: Record<string, unknown> = {
      merchantTransactionId: request.merchantTransactionId,
      merchantRefundId: request.merchantRefundId,
      amount: formatForGateway(request.amountMinor, request.currency),
      currency: request.currency,
    };
    if (request.remark !== undefined) biz.remark = request.remark;
    const exchange = await this.exchange(this.urls.refund, biz);
    return this.refundOutcome(exchange, {
      merchantRefundId: request.merchantRefundId,
      merchantTransactionId: request.merchantTransactionId,
    });
  }

  /** The current state of a refund. */
  async refundQuery(request: RefundQueryRequest): Promise<RefundOutcome> {
    const biz: Record<string, unknown> = { merchantRefundId: request.merchantRefundId };
    if (request.merchantTransactionId !== undefined) {
      biz.merchantTransactionId = request.merchantTransactionId;
    }
    const exchange = await this.exchange(this.urls.refundQuery, biz);
    return this.refundOutcome(exchange, {
      merchantRefundId: request.merchantRefundId,
      merchantTransactionId: request.merchantTransactionId,
    });
  }

  /** Closes the kept-alive connections. The client must not be used afterwards. */
  close(): void {
    this.agent.destroy();
  }

  // ---------------------------------------------------------------------------------------

  /** Signs and sends one request; verifies and opens the answer. */
  private async exchange(url: URL, biz: Record<string, unknown>): Promise<Exchange> {
    // Serialised once; this exact string is signed and sent.
    const bizContent = JSON.stringify(biz);
    const envelope: Envelope = {
      accId: this.accId,
      clientId: this.clientId,
      signType: this.signType,
      version: '1.0',
      bizContent,
    };
    envelope.sign = computeSign(envelope, this.salt, this.signType);
    const result = await this.post(url, JSON.stringify(envelope));
    if (!result.ok) return { ok: false, outcome: unknown(result.cause, result.detail) };
    return this.open(result.status, result.body);
  }

  private open(status: number, body: string): Exchange {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const isServerError = status >= 500;
    if (!isRecord(parsed)) {
      if (status < 200 || status >= 300) {
        return {
          ok: false,
          outcome: unknown('http-error', `HTTP ${status} without a gateway answer`),
        };
      }
      return {
        ok: false,
        outcome: unknown('malformed-response', 'the answer is not a JSON object'),
      };
    }
    const message = parsed as Envelope;
    const code = str(message.code);
    const description = str(message.description) ?? '';
    if (
      message.bizContent !== undefined &&
      message.bizContent !== null &&
      typeof message.bizContent !== 'string'
    ) {
      return {
        ok: false,
        outcome: unknown('malformed-response', 'bizContent in the answer is not a JSON string'),
      };
    }
    const verified = verifyEnvelope(message, this.salt, this.signType);
    if (!verified.valid) {
      const bare: GatewayAnswer | undefined =
        code === undefined ? undefined : { code, resultCode: code, description };
      if (
        !isServerError &&
        bare &&
        UNVERIFIABLE_REJECTIONS.has(bare.code) &&
        (message.bizContent === undefined || message.bizContent === '')
      ) {
        // The gateway could not authenticate us, so it cannot sign for us either (wrong key
        // or unknown store). Nothing was processed; report the configuration problem.
        return {
          ok: false,
          outcome: {
            kind: 'rejected',
            reason: reasonForCode(bare.code),
            ...bare,
          },
        };
      }
      if (status < 200 || status >= 300) {
        return { ok: false, outcome: unknown('http-error', `HTTP ${status} (unsigned answer)`) };
      }
      // A bad signature is never trusted, whatever the answer claims.
      return { ok: false, outcome: unknown('bad-signature', verified.detail) };
    }
    if (message.accId !== undefined && message.accId !== this.accId) {
      return {
        ok: false,
        outcome: unknown('malformed-response', 'the answer is for another store (accId)'),
      };
    }
    if (code === undefined) {
      return { ok: false, outcome: unknown('malformed-response', 'the answer has no code') };
    }
    let biz: Record<string, unknown> = {};
    if (typeof message.bizContent === 'string' && message.bizContent !== '') {
      let inner: unknown;
      try {
        inner = JSON.parse(message.bizContent);
      } catch {
        inner = undefined;
      }
      if (!isRecord(inner)) {
        return {
          ok: false,
          outcome: unknown('malformed-response', 'bizContent in the answer is not a JSON object'),
        };
      }
      biz = inner;
    }
    const answer: GatewayAnswer = {
      code,
      resultCode: str(biz.resultCode) ?? code,
      description: str(biz.resultDescription) ?? description,
    };
    const statusText = str(biz.status);
    if (statusText !== undefined) answer.status = statusText;
    if (isServerError) {
      const category = categoryOf(code);
      const cause: UnknownCause =
        category === 'gateway-error' || category === 'upstream-error'
          ? 'gateway-error'
          : 'http-error';
      return {
        ok: false,
        outcome: unknown(cause, `HTTP ${status}: ${code} ${description}`, answer),
      };
    }
    return { ok: true, answer, biz };
  }

  private paymentOutcome(exchange: Exchange, expected: Expected): PaymentOutcome {
    return settle(exchange, expected, PAYMENT_RULES);
  }

  private refundOutcome(exchange: Exchange, expected: Expected): RefundOutcome {
    return settle(exchange, expected, REFUND_RULES);
  }

  private post(url: URL, body: string): Promise<HttpResult> {
    return new Promise<HttpResult>((resolve) => {
      const controller = new AbortController();
      let timedOut = false;
      let settled = false;
      const finish = (result: HttpResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.timeoutMs);
      const failure = (error: unknown): void => {
        if (timedOut) {
          finish({ ok: false, cause: 'timeout', detail: `no answer within ${this.timeoutMs} ms` });
          return;
        }
        finish({ ok: false, cause: 'connection-lost', detail: describeNetworkError(error) });
      };
      let request: http.ClientRequest;
      try {
        request = this.transport.request(url, {
          method: 'POST',
          agent: this.agent,
          signal: controller.signal,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(body, 'utf8'),
            accept: 'application/json',
          },
        });
      } catch (error) {
        failure(error);
        return;
      }
      request.on('error', failure);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            finish({ ok: false, cause: 'malformed-response', detail: 'the answer is too large' });
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', failure);
        response.on('end', () => {
          if (!response.complete) {
            failure(new Error('the answer was cut off'));
            return;
          }
          finish({
            ok: true,
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('close', () => {
          if (!response.complete)
            failure(new Error('the connection closed before the answer was complete'));
        });
      });
      request.end(body);
    });
  }
}

type Expected = {
  merchantTransactionId?: string | undefined;
  requestId?: string | undefined;
  transactionId?: string | undefined;
  merchantRefundId?: string | undefined;
};

/** An answer that names another payment than the one asked about is never taken. */
function mismatchOf(biz: Record<string, unknown>, expected: Expected): string | null {
  for (const key of [
    'merchantTransactionId',
    'requestId',
    'transactionId',
    'merchantRefundId',
  ] as const) {
    const want = expected[key];
    const got = str(biz[key]);
    if (want !== undefined && got !== undefined && got !== want) {
      return `the answer is about ${key} ${got}, not ${want}`;
    }
  }
  return null;
}

/** Whether the answer names the payment that was asked about (by its order or gateway id). */
function namesPayment(biz: Record<string, unknown>, expected: Expected): boolean {
  if (expected.merchantTransactionId !== undefined) {
    return str(biz.merchantTransactionId) === expected.merchantTransactionId;
  }
  if (expected.transactionId !== undefined) {
    return str(biz.transactionId) === expected.transactionId;
  }
  return false;
}

type Declined<F> = { kind: 'declined'; reason: string } & GatewayAnswer & F;
type Pending<F> = { kind: 'pending' } & GatewayAnswer & F;

/** What tells a payment answer from a refund answer; the rest of the reading is shared. */
interface OutcomeRules<F, S> {
  /** Names the call's subject in messages: `payment` or `refund`. */
  subject: string;
  facts(biz: Record<string, unknown>): F | null;
  /** Envelope categories that decline the call whatever the status says. */
  declinedBy: readonly ResultCategory[];
  /** Result categories that decline the call when the answer states no status. */
  declinedWithoutStatus: readonly ResultCategory[];
  /** The outcome of a final status (SUCCESS, FAILED…); undefined when the status is not one. */
  final(
    status: string,
    answer: GatewayAnswer,
    facts: F,
    context: { biz: Record<string, unknown>; expected: Expected; resultCategory: ResultCategory },
  ): S | Unknown | undefined;
}

/** Reads a verified answer into the call's outcome, by the call's rules. */
function settle<F extends object, S>(
  exchange: Exchange,
  expected: Expected,
  rules: OutcomeRules<F, S>,
): S | Unknown | Rejected | NotFound | Declined<F> | Pending<F> {
  if (!exchange.ok) return exchange.outcome;
  const { answer, biz } = exchange;
  const mismatch = mismatchOf(biz, expected);
  if (mismatch) return unknown('malformed-response', mismatch, answer);
  const envelopeCategory = categoryOf(answer.code);
  const common = commonOutcome(envelopeCategory, answer);
  if (common) return common;
  const facts = rules.facts(biz);
  if (facts === null)
    return unknown('malformed-response', 'unreadable amount in the answer', answer);
  if (rules.declinedBy.includes(envelopeCategory)) {
    return { kind: 'declined', reason: reasonForCode(answer.code), ...answer, ...facts };
  }
  // success / accepted / processing / unrecognised: the status decides.
  const resultCategory = categoryOf(answer.resultCode);
  switch (answer.status) {
    case 'PROCESSING':
    case 'INIT':
      return { kind: 'pending', ...answer, ...facts };
    case undefined:
      // "000000: final success (check status too)": a success code without the status is
      // not proof of payment (or refund); the query (which carries the status) decides.
      if (resultCategory === 'success' && envelopeCategory === 'success') {
        return unknown(
          'malformed-response',
          `a success code without a ${rules.subject} status`,
          answer,
        );
      }
      if (
        (resultCategory === 'processing' || resultCategory === 'accepted') &&
        envelopeCategory !== 'unrecognised'
      ) {
        return { kind: 'pending', ...answer, ...facts };
      }
      if (rules.declinedWithoutStatus.includes(resultCategory)) {
        return {
          kind: 'declined',
          reason: reasonForCode(answer.resultCode),
          ...answer,
          ...facts,
        };
      }
      return unknown(
        'gateway-error',
        `unrecognised answer ${answer.code}: ${answer.description}`,
        answer,
      );
    default:
      return (
        rules.final(answer.status, answer, facts, { biz, expected, resultCategory }) ??
        unknown('malformed-response', `unexpected ${rules.subject} status ${answer.status}`, answer)
      );
  }
}

const PAYMENT_RULES: OutcomeRules<
  PaymentFacts,
  | ({ kind: 'paid' } & GatewayAnswer & PaymentFacts)
  | ({ kind: 'closed'; reason: string } & GatewayAnswer & PaymentFacts)
  | Declined<PaymentFacts>
> = {
  subject: 'payment',
  facts: paymentFacts,
  declinedBy: ['code-expired', 'risk-declined', 'issuer-declined'],
  declinedWithoutStatus: ['risk-declined', 'issuer-declined'],
  final(status, answer, facts, { biz, expected }) {
    switch (status) {
      case 'SUCCESS':
        // Paid only on an answer bound to this payment: a signed answer that names no payment
        // (or another one) could be a replay of any success the gateway ever signed.
        if (!namesPayment(biz, expected)) {
          return unknown(
            'malformed-response',
            'a SUCCESS answer that does not name the payment asked about',
            answer,
          );
        }
        return { kind: 'paid', ...answer, ...facts };
      case 'FAILED':
        return { kind: 'declined', reason: declineReason(answer.resultCode), ...answer, ...facts };
      case 'CLOSED':
      case 'CANCEL':
        return {
          kind: 'closed',
          reason: 'The customer did not confirm; the order was closed and nothing was charged.',
          ...answer,
          ...facts,
        };
      default:
        return undefined;
    }
  },
};

const REFUND_RULES: OutcomeRules<
  RefundFacts,
  ({ kind: 'refunded' } & GatewayAnswer & RefundFacts) | Declined<RefundFacts>
> = {
  subject: 'refund',
  facts: refundFacts,
  declinedBy: ['refund-refused', 'risk-declined', 'issuer-declined', 'code-expired'],
  declinedWithoutStatus: ['refund-refused'],
  final(status, answer, facts, { resultCategory }) {
    switch (status) {
      case 'SUCCESS':
        return { kind: 'refunded', ...answer, ...facts };
      case 'FAILED':
        return {
          kind: 'declined',
          reason:
            resultCategory === 'success' || resultCategory === 'unrecognised'
              ? reasonForCategory('refund-refused')
              : reasonForCode(answer.resultCode),
          ...answer,
          ...facts,
        };
      default:
        return undefined;
    }
  },
};

/** Outcomes that do not depend on the call: rejections, not-found, unknown. */
function commonOutcome(
  category: ResultCategory,
  answer: GatewayAnswer,
): Rejected | NotFound | Unknown | null {
  switch (category) {
    case 'config-error':
    case 'invalid-parameter':
    case 'auth-error':
    case 'bad-signature':
    case 'duplicate':
      return { kind: 'rejected', reason: reasonForCode(answer.code), ...answer };
    case 'not-found':
      return { kind: 'not-found', ...answer };
    case 'gateway-error':
    case 'upstream-error':
      return unknown('gateway-error', `${answer.code}: ${answer.description}`, answer);
    default:
      return null;
  }
}

function declineReason(resultCode: string): string {
  const category = categoryOf(resultCode);
  if (
    category === 'risk-declined' ||
    category === 'issuer-declined' ||
    category === 'code-expired'
  ) {
    return reasonForCode(resultCode);
  }
  return reasonForCategory('issuer-declined');
}

function amountOf(
  biz: Record<string, unknown>,
): { amountMinor?: number; currency?: string } | null {
  const currency = str(biz.currency);
  const amount = str(biz.amount);
  const facts: { amountMinor?: number; currency?: string } = {};
  if (currency !== undefined) facts.currency = currency;
  if (amount !== undefined && currency !== undefined && isCurrency(currency)) {
    const parsed = parseGatewayAmount(amount, currency);
    if (!parsed.ok) return null;
    facts.amountMinor = parsed.minor;
  }
  return facts;
}

function epochOf(value: unknown): number | undefined {
  const text = str(value);
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The named fields of the answer that hold text (or a number, as text); absent ones left out. */
function textsOf<K extends string>(
  biz: Record<string, unknown>,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const texts: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const text = str(biz[key]);
    if (text !== undefined) texts[key] = text;
  }
  return texts;
}

function paymentFacts(biz: Record<string, unknown>): PaymentFacts | null {
  const amount = amountOf(biz);
  if (amount === null) return null;
  const facts: PaymentFacts = {
    ...amount,
    ...textsOf(biz, ['transactionId', 'merchantTransactionId', 'requestId']),
  };
  const transactionTime = epochOf(biz.transactionTime);
  if (transactionTime !== undefined) facts.transactionTime = transactionTime;
  const method = isRecord(biz.paymentMethod) ? str(biz.paymentMethod.type) : undefined;
  if (method !== undefined) facts.methodType = method;
  return facts;
}

function refundFacts(biz: Record<string, unknown>): RefundFacts | null {
  const amount = amountOf(biz);
  if (amount === null) return null;
  const facts: RefundFacts = { ...amount, ...textsOf(biz, ['refundId', 'merchantRefundId']) };
  const refundTime = epochOf(biz.refundTime);
  if (refundTime !== undefined) facts.refundTime = refundTime;
  return facts;
}

function describeNetworkError(error: unknown): string {
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused: the gateway is not reachable';
    case 'ECONNRESET':
      return 'connection reset before the answer arrived';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the gateway host name could not be resolved';
    case 'ETIMEDOUT':
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return `the gateway is not reachable (${code})`;
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
