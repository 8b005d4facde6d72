/**
 * The simulator's HTTP face: real HTTP on loopback, the gateway's paths, the read-only
 * ledger at GET /__sim/ledger, and the transport tricks of scenarios 5 (drop), 6 (late) and
 * 7 (bad signature, done when sealing). Also the customer's pages (codegrant.md): the
 * wallet page of a CodeGrant sign-up (GET/POST /__sim/wallet/authorize?ticket=…) and the
 * hosted checkout page (GET/POST /__sim/checkout?ticket=…), and the test hook
 * POST /__sim/control/revoke-payment-token ({"token": "…"}).
 */
import http from 'node:http';
import type { Envelope } from '../../shared/gateway/envelope.ts';
import type { SimLinks } from './codeGrant.ts';
import type { SimGateway } from './gateway.ts';
import type { LedgerEntry } from './ledger.ts';
import type { Page } from './pages.ts';
import { invalidParameter, openRequest, replyOf, sealReply, type Reply } from './protocol.ts';
import type { Scheduler } from './scheduler.ts';
import type { StoreRegistry } from './stores.ts';

/** The gateway's paths (gateway.md) and the call each one is. */
export const SIMULATOR_PATHS: Readonly<Record<string, string>> = {
  '/v4/payment/unifiedPay': 'unifiedPay',
  '/v4/payment/query': 'query',
  '/v4/payment/refund': 'refund',
  '/v4/payment/refund/query': 'refundQuery',
  '/v4/paymethod/bind': 'bind',
  '/v4/paymethod/bind/query': 'bindQuery',
  '/v4/paymethod/unbind': 'unbind',
  '/v4/payment/prePay': 'prePay',
};

/** The customer's pages (codegrant.md). */
export const WALLET_PAGE_PATH = '/__sim/wallet/authorize';
export const CHECKOUT_PAGE_PATH = '/__sim/checkout';
export const REVOKE_PAYMENT_TOKEN_PATH = '/__sim/control/revoke-payment-token';

const MAX_FORM_BYTES = 16 * 1024;
/** The pages load nothing from anywhere: inline style only, forms post to themselves. */
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerOptions {
  stores: StoreRegistry;
  gateway: SimGateway;
  links: SimLinks;
  scheduler: Scheduler;
  ledger: () => LedgerEntry[];
  log: (line: string) => void;
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body, 'utf8'),
  });
  res.end(body);
}

function sendPage(res: http.ServerResponse, page: Page): void {
  if (page.location !== undefined) {
    res.writeHead(303, {
      location: page.location,
      'content-length': 0,
      'cache-control': 'no-store',
    });
    res.end();
    return;
  }
  res.writeHead(page.status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(page.html, 'utf8'),
    'content-security-policy': PAGE_CSP,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(page.html);
}

/** Reads a small request body; null when it is larger than `max` bytes. */
function readSmallBody(req: http.IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > max ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

export function createSimulatorServer(options: ServerOptions): http.Server {
  const { stores, gateway, links, scheduler, ledger, log } = options;

  /** GET shows a page; POST with a form `action=…` acts on it, then redirects to the GET. */
  const customerPage = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    render: (ticket: string | null, action: string | undefined) => Page,
  ): void => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const ticket = url.searchParams.get('ticket');
    if (req.method === 'GET' || req.method === 'HEAD') {
      sendPage(res, render(ticket, undefined));
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST');
      sendPage(res, { status: 405, title: 'Method not allowed', html: 'GET or POST only\n' });
      return;
    }
    void readSmallBody(req, MAX_FORM_BYTES).then((body) => {
      const action = body === null ? '' : (new URLSearchParams(body).get('action') ?? '');
      try {
        sendPage(res, render(ticket, action));
      } catch (error) {
        log(`simulator: page failed: ${error instanceof Error ? error.message : String(error)}`);
        sendPage(res, { status: 500, title: 'Error', html: 'The simulator failed; try again.\n' });
      }
    });
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === WALLET_PAGE_PATH) {
      customerPage(req, res, (ticket, action) => links.page(ticket, action));
      return;
    }
    if (path === CHECKOUT_PAGE_PATH) {
      customerPage(req, res, (ticket, action) => gateway.checkoutPage(ticket, action));
      return;
    }
    if (path === REVOKE_PAYMENT_TOKEN_PATH) {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        sendJson(res, 405, { error: 'POST only' });
        return;
      }
      void readSmallBody(req, MAX_FORM_BYTES).then((body) => {
        let token: unknown;
        try {
          token = (JSON.parse(body ?? '') as { token?: unknown }).token;
        } catch {
          token = undefined;
        }
        if (typeof token !== 'string' || token === '') {
          sendJson(res, 400, { error: 'send {"token": "<payment token>"}' });
          return;
        }
        const revoked = gateway.revokePaymentToken(token);
        log(`control: revoke payment token → ${revoked ? 'revoked' : 'unknown token'}`);
        sendJson(
          res,
          revoked ? 200 : 404,
          revoked ? { revoked: true } : { error: 'unknown token' },
        );
      });
      return;
    }
    if (path === '/__sim/ledger') {
      if (req.method !== 'GET') {
        sendJson(res, 405, { error: 'GET only' });
        return;
      }
      sendJson(res, 200, ledger());
      return;
    }
    const call = SIMULATOR_PATHS[path];
    if (!call) {
      sendJson(res, 404, { code: '404', description: `no such path ${path}` });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(res, 405, { code: '405', description: 'POST only' });
      return;
    }
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const opened = tooLarge
        ? {
            ok: false as const,
            store: undefined,
            signType: 'SHA256' as const,
            accId: undefined,
            reply: invalidParameter('body', 'is too large'),
          }
        : openRequest(body, stores);
      let reply: Reply;
      let envelope: Envelope;
      if (opened.ok) {
        try {
          reply = gateway.handle(call, opened.store, opened.biz);
        } catch (error) {
          // An internal failure (e.g. the state file cannot be written) must not take the
          // process down: the embedded simulator runs inside the terminal's main process.
          // Like the real gateway's 500000, it means "outcome unknown: query".
          log(
            `simulator: ${call} failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          reply = { ...replyOf('500000'), httpStatus: 500 };
        }
        envelope = sealReply(reply, opened.store, opened.signType);
      } else {
        reply = opened.reply;
        envelope = sealReply(reply, opened.store, opened.signType, opened.accId);
      }
      const delivery = reply.delivery ?? { kind: 'normal' };
      const status = reply.httpStatus ?? 200;
      const elapsed = (performance.now() - started).toFixed(1);
      const biz = reply.biz ?? {};
      const about = [biz.merchantTransactionId, biz.status].filter((x) => x !== undefined);
      log(
        `${req.method} ${path} → ${status} ${reply.code}${about.length ? ` ${about.join(' ')}` : ''}` +
          `${delivery.kind === 'normal' ? '' : ` [${delivery.kind}]`} ${elapsed}ms`,
      );
      switch (delivery.kind) {
        case 'drop':
          // Scenario 5: charged, then the connection goes away without an answer.
          req.socket.destroy();
          return;
        case 'late':
          // Scenario 6: charged, the answer comes after the client has given up.
          scheduler.after(delivery.delayMs, () => {
            if (!res.destroyed && !res.writableEnded) sendJson(res, status, envelope);
          });
          return;
        default:
          sendJson(res, status, envelope);
      }
    });
    req.on('error', () => {
      // The client went away mid-request; nothing to answer.
    });
  });
  // A till pays minutes apart: keep its connection open well past Node's 5 s default.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  return server;
}
