/**
 * The terminal's runtime, shared by the cashier app and the `pospay` command line: the
 * journal in the data folder, the gateway client (or, with no gateway configured, the
 * embedded simulator in training mode) and the payment engine over both. Opening it starts
 * recovery of anything a previous run left unresolved, and the sweeper.
 */
import path from 'node:path';
import type { Currency } from '../../shared/money.ts';
import type { Region } from '../../shared/paymentCode.ts';
import type { SignType } from '../../shared/gateway/envelope.ts';
import { GatewayClient } from '../gateway/client.ts';
import { readExtraCaFile } from '../gateway/tls.ts';
import { openJournal, type Journal } from '../journal/journal.ts';
import { faultHookFromEnv, type FaultHook } from '../engine/faults.ts';
import {
  DEFAULT_NOT_FOUND_GRACE_MS,
  notFoundWindowFor,
  EMBEDDED_SIMULATOR_GATEWAY,
  createPaymentEngine,
  type EngineLog,
  type EngineTuning,
  type PaymentEngine,
} from '../engine/paymentEngine.ts';
import { DEFAULT_QUERY_SCHEDULE_MS, scaleSchedule } from '../engine/schedule.ts';
import { DEFAULT_STORES, startSimulator, type LedgerEntry } from '../simulator/index.ts';
import { defaultDataDir } from './paths.ts';
import { GatewayUrlSchema, normaliseGatewayUrl, SIMULATOR } from './settings.ts';

export interface GatewayConfig {
  baseUrl: string;
  accId: string;
  clientId?: string;
  salt: string;
  signType?: SignType;
  timeoutMs: number;
  /** PEM of a CA trusted besides Node's store (TLS inspection); from POS_EXTRA_CA_FILE. */
  extraCaPem?: string;
}

export interface TerminalConfig {
  dataDir: string;
  /** The real gateway (or an external simulator). Without it: the embedded simulator. */
  gateway?: GatewayConfig;
  region: Region;
  currency: Currency;
  customerDeadlineMs: number;
  amountCeilingMinor: number;
  terminalId: string;
  /** Options of the embedded simulator (training mode). */
  embeddedSimulator?: { timeScale: number };
  /** Engine timings (tests); by default scaled to the embedded simulator's time scale. */
  engineTuning?: EngineTuning;
  /**
   * Recovery at open: in the background (default, the app stays responsive with the gateway
   * down), awaited (first pass done before open returns), or not at all (read-only uses).
   */
  recovery?: 'background' | 'await' | 'off';
  log?: EngineLog;
  /** Crash-test hook; default: from POS_FAULT. */
  fault?: FaultHook;
  /** better-sqlite3 addon to load (Electron's ABI, electron/shell/nativeBinding.ts). */
  nativeBinding?: string;
}

export interface SimulatorHandle {
  baseUrl: string;
  ledger(): LedgerEntry[];
}

export interface Terminal {
  journal: Journal;
  client: GatewayClient;
  engine: PaymentEngine;
  /** The embedded simulator (training mode only). */
  simulator?: SimulatorHandle;
  /** True when the gateway is the embedded simulator. */
  trainingMode: boolean;
  close(): Promise<void>;
}

export const SIMULATOR_STATE_FILE = 'simulator-state.json';
export const DEFAULT_GATEWAY_TIMEOUT_MS = 10_000;
export const DEFAULT_CUSTOMER_DEADLINE_MS = 60_000;

export async function openTerminal(config: TerminalConfig): Promise<Terminal> {
  const journal = openJournal({
    dir: config.dataDir,
    ...(config.nativeBinding ? { nativeBinding: config.nativeBinding } : {}),
  });
  let simulator: Awaited<ReturnType<typeof startSimulator>> | undefined;
  let client: GatewayClient;
  let accId: string;
  try {
    if (config.gateway) {
      client = new GatewayClient({
        baseUrl: config.gateway.baseUrl,
        accId: config.gateway.accId,
        ...(config.gateway.clientId ? { clientId: config.gateway.clientId } : {}),
        salt: config.gateway.salt,
        ...(config.gateway.signType ? { signType: config.gateway.signType } : {}),
        timeoutMs: config.gateway.timeoutMs,
        ...(config.gateway.extraCaPem ? { extraCaPem: config.gateway.extraCaPem } : {}),
      });
      accId = config.gateway.accId.trim();
    } else {
      const store = DEFAULT_STORES[0];
      if (!store) throw new Error('the embedded simulator has no store');
      simulator = await startSimulator({
        timeScale: config.embeddedSimulator?.timeScale ?? 1,
        stateFile: path.join(config.dataDir, SIMULATOR_STATE_FILE),
      });
      client = new GatewayClient({
        baseUrl: simulator.baseUrl,
        accId: store.accId,
        salt: store.salt,
        timeoutMs: DEFAULT_GATEWAY_TIMEOUT_MS,
      });
      accId = store.accId;
    }
  } catch (error) {
    journal.close();
    throw error;
  }

  const scale = simulator ? Math.min(1, config.embeddedSimulator?.timeScale ?? 1) : 1;
  const requestTimeoutMs = config.gateway?.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS;
  const tuning: EngineTuning = {
    // "Not found" is final only past the window in which the gateway could still register
    // a request: the client's timeout plus a margin (docs/ARCHITECTURE.md).
    notFoundWindowMs: notFoundWindowFor(requestTimeoutMs) * scale,
    ...(scale < 1 ? scaledTuning(scale) : {}),
    ...(config.engineTuning ?? {}),
  };
  const fault = config.fault ?? faultHookFromEnv(process.env.POS_FAULT);
  const engine = createPaymentEngine({
    journal,
    client,
    settings: {
      terminalId: config.terminalId,
      region: config.region,
      currency: config.currency,
      amountCeilingMinor: config.amountCeilingMinor,
      customerDeadlineMs: config.customerDeadlineMs,
    },
    tuning,
    // Recorded on every sale: training sales and live ones share the journal, and each is
    // only ever resolved against the gateway it went to.
    gateway: {
      training: simulator !== undefined,
      gateway: config.gateway ? gatewayKey(config.gateway.baseUrl) : EMBEDDED_SIMULATOR_GATEWAY,
      accId,
    },
    ...(config.log ? { log: config.log } : {}),
    ...(fault ? { fault } : {}),
  });

  const recovery = config.recovery ?? 'background';
  if (recovery !== 'off') {
    const first = engine.recover();
    if (recovery === 'await') {
      await first;
    } else {
      first.catch((error: unknown) => {
        config.log?.('error', 'recovery failed; the sweeper will retry', {
          error: error instanceof Error ? error.message : String(error),
        });
      });
    }
    engine.startSweeper();
  }

  let closing: Promise<void> | null = null;
  const sim = simulator;
  return {
    journal,
    client,
    engine,
    ...(sim ? { simulator: { baseUrl: sim.baseUrl, ledger: () => sim.ledger() } } : {}),
    trainingMode: sim !== undefined,
    close: () => {
      closing ??= (async () => {
        await engine.stop();
        client.close();
        journal.close();
        await sim?.close();
      })();
      return closing;
    },
  };
}

/** The engine's query schedule and not-found grace for a simulator running at `scale`. */
export function scaledTuning(scale: number): EngineTuning {
  return {
    querySchedule: scaleSchedule(DEFAULT_QUERY_SCHEDULE_MS, scale),
    notFoundGraceMs: Math.round(DEFAULT_NOT_FOUND_GRACE_MS * scale),
    // The simulator closes an unpaid checkout after 15 minutes × its time scale.
    checkoutLifetimeMs: Math.round(15 * 60_000 * scale),
  };
}

/** The live gateway as recorded on a sale: its base URL without a trailing slash. */
export function gatewayKey(baseUrl: string): string {
  const text = baseUrl.trim();
  try {
    const url = new URL(text);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return text.replace(/\/+$/, '');
  }
}

export class ConfigError extends Error {
  readonly code = 'config-invalid';
}

export interface EnvConfigOverrides {
  currency?: Currency;
  region?: Region;
  customerDeadlineMs?: number;
}

/**
 * The runtime configuration of a headless run (the `pospay` commands) from the environment:
 * POS_DATA_DIR, POS_GATEWAY_URL, POS_ACC_ID, POS_CLIENT_ID, POS_SALT (interfaces.md), and
 * POS_EXTRA_CA_FILE (a PEM CA trusted besides Node's store, for a store behind TLS inspection).
 * Without POS_GATEWAY_URL the embedded simulator is used (training mode).
 */
export function terminalConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
  overrides: EnvConfigOverrides = {},
): TerminalConfig {
  const currency: Currency = overrides.currency ?? 'CNY';
  const region: Region = overrides.region ?? (currency === 'HKD' ? 'HK' : 'CN');
  const base: TerminalConfig = {
    dataDir: defaultDataDir({ env }),
    region,
    currency,
    customerDeadlineMs: overrides.customerDeadlineMs ?? DEFAULT_CUSTOMER_DEADLINE_MS,
    amountCeilingMinor: 5_000_000,
    terminalId: (env.POS_TERMINAL_ID ?? '').trim() || 'CLI',
  };
  const given = env.POS_GATEWAY_URL?.trim();
  if (!given) return base;
  // The same names and checks as the app's settings: simulator | sandbox | production | URL.
  const parsed = GatewayUrlSchema.safeParse(normaliseGatewayUrl(given));
  if (!parsed.success) {
    throw new ConfigError(
      `POS_GATEWAY_URL must be "simulator", "sandbox", "production" or an http(s) URL, not "${given}"`,
    );
  }
  if (parsed.data === SIMULATOR) return base;
  const url = parsed.data;
  const accId = env.POS_ACC_ID?.trim();
  const salt = env.POS_SALT;
  const missing = [accId ? null : 'POS_ACC_ID', salt ? null : 'POS_SALT'].filter(
    (x): x is string => x !== null,
  );
  if (missing.length > 0) {
    throw new ConfigError(
      `POS_GATEWAY_URL is set but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing: ` +
        'give the store credentials, or unset POS_GATEWAY_URL to use the built-in simulator',
    );
  }
  const clientId = env.POS_CLIENT_ID?.trim();
  const caFile = env.POS_EXTRA_CA_FILE?.trim();
  let extraCaPem: string | undefined;
  if (caFile) {
    try {
      extraCaPem = readExtraCaFile(caFile);
    } catch (error) {
      throw new ConfigError(
        `POS_EXTRA_CA_FILE: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return {
    ...base,
    gateway: {
      baseUrl: url,
      accId: accId as string,
      ...(clientId ? { clientId } : {}),
      salt: salt as string,
      timeoutMs: DEFAULT_GATEWAY_TIMEOUT_MS,
      ...(extraCaPem ? { extraCaPem } : {}),
    },
  };
}
