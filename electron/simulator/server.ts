/**
 * The simulator's HTTP face: real HTTP on loopback, the gateway's paths, the read-only
 * ledger at GET /__sim/ledger, and the transport tricks of scenarios 5 (drop), 6 (late) and
 * 7 (bad signature, done when sealing).
 */
import http from 'node:http';
import type { Envelope } from '../../shared/gateway/envelope.ts';
import type { SimGateway } from './gateway.ts';
import type { LedgerEntry } from './ledger.ts';
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
};

const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerOptions {
  stores: StoreRegistry;
  gateway: SimGateway;
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

export function createSimulatorServer(options: ServerOptions): http.Server {
  const { stores, gateway, scheduler, ledger, log } = options;

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/__sim/ledger') {
      if (req.method !== 'GET') {
        sendJson(res, 405, { error: 'GET only' });
        return;
      }
      sendJson(res, 200, ledger());
      return;
    }
    if (path === '/__sim/auth') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Simulated wallet sign-up: the token is authorised.\n');
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
