/**
 * The embedded simulator over real HTTP, spoken to with raw signed envelopes (no
 * GatewayClient): it must behave like the gateway of gateway.md / simulator.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  openTerminal,
  SIMULATOR_STATE_FILE,
  type Terminal,
  type TerminalConfig,
} from '../../electron/app/runtime.ts';
import { signEnvelope, verifyEnvelope } from '../../electron/gateway/signing.ts';
import { startSimulator } from '../../electron/simulator/index.ts';
import type { Envelope } from '../../shared/gateway/envelope.ts';
import type { SaleView } from '../../shared/ipc/contract.ts';
import { maskCode } from '../../shared/paymentCode.ts';
import {
  alipayCode,
  fetchLedger,
  rawRequest,
  startTestSimulator,
  uniqueId,
  wechatCode,
  withSimulator,
  type TestSimulator,
} from '../support/simulator.ts';

const PAY = '/v4/payment/unifiedPay';
const QUERY = '/v4/payment/query';
const REFUND = '/v4/payment/refund';
const REFUND_QUERY = '/v4/payment/refund/query';

function payBiz(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    captureDelayHours: 0,
    amount: '12.30',
    currency: 'CNY',
    merchantTransactionId: uniqueId('M'),
    requestId: uniqueId('R'),
    paymentMethod: { type: 'Wechat-Offline', scanCodeId: wechatCode() },
    device: { orderTerminal: '02' },
    ...overrides,
  };
}

function chargesFor(sim: TestSimulator, merchantTransactionId: string) {
  return sim
    .ledger()
    .filter(
      (entry) => entry.kind === 'charge' && entry.merchantTransactionId === merchantTransactionId,
    );
}

async function queryStatus(sim: TestSimulator, merchantTransactionId: string): Promise<unknown> {
  const answer = await rawRequest(sim, QUERY, { merchantTransactionId });
  return answer.biz.status;
}

const sim = withSimulator({ timeScale: 0.05 });

describe('scenario table (last minor-unit digit of the amount)', () => {
  it('0: SUCCESS at once, signed with the store salt, one charge in the ledger', async () => {
    const biz = payBiz({ amount: '12.30' });
    const answer = await rawRequest(sim, PAY, biz);
    expect(answer.status).toBe(200);
    expect(answer.signedByStore).toBe(true);
    expect(answer.envelope.code).toBe('000000');
    expect(typeof answer.envelope.bizContent).toBe('string');
    expect(answer.biz).toMatchObject({
      status: 'SUCCESS',
      merchantTransactionId: biz.merchantTransactionId,
      requestId: biz.requestId,
      currency: 'CNY',
      paymentMethod: { type: 'Wechat-Offline' },
    });
    expect(answer.biz.amount).toMatch(/^12\.30*$/);
    expect(answer.biz.transactionId).toEqual(expect.any(String));
    const charges = chargesFor(sim, biz.merchantTransactionId as string);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({
      status: 'SUCCESS',
      amount: '12.30',
      amountMinor: 1230,
      currency: 'CNY',
      requestId: biz.requestId,
      // As the terminal's journal keeps it: the full code is the customer's secret.
      scanCodeId: maskCode((biz.paymentMethod as { scanCodeId: string }).scanCodeId),
    });
  });

  it('1: FAILED with a result code in the 30xxxx declined range', async () => {
    const biz = payBiz({ amount: '12.31' });
    const answer = await rawRequest(sim, PAY, biz);
    expect(answer.signedByStore).toBe(true);
    expect(answer.biz.status).toBe('FAILED');
    expect(answer.biz.resultCode).toMatch(/^30[0-2]\d{3}$/);
    expect(chargesFor(sim, biz.merchantTransactionId as string).map((c) => c.status)).toEqual([
      'FAILED',
    ]);
  });

  it('2: PROCESSING, then SUCCESS once the payer confirms', async () => {
    const biz = payBiz({ amount: '12.32' });
    const answer = await rawRequest(sim, PAY, biz);
    expect(answer.envelope.code).toBe('002000');
    expect(answer.biz.status).toBe('PROCESSING');
    await vi.waitFor(
      async () =>
        expect(await queryStatus(sim, biz.merchantTransactionId as string)).toBe('SUCCESS'),
      { timeout: 15_000, interval: 50 },
    );
    expect(chargesFor(sim, biz.merchantTransactionId as string).map((c) => c.status)).toEqual([
      'SUCCESS',
    ]);
  });

  it('3: PROCESSING, then FAILED when the payer cancels', async () => {
    const biz = payBiz({ amount: '12.33' });
    expect((await rawRequest(sim, PAY, biz)).biz.status).toBe('PROCESSING');
    await vi.waitFor(
      async () =>
        expect(await queryStatus(sim, biz.merchantTransactionId as string)).toBe('FAILED'),
      { timeout: 15_000, interval: 50 },
    );
  });

  it('4: PROCESSING, never confirmed, closed by the gateway; nothing charged', async () => {
    const biz = payBiz({ amount: '12.34' });
    expect((await rawRequest(sim, PAY, biz)).biz.status).toBe('PROCESSING');
    await vi.waitFor(
      async () =>
        expect(await queryStatus(sim, biz.merchantTransactionId as string)).toBe('CLOSED'),
      { timeout: 30_000, interval: 100 },
    );
    const charges = chargesFor(sim, biz.merchantTransactionId as string);
    expect(charges.map((c) => c.status)).toEqual(['CLOSED']);
  });

  it('5: charges, then drops the connection without answering; query finds the charge', async () => {
    const biz = payBiz({ amount: '12.35' });
    await expect(rawRequest(sim, PAY, biz)).rejects.toThrow();
    expect(await queryStatus(sim, biz.merchantTransactionId as string)).toBe('SUCCESS');
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(1);
  });

  it('6: charges first, answers only later (signed SUCCESS)', async () => {
    const biz = payBiz({ amount: '12.36' });
    let answered = false;
    const pending = rawRequest(sim, PAY, biz).then((answer) => {
      answered = true;
      return answer;
    });
    await vi.waitFor(
      () => expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(1),
      {
        timeout: 10_000,
        interval: 10,
      },
    );
    expect(await queryStatus(sim, biz.merchantTransactionId as string)).toBe('SUCCESS');
    expect(answered).toBe(false);
    const answer = await pending;
    expect(answer.signedByStore).toBe(true);
    expect(answer.biz.status).toBe('SUCCESS');
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(1);
  });

  it('7: charges and answers with a wrong signature; the query is correctly signed', async () => {
    const biz = payBiz({ amount: '12.37' });
    const answer = await rawRequest(sim, PAY, biz);
    expect(answer.signedByStore).toBe(false);
    expect(answer.envelope.sign).toMatch(/^[0-9A-F]{64}$/);
    const query = await rawRequest(sim, QUERY, {
      merchantTransactionId: biz.merchantTransactionId,
    });
    expect(query.signedByStore).toBe(true);
    expect(query.biz.status).toBe('SUCCESS');
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(1);
  });

  it('8: 105000 expired code, nothing charged', async () => {
    const biz = payBiz({ amount: '12.38' });
    const answer = await rawRequest(sim, PAY, biz);
    expect(answer.signedByStore).toBe(true);
    expect(answer.envelope.code).toBe('105000');
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(0);
    const query = await rawRequest(sim, QUERY, {
      merchantTransactionId: biz.merchantTransactionId,
    });
    expect(query.envelope.code).toBe('107001');
  });

  it('9: HTTP 500/500000 without charging; the retry of that requestId succeeds, once', async () => {
    const biz = payBiz({ amount: '12.39' });
    const first = await rawRequest(sim, PAY, biz);
    expect(first.status).toBe(500);
    expect(first.envelope.code).toBe('500000');
    expect(first.signedByStore).toBe(true);
    const query = await rawRequest(sim, QUERY, {
      merchantTransactionId: biz.merchantTransactionId,
    });
    expect(query.envelope.code).toBe('107001');
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(0);
    const retry = await rawRequest(sim, PAY, biz);
    expect(retry.status).toBe(200);
    expect(retry.biz.status).toBe('SUCCESS');
    const again = await rawRequest(sim, PAY, biz);
    expect(again.biz.transactionId).toBe(retry.biz.transactionId);
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(1);
  });
});

describe('request checks', () => {
  it('answers a wrong signature with 104000, signed with the store salt', async () => {
    const biz = payBiz();
    const answer = await rawRequest(sim, PAY, biz, { salt: 'NOT-THE-SALT' });
    expect(answer.envelope.code).toBe('104000');
    expect(answer.signedByStore).toBe(true);
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(0);
  });

  it('answers an altered message (bizContent changed after signing) with 104000', async () => {
    const biz = payBiz();
    const signedFor = JSON.stringify(biz);
    const altered = signedFor.replace('"12.30"', '"0.10"');
    const message = signEnvelope(
      {
        accId: sim.store.accId,
        clientId: sim.store.accId.slice(0, -3),
        signType: 'SHA256',
        version: '1.0',
        bizContent: signedFor,
      },
      sim.store.salt,
    );
    const response = await fetch(`${sim.baseUrl}${PAY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...message, bizContent: altered }),
    });
    const envelope = (await response.json()) as Envelope;
    expect(envelope.code).toBe('104000');
  });

  it('answers an unknown accId with 103000', async () => {
    const answer = await rawRequest(sim, PAY, payBiz(), {
      accId: '2018092714313010099999',
      salt: 'WHATEVER',
    });
    expect(answer.envelope.code).toBe('103000');
    expect(answer.envelope.description).toContain('accId');
  });

  it('answers a clientId that is not the store merchant with 103000', async () => {
    const answer = await rawRequest(sim, PAY, payBiz(), { clientId: '2018092714313010099' });
    expect(answer.envelope.code).toBe('103000');
    expect(answer.signedByStore).toBe(true);
  });

  it('answers bizContent that is not a JSON string with 102000 naming bizContent', async () => {
    const biz = payBiz();
    const answer = await rawRequest(sim, PAY, biz, { bizContentOverride: biz });
    expect(answer.envelope.code).toBe('102000');
    expect(answer.envelope.description).toContain('bizContent');
    const notJson = await rawRequest(sim, PAY, biz, { bizContentOverride: '{amount: 12.30' });
    expect(notJson.envelope.code).toBe('102000');
    expect(notJson.envelope.description).toContain('bizContent');
  });

  const malformed: Array<[string, Record<string, unknown>, string]> = [
    ['missing amount', { amount: undefined }, 'amount'],
    ['amount as a number', { amount: 12.3 }, 'amount'],
    ['three decimals in CNY', { amount: '12.305' }, 'amount'],
    ['zero amount', { amount: '0.00' }, 'amount'],
    ['negative amount', { amount: '-12.30' }, 'amount'],
    ['unknown currency', { currency: 'XYZ' }, 'currency'],
    ['WeChat in HKD', { currency: 'HKD', amount: '12.30' }, 'currency'],
    [
      'missing merchantTransactionId',
      { merchantTransactionId: undefined },
      'merchantTransactionId',
    ],
    ['requestId over 64 characters', { requestId: 'R'.repeat(65) }, 'requestId'],
    [
      'unknown payment method',
      { paymentMethod: { type: 'Visa', scanCodeId: wechatCode() } },
      'paymentMethod.type',
    ],
    [
      'letters in the code',
      { paymentMethod: { type: 'Wechat-Offline', scanCodeId: '13ABC4567890123456' } },
      'paymentMethod.scanCodeId',
    ],
    [
      'code sent as a number',
      { paymentMethod: { type: 'Wechat-Offline', scanCodeId: 134567890123456780 } },
      'paymentMethod.scanCodeId',
    ],
    ['missing captureDelayHours', { captureDelayHours: undefined }, 'captureDelayHours'],
    ['notificationUrl not a URL', { notificationUrl: 'not a url' }, 'notificationUrl'],
  ];
  it.each(malformed)('answers %s with 102000 naming the field', async (_name, overrides, field) => {
    const biz = payBiz(overrides);
    const answer = await rawRequest(sim, PAY, biz);
    expect(answer.envelope.code).toBe('102000');
    expect(answer.envelope.description).toContain(field);
    expect(answer.signedByStore).toBe(true);
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(0);
  });

  it('accepts an amount with fewer decimals than the currency allows', async () => {
    const answer = await rawRequest(sim, PAY, payBiz({ amount: '12.3' }));
    expect(answer.biz.status).toBe('SUCCESS');
  });

  it('checks method and currency of Alipay: HK in HKD, mainland in CNY', async () => {
    const hk = await rawRequest(
      sim,
      PAY,
      payBiz({
        currency: 'HKD',
        paymentMethod: { type: 'AlipayHK-Offline', scanCodeId: alipayCode() },
      }),
    );
    expect(hk.biz.status).toBe('SUCCESS');
    const cn = await rawRequest(
      sim,
      PAY,
      payBiz({
        currency: 'CNY',
        paymentMethod: { type: 'AlipayCN-Offline', scanCodeId: alipayCode() },
      }),
    );
    expect(cn.biz.status).toBe('SUCCESS');
    const wrong = await rawRequest(
      sim,
      PAY,
      payBiz({
        currency: 'CNY',
        paymentMethod: { type: 'AlipayHK-Offline', scanCodeId: alipayCode() },
      }),
    );
    expect(wrong.envelope.code).toBe('102000');
    expect(wrong.envelope.description).toContain('currency');
  });

  it('answers 105000 for digits no wallet issues for that method (an Alipay code sent as WeChat)', async () => {
    const biz = payBiz({ paymentMethod: { type: 'Wechat-Offline', scanCodeId: alipayCode() } });
    const answer = await rawRequest(sim, PAY, biz);
    expect(answer.envelope.code).toBe('105000');
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(0);
  });

  it('answers MD5-signed requests with an MD5-signed answer', async () => {
    const answer = await rawRequest(sim, PAY, payBiz(), { signType: 'MD5' });
    expect(answer.envelope.signType).toBe('MD5');
    expect(answer.envelope.sign).toMatch(/^[0-9A-F]{32}$/);
    expect(answer.signedByStore).toBe(true);
    expect(answer.biz.status).toBe('SUCCESS');
  });
});

describe('single use, idempotency, duplicates', () => {
  it('refuses a code already used, even for another order (105000)', async () => {
    const code = wechatCode();
    const first = await rawRequest(
      sim,
      PAY,
      payBiz({ paymentMethod: { type: 'Wechat-Offline', scanCodeId: code } }),
    );
    expect(first.biz.status).toBe('SUCCESS');
    const second = payBiz({ paymentMethod: { type: 'Wechat-Offline', scanCodeId: code } });
    const answer = await rawRequest(sim, PAY, second);
    expect(answer.envelope.code).toBe('105000');
    expect(chargesFor(sim, second.merchantTransactionId as string)).toHaveLength(0);
  });

  it('answers the same requestId with the first outcome and charges nothing new', async () => {
    const biz = payBiz();
    const first = await rawRequest(sim, PAY, biz);
    const ledgerSize = sim.ledger().length;
    const second = await rawRequest(sim, PAY, biz);
    expect(second.envelope.code).toBe(first.envelope.code);
    expect(second.biz).toEqual(first.biz);
    expect(sim.ledger()).toHaveLength(ledgerSize);
  });

  it('answers a new requestId for an order already paid with 107000', async () => {
    const biz = payBiz();
    expect((await rawRequest(sim, PAY, biz)).biz.status).toBe('SUCCESS');
    const answer = await rawRequest(sim, PAY, {
      ...biz,
      requestId: uniqueId('R'),
      paymentMethod: { type: 'Wechat-Offline', scanCodeId: wechatCode() },
    });
    expect(answer.envelope.code).toBe('107000');
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(1);
  });

  it('answers a new requestId for an order still waiting for the payer with 107000', async () => {
    const biz = payBiz({ amount: '12.34' });
    expect((await rawRequest(sim, PAY, biz)).biz.status).toBe('PROCESSING');
    const answer = await rawRequest(sim, PAY, {
      ...biz,
      requestId: uniqueId('R'),
      paymentMethod: { type: 'Wechat-Offline', scanCodeId: wechatCode() },
    });
    expect(answer.envelope.code).toBe('107000');
  });

  it('lets a declined order be tried again with a new requestId and a new code', async () => {
    const biz = payBiz({ amount: '12.31' });
    expect((await rawRequest(sim, PAY, biz)).biz.status).toBe('FAILED');
    const retry = await rawRequest(sim, PAY, {
      ...biz,
      requestId: uniqueId('R'),
      paymentMethod: { type: 'Wechat-Offline', scanCodeId: wechatCode() },
    });
    expect(retry.biz.status).toBe('FAILED');
    expect(chargesFor(sim, biz.merchantTransactionId as string)).toHaveLength(2);
  });
});

describe('query', () => {
  it('finds a payment by merchantTransactionId and by transactionId', async () => {
    const biz = payBiz();
    const paid = await rawRequest(sim, PAY, biz);
    const byMtid = await rawRequest(sim, QUERY, {
      merchantTransactionId: biz.merchantTransactionId,
    });
    const byId = await rawRequest(sim, QUERY, { transactionId: paid.biz.transactionId });
    for (const answer of [byMtid, byId]) {
      expect(answer.signedByStore).toBe(true);
      expect(answer.biz).toMatchObject({
        status: 'SUCCESS',
        transactionId: paid.biz.transactionId,
        merchantTransactionId: biz.merchantTransactionId,
      });
    }
  });

  it('answers 107001 for an unknown payment and 102000 when no id is given', async () => {
    expect(
      (await rawRequest(sim, QUERY, { merchantTransactionId: uniqueId('X') })).envelope.code,
    ).toBe('107001');
    expect((await rawRequest(sim, QUERY, { transactionId: '1999' })).envelope.code).toBe('107001');
    const none = await rawRequest(sim, QUERY, {});
    expect(none.envelope.code).toBe('102000');
    expect(none.envelope.description).toContain('merchantTransactionId');
  });

  it('does not show one store the payments of another', async () => {
    const biz = payBiz();
    await rawRequest(sim, PAY, biz);
    const other = { accId: '2018092714313010016289', salt: 'BCE27A281029F5EAF3CC0E82' };
    const answer = await rawRequest({ baseUrl: sim.baseUrl, store: other }, QUERY, {
      merchantTransactionId: biz.merchantTransactionId,
    });
    expect(answer.signedByStore).toBe(true);
    expect(answer.envelope.code).toBe('107001');
  });
});

describe('refunds', () => {
  async function paidOrder(amount = '100.00'): Promise<string> {
    const biz = payBiz({ amount });
    expect((await rawRequest(sim, PAY, biz)).biz.status).toBe('SUCCESS');
    return biz.merchantTransactionId as string;
  }

  function refund(merchantTransactionId: string, amount: string, merchantRefundId = uniqueId('F')) {
    return rawRequest(sim, REFUND, {
      merchantTransactionId,
      merchantRefundId,
      amount,
      currency: 'CNY',
    });
  }

  it('refunds twice partially, then the remainder, then nothing more (108003)', async () => {
    const mtid = await paidOrder('100.00');
    for (const amount of ['30.00', '20.50', '49.50']) {
      const answer = await refund(mtid, amount);
      expect(answer.signedByStore).toBe(true);
      expect(answer.envelope.code).toBe('000000');
      expect(answer.biz.status).toBe('SUCCESS');
      expect(answer.biz.refundId).toEqual(expect.any(String));
    }
    const beyond = await refund(mtid, '0.01');
    expect(beyond.envelope.code).toBe('108003');
    const refunds = sim
      .ledger()
      .filter((entry) => entry.kind === 'refund' && entry.merchantTransactionId === mtid);
    expect(refunds.map((entry) => entry.amountMinor)).toEqual([3000, 2050, 4950]);
    expect(refunds.every((entry) => entry.status === 'SUCCESS')).toBe(true);
  });

  it('refuses more than the payment (108000) and more than the balance left (108003)', async () => {
    const mtid = await paidOrder('50.00');
    expect((await refund(mtid, '50.01')).envelope.code).toBe('108000');
    expect((await refund(mtid, '40.00')).envelope.code).toBe('000000');
    const over = await refund(mtid, '10.01');
    expect(over.envelope.code).toBe('108003');
    expect(over.envelope.description).toContain('10.00');
  });

  it('refunds in full at once', async () => {
    const mtid = await paidOrder('100.00');
    expect((await refund(mtid, '100.00')).biz.status).toBe('SUCCESS');
    expect((await refund(mtid, '0.01')).envelope.code).toBe('108003');
  });

  it('refuses to refund a payment that did not succeed (303000) or does not exist (107001)', async () => {
    const biz = payBiz({ amount: '12.31' });
    await rawRequest(sim, PAY, biz);
    expect((await refund(biz.merchantTransactionId as string, '1.00')).envelope.code).toBe(
      '303000',
    );
    expect((await refund(uniqueId('X'), '1.00')).envelope.code).toBe('107001');
  });

  it('validates the refund amount against the currency', async () => {
    const mtid = await paidOrder();
    const answer = await refund(mtid, '1.005');
    expect(answer.envelope.code).toBe('102000');
    expect(answer.envelope.description).toContain('amount');
  });

  it('repeats a merchantRefundId without refunding twice, and answers refund queries', async () => {
    const mtid = await paidOrder('100.00');
    const merchantRefundId = uniqueId('F');
    const first = await refund(mtid, '10.00', merchantRefundId);
    const second = await refund(mtid, '10.00', merchantRefundId);
    expect(second.biz.refundId).toBe(first.biz.refundId);
    expect(
      sim
        .ledger()
        .filter((entry) => entry.kind === 'refund' && entry.merchantTransactionId === mtid),
    ).toHaveLength(1);
    const query = await rawRequest(sim, REFUND_QUERY, {
      merchantRefundId,
      merchantTransactionId: mtid,
    });
    expect(query.signedByStore).toBe(true);
    expect(query.biz).toMatchObject({ status: 'SUCCESS', refundId: first.biz.refundId });
    expect(
      (await rawRequest(sim, REFUND_QUERY, { merchantRefundId: uniqueId('F') })).envelope.code,
    ).toBe('107001');
  });
});

describe('ledger over HTTP', () => {
  it('serves GET /__sim/ledger as the same JSON array', async () => {
    await rawRequest(sim, PAY, payBiz());
    const overHttp = await fetchLedger(sim.baseUrl);
    expect(overHttp).toEqual(sim.ledger());
    expect(overHttp.length).toBeGreaterThan(0);
    for (const entry of overHttp) {
      expect(Object.keys(entry)).toEqual(
        expect.arrayContaining([
          'kind',
          'merchantTransactionId',
          'requestId',
          'scanCodeId',
          'amount',
          'currency',
          'status',
          'createdAt',
          'updatedAt',
        ]),
      );
    }
  });

  it('is read-only', async () => {
    const response = await fetch(`${sim.baseUrl}/__sim/ledger`, { method: 'POST', body: '[]' });
    expect(response.status).toBe(405);
  });
});

describe('async notifications', () => {
  interface Received {
    envelope: Envelope;
    biz: Record<string, unknown>;
  }
  let receiver: http.Server;
  let receiverUrl = '';
  /** What the receiver answers, per path, in order; then 200 with an empty body. */
  const script = new Map<string, Array<{ status: number; body: string }>>();
  const received = new Map<string, Received[]>();

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const envelope = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope;
        const path = req.url ?? '/';
        const list = received.get(path) ?? [];
        list.push({
          envelope,
          biz: JSON.parse(envelope.bizContent ?? '{}') as Record<string, unknown>,
        });
        received.set(path, list);
        const next = script.get(path)?.shift() ?? { status: 200, body: '' };
        res.writeHead(next.status).end(next.body);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('POSTs a signed RECHARGE notification and retries after a non-2xx answer', async () => {
    const path = `/notify/${uniqueId('N')}`;
    script.set(path, [{ status: 500, body: 'busy' }]);
    const biz = payBiz({ notificationUrl: `${receiverUrl}${path}` });
    await rawRequest(sim, PAY, biz);
    await vi.waitFor(() => expect(received.get(path)).toHaveLength(2), {
      timeout: 15_000,
      interval: 20,
    });
    const deliveries = received.get(path) ?? [];
    for (const { envelope, biz: content } of deliveries) {
      expect(verifyEnvelope(envelope, sim.store.salt)).toEqual({ valid: true });
      expect(content).toMatchObject({
        notifyType: 'RECHARGE',
        status: 'SUCCESS',
        merchantTransactionId: biz.merchantTransactionId,
        currency: 'CNY',
      });
      expect(content.transactionTime).toMatch(/^\d+$/);
    }
    // Every retry carries the same message, so the receiver can de-duplicate.
    expect(deliveries[1]?.envelope.bizContent).toBe(deliveries[0]?.envelope.bizContent);
  });

  it('retries when the receiver answers 2xx with body FAIL', async () => {
    const path = `/notify/${uniqueId('N')}`;
    script.set(path, [
      { status: 200, body: 'FAIL' },
      { status: 503, body: '' },
    ]);
    await rawRequest(sim, PAY, payBiz({ notificationUrl: `${receiverUrl}${path}` }));
    await vi.waitFor(() => expect(received.get(path)).toHaveLength(3), {
      timeout: 15_000,
      interval: 20,
    });
  });

  it('notifies only the final state of a payment that was PROCESSING', async () => {
    const path = `/notify/${uniqueId('N')}`;
    const biz = payBiz({ amount: '12.33', notificationUrl: `${receiverUrl}${path}` });
    expect((await rawRequest(sim, PAY, biz)).biz.status).toBe('PROCESSING');
    await vi.waitFor(() => expect(received.get(path)).toHaveLength(1), {
      timeout: 15_000,
      interval: 20,
    });
    expect(received.get(path)?.[0]?.biz).toMatchObject({
      status: 'FAILED',
      notifyType: 'RECHARGE',
    });
  });
});

describe('lifecycle', () => {
  it('close() returns promptly with an answer and state changes still pending', async () => {
    const local = await startTestSimulator({ timeScale: 1 });
    const late = rawRequest(local, PAY, payBiz({ amount: '12.36' })).catch(() => 'closed');
    await rawRequest(local, PAY, payBiz({ amount: '12.34' }));
    await vi.waitFor(() => expect(local.ledger()).toHaveLength(2), {
      timeout: 10_000,
      interval: 10,
    });
    await local.close();
    expect(await late).toBe('closed');
    await expect(fetch(`${local.baseUrl}/__sim/ledger`)).rejects.toThrow();
  });

  it('keeps payments, used codes and request ids across a restart with a state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pospay-sim-'));
    try {
      const stateFile = join(dir, 'state.json');
      const first = await startTestSimulator({ stateFile, timeScale: 0.2 });
      const biz = payBiz();
      const paid = await rawRequest(first, PAY, biz);
      const pending = payBiz({ amount: '12.32' });
      expect((await rawRequest(first, PAY, pending)).biz.status).toBe('PROCESSING');
      await first.close();
      expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ version: 2 });

      const second = await startTestSimulator({ stateFile, timeScale: 0.2 });
      try {
        expect(
          second.ledger().filter((e) => e.merchantTransactionId === biz.merchantTransactionId),
        ).toHaveLength(1);
        const again = await rawRequest(second, PAY, biz);
        expect(again.biz.transactionId).toBe(paid.biz.transactionId);
        const reuse = await rawRequest(second, PAY, payBiz({ paymentMethod: biz.paymentMethod }));
        expect(reuse.envelope.code).toBe('105000');
        // The payer's confirmation still arrives after the restart.
        await vi.waitFor(
          async () =>
            expect(
              (
                await rawRequest(second, QUERY, {
                  merchantTransactionId: pending.merchantTransactionId,
                })
              ).biz.status,
            ).toBe('SUCCESS'),
          { timeout: 15_000, interval: 50 },
        );
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers HTTP 500/500000 instead of crashing when its state file cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pospay-sim-'));
    const lines: string[] = [];
    const local = await startTestSimulator({
      stateFile: join(dir, 'gone', 'state.json'),
      log: (line) => lines.push(line),
    });
    try {
      const biz = payBiz();
      const answer = await rawRequest(local, PAY, biz);
      expect(answer.status).toBe(500);
      expect(answer.envelope.code).toBe('500000');
      expect(answer.signedByStore).toBe(true);
      expect(lines.join('\n')).toMatch(/unifiedPay failed/);
      // Still serving: the ledger answers.
      expect(Array.isArray(await fetchLedger(local.baseUrl))).toBe(true);
    } finally {
      await local.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('knows extra stores given at start and keeps each store in its own books', async () => {
    const extra = { accId: '1234567890123456789012', salt: 'EXTRA-SALT-123' };
    const local = await startSimulator({ timeScale: 0.05, stores: [extra] });
    try {
      const store = { baseUrl: local.baseUrl, store: extra };
      const answer = await rawRequest(store, PAY, payBiz());
      expect(answer.signedByStore).toBe(true);
      expect(answer.biz.status).toBe('SUCCESS');
      expect(local.ledger()[0]?.accId).toBe(extra.accId);
    } finally {
      await local.close();
    }
  });
});

describe('payment codes are never kept in full', () => {
  /** Training mode: the terminal with its embedded simulator, state in the data folder. */
  function trainingConfig(dataDir: string): TerminalConfig {
    return {
      dataDir,
      region: 'CN',
      currency: 'CNY',
      customerDeadlineMs: 2_000,
      amountCeilingMinor: 5_000_000,
      terminalId: 'TEST',
      embeddedSimulator: { timeScale: 0.05 },
      recovery: 'off',
    };
  }

  async function finalSale(terminal: Terminal, code: string): Promise<SaleView> {
    const sale = terminal.engine.startSale({ amountMinor: 1230, currency: 'CNY' });
    await terminal.engine.submitCode(sale.orderId, code, 'wedge');
    let view = terminal.engine.current();
    await vi.waitFor(
      () => {
        view = terminal.engine.current();
        expect(['paid', 'declined']).toContain(view?.status);
      },
      { timeout: 10_000, interval: 20 },
    );
    if (!view) throw new Error('no sale on the screen');
    return view;
  }

  it('a training sale leaves only the masked code in simulator-state.json; reuse is still refused after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pospay-training-'));
    const stateFile = join(dataDir, SIMULATOR_STATE_FILE);
    const code = wechatCode();
    try {
      const first = await openTerminal(trainingConfig(dataDir));
      try {
        expect(first.trainingMode).toBe(true);
        expect(await finalSale(first, code)).toMatchObject({ status: 'paid' });
      } finally {
        await first.close();
      }
      const bytes = readFileSync(stateFile);
      expect(bytes.includes(maskCode(code))).toBe(true);
      expect(bytes.includes(code)).toBe(false);

      // A restart reads the same file: the code is recognised as used, a fresh one is not.
      const second = await openTerminal(trainingConfig(dataDir));
      try {
        expect(await finalSale(second, code)).toMatchObject({
          status: 'declined',
          reasonCode: 'code-expired',
        });
        expect(await finalSale(second, wechatCode())).toMatchObject({ status: 'paid' });
      } finally {
        await second.close();
      }
      expect(readFileSync(stateFile).includes(code)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('restarted from the state file, the simulator still answers a used code with 105000', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pospay-sim-'));
    const stateFile = join(dir, 'state.json');
    const code = alipayCode();
    const paymentMethod = { type: 'AlipayCN-Offline', scanCodeId: code };
    try {
      const first = await startTestSimulator({ stateFile });
      const expired = wechatCode();
      try {
        expect((await rawRequest(first, PAY, payBiz({ paymentMethod }))).biz.status).toBe(
          'SUCCESS',
        );
        // Scenario 8 uses the code up without charging: that is remembered too.
        const eight = payBiz({
          amount: '12.38',
          paymentMethod: { type: 'Wechat-Offline', scanCodeId: expired },
        });
        expect((await rawRequest(first, PAY, eight)).envelope.code).toBe('105000');
      } finally {
        await first.close();
      }
      const text = readFileSync(stateFile, 'utf8');
      expect(text).not.toContain(code);
      expect(text).not.toContain(expired);

      const second = await startTestSimulator({ stateFile });
      try {
        const reuse = await rawRequest(second, PAY, payBiz({ paymentMethod }));
        expect(reuse.envelope.code).toBe('105000');
        expect(reuse.envelope.description).toMatch(/already used/);
        const again = payBiz({ paymentMethod: { type: 'Wechat-Offline', scanCodeId: expired } });
        expect((await rawRequest(second, PAY, again)).envelope.description).toMatch(/already used/);
        const fresh = payBiz({
          paymentMethod: { type: 'AlipayCN-Offline', scanCodeId: alipayCode() },
        });
        expect((await rawRequest(second, PAY, fresh)).biz.status).toBe('SUCCESS');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads a state file of the previous version (full codes) and rewrites it masked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pospay-sim-'));
    const stateFile = join(dir, 'state.json');
    const code = wechatCode();
    const at = Date.now() - 60_000;
    const merchantTransactionId = uniqueId('M');
    const requestId = uniqueId('R');
    const transactionId = '2024010100000001';
    // What the previous version wrote after one paid sale.
    const previous = {
      format: 'pospay-simulator-state',
      version: 1,
      seq: 1,
      transactions: [
        {
          accId: sim.store.accId,
          transactionId,
          merchantTransactionId,
          requestId,
          scanCodeId: code,
          methodType: 'Wechat-Offline',
          amountMinor: 1230,
          currency: 'CNY',
          status: 'SUCCESS',
          resultCode: '000000',
          resultDescription: 'Transaction succeeded',
          transactionTime: at,
          createdAt: at,
          updatedAt: at,
          notificationUrl: null,
          remark: null,
          transition: null,
        },
      ],
      refunds: [],
      attempts: [{ accId: sim.store.accId, requestId, merchantTransactionId, transactionId }],
      usedCodes: [code],
      failedOnce: [],
      tokens: [],
      notifications: [],
    };
    writeFileSync(stateFile, JSON.stringify(previous));
    try {
      const local = await startTestSimulator({ stateFile });
      try {
        // Rewritten at start, before any request.
        const text = readFileSync(stateFile, 'utf8');
        expect(text).not.toContain(code);
        expect(JSON.parse(text)).toMatchObject({ version: 2 });
        expect(local.ledger()).toEqual([
          expect.objectContaining({
            merchantTransactionId,
            transactionId,
            scanCodeId: maskCode(code),
            status: 'SUCCESS',
          }),
        ]);
        const query = await rawRequest(local, QUERY, { merchantTransactionId });
        expect(query.biz).toMatchObject({ status: 'SUCCESS', transactionId });
        const reuse = payBiz({ paymentMethod: { type: 'Wechat-Offline', scanCodeId: code } });
        const answer = await rawRequest(local, PAY, reuse);
        expect(answer.envelope.code).toBe('105000');
        expect(answer.envelope.description).toMatch(/already used/);
      } finally {
        await local.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows no full code in the ledger, the notifications or the log lines', async () => {
    const bodies: string[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end('SUCCESS');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const notificationUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/n`;
    const lines: string[] = [];
    const local = await startTestSimulator({ log: (line) => lines.push(line) });
    const codes = [wechatCode(), wechatCode(), alipayCode()];
    const [paid, confirmed, declined] = codes;
    try {
      const sale = payBiz({
        notificationUrl,
        paymentMethod: { type: 'Wechat-Offline', scanCodeId: paid },
      });
      await rawRequest(local, PAY, sale);
      await rawRequest(
        local,
        PAY,
        payBiz({
          amount: '12.32',
          notificationUrl,
          paymentMethod: { type: 'Wechat-Offline', scanCodeId: confirmed },
        }),
      );
      await rawRequest(
        local,
        PAY,
        payBiz({
          amount: '12.31',
          notificationUrl,
          paymentMethod: { type: 'AlipayCN-Offline', scanCodeId: declined },
        }),
      );
      await rawRequest(local, REFUND, {
        merchantTransactionId: sale.merchantTransactionId,
        merchantRefundId: uniqueId('F'),
        amount: '1.00',
        currency: 'CNY',
        notificationUrl,
      });
      await vi.waitFor(() => expect(bodies).toHaveLength(4), { timeout: 10_000, interval: 20 });
      const ledger = await fetchLedger(local.baseUrl);
      expect(ledger.map((e) => e.scanCodeId)).toEqual(
        expect.arrayContaining(codes.map((c) => maskCode(c ?? ''))),
      );
      const everything = [JSON.stringify(ledger), ...bodies, ...lines].join('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const code of codes) expect(everything).not.toContain(code);
    } finally {
      await local.close();
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

describe('pospay simulator (command line)', () => {
  it('prints its base URL first, logs requests without secrets, stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['bin/pospay.mjs', 'simulator', '--port', '0', '--time-scale', '0.05'],
      { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      const lines = createInterface({ input: child.stdout });
      const firstLine = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
      });
      expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const remote = { baseUrl: firstLine, store: sim.store };
      const code = wechatCode();
      const answer = await rawRequest(
        remote,
        PAY,
        payBiz({ paymentMethod: { type: 'Wechat-Offline', scanCodeId: code } }),
      );
      expect(answer.signedByStore).toBe(true);
      expect(await fetchLedger(firstLine)).toHaveLength(1);
      await vi.waitFor(() => expect(stderr).toContain('/v4/payment/unifiedPay'), {
        timeout: 10_000,
        interval: 20,
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).not.toContain(sim.store.salt);
      expect(stderr).not.toContain(code);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a bad --time-scale with exit code 2', async () => {
    const child = spawn(process.execPath, ['bin/pospay.mjs', 'simulator', '--time-scale', '-1'], {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--time-scale');
  });
});
