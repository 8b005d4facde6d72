/**
 * Shared by every test file that needs a gateway: a real simulator on loopback, a client
 * wired to it, and unique payment codes of a valid format.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { GatewayClient, type GatewayClientOptions } from '../../electron/gateway/client.ts';
import { signEnvelope, verifyEnvelope } from '../../electron/gateway/signing.ts';
import { clientIdFor, type Envelope, type SignType } from '../../shared/gateway/envelope.ts';
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
