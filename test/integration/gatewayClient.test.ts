/**
 * GatewayClient against the embedded simulator over real HTTP: every scenario row ends in
 * the outcome the terminal relies on, and nothing unverified is ever taken as paid.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { GatewayClient } from '../../electron/gateway/client.ts';
import { computeSign, verifyEnvelope } from '../../electron/gateway/signing.ts';
import type { Envelope } from '../../shared/gateway/envelope.ts';
import type { Currency } from '../../shared/money.ts';
import type { PaymentMethod } from '../../shared/paymentCode.ts';
import {
  alipayCode,
  chargesOf,
  listenOnLoopback,
  makeClient,
  settledOutcome as settle,
  startAnswerProxy,
  uniqueId,
  wechatCode,
  withClient,
  withSimulator,
  type TestSimulator,
} from '../support/simulator.ts';

const sim = withSimulator({ timeScale: 0.05 });
const client = withClient(sim);

function sale(
  amountMinor: number,
  overrides: Partial<Parameters<GatewayClient['unifiedPay']>[0]> = {},
) {
  return {
    merchantTransactionId: uniqueId('M'),
    requestId: uniqueId('R'),
    amountMinor,
    currency: 'CNY' as Currency,
    method: 'Wechat-Offline' as PaymentMethod,
    scanCodeId: wechatCode(),
    ...overrides,
  };
}

const charges = chargesOf;

function successfulCharges(simulator: TestSimulator, merchantTransactionId: string) {
  return charges(simulator, merchantTransactionId).filter((e) => e.status === 'SUCCESS');
}

describe('scenario table through the client', () => {
  it('0: paid, with the amount read back in minor units', async () => {
    const request = sale(1230);
    const outcome = await client.unifiedPay(request);
    expect(outcome).toMatchObject({
      kind: 'paid',
      code: '000000',
      status: 'SUCCESS',
      amountMinor: 1230,
      currency: 'CNY',
      merchantTransactionId: request.merchantTransactionId,
      requestId: request.requestId,
      methodType: 'Wechat-Offline',
    });
    if (outcome.kind !== 'paid') throw new Error('not paid');
    expect(outcome.transactionId).toEqual(expect.any(String));
    expect(outcome.transactionTime).toEqual(expect.any(Number));
    expect(successfulCharges(sim, request.merchantTransactionId)).toHaveLength(1);
  });

  it('1: declined, with a reason a cashier understands', async () => {
    const outcome = await client.unifiedPay(sale(1231));
    expect(outcome.kind).toBe('declined');
    if (outcome.kind !== 'declined') throw new Error('not declined');
    expect(outcome.resultCode).toMatch(/^30/);
    expect(outcome.reason).toMatch(/declined/i);
  });

  it('2: pending while the customer confirms, then paid', async () => {
    const request = sale(1232);
    expect((await client.unifiedPay(request)).kind).toBe('pending');
    const final = await settle(client, request.merchantTransactionId);
    expect(final).toMatchObject({ kind: 'paid', amountMinor: 1232 });
  });

  it('3: pending, then declined when the payer cancels', async () => {
    const request = sale(1233);
    expect((await client.unifiedPay(request)).kind).toBe('pending');
    expect((await settle(client, request.merchantTransactionId)).kind).toBe('declined');
  });

  it('4: pending, then closed by the gateway with nothing charged', async () => {
    const request = sale(1234);
    expect((await client.unifiedPay(request)).kind).toBe('pending');
    const final = await settle(client, request.merchantTransactionId);
    expect(final.kind).toBe('closed');
    if (final.kind !== 'closed') throw new Error('not closed');
    expect(final.reason).toMatch(/did not confirm/);
    expect(successfulCharges(sim, request.merchantTransactionId)).toHaveLength(0);
  });

  it('5: connection dropped → unknown; the query finds it paid; one charge', async () => {
    const request = sale(1235);
    const outcome = await client.unifiedPay(request);
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'connection-lost' });
    expect(
      await client.query({ merchantTransactionId: request.merchantTransactionId }),
    ).toMatchObject({
      kind: 'paid',
      amountMinor: 1235,
    });
    expect(successfulCharges(sim, request.merchantTransactionId)).toHaveLength(1);
  });

  it('6: answer later than the client timeout → unknown timeout; the query finds it paid', async () => {
    const impatient = makeClient(sim, { timeoutMs: 300 });
    try {
      const request = sale(1236);
      const outcome = await impatient.unifiedPay(request);
      expect(outcome).toMatchObject({ kind: 'unknown', cause: 'timeout' });
      expect(
        await impatient.query({ merchantTransactionId: request.merchantTransactionId }),
      ).toMatchObject({
        kind: 'paid',
      });
      // The same attempt retried with the same requestId charges nothing new.
      const retry = await client.unifiedPay(request);
      expect(retry.kind).toBe('paid');
      expect(charges(sim, request.merchantTransactionId)).toHaveLength(1);
    } finally {
      impatient.close();
    }
  });

  it('7: wrongly signed answer → unknown bad-signature, never paid; the query decides', async () => {
    const request = sale(1237);
    const outcome = await client.unifiedPay(request);
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'bad-signature' });
    expect(
      await client.query({ merchantTransactionId: request.merchantTransactionId }),
    ).toMatchObject({
      kind: 'paid',
    });
    expect(successfulCharges(sim, request.merchantTransactionId)).toHaveLength(1);
  });

  it('8: expired code → declined, "ask for a fresh code", nothing charged', async () => {
    const request = sale(1238);
    const outcome = await client.unifiedPay(request);
    expect(outcome).toMatchObject({ kind: 'declined', code: '105000' });
    if (outcome.kind !== 'declined') throw new Error('not declined');
    expect(outcome.reason).toMatch(/fresh code/);
    expect(charges(sim, request.merchantTransactionId)).toHaveLength(0);
  });

  it('9: 500 → unknown; query finds nothing; the same requestId again is paid once', async () => {
    const request = sale(1239);
    const outcome = await client.unifiedPay(request);
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'gateway-error' });
    expect(
      (await client.query({ merchantTransactionId: request.merchantTransactionId })).kind,
    ).toBe('not-found');
    expect((await client.unifiedPay(request)).kind).toBe('paid');
    expect(charges(sim, request.merchantTransactionId)).toHaveLength(1);
  });
});

describe('rejections and declines', () => {
  it('a wrong salt → 104000 → rejected (credentials), nothing charged', async () => {
    const wrong = makeClient(sim, { salt: 'NOT-THE-RIGHT-SALT' });
    try {
      const request = sale(1230);
      const outcome = await wrong.unifiedPay(request);
      expect(outcome).toMatchObject({ kind: 'rejected', code: '104000' });
      if (outcome.kind !== 'rejected') throw new Error('not rejected');
      expect(outcome.reason).toMatch(/store key/);
      expect(charges(sim, request.merchantTransactionId)).toHaveLength(0);
    } finally {
      wrong.close();
    }
  });

  it('an unknown store → 103000 → rejected', async () => {
    const stranger = makeClient(sim, { accId: '2018092714313010099999', salt: 'SOMETHING' });
    try {
      expect(await stranger.unifiedPay(sale(1230))).toMatchObject({
        kind: 'rejected',
        code: '103000',
      });
    } finally {
      stranger.close();
    }
  });

  it('a clientId that is not the store merchant → rejected', async () => {
    const odd = makeClient(sim, { clientId: '2018092714313010099' });
    try {
      expect(await odd.unifiedPay(sale(1230))).toMatchObject({ kind: 'rejected', code: '103000' });
    } finally {
      odd.close();
    }
  });

  it('an invalid parameter → rejected with the gateway naming the field', async () => {
    const outcome = await client.unifiedPay(sale(1230, { currency: 'HKD' }));
    expect(outcome).toMatchObject({ kind: 'rejected', code: '102000' });
    if (outcome.kind !== 'rejected') throw new Error('not rejected');
    expect(outcome.description).toContain('currency');
    const zero = await client.unifiedPay(sale(0));
    expect(zero).toMatchObject({ kind: 'rejected', code: '102000' });
  });

  it('a reused code → declined, asking for a fresh code', async () => {
    const code = wechatCode();
    expect((await client.unifiedPay(sale(1230, { scanCodeId: code }))).kind).toBe('paid');
    const second = sale(1230, { scanCodeId: code });
    const outcome = await client.unifiedPay(second);
    expect(outcome).toMatchObject({ kind: 'declined', code: '105000' });
    if (outcome.kind !== 'declined') throw new Error('not declined');
    expect(outcome.reason).toMatch(/fresh code/);
    expect(charges(sim, second.merchantTransactionId)).toHaveLength(0);
  });

  it('the same requestId again → the same outcome, and no new ledger entry', async () => {
    const request = sale(1230);
    const first = await client.unifiedPay(request);
    const size = sim.ledger().length;
    const again = await client.unifiedPay(request);
    expect(again).toEqual(first);
    expect(sim.ledger()).toHaveLength(size);
  });

  it('a new requestId for an order already paid → rejected as duplicate (107000)', async () => {
    const request = sale(1230);
    expect((await client.unifiedPay(request)).kind).toBe('paid');
    const outcome = await client.unifiedPay({
      ...request,
      requestId: uniqueId('R'),
      scanCodeId: wechatCode(),
    });
    expect(outcome).toMatchObject({ kind: 'rejected', code: '107000' });
    if (outcome.kind !== 'rejected') throw new Error('not rejected');
    expect(outcome.reason).toMatch(/already submitted/);
    expect(charges(sim, request.merchantTransactionId)).toHaveLength(1);
  });

  it('query of an unknown order → not-found (107001)', async () => {
    expect(await client.query({ merchantTransactionId: uniqueId('X') })).toMatchObject({
      kind: 'not-found',
      code: '107001',
    });
  });

  it('query by transactionId', async () => {
    const paid = await client.unifiedPay(sale(1230));
    if (paid.kind !== 'paid' || !paid.transactionId) throw new Error('not paid');
    expect(await client.query({ transactionId: paid.transactionId })).toMatchObject({
      kind: 'paid',
      transactionId: paid.transactionId,
    });
  });

  it('pays AlipayHK in HKD', async () => {
    const outcome = await client.unifiedPay(
      sale(5000, { currency: 'HKD', method: 'AlipayHK-Offline', scanCodeId: alipayCode() }),
    );
    expect(outcome).toMatchObject({ kind: 'paid', amountMinor: 5000, currency: 'HKD' });
  });

  it('signs with MD5 when configured', async () => {
    const md5 = makeClient(sim, { signType: 'MD5' });
    try {
      expect((await md5.unifiedPay(sale(1230))).kind).toBe('paid');
    } finally {
      md5.close();
    }
  });
});

describe('refunds', () => {
  async function paidSale(amountMinor: number): Promise<string> {
    const request = sale(amountMinor);
    expect((await client.unifiedPay(request)).kind).toBe('paid');
    return request.merchantTransactionId;
  }

  it('two partial refunds, then the remainder, then nothing more', async () => {
    const mtid = await paidSale(10_000);
    for (const amountMinor of [2500, 1550, 5950]) {
      const outcome = await client.refund({
        merchantTransactionId: mtid,
        merchantRefundId: uniqueId('F'),
        amountMinor,
        currency: 'CNY',
      });
      expect(outcome).toMatchObject({ kind: 'refunded', amountMinor, currency: 'CNY' });
    }
    const beyond = await client.refund({
      merchantTransactionId: mtid,
      merchantRefundId: uniqueId('F'),
      amountMinor: 1,
      currency: 'CNY',
    });
    expect(beyond).toMatchObject({ kind: 'declined', code: '108003' });
    if (beyond.kind !== 'declined') throw new Error('not declined');
    expect(beyond.reason).toMatch(/left to refund/);
    const refunded = sim
      .ledger()
      .filter(
        (e) => e.kind === 'refund' && e.merchantTransactionId === mtid && e.status === 'SUCCESS',
      )
      .reduce((sum, e) => sum + e.amountMinor, 0);
    expect(refunded).toBe(10_000);
  });

  it('a refund above the payment → declined 108000', async () => {
    const mtid = await paidSale(1000);
    const outcome = await client.refund({
      merchantTransactionId: mtid,
      merchantRefundId: uniqueId('F'),
      amountMinor: 1001,
      currency: 'CNY',
    });
    expect(outcome).toMatchObject({ kind: 'declined', code: '108000' });
  });

  it('a refund of a declined payment → declined 303000', async () => {
    const request = sale(1231);
    expect((await client.unifiedPay(request)).kind).toBe('declined');
    const outcome = await client.refund({
      merchantTransactionId: request.merchantTransactionId,
      merchantRefundId: uniqueId('F'),
      amountMinor: 100,
      currency: 'CNY',
    });
    expect(outcome).toMatchObject({ kind: 'declined', code: '303000' });
  });

  it('refund query finds a refund, and not-found for an unknown one', async () => {
    const mtid = await paidSale(2000);
    const merchantRefundId = uniqueId('F');
    const refunded = await client.refund({
      merchantTransactionId: mtid,
      merchantRefundId,
      amountMinor: 700,
      currency: 'CNY',
    });
    if (refunded.kind !== 'refunded') throw new Error('not refunded');
    expect(
      await client.refundQuery({ merchantRefundId, merchantTransactionId: mtid }),
    ).toMatchObject({
      kind: 'refunded',
      refundId: refunded.refundId,
      amountMinor: 700,
    });
    expect(await client.refundQuery({ merchantRefundId: uniqueId('F') })).toMatchObject({
      kind: 'not-found',
    });
  });
});

describe('answers that must not be trusted', () => {
  it('a tampered answer (PROCESSING rewritten to SUCCESS) → unknown bad-signature, never paid', async () => {
    const proxy = await startAnswerProxy(sim.baseUrl, (answer) => {
      const envelope = JSON.parse(answer.body) as Envelope;
      if (typeof envelope.bizContent === 'string') {
        envelope.bizContent = envelope.bizContent.replace('"PROCESSING"', '"SUCCESS"');
        envelope.code = '000000';
      }
      return { status: answer.status, body: JSON.stringify(envelope) };
    });
    const viaProxy = makeClient({ baseUrl: proxy.baseUrl, store: sim.store });
    try {
      const request = sale(1234);
      const outcome = await viaProxy.unifiedPay(request);
      expect(outcome).toMatchObject({ kind: 'unknown', cause: 'bad-signature' });
      expect(
        (await client.query({ merchantTransactionId: request.merchantTransactionId })).kind,
      ).toBe('pending');
    } finally {
      viaProxy.close();
      await proxy.close();
    }
  });

  it('a correctly signed answer about another order is not taken for this one', async () => {
    const earlier = sale(1230);
    const replayTarget = { body: '' };
    const capture = await startAnswerProxy(sim.baseUrl, (answer) => {
      replayTarget.body = answer.body;
      return answer;
    });
    const capturing = makeClient({ baseUrl: capture.baseUrl, store: sim.store });
    const replay = await startAnswerProxy(sim.baseUrl, () => ({
      status: 200,
      body: replayTarget.body,
    }));
    const replaying = makeClient({ baseUrl: replay.baseUrl, store: sim.store });
    try {
      expect((await capturing.unifiedPay(earlier)).kind).toBe('paid');
      const outcome = await replaying.unifiedPay(sale(1231));
      expect(outcome).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
    } finally {
      capturing.close();
      replaying.close();
      await capture.close();
      await replay.close();
    }
  });

  it('a correctly signed success that names no payment, or has no status → unknown, never paid', async () => {
    const bodies: Array<Record<string, unknown> | undefined> = [
      undefined, // "000000" and nothing else: no status, no ids
      { status: 'SUCCESS' }, // a status, but no payment named
      { merchantTransactionId: uniqueId('M'), resultCode: '000000' }, // no status
    ];
    for (const biz of bodies) {
      const proxy = await startAnswerProxy(sim.baseUrl, () => {
        const envelope: Envelope = {
          accId: sim.store.accId,
          clientId: sim.store.accId.slice(0, -3),
          signType: 'SHA256',
          code: '000000',
          description: 'Transaction succeeded',
        };
        if (biz) envelope.bizContent = JSON.stringify(biz);
        envelope.sign = computeSign(envelope, sim.store.salt);
        return { status: 200, body: JSON.stringify(envelope) };
      });
      const viaProxy = makeClient({ baseUrl: proxy.baseUrl, store: sim.store });
      try {
        const request = sale(1231);
        if (biz?.merchantTransactionId !== undefined) {
          request.merchantTransactionId = biz.merchantTransactionId as string;
        }
        expect(await viaProxy.unifiedPay(request)).toMatchObject({
          kind: 'unknown',
          cause: 'malformed-response',
        });
        expect(
          await viaProxy.query({ merchantTransactionId: request.merchantTransactionId }),
        ).toMatchObject({ kind: 'unknown' });
        if (biz === undefined) {
          expect(
            await viaProxy.refund({
              merchantTransactionId: request.merchantTransactionId,
              merchantRefundId: uniqueId('F'),
              amountMinor: 100,
              currency: 'CNY',
            }),
          ).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
        }
      } finally {
        viaProxy.close();
        await proxy.close();
      }
    }
  });

  it('an unsigned HTTP 502 from a proxy → unknown http-error', async () => {
    const proxy = await startAnswerProxy(sim.baseUrl, () => ({ status: 502, body: 'Bad Gateway' }));
    const viaProxy = makeClient({ baseUrl: proxy.baseUrl, store: sim.store });
    try {
      expect(await viaProxy.unifiedPay(sale(1230))).toMatchObject({
        kind: 'unknown',
        cause: 'http-error',
      });
    } finally {
      viaProxy.close();
      await proxy.close();
    }
  });

  it('a signed answer in bizContent-object form (not a string) → unknown malformed-response', async () => {
    const proxy = await startAnswerProxy(sim.baseUrl, (answer) => {
      const envelope = JSON.parse(answer.body) as Envelope;
      const inner = JSON.parse(envelope.bizContent ?? '{}') as Record<string, unknown>;
      const reshaped: Record<string, unknown> = { ...envelope, bizContent: inner };
      reshaped.sign = computeSign(reshaped as Envelope, sim.store.salt);
      return { status: 200, body: JSON.stringify(reshaped) };
    });
    const viaProxy = makeClient({ baseUrl: proxy.baseUrl, store: sim.store });
    try {
      expect(await viaProxy.unifiedPay(sale(1230))).toMatchObject({
        kind: 'unknown',
        cause: 'malformed-response',
      });
    } finally {
      viaProxy.close();
      await proxy.close();
    }
  });
});

describe('network failures', () => {
  it('connection refused → unknown connection-lost', async () => {
    const closed = await listenOnLoopback(http.createServer());
    await closed.close();
    const port = closed.port;
    const nowhere = makeClient({ baseUrl: `http://127.0.0.1:${port}`, store: sim.store });
    try {
      const outcome = await nowhere.unifiedPay(sale(1230));
      expect(outcome).toMatchObject({ kind: 'unknown', cause: 'connection-lost' });
      if (outcome.kind !== 'unknown') throw new Error('not unknown');
      expect(outcome.detail).toMatch(/refused/);
    } finally {
      nowhere.close();
    }
  });

  it('a gateway that never answers → unknown timeout', async () => {
    const silent = await listenOnLoopback(
      http.createServer(() => {
        // never answers
      }),
    );
    const port = silent.port;
    const waiting = makeClient(
      { baseUrl: `http://127.0.0.1:${port}`, store: sim.store },
      { timeoutMs: 200 },
    );
    try {
      expect(await waiting.query({ merchantTransactionId: uniqueId('M') })).toMatchObject({
        kind: 'unknown',
        cause: 'timeout',
      });
    } finally {
      waiting.close();
      await silent.close();
    }
  });
});

describe('the request on the wire', () => {
  interface Seen {
    path: string;
    remotePort: number | undefined;
    envelope: Envelope;
  }

  async function recordingGateway(): Promise<{
    baseUrl: string;
    seen: Seen[];
    close(): Promise<void>;
  }> {
    const seen: Seen[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({
          path: req.url ?? '',
          remotePort: req.socket.remotePort,
          envelope: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const { baseUrl, close } = await listenOnLoopback(server);
    return { baseUrl: `${baseUrl}/gw/`, seen, close };
  }

  it('sends the v4 envelope with bizContent signed as the exact string sent', async () => {
    const gateway = await recordingGateway();
    const recording = makeClient({ baseUrl: gateway.baseUrl, store: sim.store });
    try {
      const request = sale(1230, {
        remark: 'table 4',
        notificationUrl: 'http://127.0.0.1:9/notify',
        shopperIP: '10.0.0.7',
      });
      await recording.unifiedPay(request);
      const [first] = gateway.seen;
      if (!first) throw new Error('nothing sent');
      expect(first.path).toBe('/gw/v4/payment/unifiedPay');
      const { envelope } = first;
      expect(envelope).toMatchObject({
        accId: sim.store.accId,
        clientId: sim.store.accId.slice(0, -3),
        signType: 'SHA256',
        version: '1.0',
      });
      expect(typeof envelope.bizContent).toBe('string');
      expect(verifyEnvelope(envelope, sim.store.salt)).toEqual({ valid: true });
      expect(JSON.parse(envelope.bizContent ?? '')).toEqual({
        captureDelayHours: 0,
        amount: '12.30',
        currency: 'CNY',
        merchantTransactionId: request.merchantTransactionId,
        requestId: request.requestId,
        paymentMethod: { type: 'Wechat-Offline', scanCodeId: request.scanCodeId },
        device: { orderTerminal: '02' },
        remark: 'table 4',
        notificationUrl: 'http://127.0.0.1:9/notify',
        shopperIP: '10.0.0.7',
      });
      expect(JSON.stringify(envelope)).not.toContain(sim.store.salt);
    } finally {
      recording.close();
      await gateway.close();
    }
  });

  it('sends the CodeGrant fields for a token payment', async () => {
    const gateway = await recordingGateway();
    const recording = makeClient({ baseUrl: gateway.baseUrl, store: sim.store });
    try {
      await recording.unifiedPayToken({
        merchantTransactionId: 'M1',
        requestId: 'R1',
        amountMinor: 1250,
        currency: 'HKD',
        methodType: 'AlipayHK',
        token: 'TOKEN-1',
        merchantUserId: 'member-9',
      });
      expect(JSON.parse(gateway.seen[0]?.envelope.bizContent ?? '')).toMatchObject({
        bizType: 'CodeGrant',
        token: 'TOKEN-1',
        merchantUserId: 'member-9',
        amount: '12.50',
        currency: 'HKD',
        paymentMethod: { type: 'AlipayHK' },
      });
    } finally {
      recording.close();
      await gateway.close();
    }
  });

  it('uses configured paths, and reuses one kept-alive connection for consecutive calls', async () => {
    const gateway = await recordingGateway();
    const recording = makeClient(
      { baseUrl: gateway.baseUrl, store: sim.store },
      { paths: { query: '/custom/query', refundQuery: '/custom/refundQuery' } },
    );
    try {
      await recording.query({ merchantTransactionId: 'M1' });
      await recording.refundQuery({ merchantRefundId: 'F1' });
      await recording.refund({
        merchantTransactionId: 'M1',
        merchantRefundId: 'F2',
        amountMinor: 1,
        currency: 'CNY',
      });
      expect(gateway.seen.map((s) => s.path)).toEqual([
        '/gw/custom/query',
        '/gw/custom/refundQuery',
        '/gw/v4/payment/refund',
      ]);
      const ports = new Set(gateway.seen.map((s) => s.remotePort));
      expect(ports.size).toBe(1);
    } finally {
      recording.close();
      await gateway.close();
    }
  });

  it('answers an unsigned {} with unknown, never paid', async () => {
    const gateway = await recordingGateway();
    const recording = makeClient({ baseUrl: gateway.baseUrl, store: sim.store });
    try {
      expect(await recording.unifiedPay(sale(1230))).toMatchObject({
        kind: 'unknown',
        cause: 'bad-signature',
      });
    } finally {
      recording.close();
      await gateway.close();
    }
  });
});

describe('configuration', () => {
  const good = {
    baseUrl: 'http://127.0.0.1:1',
    accId: '2018092714313010016291',
    salt: 'SECRET-SALT-VALUE',
    timeoutMs: 1000,
  };

  it.each([
    ['missing salt', { salt: '' }, /salt/],
    ['missing accId', { accId: '' }, /accId/],
    ['accId that is not digits', { accId: 'store-1' }, /accId/],
    ['bad URL', { baseUrl: 'not a url' }, /baseUrl/],
    ['non-http URL', { baseUrl: 'ftp://example.com' }, /baseUrl/],
    ['zero timeout', { timeoutMs: 0 }, /timeoutMs/],
    ['bad signType', { signType: 'SHA1' as never }, /signType/],
    ['path without leading slash', { paths: { query: 'v4/payment/query' } }, /path/],
  ])('refuses %s at construction, without echoing the salt', (_name, override, message) => {
    let error: unknown;
    try {
      new GatewayClient({ ...good, ...override });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(good.salt);
  });
});
