/**
 * GatewayClient: the terminal's only way to talk to PingPong Checkout v4 (gateway.md): the
 * transport. Payments (code, linked-wallet token, subscription charge), queries, refunds;
 * linked wallets (CodeGrant sign-up, its status, unbind) and the hosted checkout (prePay),
 * whose outcomes are shared/gateway/codeGrantAnswers.ts's (codegrant.md). Tokens and
 * payment tokens are secrets: never logged (nothing is), and no text of an outcome (reason,
 * description, detail, status, ids) carries a token the call sent: every outcome leaves
 * through one funnel (`settle`) that replaces them with "[token]"
 * (shared/gateway/secrets.ts). An answer about another member or token than the one asked
 * about is `unknown`. It composes the call's bizContent (shared/gateway/requests.ts), the signed
 * envelope (./envelopeCodec.ts: verified over the raw bizContent before anything is read,
 * with the sign type sent) and the reading of the answer (shared/gateway/answers.ts).
 *
 * - Never throws for a gateway answer or a network failure: every call resolves to a
 *   PaymentOutcome / RefundOutcome. No hidden retries: one call, one request.
 * - Keeps connections alive (the payment latency matters) and times out with AbortController;
 *   warm() opens one ahead of the scan (./tls.ts WarmConnection: a bare connect, no request).
 * - HTTPS is always verified (Node's CA store, plus an optional extra CA), TLS 1.2 or later;
 *   an untrusted certificate is an "unknown" outcome naming the host, never retried.
 * - Never logs the salt (it logs nothing at all).
 * - Throws only for caller bugs (a non-integer amount), never for an answer or its absence.
 */
import http from 'node:http';
import https from 'node:https';
import {
  notOpened,
  paymentOutcomeOf,
  refundOutcomeOf,
  type Expected,
  type OpenedAnswer,
} from '../../shared/gateway/answers.ts';
import {
  bindOutcomeOf,
  bindQueryOutcomeOf,
  prePayOutcomeOf,
  unbindOutcomeOf,
} from '../../shared/gateway/codeGrantAnswers.ts';
import { clientIdFor, isSignType, type SignType } from '../../shared/gateway/envelope.ts';
import type {
  BindOutcome,
  BindQueryOutcome,
  PaymentOutcome,
  PrePayOutcome,
  RefundOutcome,
  UnbindOutcome,
  UnknownCause,
} from '../../shared/gateway/outcome.ts';
import {
  bindCall,
  bindQueryCall,
  prePayCall,
  queryCall,
  recurringChargeCall,
  unbindCall,
  refundCall,
  refundQueryCall,
  secretsOf,
  unifiedPayCall,
  unifiedPayTokenCall,
  type BindQueryRequest,
  type BindRequest,
  type Endpoint,
  type GatewayCall,
  type PrePayRequest,
  type QueryRequest,
  type RecurringChargeRequest,
  type RefundQueryRequest,
  type RefundRequest,
  type UnbindRequest,
  type UnifiedPayRequest,
  type UnifiedPayTokenRequest,
} from '../../shared/gateway/requests.ts';
import { scrubSecrets } from '../../shared/gateway/secrets.ts';
import { isRecord } from '../../shared/guards.ts';
import { openAnswer, sealRequest, type EnvelopeCredentials } from './envelopeCodec.ts';
import {
  describeTlsError,
  gatewayTlsOptions,
  WarmConnection,
  type GatewayTlsOptions,
} from './tls.ts';

/** The request types live in shared/gateway/requests.ts; re-exported for existing importers. */
export type {
  BindQueryRequest,
  BindRequest,
  PrePayRequest,
  QueryRequest,
  RecurringChargeRequest,
  RefundQueryRequest,
  RefundRequest,
  UnbindRequest,
  UnifiedPayRequest,
  UnifiedPayTokenRequest,
};

export type GatewayPaths = Record<Endpoint, string>;

export const DEFAULT_PATHS: Readonly<GatewayPaths> = {
  unifiedPay: '/v4/payment/unifiedPay',
  query: '/v4/payment/query',
  refund: '/v4/payment/refund',
  refundQuery: '/v4/payment/refund/query',
  // Linked wallets (CodeGrant): bind/query and unbind are the simulator's (codegrant.md: not
  // public), so configurable like every path.
  bind: '/v4/paymethod/bind',
  bindQuery: '/v4/paymethod/bind/query',
  unbind: '/v4/paymethod/unbind',
  prePay: '/v4/payment/prePay',
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
  /**
   * PEM of a CA trusted besides Node's CA store (a store behind TLS inspection, a test
   * gateway): one or more certificates. Verification is always on.
   */
  extraCaPem?: string;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;
/** How many sign-ups' (and token orders') tokens the client remembers (`signUpTokens`). */
const REMEMBERED = 1000;
/** Idle kept-alive connections are closed after this (below common server idle timeouts). */
const IDLE_SOCKET_MS = 30_000;

const FINAL_PAYMENT_KINDS: ReadonlySet<PaymentOutcome['kind']> = new Set([
  'paid',
  'declined',
  'closed',
  'rejected',
]);

type HttpResult =
  { ok: true; status: number; body: string } | { ok: false; cause: UnknownCause; detail: string };

function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`GatewayClient: ${name} is required`);
  }
  return value;
}

export class GatewayClient {
  /** Who the terminal is to the gateway; the salt in it never leaves the codec. */
  private readonly credentials: EnvelopeCredentials;
  private readonly timeoutMs: number;
  /** Each call's endpoint, resolved once from baseUrl and the paths. */
  private readonly urls: Readonly<Record<Endpoint, URL>>;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;
  /** The gateway's host as a message names it. */
  private readonly host: string;
  private readonly warmConnection: WarmConnection;
  /** The order sent since the last warm(): once it is decided, no connection is kept for it. */
  private warmFor: string | null = null;
  /**
   * The token each sign-up (member + requestId) of this process was given (its bind answer,
   * or a status asked by token), oldest first: a status asked by requestId alone must name
   * it, so that an answer about another sign-up of the member (an old ACTIVE one replayed) is
   * `unknown`, not this sign-up's status. Kept in memory only, never logged.
   */
  private readonly signUpTokens = new Map<string, string>();
  /**
   * The token each token payment / subscription charge of this process was sent with, by its
   * order (oldest first): a later query of that order names no token, yet its answer's text
   * must not carry it either. Memory only.
   */
  private readonly orderTokens = new Map<string, string>();

  constructor(options: GatewayClientOptions) {
    if (!isRecord(options)) throw new Error('GatewayClient: options are required');
    const accId = requireText('accId', options.accId).trim();
    if (!/^\d{4,}$/.test(accId)) {
      throw new Error(`GatewayClient: accId must be the store's digits, got "${accId}"`);
    }
    const clientId =
      options.clientId === undefined
        ? clientIdFor(accId)
        : requireText('clientId', options.clientId).trim();
    // The salt is checked for presence only; it never appears in a message.
    if (typeof options.salt !== 'string' || options.salt === '') {
      throw new Error('GatewayClient: salt is required (the store key)');
    }
    const signType = options.signType ?? 'SHA256';
    if (!isSignType(signType)) {
      throw new Error(`GatewayClient: signType must be SHA256 or MD5, got "${String(signType)}"`);
    }
    this.credentials = { accId, clientId, salt: options.salt, signType };
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
      bind: urlFor(paths.bind),
      bindQuery: urlFor(paths.bindQuery),
      unbind: urlFor(paths.unbind),
      prePay: urlFor(paths.prePay),
    };
    const secure = base.protocol === 'https:';
    if (options.extraCaPem !== undefined && typeof options.extraCaPem !== 'string') {
      throw new Error('GatewayClient: extraCaPem must be PEM text');
    }
    const tlsOptions: GatewayTlsOptions | undefined = secure
      ? gatewayTlsOptions(options.extraCaPem)
      : undefined;
    this.host = base.host;
    this.transport = secure ? https : http;
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
    this.agent = tlsOptions
      ? new https.Agent({ ...agentOptions, ...tlsOptions })
      : new http.Agent(agentOptions);
    this.warmConnection = new WarmConnection(this.agent, {
      host: base.hostname.replace(/^\[|\]$/g, ''),
      port: Number(base.port) || (secure ? 443 : 80),
      ...(tlsOptions ? { tls: tlsOptions } : {}),
      keepAliveMsecs: agentOptions.keepAliveMsecs,
    });
  }

  /**
   * A sale is waiting for its code: make sure a verified keep-alive connection to the gateway
   * is open (a bare connect through the agent; nothing is sent), and keep one open while the
   * sale needs it (its queries). Fire-and-forget: never throws, never waits.
   */
  warm(): void {
    this.warmFor = null;
    this.warmConnection.warm();
  }

  /** Order and pay with an offline wallet code. */
  async unifiedPay(request: UnifiedPayRequest): Promise<PaymentOutcome> {
    this.warmFor = request.merchantTransactionId;
    return this.payment(unifiedPayCall(request));
  }

  /**
   * Order and pay with a linked wallet's CodeGrant token (bizType "CodeGrant"). "Token does
   * not exist" (107001 on the order call: unknown token, or another member) is `rejected`.
   */
  async unifiedPayToken(request: UnifiedPayTokenRequest): Promise<PaymentOutcome> {
    this.warmFor = request.merchantTransactionId;
    remember(this.orderTokens, request.merchantTransactionId, request.token);
    return this.payment(unifiedPayTokenCall(request), tokenRefusal);
  }

  /**
   * A later charge of a subscription with the payment token of its first (checkout) payment.
   * An unknown or revoked token, or another member, is `rejected` / `declined`.
   */
  async recurringCharge(request: RecurringChargeRequest): Promise<PaymentOutcome> {
    this.warmFor = request.merchantTransactionId;
    remember(this.orderTokens, request.merchantTransactionId, request.paymentToken);
    return this.payment(recurringChargeCall(request), tokenRefusal);
  }

  /** Starts a CodeGrant sign-up: the token (not usable until agreed) and the wallet's authUrl. */
  async bind(request: BindRequest): Promise<BindOutcome> {
    const outcome = await this.settle(bindCall(request), bindOutcomeOf);
    if (outcome.kind === 'created') {
      this.rememberSignUp(request.merchantUserId, request.requestId, outcome.token);
    }
    return outcome;
  }

  /**
   * The current status of a sign-up (the authoritative answer: notifications may not arrive).
   * The answer must name the member and the sign-up's token: `token` when given, else the one
   * this client's bind of `requestId` got; a status of another token is `unknown`. (Asked by
   * requestId alone about a sign-up of another process, with the token unknown here, the
   * answer's token cannot be checked: pass `token` whenever the caller holds it.)
   */
  async queryBind(request: BindQueryRequest): Promise<BindQueryOutcome> {
    const known =
      request.requestId === undefined
        ? undefined
        : this.signUpTokens.get(signUpKey(request.merchantUserId, request.requestId));
    const outcome = await this.settle(bindQueryCall(request, known), bindQueryOutcomeOf);
    if (
      outcome.kind === 'status' &&
      request.requestId !== undefined &&
      request.token !== undefined
    ) {
      this.rememberSignUp(request.merchantUserId, request.requestId, request.token);
    }
    return outcome;
  }

  /** Ends a linked wallet (the merchant's unbind). */
  async unbind(request: UnbindRequest): Promise<UnbindOutcome> {
    return this.settle(unbindCall(request), unbindOutcomeOf);
  }

  /**
   * Creates a hosted checkout (pay on the customer's phone): the paymentUrl to show as a QR
   * code. The outcome is then learnt with query({ merchantTransactionId }).
   */
  async prePay(request: PrePayRequest): Promise<PrePayOutcome> {
    return this.settle(prePayCall(request), prePayOutcomeOf);
  }

  /**
   * The current state of a payment. The token it was charged with (`token`, or the one this
   * client sent for the order) never comes back in the outcome's text.
   */
  async query(request: QueryRequest): Promise<PaymentOutcome> {
    const secrets: string[] = [];
    if (request.token !== undefined) secrets.push(request.token);
    if ('merchantTransactionId' in request) {
      const sent = this.orderTokens.get(request.merchantTransactionId);
      if (sent !== undefined) secrets.push(sent);
    }
    return this.payment(queryCall(request), undefined, secrets);
  }

  /** Full or partial refund of a payment. */
  async refund(request: RefundRequest): Promise<RefundOutcome> {
    return this.refundOf(refundCall(request));
  }

  /** The current state of a refund. */
  async refundQuery(request: RefundQueryRequest): Promise<RefundOutcome> {
    return this.refundOf(refundQueryCall(request));
  }

  /** Closes the kept-alive connections. The client must not be used afterwards. */
  close(): void {
    this.signUpTokens.clear();
    this.orderTokens.clear();
    this.warmConnection.close();
    this.agent.destroy();
  }

  // ---------------------------------------------------------------------------------------

  /**
   * THE funnel every call's outcome leaves by: sends the call once, reads its answer by the
   * call's rules, and replaces every token the call sent, in every text of the outcome, with
   * "[token]" (the outcome's token fields are data, kept).
   */
  private async settle<O>(
    call: GatewayCall,
    read: (opened: OpenedAnswer, expected: Expected) => O,
    moreSecrets: readonly string[] = [],
  ): Promise<O> {
    return scrubSecrets(read(await this.exchange(call), call.expected), [
      ...secretsOf(call),
      ...moreSecrets,
    ]);
  }

  private rememberSignUp(merchantUserId: string, requestId: string, token: string): void {
    remember(this.signUpTokens, signUpKey(merchantUserId, requestId), token);
  }

  private async payment(
    call: GatewayCall,
    refine: (outcome: PaymentOutcome) => PaymentOutcome = (outcome) => outcome,
    moreSecrets: readonly string[] = [],
  ): Promise<PaymentOutcome> {
    const outcome = await this.settle(
      call,
      (opened, expected) => refine(paymentOutcomeOf(opened, expected)),
      moreSecrets,
    );
    // The sale's payment is decided: no connection is kept open for it any more. (A decided
    // query about another sale, the sweeper's, leaves the waiting sale's connection alone.)
    const about = call.expected.merchantTransactionId;
    if (FINAL_PAYMENT_KINDS.has(outcome.kind) && about !== undefined && about === this.warmFor) {
      this.warmFor = null;
      this.warmConnection.settle();
    }
    return outcome;
  }

  private async refundOf(call: GatewayCall): Promise<RefundOutcome> {
    return this.settle(call, refundOutcomeOf);
  }

  /** Signs and sends one request (once); verifies and opens the answer. */
  private async exchange(call: GatewayCall): Promise<OpenedAnswer> {
    const body = sealRequest(call.content, this.credentials);
    const result = await this.post(this.urls[call.endpoint], body);
    if (!result.ok) return notOpened(result.cause, result.detail);
    return openAnswer(result.status, result.body, this.credentials);
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
        // An untrusted certificate is said as such (naming the host), even past the deadline.
        const tlsProblem = describeTlsError(error, this.host);
        if (tlsProblem !== undefined) {
          finish({ ok: false, cause: 'connection-lost', detail: tlsProblem });
          return;
        }
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

/** Remembers `value` under `key` as the newest entry, keeping at most REMEMBERED entries. */
function remember(map: Map<string, string>, key: string, value: string): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > REMEMBERED) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}

/** The key of a sign-up in `signUpTokens`: the member and the sign-up's requestId. */
function signUpKey(merchantUserId: string, requestId: string): string {
  return JSON.stringify([merchantUserId, requestId]);
}

/**
 * An order call with a token answered 107001 ("token does not exist": unknown token, or a
 * member id other than the sign-up's) is a refusal of that payment, not "no such payment".
 */
function tokenRefusal(outcome: PaymentOutcome): PaymentOutcome {
  if (outcome.kind !== 'not-found') return outcome;
  return {
    kind: 'rejected',
    reason: 'The wallet link is not known for this member (token does not exist): link it again.',
    code: outcome.code,
    resultCode: outcome.resultCode,
    description: outcome.description,
    ...(outcome.status === undefined ? {} : { status: outcome.status }),
  };
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
