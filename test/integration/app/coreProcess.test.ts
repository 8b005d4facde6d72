/**
 * The terminal core as it ships (dist/electron/core.cjs, the utility-process bundle) under
 * plain Node: each core is a child process whose process.parentPort is a stand-in, with the
 * MessagePort's messages carried over the child's IPC channel. This process plays Electron's
 * main: the real CoreSupervisor starts it, pays through it with the embedded simulator and
 * the real journal, kills it in the middle of a payment, and gets it back with the journal.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import { createSafeStorageSecretStore } from '../../../electron/app/secretStore.ts';
import type { MessageEndpoint } from '../../../electron/host/protocol.ts';
import { PORT_PROTOCOL_VERSION } from '../../../electron/host/protocol.ts';
import { shellSecretHandlers } from '../../../electron/host/secrets.ts';
import { CoreSupervisor, type CoreProcess } from '../../../electron/host/supervisor.ts';
import { wechatCode } from '../../support/simulator.ts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const CORE = path.join(root, 'dist', 'electron', 'core.cjs');
const SALT = 'F78BC96A55548B2319EE68E0';

/** The child's side: a stand-in parentPort, and the port's messages over IPC. */
const HARNESS = String.raw`
const { EventEmitter } = require('node:events');
const { MessageChannel } = require('node:worker_threads');
const parentPort = new EventEmitter();
parentPort.postMessage = () => {};
process.parentPort = parentPort;
const { port1, port2 } = new MessageChannel();
const wrapped = new Map();
// port2 as Electron's MessagePortMain: messages arrive as { data }, after start().
const portMain = {
  postMessage: (message) => port2.postMessage(message),
  on(event, listener) {
    if (event !== 'message') { port2.on(event, listener); return portMain; }
    const inner = (value) => listener({ data: value });
    wrapped.set(listener, inner);
    port2.on('message', inner);
    return portMain;
  },
  off(event, listener) { const inner = wrapped.get(listener); if (inner) port2.off('message', inner); return portMain; },
  start() {},
  close() { port2.close(); },
};
port1.on('message', (message) => process.send({ port: message }));
process.on('message', (message) => {
  if (message.connect) parentPort.emit('message', { data: message.connect, ports: [portMain] });
  else if ('port' in message) port1.postMessage(message.port);
});
require(process.env.CORE);
`;

let dataDir = '';
const children: ChildProcess[] = [];
const output: string[] = [];

beforeAll(() => {
  const built = spawnSync(process.execPath, ['scripts/build-electron.mjs'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts core.cjs as a child, the way main forks the utility process. */
function forkCore(): CoreProcess {
  const child = spawn(process.execPath, ['-e', HARNESS], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, CORE },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  children.push(child);
  child.on('error', () => {});
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const endpoint: MessageEndpoint = {
    send(message) {
      if (!child.connected) throw new Error('the core is gone');
      child.send({ port: message });
    },
    listen(listener) {
      const handler = (message: unknown): void => {
        if (typeof message === 'object' && message !== null && 'port' in message) {
          listener((message as { port: unknown }).port);
        }
      };
      child.on('message', handler);
      return () => {
        child.off('message', handler);
      };
    },
    onClose: (listener) => {
      child.once('disconnect', listener);
    },
    close: () => {},
  };
  child.send({
    connect: { type: 'connect', protocol: PORT_PROTOCOL_VERSION, dataDir, nativeBinding: null },
  });
  return {
    endpoint,
    onExit: (listener) => {
      child.once('exit', (code) => listener(code));
    },
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}

function supervisor(): {
  core: CoreSupervisor;
  events: Array<{ channel: string; payload: unknown }>;
} {
  dataDir = mkdtempSync(path.join(tmpdir(), 'pospay-core-process-'));
  // "Encryption" that shows it happened (reversed text) without a keychain.
  const store = createSafeStorageSecretStore(
    {
      isEncryptionAvailable: () => true,
      encryptString: (text) => Buffer.from([...text].reverse().join('')),
      decryptString: (data) => [...data.toString()].reverse().join(''),
    },
    path.join(dataDir, 'salt.enc'),
  );
  const logs: string[] = [];
  const core = new CoreSupervisor({
    spawn: forkCore,
    shellHandlers: shellSecretHandlers(store, () => {}),
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    backoff: { baseMs: 20, maxMs: 100 },
  });
  output.push(...logs);
  const events: Array<{ channel: string; payload: unknown }> = [];
  core.connect((channel, payload) => events.push({ channel, payload }));
  return { core, events };
}

async function value<T>(core: CoreSupervisor, channel: string, request: unknown): Promise<T> {
  const result = await core.invoke(channel, request);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.error}`);
  return result.value as T;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1500 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`never happened: ${what}\n${output.join('')}`);
}

describe('the terminal core bundle (dist/electron/core.cjs) under plain Node', () => {
  it('outside a utility process says what it is and ends', () => {
    const run = spawnSync(process.execPath, [CORE], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/terminal core of the Electron app/);
  });

  it('opens the terminal, pays a sale and stores the salt through main', async () => {
    const { core, events } = supervisor();
    await core.start();
    const settings = await value<{ trainingMode: boolean }>(core, 'settings:get', {});
    expect(settings.trainingMode).toBe(true);
    const sale = await value<SaleView>(core, 'sale:start', { amountText: '12.30' });
    const paid = await value<SaleView>(core, 'sale:submit-code', {
      orderId: sale.orderId,
      code: wechatCode(),
      source: 'wedge',
    });
    expect(paid.status).toBe('paid');
    await until(
      () =>
        events.some(
          (e) => e.channel === 'sale:updated' && (e.payload as SaleView).status === 'paid',
        ),
      'the paid sale:updated event',
    );
    const saved = await value<{ saltStorage: string }>(core, 'settings:save', {
      pin: '1234',
      salt: SALT,
    });
    expect(saved.saltStorage).toBe('encrypted');
    await core.stop();
    expect(children[0]?.exitCode !== null || children[0]?.signalCode !== null).toBe(true);
    expect(output.join('')).not.toContain(SALT);
  });

  it('restarts a core killed in the middle of a payment; the journal still has the sale', async () => {
    const { core, events } = supervisor();
    const connection: boolean[] = [];
    core.onConnection((up) => connection.push(up));
    await core.start();
    // …6: the gateway charges but answers late, so the request stays inside the core.
    const sale = await value<SaleView>(core, 'sale:start', { amountText: '20.06' });
    const pending = core.invoke('sale:submit-code', {
      orderId: sale.orderId,
      code: wechatCode(),
      source: 'wedge',
    });
    await until(
      () =>
        events.some(
          (e) => e.channel === 'sale:updated' && (e.payload as SaleView).status === 'submitting',
        ),
      'the sale being submitted',
    );
    children[0]?.kill('SIGKILL');
    await expect(pending).resolves.toMatchObject({
      ok: false,
      error: { code: 'terminal-core-restarted' },
    });
    await until(() => core.connected && children.length === 2, 'a new core');
    expect(connection).toEqual([true, false, true]);
    const history = await value<SaleView[]>(core, 'history:list', {});
    const kept = history.find((s) => s.orderId === sale.orderId);
    // The journal kept it. Unless the new core's recovery has already settled it with the
    // gateway (then it says so), it is still being resolved, as after any crash
    // (test/integration/engine/crash.test.ts follows that through).
    expect(kept).toMatchObject({ amountMinor: 2006 });
    if (kept?.status !== 'submitting') expect(kept?.recovered).toBe(true);
    await core.stop();
  });
});
