/**
 * Main's side of the terminal core (electron/host/supervisor.ts) against cores run in this
 * process over real node:worker_threads MessageChannels (runCore, the real TerminalApp with
 * a fake engine): invokes and events across the port, the salt from main's safeStorage
 * store, a core dying mid-request, restarts with backoff, giving up, invalid messages.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import {
  createSafeStorageSecretStore,
  type SafeStorageLike,
} from '../../../electron/app/secretStore.ts';
import {
  createTerminalApp,
  type RuntimeConfig,
  type RuntimeLike,
} from '../../../electron/app/terminalApp.ts';
import { nodePortEndpoint } from '../../../electron/host/protocol.ts';
import { shellSecretHandlers } from '../../../electron/host/secrets.ts';
import {
  CoreSupervisor,
  restartDelay,
  type CoreProcess,
  type SupervisorOptions,
} from '../../../electron/host/supervisor.ts';
import { inProcessCore, type InProcessCore } from '../../support/corePorts.ts';
import { fakeScannerManager } from '../../support/appDoubles.ts';
import type { ScanSource } from '../../../electron/engine/paymentEngine.ts';
import { FakeEngine } from './fakes.ts';

const SALT = 'F78BC96A55548B2319EE68E0';
const HANG = '134567890123450000';

/** A FakeEngine whose submitCode never answers for the HANG code (a core busy paying). */
class BusyEngine extends FakeEngine {
  override async submitCode(orderId: string, code: string, source: ScanSource): Promise<SaleView> {
    if (code === HANG) return new Promise<SaleView>(() => {});
    return super.submitCode(orderId, code, source);
  }
}

/** safeStorage that "encrypts" by reversing (enough to see what main stores). */
function fakeSafeStorage(available = true): SafeStorageLike & { encrypted: string[] } {
  const encrypted: string[] = [];
  return {
    encrypted,
    isEncryptionAvailable: () => available,
    encryptString: (text) => {
      encrypted.push(text);
      return Buffer.from([...text].reverse().join(''), 'utf8');
    },
    decryptString: (data) => [...data.toString('utf8')].reverse().join(''),
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Rig {
  supervisor: CoreSupervisor;
  cores: InProcessCore[];
  engines: BusyEngine[];
  logs: string[];
  /** Scheduled restarts, run by hand (no real waiting). */
  timers: Array<{ ms: number; run(): void; cancelled: boolean }>;
  runRestart(): void;
  clock: { now: number };
  known: Array<string | null>;
  dataDir: string;
  safeStorage: ReturnType<typeof fakeSafeStorage>;
  gaveUp: string[];
  /** Runtimes (journal, engine) closed so far. */
  closed: { count: number };
}

function rig(options: Partial<SupervisorOptions> & { failOpen?: () => boolean } = {}): Rig {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pospay-core-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const cores: InProcessCore[] = [];
  const engines: BusyEngine[] = [];
  const logs: string[] = [];
  const timers: Rig['timers'] = [];
  const clock = { now: 0 };
  const known: Array<string | null> = [];
  const gaveUp: string[] = [];
  const closed = { count: 0 };
  const safeStorage = fakeSafeStorage();
  const store = createSafeStorageSecretStore(safeStorage, path.join(dataDir, 'salt.enc'));
  const openRuntime = async (_config: RuntimeConfig): Promise<RuntimeLike> => {
    const engine = new BusyEngine();
    engines.push(engine);
    return {
      engine,
      close: async () => {
        closed.count += 1;
      },
    };
  };
  const supervisor = new CoreSupervisor({
    spawn: () => {
      const core = inProcessCore({
        dataDir,
        openApp: async (appOptions) => {
          if (options.failOpen?.())
            throw new Error('the journal is damaged: restore it from a backup');
          return createTerminalApp({
            ...appOptions,
            openRuntime,
            scanners: fakeScannerManager().manager,
          });
        },
      });
      cores.push(core);
      return core;
    },
    shellHandlers: shellSecretHandlers(store, (salt) => known.push(salt)),
    log: {
      info: (m) => logs.push(`info: ${m}`),
      warn: (m) => logs.push(`warn: ${m}`),
      error: (m) => logs.push(`error: ${m}`),
    },
    schedule: (run, ms) => {
      const timer = { ms, run, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    now: () => clock.now,
    onGiveUp: (message) => gaveUp.push(message),
    ...options,
  });
  cleanups.push(async () => {
    const stopping = supervisor.stop();
    // A core that does not answer `close` is ended by the close timer: run it.
    for (const timer of timers.filter((t) => t.ms === 10_000 && !t.cancelled)) timer.run();
    await stopping;
    for (const core of cores) core.kill();
  });
  return {
    supervisor,
    cores,
    engines,
    logs,
    timers,
    clock,
    known,
    dataDir,
    safeStorage,
    gaveUp,
    closed,
    runRestart() {
      // The restart timer is the one asked with a backoff delay (not the ready/close timers).
      const timer = timers.find((t) => !t.cancelled && supervisor.restartDelays.includes(t.ms));
      if (!timer) throw new Error('no restart scheduled');
      timer.cancelled = true;
      timer.run();
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error(`never happened: ${what}`);
}

describe('restartDelay (the backoff)', () => {
  it('doubles from the base and stays at the cap', () => {
    const backoff = { baseMs: 500, maxMs: 15_000, maxFailures: 8, stableMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelay(n, backoff))).toEqual([
      500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000,
    ]);
    expect(restartDelay(1000, backoff)).toBe(15_000);
  });
});

describe('the terminal core behind the supervisor', () => {
  it('answers invokes and forwards events across the port, snapshot first', async () => {
    const r = rig();
    const events: Array<{ channel: string; payload: unknown }> = [];
    r.supervisor.connect((channel, payload) => events.push({ channel, payload }));
    const connection: boolean[] = [];
    r.supervisor.onConnection((up) => connection.push(up));
    const ready = await r.supervisor.start();
    expect(ready.startupWarnings).toEqual([]);
    expect(connection).toEqual([true]);

    const settings = await r.supervisor.invoke('settings:get', {});
    expect(settings).toMatchObject({
      ok: true,
      value: { trainingMode: true, saltConfigured: false },
    });
    const started = await r.supervisor.invoke('sale:start', { amountText: '12.30' });
    expect(started).toMatchObject({
      ok: true,
      value: { status: 'awaiting-scan', amountMinor: 1230 },
    });
    await until(() => events.some((e) => e.channel === 'sale:updated'), 'sale:updated');
    expect(events[0]?.channel).toBe('scanner:state');
    expect(events.find((e) => e.channel === 'sale:updated')?.payload).toMatchObject({
      amountMinor: 1230,
    });
    // A request the contract refuses is refused by the core, as in browser mode.
    await expect(r.supervisor.invoke('sale:start', { amountText: 5 })).resolves.toMatchObject({
      ok: false,
      status: 400,
      error: { code: 'invalid-request' },
    });
    await expect(r.supervisor.invoke('fs:read', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
  });

  it('asks main for the salt when the terminal opens, and main stores a new one encrypted', async () => {
    const r = rig();
    await r.supervisor.start();
    expect(r.known).toEqual([null]); // asked once, nothing stored yet
    const saved = await r.supervisor.invoke('settings:save', { pin: '1234', salt: SALT });
    expect(saved).toMatchObject({
      ok: true,
      value: { saltConfigured: true, saltStorage: 'encrypted' },
    });
    expect(r.safeStorage.encrypted).toEqual([SALT]);
    expect(readFileSync(path.join(r.dataDir, 'salt.enc'), 'utf8')).not.toContain(SALT);
    expect(JSON.stringify(saved)).not.toContain(SALT);
    // A new core gets it from main again.
    r.cores[0]?.kill();
    r.runRestart();
    await until(() => r.supervisor.connected, 'restarted');
    expect(r.known).toEqual([null, SALT, SALT]);
    await expect(r.supervisor.invoke('settings:get', {})).resolves.toMatchObject({
      value: { saltConfigured: true },
    });
    expect(r.logs.join('\n')).not.toContain(SALT);
  });

  it('refuses a salt main cannot keep (no keychain), saying so', async () => {
    const r = rig();
    await r.supervisor.start();
    // The keychain goes away after the start (e.g. locked).
    r.safeStorage.isEncryptionAvailable = () => false;
    const saved = await r.supervisor.invoke('settings:save', { pin: '1234', salt: SALT });
    expect(saved).toMatchObject({ ok: false, error: { code: 'secret-store-unavailable' } });
    expect(saved.ok ? '' : saved.error.error).toMatch(/no encrypted storage/);
    expect(r.safeStorage.encrypted).toEqual([]);
  });

  it('answers a request pending when the core dies "the terminal core restarted", then restarts it', async () => {
    const r = rig();
    const connection: boolean[] = [];
    r.supervisor.onConnection((up) => connection.push(up));
    await r.supervisor.start();
    const sale = await r.supervisor.invoke('sale:start', { amountText: '20' });
    if (!sale.ok) throw new Error('no sale');
    const orderId = (sale.value as SaleView).orderId;
    const pending = r.supervisor.invoke('sale:submit-code', {
      orderId,
      code: HANG,
      source: 'manual',
    });
    await until(() => r.engines[0]?.sales.get(orderId) !== undefined, 'sale known');
    // The core is inside submitCode (the engine never answers): it dies now.
    r.cores[0]?.kill();
    await expect(pending).resolves.toMatchObject({
      ok: false,
      status: 409,
      error: { code: 'terminal-core-restarted' },
    });
    const answer = await pending;
    expect(answer.ok ? '' : answer.error.error).toMatch(/terminal core restarted/);
    expect(connection).toEqual([true, false]);
    // Meanwhile: "restarting", not a hang.
    await expect(r.supervisor.invoke('settings:get', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'terminal-not-ready' },
    });
    expect(r.supervisor.restartDelays).toEqual([500]);
    expect(r.logs.some((l) => /restarting it in 500 ms/.test(l))).toBe(true);
    r.runRestart();
    await until(() => r.supervisor.connected, 'back');
    expect(connection).toEqual([true, false, true]);
    expect(r.cores).toHaveLength(2);
    await expect(r.supervisor.invoke('sale:current', {})).resolves.toMatchObject({ ok: true });
  });

  it('waits longer after each failure in a row, back to the base after a stable run, and gives up', async () => {
    const r = rig({ backoff: { baseMs: 100, maxMs: 1000, maxFailures: 4, stableMs: 5000 } });
    await r.supervisor.start();
    const crashAndRestart = async (): Promise<void> => {
      r.cores[r.cores.length - 1]?.kill();
      r.runRestart();
      await until(() => r.supervisor.connected, 'restarted');
    };
    await crashAndRestart();
    await crashAndRestart();
    await crashAndRestart();
    expect(r.supervisor.restartDelays).toEqual([100, 200, 400]);
    // This core runs long enough to count as stable: its death starts the count again.
    r.clock.now += 5000;
    await crashAndRestart();
    expect(r.supervisor.restartDelays).toEqual([100, 200, 400, 100]);
    await crashAndRestart();
    await crashAndRestart();
    await crashAndRestart();
    expect(r.supervisor.restartDelays).toEqual([100, 200, 400, 100, 200, 400, 800]);
    // A fifth failure in a row: no more restarts; main is told.
    r.cores[r.cores.length - 1]?.kill();
    expect(r.supervisor.status).toBe('failed');
    expect(r.gaveUp).toHaveLength(1);
    expect(r.gaveUp[0]).toMatch(/stopped 5 times in a row/);
    expect(
      r.timers.filter((t) => !t.cancelled && r.supervisor.restartDelays.includes(t.ms)),
    ).toEqual([]);
    await expect(r.supervisor.invoke('settings:get', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'terminal-closed' },
    });
  });

  it('does not retry a first start that failed, and says why', async () => {
    const r = rig({ failOpen: () => true });
    await expect(r.supervisor.start()).rejects.toThrow(/journal is damaged/);
    expect(r.cores).toHaveLength(1);
    expect(r.supervisor.restartDelays).toEqual([]);
    await until(() => r.cores[0]?.exited === true, 'core ended by main');
  });

  it('retries a restart that failed to open (the old journal lock may linger)', async () => {
    let fail = false;
    const r = rig({ failOpen: () => fail });
    await r.supervisor.start();
    fail = true;
    r.cores[0]?.kill();
    r.runRestart();
    await until(() => r.supervisor.restartDelays.length === 2, 'second restart scheduled');
    expect(r.logs.some((l) => /journal is damaged/.test(l))).toBe(true);
    fail = false;
    r.runRestart();
    await until(() => r.supervisor.connected, 'back');
  });

  it('ends a core that never gets ready', async () => {
    const r = rig({
      spawn: () => {
        const { port1, port2 } = new MessageChannel();
        cleanups.push(() => port2.close());
        const exits: Array<(code: number | null) => void> = [];
        const silent: CoreProcess = {
          endpoint: nodePortEndpoint(port1),
          onExit: (l) => exits.push(l),
          kill: () => exits.forEach((l) => l(null)),
        };
        return silent;
      },
    });
    const start = r.supervisor.start();
    const readyTimer = r.timers.find((t) => t.ms === 120_000);
    expect(readyTimer).toBeDefined();
    readyTimer?.run();
    await expect(start).rejects.toThrow(/did not get ready in time/);
  });

  it('closes the terminal on stop and restarts nothing after', async () => {
    const r = rig();
    await r.supervisor.start();
    const core = r.cores[0];
    await r.supervisor.stop();
    expect(r.closed.count).toBe(1); // the core closed its terminal (journal) when asked
    expect(core?.exited).toBe(true);
    expect(r.supervisor.status).toBe('stopped');
    expect(r.supervisor.restartDelays).toEqual([]);
    await expect(r.supervisor.invoke('settings:get', {})).resolves.toMatchObject({
      error: { code: 'terminal-closed' },
    });
  });

  it('ignores and logs an invalid message from the core, by its shape only', async () => {
    const { port1, port2 } = new MessageChannel();
    cleanups.push(() => port2.close());
    const exits: Array<(code: number | null) => void> = [];
    const r = rig({
      spawn: () => ({
        endpoint: nodePortEndpoint(port1),
        onExit: (l) => exits.push(l),
        kill: () => exits.forEach((l) => l(null)),
      }),
    });
    const events: string[] = [];
    r.supervisor.connect((channel) => events.push(channel));
    const start = r.supervisor.start();
    port2.postMessage({ type: 'event', channel: 'ready', payload: { startupWarnings: [] } });
    await start;
    port2.postMessage({ type: 'surprise', salt: SALT });
    port2.postMessage({
      type: 'event',
      channel: 'contract',
      payload: { channel: 'fs:read', payload: SALT },
    });
    port2.postMessage({
      type: 'event',
      channel: 'contract',
      payload: { channel: 'scan:rejected', payload: { reason: SALT } },
    });
    port2.postMessage({
      type: 'event',
      channel: 'contract',
      payload: { channel: 'scan:rejected', payload: { reason: 'no sale', text: '1234' } },
    });
    await until(() => events.length === 1, 'the valid event');
    expect(events).toEqual(['scan:rejected']);
    const warnings = r.logs.filter((l) => l.startsWith('warn:'));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/ignored an invalid message/);
    expect(warnings.join('\n')).not.toContain(SALT);
  });
});
