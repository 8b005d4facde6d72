/**
 * Linked-wallet (CodeGrant) and checkout test helpers: a correctly signed stand-in gateway
 * that answers each call as the test scripts it (to send valid-looking but wrong answers),
 * and sign-ups and token payments against the simulator.
 */
import http from 'node:http';
import { expect } from 'vitest';
import { GatewayClient } from '../../electron/gateway/client.ts';
import { signEnvelope } from '../../electron/gateway/signing.ts';
import type { LinkWallet } from '../../shared/gateway/codeGrant.ts';
import { clientIdFor, type Envelope } from '../../shared/gateway/envelope.ts';
import type { Currency } from '../../shared/money.ts';
import { listenOnLoopback, pressPageButton, uniqueId, type LoopbackServer } from './simulator.ts';

/** An answer of the stand-in: a signed envelope (code 000000 "ok" unless said), or raw bytes. */
export type StandInAnswer =
  | { code?: string; description?: string; biz?: Record<string, unknown> }
  | { raw: (res: http.ServerResponse) => void };

/** Decides each answer from the path asked (no query string) and the request's bizContent. */
export type StandInScript = (path: string, biz: Record<string, unknown>) => StandInAnswer;

export interface StandInStore {
  accId: string;
  salt: string;
}

/** A stand-in gateway for `store`; its answers are signed with `signingSalt` (the store's). */
export async function startStandIn(
  store: StandInStore,
  script: StandInScript,
  signingSalt = store.salt,
): Promise<LoopbackServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope;
      const biz = JSON.parse(String(request.bizContent ?? '{}')) as Record<string, unknown>;
      const answer = script((req.url ?? '').split('?')[0] ?? '', biz);
      if ('raw' in answer) {
        answer.raw(res);
        return;
      }
      const envelope: Envelope = {
        accId: store.accId,
        clientId: clientIdFor(store.accId),
        signType: 'SHA256',
        code: answer.code ?? '000000',
        description: answer.description ?? 'ok',
      };
      if (answer.biz) envelope.bizContent = JSON.stringify(answer.biz);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(signEnvelope(envelope, signingSalt)));
    });
  });
  return listenOnLoopback(server);
}

/** Runs `run` with a client of `store` talking to a stand-in scripted by `script`. */
export async function withStandIn<T>(
  store: StandInStore,
  script: StandInScript,
  run: (client: GatewayClient) => Promise<T>,
  options: { timeoutMs?: number; signingSalt?: string } = {},
): Promise<T> {
  const standIn = await startStandIn(store, script, options.signingSalt);
  const client = new GatewayClient({
    baseUrl: standIn.baseUrl,
    accId: store.accId,
    salt: store.salt,
    timeoutMs: options.timeoutMs ?? 3000,
  });
  try {
    return await run(client);
  } finally {
    client.close();
    await standIn.close();
  }
}

/** The currency each linked wallet charges in. */
export const WALLET_CURRENCY: Record<LinkWallet, Currency> = { AlipayHK: 'HKD', Alipay: 'CNY' };

/** A sign-up of a new member (PENDING); its token and authUrl. */
export async function signUp(
  gateway: GatewayClient,
  wallet: LinkWallet = 'AlipayHK',
  merchantUserId = uniqueId('U'),
) {
  const requestId = uniqueId('B');
  const outcome = await gateway.bind({ requestId, merchantUserId, wallet });
  if (outcome.kind !== 'created') throw new Error(`bind: ${JSON.stringify(outcome)}`);
  return { merchantUserId, requestId, wallet, token: outcome.token, authUrl: outcome.authUrl };
}

/** A sign-up the customer agreed to (ACTIVE). */
export async function linked(gateway: GatewayClient, wallet: LinkWallet = 'AlipayHK') {
  const link = await signUp(gateway, wallet);
  expect((await pressPageButton(link.authUrl, 'agree')).shownStatus).toBe('ACTIVE');
  return link;
}

/** A payment with a linked wallet's token, a new order, in the wallet's currency. */
export function tokenSale(
  link: { token: string; merchantUserId: string; wallet: LinkWallet },
  amountMinor: number,
) {
  return {
    merchantTransactionId: uniqueId('M'),
    requestId: uniqueId('R'),
    amountMinor,
    currency: WALLET_CURRENCY[link.wallet],
    methodType: link.wallet,
    token: link.token,
    merchantUserId: link.merchantUserId,
  };
}

/** A membership of a year, charged monthly from 1 December 2026 (a checkout's subscription). */
export function monthlySubscription(merchantUserId: string) {
  return {
    merchantUserId,
    startDate: '2026-12-01 00:00:00',
    intervalUnit: 'month' as const,
    intervalCount: 1,
    endDate: '2027-12-01 00:00:00',
  };
}

/** A subscription charge (a renewal) with a subscription's payment token, a new order. */
export function renewal(
  subscriber: { merchantUserId: string; paymentToken: string },
  amountMinor: number,
  currency: Currency,
) {
  return {
    merchantTransactionId: uniqueId('M'),
    requestId: uniqueId('R'),
    amountMinor,
    currency,
    merchantUserId: subscriber.merchantUserId,
    paymentToken: subscriber.paymentToken,
  };
}
