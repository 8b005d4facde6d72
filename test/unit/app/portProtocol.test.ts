/**
 * The message protocol over the core's MessagePort (electron/host/protocol.ts), the shared
 * host (host.ts) and the salt across the port (secrets.ts), over real node:worker_threads
 * MessageChannels standing in for Electron's MessageChannelMain.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMemorySecretStore, SecretStoreError } from '../../../electron/app/secretStore.ts';
import { createHost, type HostTarget } from '../../../electron/host/host.ts';
import {
  electronPortEndpoint,
  nodePortEndpoint,
  PeerClosedError,
  PeerRequestError,
  PortMessageSchema,
  PortPeer,
} from '../../../electron/host/protocol.ts';
import { createRemoteSecretStore, shellSecretHandlers } from '../../../electron/host/secrets.ts';
import { electronLikePort } from '../../support/corePorts.ts';

const SALT = 'F78BC96A55548B2319EE68E0';

const asks = {
  add: {
    request: z.strictObject({ a: z.number(), b: z.number() }),
    response: z.strictObject({ sum: z.number() }),
  },
  wait: { request: z.strictObject({}), response: z.strictObject({}) },
  refuse: { request: z.strictObject({}), response: z.strictObject({}) },
} as const;
const news = { tick: z.strictObject({ n: z.number().int() }) } as const;

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

function pair() {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const logs: string[] = [];
  const ticks: number[] = [];
  const server = new PortPeer({
    name: 'server',
    endpoint: nodePortEndpoint(port2),
    serves: asks,
    handlers: {
      add: ({ a, b }) => ({ sum: a + b }),
      wait: () => new Promise<Record<string, never>>(() => {}),
      refuse: () => {
        throw Object.assign(new Error('PIN locked for 30 s'), { code: 'pin-locked' });
      },
    },
    calls: {},
    receives: {},
    sends: news,
    log: (m) => logs.push(m),
  });
  const client = new PortPeer({
    name: 'client',
    endpoint: nodePortEndpoint(port1),
    serves: {},
    handlers: {},
    calls: asks,
    receives: news,
    sends: {},
    onEvent: (_channel, payload) => ticks.push(payload.n),
    log: (m) => logs.push(m),
    closedError: () =>
      new PeerClosedError('the terminal core restarted', 'terminal-core-restarted'),
  });
  return { port1, port2, server, client, logs, ticks };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('the port protocol', () => {
  it('has exactly three kinds of message', () => {
    expect(
      PortMessageSchema.safeParse({ type: 'request', id: 1, channel: 'add', payload: {} }).success,
    ).toBe(true);
    expect(
      PortMessageSchema.safeParse({ type: 'response', id: 1, ok: true, value: 3 }).success,
    ).toBe(true);
    expect(
      PortMessageSchema.safeParse({
        type: 'response',
        id: 1,
        ok: false,
        error: { message: 'no', code: 'x' },
      }).success,
    ).toBe(true);
    expect(
      PortMessageSchema.safeParse({ type: 'event', channel: 'tick', payload: 1 }).success,
    ).toBe(true);
    for (const bad of [
      null,
      'text',
      { type: 'request', id: -1, channel: 'add', payload: {} },
      { type: 'request', id: 1.5, channel: 'add', payload: {} },
      { type: 'request', id: 1, channel: '', payload: {} },
      { type: 'response', id: 1, ok: false, error: { message: 'no' } },
      { type: 'event', channel: 'tick', payload: 1, extra: SALT },
      { type: 'shout' },
    ]) {
      expect(PortMessageSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('answers a request with its typed response, and carries events', async () => {
    const { client, server, ticks } = pair();
    await expect(client.request('add', { a: 2, b: 40 })).resolves.toEqual({ sum: 42 });
    server.emit('tick', { n: 1 });
    server.emit('tick', { n: 2 });
    await until(() => ticks.length === 2);
    expect(ticks).toEqual([1, 2]);
  });

  it("rejects with the other side's error and code", async () => {
    const { client } = pair();
    const refused = client.request('refuse', {});
    await expect(refused).rejects.toBeInstanceOf(PeerRequestError);
    await expect(refused).rejects.toMatchObject({
      code: 'pin-locked',
      message: 'PIN locked for 30 s',
    });
  });

  it('refuses a request outside the table, logging its shape but not its content', async () => {
    const { client, logs } = pair();
    const bad = client as unknown as { request(c: string, p: unknown): Promise<unknown> };
    await expect(bad.request('add', { a: SALT, b: 1 })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(bad.request('format-disk', {})).rejects.toMatchObject({ code: 'unknown-channel' });
    expect(logs.some((l) => /refused an invalid add request \(a: invalid_type\)/.test(l))).toBe(
      true,
    );
    expect(logs.join('\n')).not.toContain(SALT);
  });

  it('ignores and logs an invalid message, and keeps working', async () => {
    const { port1, client, logs } = pair();
    port1.postMessage({ hello: SALT });
    port1.postMessage({ type: 'request', id: 'x', channel: 'add', payload: { salt: SALT } });
    await until(() => logs.length === 2);
    expect(logs.every((l) => l.startsWith('server: ignored an invalid message'))).toBe(true);
    expect(logs.join('\n')).not.toContain(SALT);
    await expect(client.request('add', { a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
  });

  it('drops an event that does not fit its schema', async () => {
    const { server, port2, logs, ticks } = pair();
    port2.postMessage({ type: 'event', channel: 'tick', payload: { n: 'one' } });
    port2.postMessage({ type: 'event', channel: 'tock', payload: { n: 2 } });
    server.emit('tick', { n: 3 });
    await until(() => ticks.length === 1);
    expect(ticks).toEqual([3]);
    expect(logs).toEqual([
      'client: ignored an invalid tick event (n: invalid_type)',
      'client: ignored an event on unknown channel "tock"',
    ]);
  });

  it('rejects every waiting request when the other side closes: nothing hangs', async () => {
    const { client, port2 } = pair();
    const waiting = [client.request('wait', {}), client.request('wait', {})];
    port2.close();
    for (const request of waiting) {
      await expect(request).rejects.toMatchObject({
        name: 'PeerClosedError',
        code: 'terminal-core-restarted',
        message: 'the terminal core restarted',
      });
    }
    await expect(client.request('add', { a: 1, b: 2 })).rejects.toBeInstanceOf(PeerClosedError);
    expect(client.closed).toBe(true);
  });

  it('rejects waiting requests when closed from this side', async () => {
    const { client } = pair();
    const waiting = client.request('wait', {});
    client.close();
    await expect(waiting).rejects.toThrow(/terminal core restarted/);
  });

  it("reads Electron's { data } messages and starts the port once", async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const electronPort = electronLikePort(port2);
    const endpoint = electronPortEndpoint(electronPort);
    const got: unknown[] = [];
    endpoint.listen((data) => got.push(data));
    endpoint.listen(() => {});
    expect(electronPort.started).toBe(1);
    port1.postMessage({ type: 'event', channel: 'tick', payload: { n: 7 } });
    await until(() => got.length === 1);
    expect(got).toEqual([{ type: 'event', channel: 'tick', payload: { n: 7 } }]);
  });
});

describe('the shared host (browser mode and the core port)', () => {
  function target(): HostTarget & { emit(channel: 'scan:rejected', payload: unknown): void } {
    const listeners = new Set<(channel: 'scan:rejected', payload: unknown) => void>();
    return {
      invoke: async (channel) => {
        if (channel === 'boom') throw new Error('unexpected');
        return { ok: true, value: channel };
      },
      onEvent: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      snapshotEvents: () => [{ channel: 'scanner:state', payload: { spec: null } }],
      emit: (channel, payload) => listeners.forEach((l) => l(channel, payload)),
    };
  }

  it('gives each subscriber the snapshot, then every event; a failing one does not stop the rest', () => {
    const t = target();
    const problems: string[] = [];
    const host = createHost(t, (message) => problems.push(message));
    const a: string[] = [];
    const b: string[] = [];
    host.connect((channel) => {
      a.push(channel);
      if (channel === 'scan:rejected') throw new Error('window gone');
    });
    const offB = host.connect((channel) => b.push(channel));
    t.emit('scan:rejected', { reason: 'x', text: 'y' });
    offB();
    t.emit('scan:rejected', { reason: 'x', text: 'y' });
    expect(a).toEqual(['scanner:state', 'scan:rejected', 'scan:rejected']);
    expect(b).toEqual(['scanner:state', 'scan:rejected']);
    expect(problems).toEqual([
      'a subscriber refused scan:rejected',
      'a subscriber refused scan:rejected',
    ]);
  });

  it('offers the snapshot apart (it may fail) and still streams when connect finds it failing', () => {
    const t = target();
    t.snapshotEvents = () => {
      throw new Error('no scanner state');
    };
    const problems: string[] = [];
    const host = createHost(t, (message) => problems.push(message));
    expect(() => host.snapshot()).toThrow(/no scanner state/);
    const got: string[] = [];
    host.connect((channel) => got.push(channel));
    host.subscribe((channel) => got.push(`2:${channel}`));
    t.emit('scan:rejected', { reason: 'x', text: 'y' });
    expect(got).toEqual(['scan:rejected', '2:scan:rejected']);
    expect(problems).toEqual(['the snapshot failed']);
  });

  it('answers every request, even one whose handler throws', async () => {
    const host = createHost(target());
    await expect(host.invoke('sale:current', {})).resolves.toEqual({
      ok: true,
      value: 'sale:current',
    });
    await expect(host.invoke('boom', {})).resolves.toMatchObject({
      ok: false,
      status: 500,
      error: { code: 'internal' },
    });
  });
});

describe('the salt across the port', () => {
  it('main answers from its store and tells its log redaction what it knows', () => {
    const store = createMemorySecretStore({ POS_SALT: SALT });
    const known: Array<string | null> = [];
    const handlers = shellSecretHandlers(store, (s) => known.push(s));
    expect(handlers['secret:get']({})).toEqual({
      salt: SALT,
      storage: 'environment',
      isAvailable: true,
      persistent: false,
    });
    expect(handlers['secret:clear']({})).toMatchObject({ storage: 'environment' });
    expect(known).toEqual([SALT, null]);
  });

  it("the core holds it in memory; a save waits for main, and main's refusal is a SecretStoreError", async () => {
    const stored: string[] = [];
    let refuse = false;
    const store = createRemoteSecretStore(
      { salt: null, storage: 'none', isAvailable: true, persistent: true },
      {
        set: async (salt) => {
          if (refuse) throw new PeerRequestError('secret-store-unavailable', 'no keychain');
          stored.push(salt);
          return { storage: 'encrypted', isAvailable: true, persistent: true };
        },
        clear: async () => ({ storage: 'none', isAvailable: true, persistent: true }),
      },
      () => {},
    );
    expect(store.get()).toBeNull();
    await store.persist(SALT);
    expect(store.get()).toBe(SALT);
    expect(store.storage()).toBe('encrypted');
    expect(stored).toEqual([SALT]);
    refuse = true;
    await expect(store.persist('ANOTHER-SALT-1234')).rejects.toBeInstanceOf(SecretStoreError);
    expect(store.get()).toBe(SALT);
  });

  it('refuses at once when main said there is no keychain', () => {
    const store = createRemoteSecretStore(
      { salt: null, storage: 'none', isAvailable: false, persistent: true },
      {
        set: async () => ({ storage: 'none', isAvailable: false, persistent: true }),
        clear: async () => ({ storage: 'none', isAvailable: false, persistent: true }),
      },
      () => {},
    );
    expect(() => store.set(SALT)).toThrow(SecretStoreError);
    expect(store.get()).toBeNull();
  });
});
