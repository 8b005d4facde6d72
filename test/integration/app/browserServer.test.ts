import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  NonLoopbackBindError,
  startBrowserServer,
  type BrowserServer,
} from '../../../electron/app/browserServer.ts';
import { createTerminalApp, type TerminalApp } from '../../../electron/app/terminalApp.ts';
import { fakeScannerManager, FakeRuntimes, memoryLogger } from '../../unit/app/fakes.ts';

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
  const runtimes = new FakeRuntimes();
  const app = await createTerminalApp({
    dataDir: path.join(dir, 'data'),
    env: {},
    openRuntime: runtimes.open,
    scanners: fakeScannerManager().manager,
    log: memoryLogger(),
  });
  const server = await startBrowserServer({ app, staticDir, port: 0 });
  cleanups.push(async () => {
    await server.close();
    await app.close();
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

function invoke(server: BrowserServer, channel: string, body: unknown, headers = {}) {
  return call(`${server.url}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: server.url, ...headers },
    body: JSON.stringify(body),
  });
}

/** Opens the SSE stream and collects parsed events. */
function openEvents(server: BrowserServer): Promise<{
  events: Array<{ event: string; data: unknown }>;
  close(): void;
}> {
  return new Promise((resolve, reject) => {
    const events: Array<{ event: string; data: unknown }> = [];
    let buffer = '';
    const req = httpRequest(
      `${server.url}/api/events`,
      { headers: { Origin: server.url } },
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
    const page = await call(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>PosPay</title>');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const asset = await call(`${server.url}/assets/app.js`);
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
    const reply = await call(`${server.url}/`);
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

    const notJson = await call(`${server.url}/api/invoke/sale:current`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: server.url },
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

    const formPost = await call(`${server.url}/api/invoke/sale:start`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
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
      .toEqual(['awaiting-scan', 'paid']);
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
