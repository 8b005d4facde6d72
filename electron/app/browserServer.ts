/**
 * Browser mode: the cashier screen served over HTTP on loopback, for machines without the
 * Electron runtime and for end-to-end tests.
 *
 *   GET  /…                        the built renderer (dist/renderer), strict CSP
 *   POST /api/invoke/<channel>     JSON body → 200 JSON, or 400/404/409/422/500 {error, code}
 *   GET  /api/events               Server-Sent Events: `event: <channel>\ndata: <json>\n\n`
 *
 * Only loopback binds are allowed, and only same-origin requests are served: the Host header
 * must name this server (DNS-rebinding guard) and a cross-origin Origin is refused.
 */
import { createReadStream, existsSync, statSync, type Stats } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../shell/csp.ts';
import type { EventListener } from './eventHub.ts';
import type { InvokeResult } from './handlers.ts';
import { isLoopbackHost } from './loopback.ts';

export const DEFAULT_PORT = 5317;
const MAX_BODY_BYTES = 64 * 1024;
const HEARTBEAT_MS = 15_000;

/** The part of a TerminalApp the server needs. */
export interface InvokeTarget {
  invoke(channel: string, request: unknown): Promise<InvokeResult>;
  onEvent(listener: EventListener): () => void;
  /** Events a new SSE stream starts with (current sale, scanner state). */
  snapshotEvents?(): Array<{ channel: string; payload: unknown }>;
}

export interface BrowserServerOptions {
  app: InvokeTarget;
  /** Directory of the built renderer; when it has no index.html the page says how to build it. */
  staticDir: string;
  /** Default POS_PORT or 5317; 0 picks a free port. */
  port?: number;
  /** Must be a loopback address (default 127.0.0.1). */
  host?: string;
}

export interface BrowserServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class NonLoopbackBindError extends Error {
  readonly code = 'non-loopback-bind';
  constructor(host: string) {
    super(
      `Browser mode only listens on this machine (127.0.0.1, ::1 or localhost), not on "${host}": ` +
        'the till must not be reachable from the network.',
    );
    this.name = 'NonLoopbackBindError';
  }
}

export { isLoopbackHost };

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'application/json; charset=utf-8',
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, code: string, error: string): void {
  send(res, status, JSON.stringify({ error, code }));
}

/** Same-origin check: Host must be this server; Origin, when sent, must be this server. */
export function checkOrigin(
  headers: IncomingMessage['headers'],
  port: number,
): { ok: true } | { ok: false; reason: string } {
  const host = headers.host ?? '';
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!match || !isLoopbackHost(match[1] ?? '') || Number(match[2] ?? 80) !== port) {
    return { ok: false, reason: `Host "${host}" is not this terminal` };
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return { ok: false, reason: `Origin "${origin}" is not this terminal` };
    }
    const originPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname) || originPort !== port) {
      return { ok: false, reason: `Origin "${origin}" is not this terminal` };
    }
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { ok: false, reason: `cross-site request (${String(site)})` };
  }
  return { ok: true };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function missingRendererPage(staticDir: string): string {
  return [
    'The cashier screen has not been built yet.',
    '',
    `Expected ${path.join(staticDir, 'index.html')}.`,
    'Build it with:  npm run build   (or: npx vite build)',
    'then reload this page.',
  ].join('\n');
}

/** The file's stat, or undefined when it cannot be read (missing, or a path through a file). */
function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function serveStatic(staticDir: string, pathname: string, res: ServerResponse): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    sendError(res, 400, 'bad-path', 'Bad path');
    return;
  }
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const root = path.resolve(staticDir);
  const file = path.resolve(root, relative);
  if (decoded.includes('\0') || (file !== root && !file.startsWith(root + path.sep))) {
    sendError(res, 404, 'not-found', 'Not found');
    return;
  }
  if (!existsSync(path.join(root, 'index.html'))) {
    send(res, 503, missingRendererPage(staticDir), 'text/plain; charset=utf-8');
    return;
  }
  let target = file;
  let stat = statOrUndefined(target);
  if (!stat?.isFile()) {
    // Client-side routes fall back to the app; a missing asset is a 404.
    if (path.extname(relative) !== '') {
      sendError(res, 404, 'not-found', 'Not found');
      return;
    }
    target = path.join(root, 'index.html');
    stat = statSync(target);
  }
  const type = CONTENT_TYPES[path.extname(target).toLowerCase()] ?? 'application/octet-stream';
  const isHtml = target.endsWith('.html');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': stat.size,
    'Cache-Control': isHtml ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  createReadStream(target).pipe(res);
}

/** Starts the browser-mode server. Rejects with NonLoopbackBindError for any other host. */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new NonLoopbackBindError(host);
  const envPort = process.env.POS_PORT ? Number(process.env.POS_PORT) : undefined;
  const wanted = options.port ?? envPort ?? DEFAULT_PORT;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
    throw new Error(`Invalid port ${String(wanted)}`);
  }
  const streams = new Set<ServerResponse>();
  let port = wanted;

  const handleEvents = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    const write = (channel: string, payload: unknown): void => {
      res.write(`event: ${channel}\ndata: ${JSON.stringify(payload)}\n\n`);
    };
    for (const { channel, payload } of options.app.snapshotEvents?.() ?? [])
      write(channel, payload);
    const unsubscribe = options.app.onEvent(write);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    streams.add(res);
    const done = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', done);
    res.on('close', done);
    res.on('error', done);
  };

  const handleInvoke = async (
    channel: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      sendError(res, 415, 'unsupported-media-type', 'Send the request as application/json.');
      return;
    }
    let body: string;
    try {
      body = await readBody(req);
    } catch (error) {
      const status = (error as { status?: number }).status ?? 400;
      sendError(res, status, 'bad-body', 'The request body could not be read.');
      return;
    }
    let request: unknown;
    try {
      request = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      sendError(res, 400, 'invalid-json', 'The request body is not JSON.');
      return;
    }
    const result = await options.app.invoke(channel, request);
    if (result.ok) send(res, 200, JSON.stringify(result.value ?? null));
    else send(res, result.status, JSON.stringify(result.error));
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const pathname = url.pathname;
    const isApi = pathname === '/api' || pathname.startsWith('/api/');
    if (isApi) {
      const origin = checkOrigin(req.headers, port);
      if (!origin.ok) {
        sendError(res, 403, 'cross-origin', `Refused: ${origin.reason}.`);
        return;
      }
    }
    if (pathname.startsWith('/api/invoke/')) {
      if (req.method !== 'POST') {
        sendError(res, 405, 'method-not-allowed', 'Use POST.');
        return;
      }
      const channel = decodeURIComponent(pathname.slice('/api/invoke/'.length));
      handleInvoke(channel, req, res).catch(() => {
        if (!res.headersSent) sendError(res, 500, 'internal', 'Something went wrong.');
        else res.destroy();
      });
      return;
    }
    if (pathname === '/api/events') {
      if (req.method !== 'GET') {
        sendError(res, 405, 'method-not-allowed', 'Use GET.');
        return;
      }
      handleEvents(req, res);
      return;
    }
    if (isApi) {
      sendError(res, 404, 'not-found', 'No such API.');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 405, 'method-not-allowed', 'Use GET.');
      return;
    }
    serveStatic(options.staticDir, pathname, res);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    async close() {
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
