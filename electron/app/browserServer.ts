/**
 * Browser mode: the cashier screen served over HTTP on loopback, for machines without the
 * Electron runtime and for end-to-end tests.
 *
 *   GET  /…                        the built renderer (dist/renderer), strict CSP
 *   POST /api/invoke/<channel>     JSON body (64 KB at most) → 200 JSON,
 *                                  or 400/401/403/404/409/413/415/422/500 {error, code}
 *   GET  /api/events?token=…       Server-Sent Events: `event: <channel>\ndata: <json>\n\n`
 *
 * Only loopback binds are allowed, and only same-origin requests are served: the Host header
 * must name this server (DNS-rebinding guard) and a cross-origin Origin is refused. Every
 * /api request must also carry this launch's secret token (header X-PosPay-Token; the event
 * stream, which EventSource opens without headers, as `?token=`): without it any program on
 * the machine could drive the till. The address printed at start, /?token=…, hands it to the
 * page. The page and its assets hold no secret and are served without it.
 *
 * No request, however malformed, may stop the server: every failure is answered (400, 413 or
 * 500 with {error, code}) and logged, never left to become an uncaught exception.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync, type Stats } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { createHost } from '../host/host.ts';
import { CONTENT_SECURITY_POLICY } from '../shell/csp.ts';
import type { EventListener } from './eventHub.ts';
import type { InvokeResult } from './handlers.ts';
import { isLoopbackHost } from './loopback.ts';

export const DEFAULT_PORT = 5317;
const MAX_BODY_BYTES = 64 * 1024;
/** After a 413, this much more of the body is read (so the client sees the answer) at most… */
const MAX_DRAIN_BYTES = 1024 * 1024;
/** …for at most this long; then the connection is dropped. */
const DRAIN_MS = 5_000;
const HEARTBEAT_MS = 15_000;
/** The header the page sends the launch token in. */
export const TOKEN_HEADER = 'x-pospay-token';
const TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]{16,512}$/;

/** What the server logs to (the terminal's logger); never given the token. */
export interface ServerLogger {
  error(message: string, ...details: unknown[]): void;
}

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
  /**
   * This launch's secret, required on every /api request (default: 24 random bytes,
   * base64url). 16 to 512 characters of A–Z a–z 0–9 - _ . ~ + / =.
   */
  token?: string;
  /** Where unexpected failures are logged (default: standard error). */
  log?: ServerLogger;
}

export interface BrowserServer {
  /** The address to open: http://127.0.0.1:PORT/?token=TOKEN. */
  url: string;
  /** http://127.0.0.1:PORT (no trailing slash, no token). */
  origin: string;
  port: number;
  /** The launch token the page must send. */
  token: string;
  close(): Promise<void>;
}

/** A new launch token: 24 random bytes, base64url (32 characters). */
export function generateLaunchToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The text a page (or program) without this launch's token is answered with. */
export const TOKEN_REQUIRED_MESSAGE =
  'This page needs the address printed by the terminal (with ?token=…): ' +
  'open the address printed by npm start / pospay serve.';

const stderrLog: ServerLogger = {
  error: (message, ...details) =>
    process.stderr.write(
      `error: ${message}${details.map((d) => ` ${d instanceof Error ? (d.stack ?? d.message) : String(d)}`).join('')}\n`,
    ),
};

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
  if (res.headersSent || res.destroyed) {
    // Too late for an answer (already started, or the client is gone): just close.
    if (!res.writableEnded) res.destroy();
    return;
  }
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  error: string,
  extra: Record<string, string> = {},
): void {
  send(res, status, JSON.stringify({ error, code }), undefined, extra);
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether `given` is the launch token, in constant time: both sides are hashed to 32 bytes
 * first, so neither the content nor the length of the token leaks through timing.
 */
function tokenMatches(given: string | string[] | null | undefined, expected: Buffer): boolean {
  if (typeof given !== 'string' || given === '') return false;
  return timingSafeEqual(sha256(given), expected);
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

/**
 * The request body as text, or 'too-large' as soon as it is known to exceed MAX_BODY_BYTES
 * (announced by Content-Length, or a chunked body growing past it). Rejects when the client
 * goes away before the end.
 */
function readBody(req: IncomingMessage): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > MAX_BODY_BYTES) {
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        stop();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const onClose = (): void => onError(new Error('the client closed the connection mid-body'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * 413 for a body over the limit. The answer goes out at once, with `Connection: close`; the
 * rest of the body is then read and dropped (up to MAX_DRAIN_BYTES, for DRAIN_MS at most)
 * before the connection is closed: closing with the body unread would reset the connection,
 * and the client would see that instead of the answer.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  if (res.destroyed) return;
  const body = JSON.stringify({
    error: `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.`,
    code: 'body-too-large',
  });
  res.writeHead(413, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  res.write(body);
  let drained = 0;
  const finish = (): void => {
    clearTimeout(timer);
    req.off('data', onData);
    if (!res.writableEnded) res.end();
  };
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) finish();
  };
  const timer = setTimeout(finish, DRAIN_MS);
  timer.unref();
  if (req.complete) {
    finish();
    return;
  }
  req.on('data', onData);
  req.once('end', finish);
  req.once('close', finish);
  req.once('error', finish);
  req.resume();
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

function serveStatic(
  staticDir: string,
  pathname: string,
  res: ServerResponse,
  log: ServerLogger,
): void {
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
  // pipeline: a file that vanishes mid-read (a rebuild) or a client that hangs up ends this
  // response, never the process.
  pipeline(createReadStream(target), res, (error) => {
    if (error && (error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      log.error(`browser mode: ${path.basename(target)} could not be sent:`, error.message);
    }
  });
}

/** Node's answer to bytes that are not HTTP, as JSON like every other error here. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code !== 'ECONNRESET' && socket.writable && socket.bytesWritten === 0) {
    const [status, reason, text] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'The request headers are too large.']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'The request took too long to arrive.']
          : [400, 'Bad Request', 'The request is not valid HTTP.'];
    const body = JSON.stringify({ error: text, code: 'bad-request' });
    const head = {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      Connection: 'close',
    };
    const lines = Object.entries(head).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`HTTP/1.1 ${status} ${reason}\r\n${lines.join('')}\r\n${body}`);
  }
  socket.destroy();
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
  const token = options.token ?? generateLaunchToken();
  if (!TOKEN_PATTERN.test(token)) {
    // The value itself is not repeated: it is a secret.
    throw new Error(
      'The launch token must be 16 to 512 characters of A-Z a-z 0-9 - _ . ~ + / = ' +
        '(POS_LAUNCH_TOKEN, for example 24 random bytes in base64url).',
    );
  }
  const expectedToken = sha256(token);
  const log = options.log ?? stderrLog;
  // The same host as the Electron core's port (electron/host/host.ts).
  const terminal = createHost(options.app, (message, error) =>
    log.error(`browser mode: ${message}:`, error),
  );
  const streams = new Set<ServerResponse>();
  let port = wanted;

  const handleEvents = (req: IncomingMessage, res: ServerResponse): void => {
    // Taken first: if the app fails here the client still gets a proper 500.
    const snapshot = terminal.snapshot();
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    const open = (): boolean => !res.writableEnded && !res.destroyed;
    // Called from the app's event emitter: it must not throw into the app.
    const write = (channel: string, payload: unknown): void => {
      if (!open()) return;
      let data: string;
      try {
        data = JSON.stringify(payload) ?? 'null';
      } catch (error) {
        log.error(`browser mode: event ${channel} could not be sent:`, error);
        return;
      }
      res.write(`event: ${channel}\ndata: ${data}\n\n`);
    };
    for (const { channel, payload } of snapshot) write(channel, payload);
    const unsubscribe = terminal.subscribe(write);
    const heartbeat = setInterval(() => {
      if (open()) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
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
      const read = await readBody(req);
      if (read === 'too-large') {
        refuseTooLarge(req, res);
        return;
      }
      body = read;
    } catch {
      // The client hung up mid-body: nobody is left to answer.
      sendError(res, 400, 'bad-body', 'The request body could not be read.');
      return;
    }
    let request: unknown;
    try {
      request = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      sendError(res, 400, 'invalid-json', 'The request body is not JSON.');
      return;
    }
    const result = await terminal.invoke(channel, request);
    if (result.ok) send(res, 200, JSON.stringify(result.value ?? null));
    else send(res, result.status, JSON.stringify(result.error));
  };

  /** Routes one request; may throw or reject: `server` below turns that into a 500. */
  const route = (req: IncomingMessage, res: ServerResponse): Promise<void> | undefined => {
    const target = req.url ?? '/';
    let url: URL | null = null;
    if (target.startsWith('/') && !target.startsWith('//')) {
      try {
        url = new URL(target, 'http://localhost');
      } catch {
        url = null;
      }
    }
    if (!url) {
      sendError(res, 400, 'bad-request', 'The request target is not a path on this terminal.');
      return undefined;
    }
    const pathname = url.pathname;
    const isApi = pathname === '/api' || pathname.startsWith('/api/');
    if (isApi) {
      const origin = checkOrigin(req.headers, port);
      if (!origin.ok) {
        sendError(res, 403, 'cross-origin', `Refused: ${origin.reason}.`);
        return undefined;
      }
      // EventSource cannot send headers: the event stream takes the token as ?token=.
      const given =
        pathname === '/api/events'
          ? (req.headers[TOKEN_HEADER] ?? url.searchParams.get('token'))
          : req.headers[TOKEN_HEADER];
      if (!tokenMatches(given, expectedToken)) {
        sendError(res, 401, 'launch-token-required', TOKEN_REQUIRED_MESSAGE, {
          'WWW-Authenticate': 'PosPay-Token',
        });
        return undefined;
      }
    }
    if (pathname.startsWith('/api/invoke/')) {
      if (req.method !== 'POST') {
        sendError(res, 405, 'method-not-allowed', 'Use POST.');
        return undefined;
      }
      let channel: string;
      try {
        channel = decodeURIComponent(pathname.slice('/api/invoke/'.length));
      } catch {
        sendError(res, 400, 'bad-path', 'The channel name is not a valid %-encoded string.');
        return undefined;
      }
      return handleInvoke(channel, req, res);
    }
    if (pathname === '/api/events') {
      if (req.method !== 'GET') {
        sendError(res, 405, 'method-not-allowed', 'Use GET.');
        return undefined;
      }
      handleEvents(req, res);
      return undefined;
    }
    if (isApi) {
      sendError(res, 404, 'not-found', 'No such API.');
      return undefined;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 405, 'method-not-allowed', 'Use GET.');
      return undefined;
    }
    serveStatic(options.staticDir, pathname, res, log);
    return undefined;
  };

  const server: Server = createServer((req, res) => {
    const fail = (error: unknown): void => {
      // Method and path only: the query may hold the token.
      const where = `${req.method ?? '?'} ${(req.url ?? '/').split('?')[0] ?? ''}`.slice(0, 200);
      log.error(`browser mode: ${where} failed:`, error);
      sendError(res, 500, 'internal', 'Something went wrong in the terminal (see its log).');
    };
    // A write after the end (a bug) is reported here instead of as an uncaught exception.
    res.on('error', (error) => log.error('browser mode: response failed:', error.message));
    try {
      route(req, res)?.catch(fail);
    } catch (error) {
      fail(error);
    }
  });
  server.on('clientError', answerClientError);
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Once listening, an error (e.g. out of file descriptors on accept) is logged, not fatal.
  server.on('error', (error) => log.error('browser mode: server error:', error.message));
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${urlHost}:${port}`;
  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    port,
    token,
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
