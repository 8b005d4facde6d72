/**
 * The embedded PingPong v4 gateway simulator (docs: shared/spec/simulator.md): a real HTTP
 * server on loopback that behaves like the gateway, for training mode, tests and rehearsal.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { isLinkWallet, LINK_WALLETS, type LinkWallet } from '../../shared/gateway/codeGrant.ts';
import { DEFAULT_LINK_LIMITS_MINOR, SimLinks } from './codeGrant.ts';
import { SimGateway } from './gateway.ts';
import { buildLedger, type LedgerEntry } from './ledger.ts';
import { Notifier } from './notifier.ts';
import { Scheduler } from './scheduler.ts';
import { createSimulatorServer } from './server.ts';
import { SimState } from './state.ts';
import { StoreRegistry, type StoreConfig } from './stores.ts';

export type { LedgerEntry } from './ledger.ts';
export type { StoreConfig } from './stores.ts';
export { DEFAULT_STORES } from './stores.ts';
export { RETRY_SCHEDULE_MS } from './notifier.ts';
export { SIMULATOR_PATHS } from './server.ts';
export { DEFAULT_LINK_LIMITS_MINOR, SIGNUP_EXPIRES_MS } from './codeGrant.ts';
export { CHECKOUT_EXPIRES_MS } from './gateway.ts';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback by default. */
  host?: string;
  /** Multiplies every scenario delay and notification retry delay (default 1). */
  timeScale?: number;
  /** Stores known besides the two public sandbox stores. */
  stores?: StoreConfig[];
  /**
   * Keeps the state across restarts (JSON, written atomically). In memory without it. Payment
   * codes are kept masked, plus a keyed digest to recognise a reused code; a file of the
   * previous format (full codes) is read and rewritten that way at start.
   */
  stateFile?: string;
  /** One line per request and notification (never a salt or a payment code). */
  log?: (line: string) => void;
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP (benches, tests). */
  https?: { key: string; cert: string };
  /**
   * Per-payment limits of linked-wallet (CodeGrant) payments, in minor units of the wallet's
   * currency (default Alipay CNY 500.00, AlipayHK HKD 50,000.00).
   */
  linkLimitsMinor?: Partial<Record<LinkWallet, number>>;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  port: number;
  /** Every charge and refund, as GET /__sim/ledger shows it. */
  ledger(): LedgerEntry[];
  /**
   * Test hook ("the payer revoked the subscription"): the payment token no longer charges.
   * False when no store has that token. Also POST /__sim/control/revoke-payment-token.
   */
  revokePaymentToken(token: string): boolean;
  /** Stops the server, its timers and its notifications. */
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const timeScale = options.timeScale ?? 1;
  if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale <= 0) {
    throw new Error(`simulator: timeScale must be a positive number, got ${String(timeScale)}`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`simulator: port must be 0..65535, got ${String(port)}`);
  }
  const host = options.host ?? '127.0.0.1';
  const limitsMinor: Record<LinkWallet, number> = { ...DEFAULT_LINK_LIMITS_MINOR };
  for (const [wallet, limit] of Object.entries(options.linkLimitsMinor ?? {})) {
    if (!isLinkWallet(wallet)) {
      throw new Error(
        `simulator: linkLimitsMinor: ${wallet} is not one of ${LINK_WALLETS.join(', ')}`,
      );
    }
    if (!Number.isSafeInteger(limit) || limit <= 0) {
      throw new Error(
        `simulator: linkLimitsMinor.${wallet} must be a positive whole number of minor units`,
      );
    }
    limitsMinor[wallet] = limit;
  }
  const log = options.log ?? (() => {});
  const now = (): number => Date.now();
  const stores = new StoreRegistry(options.stores ?? []);
  const state = new SimState(options.stateFile ?? null);
  const scheduler = new Scheduler((error) =>
    log(`simulator: ${error instanceof Error ? error.message : String(error)}`),
  );
  const notifier = new Notifier({ state, stores, scheduler, timeScale, now, log });
  let baseUrl = '';
  const links = new SimLinks({
    state,
    scheduler,
    notifier,
    timeScale,
    now,
    baseUrl: () => baseUrl,
    log,
    limitsMinor,
  });
  const gateway = new SimGateway({
    state,
    scheduler,
    notifier,
    timeScale,
    now,
    baseUrl: () => baseUrl,
    links,
    log,
  });
  const plain = createSimulatorServer({
    stores,
    gateway,
    links,
    scheduler,
    ledger: () => buildLedger(state),
    log,
  });
  let server: typeof plain | https.Server = plain;
  if (options.https) {
    // The same request handler behind TLS.
    const secure = https.createServer({ key: options.https.key, cert: options.https.cert });
    for (const listener of plain.listeners('request')) {
      secure.on('request', listener as (...args: unknown[]) => void);
    }
    secure.keepAliveTimeout = plain.keepAliveTimeout;
    secure.headersTimeout = plain.headersTimeout;
    server = secure;
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `${options.https ? 'https' : 'http'}://${hostForUrl}:${address.port}`;
  gateway.resume();
  links.resume();
  notifier.resume();

  let closing: Promise<void> | null = null;
  return {
    baseUrl,
    port: address.port,
    ledger: () => buildLedger(state),
    revokePaymentToken: (token) => gateway.revokePaymentToken(token),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        scheduler.stop();
        notifier.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
