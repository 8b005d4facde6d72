/**
 * A stand-in gateway that misbehaves on purpose, on loopback: it speaks the v4 envelope
 * (signed with the store's salt, like the real gateway and the simulator) but lets a test
 * choose what a hostile or slow gateway does — register a payment only some time after it
 * received it, hold the answer, state another amount or none, sign its answers MD5 although
 * the request was SHA256. Every charge it registers is in `charges` (its ledger).
 *
 * No vitest import here: CLI tests run it in the test process while `pospay` runs in a child.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { computeSign } from '../../electron/gateway/signing.ts';
import { clientIdFor, type Envelope, type SignType } from '../../shared/gateway/envelope.ts';

export const HOSTILE_STORE = { accId: '2026110100000001', salt: 'hostile-test-salt-0001' };

export interface HostileBehaviour {
  /** A payment is registered this long after its request arrived (default 0). */
  registerAfterMs?: number;
  /** How long the pay request is held before it is answered; null: never (the client times out). */
  answerAfterMs?: number | null;
  /** What the SUCCESS states: the request's amount unless said; 'omit' leaves amount and currency out. */
  statedAmount?: { amount: string; currency: string } | 'omit';
  /** Sign answers with this type whatever the request used (a downgrade attempt). */
  replySignType?: SignType;
}

export interface Charge {
  merchantTransactionId: string;
  requestId: string;
  amount: string;
  currency: string;
  registeredAt: number;
}

export interface HostileGateway {
  baseUrl: string;
  store: { accId: string; salt: string };
  behaviour: HostileBehaviour;
  /** Registered charges (one per merchantTransactionId: requestId de-duplicates). */
  charges(): Charge[];
  /** Pay requests received (re-sends included). */
  payRequests(): number;
  close(): Promise<void>;
}

interface Pending {
  charge: Charge;
  visibleAt: number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startHostileGateway(
  behaviour: HostileBehaviour = {},
): Promise<HostileGateway> {
  const orders = new Map<string, Pending>();
  let payCount = 0;
  const held = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const seal = (
    code: string,
    description: string,
    biz: Record<string, unknown> | undefined,
    signType: SignType,
  ): Envelope => {
    const envelope: Envelope = {
      accId: HOSTILE_STORE.accId,
      clientId: clientIdFor(HOSTILE_STORE.accId),
      signType,
      code,
      description,
    };
    if (biz) envelope.bizContent = JSON.stringify(biz);
    envelope.sign = computeSign(envelope, HOSTILE_STORE.salt, signType);
    return envelope;
  };

  const success = (charge: Charge): Record<string, unknown> => {
    const stated = behaviour.statedAmount;
    return {
      merchantTransactionId: charge.merchantTransactionId,
      requestId: charge.requestId,
      transactionId: `HOSTILE-${charge.merchantTransactionId}`,
      status: 'SUCCESS',
      resultCode: '000000',
      resultDescription: 'Transaction succeeded',
      ...(stated === 'omit'
        ? {}
        : stated
          ? { amount: stated.amount, currency: stated.currency }
          : { amount: charge.amount, currency: charge.currency }),
    };
  };

  const answer = (res: ServerResponse, envelope: Envelope): void => {
    held.delete(res);
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(envelope));
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const request = JSON.parse(body) as Envelope;
      const signType: SignType =
        behaviour.replySignType ?? (request.signType === 'MD5' ? 'MD5' : 'SHA256');
      const biz = JSON.parse(String(request.bizContent ?? '{}')) as Record<string, string>;
      const orderId = String(biz.merchantTransactionId ?? '');
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path.endsWith('/unifiedPay')) {
        payCount += 1;
        let pending = orders.get(orderId);
        if (!pending) {
          pending = {
            charge: {
              merchantTransactionId: orderId,
              requestId: String(biz.requestId ?? ''),
              amount: String(biz.amount ?? ''),
              currency: String(biz.currency ?? ''),
              registeredAt: 0,
            },
            visibleAt: Date.now() + (behaviour.registerAfterMs ?? 0),
          };
          pending.charge.registeredAt = pending.visibleAt;
          orders.set(orderId, pending);
        }
        const charge = pending.charge;
        const after = behaviour.answerAfterMs === undefined ? 0 : behaviour.answerAfterMs;
        held.add(res);
        if (after === null) return; // held until the client gives up
        later(after, () =>
          answer(res, seal('000000', 'Transaction succeeded', success(charge), signType)),
        );
        return;
      }
      if (path.endsWith('/query')) {
        const pending = orders.get(orderId);
        if (!pending || Date.now() < pending.visibleAt) {
          answer(res, seal('107001', 'Transaction does not exist', undefined, signType));
          return;
        }
        answer(res, seal('000000', 'Transaction succeeded', success(pending.charge), signType));
        return;
      }
      answer(res, seal('102000', 'Invalid or missing parameter: path', undefined, signType));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    store: HOSTILE_STORE,
    behaviour,
    charges: () =>
      [...orders.values()].filter((p) => Date.now() >= p.visibleAt).map((p) => p.charge),
    payRequests: () => payCount,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
