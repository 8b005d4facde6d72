import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  NonLoopbackBindError,
  startBrowserServer,
  type BrowserServer,
  type InvokeTarget,
} from '../../../electron/app/browserServer.ts';
import type { EventListener } from '../../../electron/app/eventHub.ts';
import type { InvokeResult } from '../../../electron/app/handlers.ts';
import { createTerminalApp, type TerminalApp } from '../../../electron/app/terminalApp.ts';
import { fakeScannerManager, memoryLogger } from '../../support/appDoubles.ts';
import { realRuntimes } from '../../support/appRuntimes.ts';
import { TEST_TIME_SCALE } from '../../support/engineProcess.ts';

interface Setup {
  app: TerminalApp;
  server: BrowserServer;
  dir: string;
  staticDir: string;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { withRenderer?: boolean } = {}): Promise<Setup> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pospay-server-'));
  const staticDir = path.join(dir, 'renderer');
  if (options.withRenderer ?? true) {
    mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>PosPay</title>');
    writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log("app")');
  }
  writeFileSync(path.join(dir, 'secret.txt'), 'not for the browser');
  const runtimes = realRuntimes();
  const app = await createTerminalApp({
    dataDir: path.join(dir, 'data'),
    env: {},
    timeScale: TEST_TIME_SCALE,
    openRuntime: runtimes.open,
    scanners: fakeScannerManager().manager,
    log: memoryLogger(),
  });
  const server = await startBrowserServer({ app, staticDir, port: 0 });
  cleanups.push(async () => {
    await server.close();
    await app.close();
    await runtimes.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { app, server, dir, staticDir };
}

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function call(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; path?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: options.path ?? `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The headers the page sends: same origin, this launch's token. */
const pageHeaders = (server: BrowserServer): Record<string, string> => ({
  'Content-Type': 'application/json',
  Origin: server.origin,
  'X-PosPay-Token': server.token,
});

function invoke(server: BrowserServer, channel: string, body: unknown, headers = {}) {
  return call(`${server.origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { ...pageHeaders(server), ...headers },
    body: JSON.stringify(body),
  });
}

/** Opens the SSE stream as the page's EventSource does (token in the query). */
function openEvents(
  server: BrowserServer,
  query = `?token=${encodeURIComponent(server.token)}`,
): Promise<{
  events: Array<{ event: string; data: unknown }>;
  close(): void;
}> {
  return new Promise((resolve, reject) => {
    const events: Array<{ event: string; data: unknown }> = [];
    let buffer = '';
    const req = httpRequest(
      `${server.origin}/api/events${query}`,
      { headers: { Origin: server.origin } },
      (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
          }
        });
        resolve({ events, close: () => req.destroy() });
      },
    );
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    req.end();
  });
}

describe('browser-mode server', () => {
  it('serves the renderer with a strict CSP header', async () => {
    const { server } = await setup();
    const page = await call(`${server.origin}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>PosPay</title>');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const asset = await call(`${server.origin}/assets/app.js`);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    expect(asset.headers['content-security-policy']).toBe(csp);
  });

  it('does not serve files outside the renderer folder', async () => {
    const { server } = await setup();
    for (const probe of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      // A raw request path (not normalised by a URL parser on the way out).
      const reply = await call(server.url, { path: probe });
      expect(reply.status).toBe(404);
      expect(reply.body).not.toContain('not for the browser');
    }
  });

  it('says how to build the screen when dist/renderer is missing', async () => {
    const { server } = await setup({ withRenderer: false });
    const reply = await call(`${server.origin}/`);
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('npm run build');
  });

  it('refuses to listen on a non-loopback address', async () => {
    const { app, staticDir } = await setup();
    await expect(startBrowserServer({ app, staticDir, port: 0, host: '0.0.0.0' })).rejects.toThrow(
      NonLoopbackBindError,
    );
  });

  it('answers an invoke with the contract response, and errors with {error, code}', async () => {
    const { server } = await setup();
    const started = await invoke(server, 'sale:start', { amountText: '12.50' });
    expect(started.status).toBe(200);
    expect(JSON.parse(started.body)).toMatchObject({ amountMinor: 1250, status: 'awaiting-scan' });
    expect(started.headers['content-security-policy']).toBeDefined();

    const bad = await invoke(server, 'sale:start', { amountText: 'twelve' });
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body)).toEqual({
      error: expect.stringContaining('twelve'),
      code: 'amount-not-a-number',
    });

    const invalid = await invoke(server, 'sale:start', { amount: 12 });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body).code).toBe('invalid-request');

    const unknown = await invoke(server, 'sale:refund-everything', {});
    expect(unknown.status).toBe(404);

    const notJson = await call(`${server.origin}/api/invoke/sale:current`, {
      method: 'POST',
      headers: pageHeaders(server),
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).code).toBe('invalid-json');
  });

  it('answers 409 when a sale conflicts with the state', async () => {
    const { server } = await setup();
    await invoke(server, 'sale:start', { amountText: '1' });
    const change = await invoke(server, 'settings:save', {
      pin: '1234',
      gatewayUrl: 'sandbox',
      accId: '2018092714313010016291',
      salt: 'F78BC96A55548B2319EE68E0',
    });
    expect(change.status).toBe(409);
    expect(JSON.parse(change.body)).toMatchObject({ code: 'sale-in-progress' });
  });

  it('refuses cross-origin requests and foreign Host headers', async () => {
    const { server, app } = await setup();
    const crossOrigin = await invoke(
      server,
      'sale:start',
      { amountText: '1' },
      { Origin: 'http://evil.example' },
    );
    expect(crossOrigin.status).toBe(403);
    expect(JSON.parse(crossOrigin.body).code).toBe('cross-origin');

    const otherPort = await invoke(
      server,
      'sale:start',
      { amountText: '1' },
      { Origin: 'http://127.0.0.1:1' },
    );
    expect(otherPort.status).toBe(403);

    const rebound = await invoke(
      server,
      'sale:start',
      { amountText: '1' },
      { Host: `attacker.example:${server.port}`, Origin: `http://attacker.example:${server.port}` },
    );
    expect(rebound.status).toBe(403);

    const crossSite = await invoke(
      server,
      'sale:start',
      { amountText: '1' },
      { 'Sec-Fetch-Site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);

    const formPost = await call(`${server.origin}/api/invoke/sale:start`, {
      method: 'POST',
      headers: { ...pageHeaders(server), 'Content-Type': 'text/plain' },
      body: JSON.stringify({ amountText: '1' }),
    });
    expect(formPost.status).toBe(415);

    const current = await invoke(server, 'sale:current', {});
    expect(JSON.parse(current.body)).toBeNull();
    expect((await app.invoke('sale:current', {})).ok).toBe(true);
  });

  it('delivers sale:updated over Server-Sent Events', async () => {
    const { server } = await setup();
    const stream = await openEvents(server);
    await expect.poll(() => stream.events.some((e) => e.event === 'scanner:state')).toBe(true);
    const started = JSON.parse((await invoke(server, 'sale:start', { amountText: '12.30' })).body);
    await invoke(server, 'sale:submit-code', {
      orderId: started.orderId,
      code: '134567890123456789',
      source: 'wedge',
    });
    await expect
      .poll(() =>
        stream.events
          .filter((e) => e.event === 'sale:updated')
          .map((e) => (e.data as { status: string }).status),
      )
      .toEqual(['awaiting-scan', 'submitting', 'paid']);
    stream.close();
  });

  it('starts a new event stream with the current sale', async () => {
    const { server } = await setup();
    const started = JSON.parse((await invoke(server, 'sale:start', { amountText: '2' })).body);
    const stream = await openEvents(server);
    await expect
      .poll(() => stream.events.find((e) => e.event === 'sale:updated')?.data)
      .toMatchObject({ orderId: started.orderId, status: 'awaiting-scan' });
    stream.close();
  });
});

describe('launch token', () => {
  it('prints its address with a fresh random token per launch, or the one it is given', async () => {
    const { server, app, staticDir } = await setup();
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/); // 24 random bytes, base64url
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);

    const other = await startBrowserServer({ app, staticDir, port: 0 });
    const given = await startBrowserServer({
      app,
      staticDir,
      port: 0,
      token: 'given-by-the-launcher-0123456789',
    });
    try {
      expect(other.token).not.toBe(server.token);
      expect(given.url).toBe(`${given.origin}/?token=given-by-the-launcher-0123456789`);
      expect((await invoke(given, 'sale:current', {})).status).toBe(200);
    } finally {
      await other.close();
      await given.close();
    }
    const weak = startBrowserServer({ app, staticDir, port: 0, token: 'short' });
    await expect(weak).rejects.toThrow(/16 to 512 characters/);
    await expect(weak).rejects.not.toThrow(/short/);
  });

  it('answers /api without the token, or with a wrong one, 401 with what to open', async () => {
    const { server, app } = await setup();
    const wrong = `${server.token.slice(0, -1)}${server.token.endsWith('A') ? 'B' : 'A'}`;
    for (const headers of [
      { 'X-PosPay-Token': '' },
      { 'X-PosPay-Token': wrong },
      { 'X-PosPay-Token': server.token.slice(1) },
    ]) {
      const reply = await invoke(server, 'sale:start', { amountText: '1' }, headers);
      expect(reply.status).toBe(401);
      expect(JSON.parse(reply.body)).toEqual({
        code: 'launch-token-required',
        error: expect.stringContaining('open the address printed by npm start / pospay serve'),
      });
    }
    // No token header at all (a local program sending a loopback Host and no Origin).
    const bare = await call(`${server.origin}/api/invoke/sale:start`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ amountText: '1' }),
    });
    expect(bare.status).toBe(401);
    // The token in the query does not stand in for the header on invoke.
    const inQuery = await call(
      `${server.origin}/api/invoke/sale:start?token=${encodeURIComponent(server.token)}`,
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' },
    );
    expect(inQuery.status).toBe(401);
    // Nothing was started by any of them.
    expect(await app.invoke('sale:current', {})).toEqual({ ok: true, value: null });

    for (const query of ['', '?token=', `?token=${encodeURIComponent(wrong)}`]) {
      const events = await call(`${server.origin}/api/events${query}`, {
        headers: { Origin: server.origin },
      });
      expect(events.status).toBe(401);
      expect(events.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(events.body).code).toBe('launch-token-required');
    }
    // Unknown API paths say nothing more without the token either.
    expect((await call(`${server.origin}/api/other`)).status).toBe(401);
  });

  it('serves with the right token: X-PosPay-Token on invoke, ?token= on the event stream', async () => {
    const { server } = await setup();
    const started = await invoke(server, 'sale:start', { amountText: '3.20' });
    expect(started.status).toBe(200);
    expect(JSON.parse(started.body)).toMatchObject({ amountMinor: 320, status: 'awaiting-scan' });
    const stream = await openEvents(server);
    await expect
      .poll(() => stream.events.find((e) => e.event === 'sale:updated')?.data)
      .toMatchObject({ amountMinor: 320 });
    stream.close();
  });

  it('serves the page and its assets without the token (they hold no secret)', async () => {
    const { server } = await setup();
    const page = await call(`${server.origin}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>PosPay</title>');
    expect(page.body).not.toContain(server.token);
    expect((await call(`${server.origin}/assets/app.js`)).status).toBe(200);
  });
});

/** The answer read off a raw connection. */
interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function parseRaw(raw: string): RawReply {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    body: end < 0 ? '' : raw.slice(end + 4),
  };
}

/**
 * Writes `text` as is on a new connection and reads until the server closes it; fails after
 * 5 s without an answer (a server that threw on the request never answers).
 */
function rawRequest(port: number, text: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let raw = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(text.split('\r\n')[0])}`));
    }, 5_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (raw += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseRaw(raw));
    });
    socket.write(text);
  });
}

/** A request with the page's headers (right Host, Origin and token), written by hand. */
function rawPost(server: BrowserServer, target: string, body = '{}'): string {
  return (
    `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nOrigin: ${server.origin}\r\n` +
    `X-PosPay-Token: ${server.token}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** Whether the server still answers the page normally. */
async function stillServes(server: BrowserServer, channel = 'sale:current'): Promise<void> {
  const reply = await invoke(server, channel, {});
  expect(reply.status, reply.body).toBe(200);
}

/** An app stand-in whose answers the test controls. */
function scriptedTarget(
  invoke: (channel: string) => Promise<InvokeResult>,
  snapshot: () => Array<{ channel: string; payload: unknown }> = () => [],
): InvokeTarget & { emit(channel: string, payload: unknown): void } {
  const listeners = new Set<EventListener>();
  return {
    invoke: (channel) => invoke(channel),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    snapshotEvents: snapshot,
    emit(channel, payload) {
      for (const listener of listeners) listener(channel as never, payload as never);
    },
  };
}

async function scriptedServer(target: InvokeTarget) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pospay-server-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>PosPay</title>');
  const log = memoryLogger();
  const server = await startBrowserServer({ app: target, staticDir: dir, port: 0, log });
  cleanups.push(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { server, log };
}

/** Records uncaught exceptions while a test runs (each one would have ended `pospay serve`). */
function watchUncaught(): unknown[] {
  const seen: unknown[] = [];
  const record = (error: unknown): void => void seen.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  cleanups.push(async () => {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  });
  return seen;
}

describe('malformed and failing requests', () => {
  it('answers a malformed %-escape in the channel with 400 JSON and keeps serving', async () => {
    const uncaught = watchUncaught();
    const { server } = await setup();
    for (const target of ['/api/invoke/%E0%A4%A', '/api/invoke/sale:%', '/api/invoke/%ZZ']) {
      const reply = await rawRequest(server.port, rawPost(server, target));
      expect(reply.status, target).toBe(400);
      expect(JSON.parse(reply.body)).toMatchObject({ code: 'bad-path' });
      await stillServes(server);
    }
    const asset = await call(server.origin, { path: '/assets/%E0%A4%A.js' });
    expect(asset.status).toBe(400);
    expect(uncaught).toEqual([]);
  });

  it('answers request targets that are not a path here with 400 JSON and keeps serving', async () => {
    const uncaught = watchUncaught();
    const { server } = await setup();
    for (const target of [
      '//a:b@[/x',
      'http://[::1/api/invoke/sale:current',
      'http://%zz/',
      `http://127.0.0.1:${server.port}:99999/`,
      '*',
    ]) {
      const reply = await rawRequest(server.port, rawPost(server, target));
      expect(reply.status, target).toBe(400);
      expect(JSON.parse(reply.body)).toMatchObject({ code: 'bad-request' });
      await stillServes(server);
    }
    expect(uncaught).toEqual([]);
  });

  it('answers bytes that are not HTTP with 400 JSON and keeps serving', async () => {
    const uncaught = watchUncaught();
    const { server } = await setup();
    for (const garbage of [
      'HELLO\r\n\r\n',
      `POST /api/invoke/sale:current HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: ten\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nno colon here\r\n\r\n`,
      // A broken chunk in the body of an otherwise good request.
      rawPost(server, '/api/invoke/sale:current')
        .replace(/Content-Length: \d+/, 'Transfer-Encoding: chunked')
        .replace(/\{\}$/, 'zz\r\n'),
    ]) {
      const reply = await rawRequest(server.port, garbage);
      expect(reply.status, garbage).toBe(400);
      expect(reply.headers.connection).toBe('close');
      expect(JSON.parse(reply.body)).toMatchObject({ code: 'bad-request' });
      await stillServes(server);
    }
    expect(uncaught).toEqual([]);
  });

  it('keeps serving when a client hangs up mid-body or before its answer', async () => {
    const uncaught = watchUncaught();
    let answer: (result: InvokeResult) => void = () => undefined;
    let asked = 0;
    const target = scriptedTarget((channel) => {
      if (channel !== 'slow') return Promise.resolve({ ok: true, value: { channel } });
      asked += 1;
      return new Promise((resolve) => (answer = resolve));
    });
    const { server, log } = await scriptedServer(target);

    // Announces 1000 bytes, sends 10, hangs up.
    const midBody = connect(server.port, '127.0.0.1');
    midBody.on('error', () => undefined);
    midBody.write(rawPost(server, '/api/invoke/ok', 'x'.repeat(1000)).slice(0, -990));
    await new Promise((resolve) => setTimeout(resolve, 50));
    midBody.destroy();
    await stillServes(server, 'ok');

    // Sends the whole request, hangs up while the terminal works on it; the answer comes later.
    const early = connect(server.port, '127.0.0.1');
    early.on('error', () => undefined);
    early.write(rawPost(server, '/api/invoke/slow'));
    await expect.poll(() => asked).toBe(1);
    early.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    answer({ ok: true, value: 'late' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stillServes(server, 'ok');
    expect(uncaught).toEqual([]);
    expect(log.lines.join('\n')).not.toContain(server.token);
  });

  it('turns a failing terminal into a logged 500 JSON answer, and an unsendable event into a log line', async () => {
    const uncaught = watchUncaught();
    let snapshotFails = true;
    const target = scriptedTarget(
      (channel) => {
        if (channel === 'throws') throw new Error('boom: thrown');
        if (channel === 'rejects') return Promise.reject(new Error('boom: rejected'));
        return Promise.resolve({ ok: true, value: 'fine' });
      },
      () => {
        if (snapshotFails) throw new Error('boom: snapshot');
        return [];
      },
    );
    const { server, log } = await scriptedServer(target);
    for (const channel of ['throws', 'rejects']) {
      const reply = await invoke(server, channel, {});
      expect(reply.status, channel).toBe(500);
      expect(JSON.parse(reply.body)).toMatchObject({ code: 'internal' });
    }
    const events = await call(
      `${server.origin}/api/events?token=${encodeURIComponent(server.token)}`,
      { headers: { Origin: server.origin } },
    );
    expect(events.status).toBe(500);
    expect(JSON.parse(events.body)).toMatchObject({ code: 'internal' });
    const logged = log.lines.join('\n');
    expect(logged).toContain('boom: thrown');
    expect(logged).toContain('boom: rejected');
    expect(logged).toContain('boom: snapshot');
    expect(logged).not.toContain(server.token);

    snapshotFails = false;
    const stream = await openEvents(server);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(() => target.emit('scanner:state', { big: 1n })).not.toThrow();
    target.emit('scanner:state', { spec: 'wedge', connected: true, detail: null });
    await expect
      .poll(() => stream.events.map((e) => e.data))
      .toEqual([{ spec: 'wedge', connected: true, detail: null }]);
    stream.close();
    expect(log.lines.join('\n')).toContain('scanner:state could not be sent');
    await stillServes(server, 'fine');
    expect(uncaught).toEqual([]);
  });
});

describe('request body over 64 KB', () => {
  /** POSTs `chunks` with http.request: Content-Length when `announce`, else chunked. */
  function postChunks(
    server: BrowserServer,
    chunks: string[],
    announce: boolean,
  ): Promise<Reply & { error?: string }> {
    return new Promise((resolve) => {
      const total = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/invoke/sale:current',
          method: 'POST',
          headers: {
            ...pageHeaders(server),
            ...(announce ? { 'Content-Length': String(total) } : {}),
          },
        },
        (res) => {
          const got: Buffer[] = [];
          res.on('data', (c: Buffer) => got.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(got).toString('utf8'),
            }),
          );
        },
      );
      req.on('error', (error) =>
        resolve({ status: 0, headers: {}, body: '', error: error.message }),
      );
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  const bigJson = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes) });

  it('answers a Content-Length over 64 KB with 413 JSON and Connection: close', async () => {
    const { server } = await setup();
    for (const size of [65 * 1024, 300 * 1024]) {
      const reply = await postChunks(server, [bigJson(size)], true);
      expect(reply.error).toBeUndefined();
      expect(reply.status).toBe(413);
      expect(reply.headers.connection).toBe('close');
      expect(JSON.parse(reply.body)).toEqual({
        code: 'body-too-large',
        error: expect.stringContaining('64 KB'),
      });
    }
    // As the page sends it (fetch).
    const fetched = await fetch(`${server.origin}/api/invoke/sale:current`, {
      method: 'POST',
      headers: pageHeaders(server),
      body: bigJson(100 * 1024),
    });
    expect(fetched.status).toBe(413);
    expect(((await fetched.json()) as { code: string }).code).toBe('body-too-large');
    await stillServes(server);
  });

  it('answers a chunked body that grows past 64 KB with 413 JSON and Connection: close', async () => {
    const { server } = await setup();
    const chunks = Array.from({ length: 40 }, () => 'x'.repeat(8 * 1024));
    const reply = await postChunks(server, ['{"pad":"', ...chunks, '"}'], false);
    expect(reply.error).toBeUndefined();
    expect(reply.status).toBe(413);
    expect(reply.headers.connection).toBe('close');
    expect(JSON.parse(reply.body)).toMatchObject({ code: 'body-too-large' });
    // Just under the limit is still read and answered.
    const fits = await postChunks(server, ['{"pad":"', 'x'.repeat(60 * 1024), '"}'], false);
    expect(fits.status).toBe(200);
    await stillServes(server);
  });
});
