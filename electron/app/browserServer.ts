/**
 * Browser mode: the cashier screen served over HTTP on loopback, for machines without the
 * Electron runtime and for end-to-end tests.
 *
 *   GET  /…                        the built renderer (dist/renderer), strict CSP
 *   POST /api/invoke/<channel>     JSON body (64 KB at most) → 200 JSON,
 *                                  or 400/401/403/404/409/413/415/422/500 {error, code}
 *   GET  /api/events?token=…       Server-Sent Events: `event: <channel>\ndata: <json>\n\n`
 *   POST /api/customer-display     {token}: the customer display's own token (read-only)
 *
 * Only loopback binds are allowed, and only same-origin requests are served: the Host header
 * must name this server (DNS-rebinding guard) and a cross-origin Origin is refused. Every
 * /api request must also carry this launch's secret token (header X-PosPay-Token; the event
 * stream, which EventSource opens without headers, as `?token=`): without it any program on
 * the machine could drive the till. The address printed at start, /?token=…, hands it to the
 * page. The page and its assets hold no secret and are served without it.
 *
 * The customer display (/customer, opened by the till's screen) never holds the launch token:
 * the till's screen asks for the display's own token (POST /api/customer-display), with which
 * only the reads of shared/ipc/customerDisplay.ts and the event stream are answered; anything
 * else is refused (403 customer-display-read-only).
 *
 * No request, however malformed, may stop the server: every failure is answered (400, 413 or
 * 500 with {error, code}) and logged, never left to become an uncaught exception.
 *
 * This file starts the server and routes each request; its parts: browserAccess.ts (same
 * origin, the launch token), browserInvoke.ts (POST /api/invoke), browserEvents.ts (the event
 * stream), browserStatic.ts (the page), browserResponses.ts (headers, answers, errors).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHost } from '../host/host.ts';
import { isCustomerReadChannel } from '../../shared/ipc/customerDisplay.ts';
import {
  accessOf,
  checkOrigin,
  generateLaunchToken,
  sha256,
  TOKEN_HEADER,
  TOKEN_PATTERN,
  TOKEN_REQUIRED_MESSAGE,
  type Access,
} from './browserAccess.ts';
import { openEventStream } from './browserEvents.ts';
import { answerInvoke } from './browserInvoke.ts';
import { answerClientError, send, sendError } from './browserResponses.ts';
import { serveStatic } from './browserStatic.ts';
import type { EventListener } from './eventHub.ts';
import type { InvokeResult } from './handlers.ts';
import { isLoopbackHost } from './loopback.ts';

export { checkOrigin, generateLaunchToken, TOKEN_HEADER, TOKEN_REQUIRED_MESSAGE };
export { isLoopbackHost };

export const DEFAULT_PORT = 5317;

const CUSTOMER_READ_ONLY_MESSAGE = 'Refused: the customer display only reads.';

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
  // The customer display's token: reads only (a new one each launch, never printed).
  const customerToken = generateLaunchToken();
  const expectedCustomerToken = sha256(customerToken);
  const log = options.log ?? stderrLog;
  // The same host as the Electron core's port (electron/host/host.ts).
  const terminal = createHost(options.app, (message, error) =>
    log.error(`browser mode: ${message}:`, error),
  );
  const streams = new Set<ServerResponse>();
  let port = wanted;

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
    let access: Access = null;
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
      access = accessOf(given, expectedToken, expectedCustomerToken);
      if (access === null) {
        sendError(res, 401, 'launch-token-required', TOKEN_REQUIRED_MESSAGE, {
          'WWW-Authenticate': 'PosPay-Token',
        });
        return undefined;
      }
    }
    if (pathname === '/api/customer-display') {
      if (req.method !== 'POST') {
        sendError(res, 405, 'method-not-allowed', 'Use POST.');
        return undefined;
      }
      if (access !== 'full') {
        sendError(res, 403, 'customer-display-read-only', CUSTOMER_READ_ONLY_MESSAGE);
        return undefined;
      }
      send(res, 200, JSON.stringify({ token: customerToken }), undefined, {
        'Cache-Control': 'no-store',
      });
      return undefined;
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
      if (access === 'customer-display' && !isCustomerReadChannel(channel)) {
        sendError(res, 403, 'customer-display-read-only', CUSTOMER_READ_ONLY_MESSAGE);
        return undefined;
      }
      return answerInvoke(terminal, channel, req, res);
    }
    if (pathname === '/api/events') {
      if (req.method !== 'GET') {
        sendError(res, 405, 'method-not-allowed', 'Use GET.');
        return undefined;
      }
      openEventStream(req, res, terminal, streams, log);
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
