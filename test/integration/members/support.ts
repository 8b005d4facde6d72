/**
 * Members integration support: a terminal (real runtime, journal in a temp folder) against
 * a real simulator with its members side, the customer's part played on the simulator's
 * wallet and checkout pages (form POSTs, as a phone's browser sends them), and a gateway
 * client that records what the gateway answered (to find a token in the journal's bytes).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_STORES, startSimulator } from '../../../electron/simulator/index.ts';
import type { LedgerEntry } from '../../../electron/simulator/index.ts';
import { openMembers } from '../../../electron/members/runtime.ts';
import type { MemberService, MemberTuning } from '../../../electron/members/memberService.ts';
import type { DataKeyStore } from '../../../electron/app/secretStore.ts';
import { JOURNAL_FILE } from '../../../electron/journal/journal.ts';
import {
  openTestTerminal,
  removeDir,
  testTuning,
  type TestTerminalOptions,
} from '../../support/engineProcess.ts';
import { gatewayKey } from '../../../electron/app/runtime.ts';
import { createPaymentEngine, type PaymentEngine } from '../../../electron/engine/paymentEngine.ts';

export interface MemberSim {
  baseUrl: string;
  store: { accId: string; salt: string };
  timeScale: number;
  ledger(): LedgerEntry[];
  revokePaymentToken(token: string): boolean;
  close(): Promise<void>;
}

export async function startMemberSim(timeScale = 0.05): Promise<MemberSim> {
  const sim = await startSimulator({ timeScale });
  const store = DEFAULT_STORES[0];
  if (!store) throw new Error('no store');
  return {
    baseUrl: sim.baseUrl,
    store: { accId: store.accId, salt: store.salt },
    timeScale,
    ledger: () => sim.ledger(),
    revokePaymentToken: (token) => sim.revokePaymentToken(token),
    close: () => sim.close(),
  };
}

/** A data key store holding one fixed key (as POS_DATA_KEY would). */
export function fixedKeys(key: Buffer | null): DataKeyStore {
  return { get: () => key, storage: () => (key ? 'environment' : 'none') };
}

export interface Secrets {
  /** Every token the gateway handed out in this terminal's answers (bind, query). */
  tokens: Set<string>;
}

/**
 * Wraps the terminal's client so that tests see every token the gateway answered (never
 * printed; only to look for it in files). `rewrite` may change a token charge on its way.
 */
export function watchClient<T extends object>(
  client: T,
  secrets: Secrets,
  rewrite?: { merchantUserId?: string },
): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (prop === 'unifiedPayToken' && rewrite?.merchantUserId) {
          args[0] = { ...(args[0] as object), merchantUserId: rewrite.merchantUserId };
        }
        const result = (await (value as (...a: unknown[]) => Promise<unknown>).apply(
          target,
          args,
        )) as Record<string, unknown> | undefined;
        for (const key of ['token', 'paymentToken']) {
          const t = result?.[key];
          if (typeof t === 'string' && t !== '') secrets.tokens.add(t);
        }
        return result;
      };
    },
  });
}

export interface MemberTerminal {
  terminal: Awaited<ReturnType<typeof openTestTerminal>>;
  terminalId: string;
  /** The engine over the terminal's journal and the watched client. */
  engine: PaymentEngine;
  members: MemberService;
  secrets: Secrets;
  close(): Promise<void>;
}

export async function openMemberTerminal(
  sim: MemberSim,
  options: TestTerminalOptions & {
    key: Buffer | null;
    memberTuning?: MemberTuning;
    rewrite?: { merchantUserId?: string };
    keepDir?: boolean;
  },
): Promise<MemberTerminal> {
  const terminal = await openTestTerminal(sim, {
    currency: 'HKD',
    region: 'HK',
    ...options,
  });
  const secrets: Secrets = { tokens: new Set() };
  const client = watchClient(terminal.client, secrets, options.rewrite);
  const deadline = options.customerDeadlineMs ?? 2000;
  const engine = createPaymentEngine({
    journal: terminal.journal,
    client,
    settings: {
      terminalId: options.terminalId ?? 'TEST',
      region: options.region ?? 'HK',
      currency: options.currency ?? 'HKD',
      amountCeilingMinor: 10_000_000,
      customerDeadlineMs: deadline,
    },
    tuning: {
      notFoundWindowMs: 1500,
      ...testTuning(sim.timeScale),
      checkoutLifetimeMs: 15 * 60_000 * sim.timeScale,
      ...(options.tuning ?? {}),
    },
    gateway: { training: false, gateway: gatewayKey(sim.baseUrl), accId: sim.store.accId },
  });
  const members = openMembers(
    { journal: terminal.journal, client, engine, trainingMode: false },
    {
      dataDir: terminal.dataDir,
      dataKeys: fixedKeys(options.key),
      identity: { training: false, gateway: gatewayKey(sim.baseUrl) },
      start: false,
      tuning: {
        pollScheduleMs: [50, 100, 200],
        signUpLifetimeMs: 10 * 60_000 * sim.timeScale,
        ...(options.memberTuning ?? {}),
      },
    },
  );
  return {
    terminal,
    terminalId: options.terminalId ?? 'TEST',
    engine,
    members,
    secrets,
    close: async () => {
      await members.stop();
      await engine.stop();
      await terminal.close();
      if (!options.keepDir) removeDir(terminal.dataDir);
    },
  };
}

/** The customer's answer on the simulator's wallet or checkout page (a form POST). */
export async function customerDoes(pageUrl: string, action: string): Promise<number> {
  const response = await fetch(pageUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action }).toString(),
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return response.status;
}

/** The journal's bytes (file and WAL) as latin1 text, to look for a secret in them. */
export function journalBytes(dataDir: string): string {
  return [JOURNAL_FILE, `${JOURNAL_FILE}-wal`]
    .map((name) => {
      try {
        return readFileSync(path.join(dataDir, name)).toString('latin1');
      } catch {
        return '';
      }
    })
    .join('');
}
