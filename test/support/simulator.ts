/**
 * Shared by every test file that needs a gateway: a real simulator on loopback, a client
 * wired to it, and unique payment codes of a valid format.
 */
import { randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { GatewayClient, type GatewayClientOptions } from '../../electron/gateway/client.ts';
import { signEnvelope, verifyEnvelope } from '../../electron/gateway/signing.ts';
import { clientIdFor, type Envelope, type SignType } from '../../shared/gateway/envelope.ts';
import type { PaymentOutcome } from '../../shared/gateway/outcome.ts';
import {
  DEFAULT_STORES,
  startSimulator,
  type LedgerEntry,
  type SimulatorOptions,
} from '../../electron/simulator/index.ts';

export interface TestSimulator {
  baseUrl: string;
  /** The store the helpers use (the first public sandbox store). */
  store: { accId: string; salt: string };
  /** Every charge and refund the simulator recorded (in process, same as GET /__sim/ledger). */
  ledger(): LedgerEntry[];
  /** "The payer revoked the subscription": that payment token no longer charges. */
  revokePaymentToken(token: string): boolean;
  close(): Promise<void>;
}

export type TestSimulatorOptions = Omit<SimulatorOptions, 'port' | 'host'>;

/** A simulator for this test; time scale 0.05 unless said otherwise. */
export async function startTestSimulator(
  options: TestSimulatorOptions = {},
): Promise<TestSimulator> {
  const simulator = await startSimulator({ timeScale: 0.05, ...options });
  const first = DEFAULT_STORES[0];
  if (!first) throw new Error('the simulator has no default store');
  return {
    baseUrl: simulator.baseUrl,
    store: { accId: first.accId, salt: first.salt },
    ledger: () => simulator.ledger(),
    revokePaymentToken: (token) => simulator.revokePaymentToken(token),
    close: () => simulator.close(),
  };
}

/**
 * One simulator for the whole test file (started in beforeAll, closed in afterAll). The
 * returned object reads through to it; use it inside tests and hooks only.
 */
export function withSimulator(options: TestSimulatorOptions = {}): TestSimulator {
  let current: TestSimulator | undefined;
  beforeAll(async () => {
    current = await startTestSimulator(options);
  });
  afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  const get = (): TestSimulator => {
    if (!current) throw new Error('withSimulator(): the simulator runs only inside tests');
    return current;
  };
  return {
    get baseUrl() {
      return get().baseUrl;
    },
    get store() {
      return get().store;
    },
    ledger: () => get().ledger(),
    revokePaymentToken: (token) => get().revokePaymentToken(token),
    close: () => get().close(),
  };
}

/** GET /__sim/ledger over HTTP (what an out-of-process test sees). */
export async function fetchLedger(baseUrl: string): Promise<LedgerEntry[]> {
  const response = await fetch(`${baseUrl}/__sim/ledger`);
  if (!response.ok) throw new Error(`ledger: HTTP ${response.status}`);
  return (await response.json()) as LedgerEntry[];
}

/** A client for the simulator's store; 5 s timeout unless overridden. */
export function makeClient(
  sim: Pick<TestSimulator, 'baseUrl' | 'store'>,
  overrides: Partial<GatewayClientOptions> = {},
): GatewayClient {
  return new GatewayClient({
    baseUrl: sim.baseUrl,
    accId: sim.store.accId,
    salt: sim.store.salt,
    timeoutMs: 5_000,
    ...overrides,
  });
}

/**
 * One client of the file's simulator for every test (made in beforeAll, after the simulator
 * has started, closed in afterAll); the returned object reads through to it.
 */
export function withClient(
  sim: Pick<TestSimulator, 'baseUrl' | 'store'>,
  overrides: Partial<GatewayClientOptions> = {},
): GatewayClient {
  let current: GatewayClient | undefined;
  beforeAll(() => {
    current = makeClient(sim, overrides);
  });
  afterAll(() => {
    current?.close();
    current = undefined;
  });
  return new Proxy({} as GatewayClient, {
    get(_target, name) {
      if (!current) throw new Error('withClient(): the client exists only inside tests');
      const value: unknown = Reflect.get(current, name, current);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(current)
        : value;
    },
  });
}

/** The charges (any status) the simulator recorded for an order. */
export function chargesOf(
  simulator: Pick<TestSimulator, 'ledger'>,
  merchantTransactionId: string,
): LedgerEntry[] {
  return simulator
    .ledger()
    .filter((e) => e.kind === 'charge' && e.merchantTransactionId === merchantTransactionId);
}

/** Queries the order until it is no longer pending; its last answer. */
export async function settledOutcome(
  gateway: GatewayClient,
  merchantTransactionId: string,
): Promise<PaymentOutcome> {
  let last: PaymentOutcome | undefined;
  await vi.waitFor(
    async () => {
      last = await gateway.query({ merchantTransactionId });
      expect(last.kind).not.toBe('pending');
    },
    { timeout: 20_000, interval: 50 },
  );
  if (!last) throw new Error('no query answer');
  return last;
}

export interface LoopbackServer {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  port: number;
  /** Drops the open connections and stops listening. */
  close(): Promise<void>;
}

/** Starts `server` on a free port of 127.0.0.1. */
export async function listenOnLoopback(server: http.Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Codes: a random run per process plus a counter, so no two codes repeat in a test run.
let counter = 0;
const run = String(randomInt(0, 1_000_000)).padStart(6, '0');

function uniqueDigits(length: number): string {
  counter += 1;
  const tail = `${run}${String(counter).padStart(8, '0')}`;
  return tail.padStart(length, '0').slice(-length);
}

/** A WeChat Pay payment code: 18 digits starting 10–14. */
export function wechatCode(): string {
  return `13${uniqueDigits(16)}`;
}

/** An Alipay payment code (mainland or HK): 18 digits starting 28. */
export function alipayCode(): string {
  return `28${uniqueDigits(16)}`;
}

let idCounter = 0;
/** A unique id for merchantTransactionId / requestId / merchantRefundId. */
export function uniqueId(prefix = 'T'): string {
  idCounter += 1;
  return `${prefix}${run}${String(idCounter).padStart(6, '0')}`;
}

export interface RawAnswer {
  status: number;
  /** The answer envelope as received (bizContent still a string). */
  envelope: Envelope;
  /** bizContent parsed, or {} when absent. */
  biz: Record<string, unknown>;
  /** Whether the answer's signature verifies with the store's salt. */
  signedByStore: boolean;
}

export interface RawRequestOptions {
  accId?: string;
  clientId?: string;
  /** The salt the request is signed with (default: the store's). */
  salt?: string;
  signType?: SignType;
  /** Replaces bizContent on the wire (e.g. an object instead of a string). */
  bizContentOverride?: unknown;
}

/**
 * Sends one v4 request the way a client would, without GatewayClient: for testing the
 * simulator's own checks (and for calls the client does not make, like CodeGrant sign-up).
 */
export async function rawRequest(
  sim: Pick<TestSimulator, 'baseUrl' | 'store'>,
  path: string,
  biz: Record<string, unknown>,
  options: RawRequestOptions = {},
): Promise<RawAnswer> {
  const accId = options.accId ?? sim.store.accId;
  const message: Envelope = {
    accId,
    clientId: options.clientId ?? clientIdFor(accId),
    signType: options.signType ?? 'SHA256',
    version: '1.0',
    bizContent:
      options.bizContentOverride === undefined
        ? JSON.stringify(biz)
        : (options.bizContentOverride as string),
  };
  const signed = signEnvelope(message, options.salt ?? sim.store.salt);
  const response = await fetch(`${sim.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signed),
  });
  const envelope = (await response.json()) as Envelope;
  const answerBiz =
    typeof envelope.bizContent === 'string' && envelope.bizContent !== ''
      ? (JSON.parse(envelope.bizContent) as Record<string, unknown>)
      : {};
  return {
    status: response.status,
    envelope,
    biz: answerBiz,
    signedByStore: verifyEnvelope(envelope, sim.store.salt).valid,
  };
}

export interface PageAnswer {
  /** HTTP status of the last answer (after the redirect of a successful action: 200). */
  status: number;
  html: string;
  /** The page's data-status (PENDING, ACTIVE… / PENDING, SUCCESS…), when shown. */
  shownStatus: string | undefined;
}

async function pageAnswer(response: Response): Promise<PageAnswer> {
  const html = await response.text();
  return { status: response.status, html, shownStatus: /data-status="([A-Z]+)"/.exec(html)?.[1] };
}

/** Opens a customer page (the wallet page of an authUrl, the checkout page of a paymentUrl). */
export async function openPage(url: string): Promise<PageAnswer> {
  return pageAnswer(await fetch(url));
}

/**
 * Presses a button of a customer page the way a browser submits its form: POST
 * `action=agree|decline|unbind` (wallet page) or `action=pay|fail` (checkout page).
 */
export async function pressPageButton(url: string, action: string): Promise<PageAnswer> {
  return pageAnswer(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action }).toString(),
    }),
  );
}

/** POST /__sim/control/revoke-payment-token over HTTP (what an out-of-process test does). */
export async function revokePaymentTokenOverHttp(baseUrl: string, token: string): Promise<number> {
  const response = await fetch(`${baseUrl}/__sim/control/revoke-payment-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * A proxy in front of a gateway that can rewrite each answer (to tamper with it) before the
 * client sees it.
 */
export async function startAnswerProxy(
  target: string,
  rewrite: (
    answer: { status: number; body: string },
    path: string,
  ) => { status: number; body: string },
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      })
        .then(async (upstream) => {
          const out = rewrite(
            { status: upstream.status, body: await upstream.text() },
            req.url ?? '/',
          );
          res.writeHead(out.status, { 'content-type': 'application/json' }).end(out.body);
        })
        .catch(() => res.destroy());
    });
  });
  const { baseUrl, close } = await listenOnLoopback(server);
  return { baseUrl, close };
}

export interface ReceivedNotification {
  envelope: Envelope;
  biz: Record<string, unknown>;
  /** Whether the notification's signature verifies with the store's salt. */
  signedByStore: boolean;
}

/**
 * A local notification receiver: every POST is recorded by path; each path answers what
 * `script` says, in order, then HTTP 200 with an empty body.
 */
export async function startNotificationReceiver(salt: string): Promise<{
  url: string;
  received(path: string): ReceivedNotification[];
  script(path: string, answers: Array<{ status: number; body?: string }>): void;
  close(): Promise<void>;
}> {
  const received = new Map<string, ReceivedNotification[]>();
  const scripts = new Map<string, Array<{ status: number; body?: string }>>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope;
      const list = received.get(path) ?? [];
      list.push({
        envelope,
        biz: JSON.parse(envelope.bizContent ?? '{}') as Record<string, unknown>,
        signedByStore: verifyEnvelope(envelope, salt).valid,
      });
      received.set(path, list);
      const next = scripts.get(path)?.shift() ?? { status: 200 };
      res.writeHead(next.status).end(next.body ?? '');
    });
  });
  const { baseUrl, close } = await listenOnLoopback(server);
  return {
    url: baseUrl,
    received: (path) => received.get(path) ?? [],
    script: (path, answers) => scripts.set(path, [...answers]),
    close,
  };
}
