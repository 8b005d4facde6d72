/**
 * GatewayClient's linked-wallet (CodeGrant) and hosted-checkout calls against the embedded
 * simulator over real HTTP: every status a sign-up can take, payments with its token, the
 * pay-on-phone checkout with and without a subscription, and answers that must not be
 * trusted (tampered) ending in `unknown`.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Envelope } from '../../shared/gateway/envelope.ts';
import type { Currency } from '../../shared/money.ts';
import { linked, monthlySubscription, renewal, signUp, tokenSale } from '../support/codeGrant.ts';
import {
  chargesOf,
  makeClient,
  openPage,
  pressPageButton,
  settledOutcome as settled,
  startAnswerProxy,
  startTestSimulator,
  uniqueId,
  withClient,
  withSimulator,
} from '../support/simulator.ts';

const sim = withSimulator({ timeScale: 0.05 });
const client = withClient(sim);

describe('sign-up (bind) and its status', () => {
  it('a new sign-up is PENDING with a token and an authUrl to the wallet page that does not show the token', async () => {
    const link = await signUp(client);
    expect(link.token).not.toBe('');
    expect(link.authUrl.startsWith(`${sim.baseUrl}/__sim/wallet/authorize?ticket=`)).toBe(true);
    expect(link.authUrl).not.toContain(link.token);
    expect(
      await client.queryBind({ merchantUserId: link.merchantUserId, token: link.token }),
    ).toEqual({
      kind: 'status',
      token: link.token,
      merchantUserId: link.merchantUserId,
      wallet: 'AlipayHK',
      status: 'PENDING',
    });
    // By its requestId too.
    expect(
      await client.queryBind({ merchantUserId: link.merchantUserId, requestId: link.requestId }),
    ).toMatchObject({ kind: 'status', token: link.token, status: 'PENDING' });
  });

  it('agree → ACTIVE; the token pays; the ledger has the charge without a code, with wallet and member', async () => {
    const link = await linked(client);
    expect(
      await client.queryBind({ merchantUserId: link.merchantUserId, token: link.token }),
    ).toMatchObject({ kind: 'status', status: 'ACTIVE' });
    const sale = tokenSale(link, 4200);
    const paid = await client.unifiedPayToken(sale);
    expect(paid).toMatchObject({
      kind: 'paid',
      amountMinor: 4200,
      currency: 'HKD',
      merchantTransactionId: sale.merchantTransactionId,
    });
    expect(await client.query({ merchantTransactionId: sale.merchantTransactionId })).toMatchObject(
      { kind: 'paid', amountMinor: 4200 },
    );
    expect(chargesOf(sim, sale.merchantTransactionId)).toEqual([
      expect.objectContaining({
        scanCodeId: null,
        methodType: 'AlipayHK',
        merchantUserId: link.merchantUserId,
        source: 'linked-wallet',
        status: 'SUCCESS',
        amountMinor: 4200,
      }),
    ]);
  });

  it('decline → DECLINED; a payment with that token is declined naming the state', async () => {
    const link = await signUp(client, 'Alipay');
    expect((await pressPageButton(link.authUrl, 'decline')).shownStatus).toBe('DECLINED');
    expect(
      await client.queryBind({ merchantUserId: link.merchantUserId, token: link.token }),
    ).toMatchObject({ kind: 'status', wallet: 'Alipay', status: 'DECLINED' });
    const declined = await client.unifiedPayToken(tokenSale(link, 1000));
    expect(declined).toMatchObject({ kind: 'declined', status: 'FAILED' });
    if (declined.kind !== 'declined') return;
    expect(declined.code).toMatch(/^30\d{4}$/);
    expect(declined.description).toContain('DECLINED');
  });

  it('a token not yet agreed (PENDING) is declined in the 300000 range, nothing charged', async () => {
    const link = await signUp(client);
    const sale = tokenSale(link, 1000);
    const declined = await client.unifiedPayToken(sale);
    expect(declined).toMatchObject({ kind: 'declined', code: '300000' });
    if (declined.kind === 'declined') expect(declined.description).toMatch(/PENDING/);
    expect(chargesOf(sim, sale.merchantTransactionId).map((e) => e.status)).toEqual(['FAILED']);
  });

  it('the same sign-up sent again (same requestId, same content) answers the same token and authUrl', async () => {
    const merchantUserId = uniqueId('U');
    const request = { requestId: uniqueId('B'), merchantUserId, wallet: 'AlipayHK' as const };
    const first = await client.bind(request);
    const again = await client.bind(request);
    expect(first.kind).toBe('created');
    expect(again).toEqual(first);
    const other = await client.bind({ ...request, wallet: 'Alipay' });
    expect(other).toMatchObject({ kind: 'refused', code: '107000' });
  });

  it('an unanswered sign-up expires (10 min × time scale) and its token is declined', async () => {
    const fast = await startTestSimulator({ timeScale: 0.001 });
    const gateway = makeClient(fast);
    try {
      const link = await signUp(gateway);
      await vi.waitFor(
        async () =>
          expect(
            await gateway.queryBind({ merchantUserId: link.merchantUserId, token: link.token }),
          ).toMatchObject({ kind: 'status', status: 'EXPIRED' }),
        { timeout: 10_000, interval: 100 },
      );
      expect((await openPage(link.authUrl)).shownStatus).toBe('EXPIRED');
      expect((await pressPageButton(link.authUrl, 'agree')).status).toBe(409);
      const declined = await gateway.unifiedPayToken(tokenSale(link, 1000));
      expect(declined).toMatchObject({ kind: 'declined' });
      if (declined.kind === 'declined') expect(declined.description).toContain('EXPIRED');
    } finally {
      gateway.close();
      await fast.close();
    }
  });

  it('a sign-up the gateway does not have, or of another member, is refused', async () => {
    const link = await signUp(client);
    expect(
      await client.queryBind({ merchantUserId: uniqueId('U'), token: link.token }),
    ).toMatchObject({ kind: 'refused', code: '107001' });
    expect(
      await client.queryBind({ merchantUserId: link.merchantUserId, requestId: uniqueId('B') }),
    ).toMatchObject({ kind: 'refused', code: '107001' });
  });
});

describe('unbind', () => {
  it('by the merchant: UNBOUND, then the token is declined; unbinding again answers UNBOUND', async () => {
    const link = await linked(client);
    const request = {
      requestId: uniqueId('X'),
      merchantUserId: link.merchantUserId,
      token: link.token,
    };
    expect(await client.unbind(request)).toEqual({ kind: 'unbound' });
    expect(await client.unbind(request)).toEqual({ kind: 'unbound' });
    expect(await client.unbind({ ...request, requestId: uniqueId('X') })).toEqual({
      kind: 'unbound',
    });
    expect(
      await client.queryBind({ merchantUserId: link.merchantUserId, token: link.token }),
    ).toMatchObject({ kind: 'status', status: 'UNBOUND' });
    const declined = await client.unifiedPayToken(tokenSale(link, 1000));
    expect(declined).toMatchObject({ kind: 'declined' });
    if (declined.kind === 'declined') expect(declined.description).toContain('UNBOUND');
  });

  it('by the customer in the wallet (Unlink): the query and the next charge say so', async () => {
    const link = await linked(client);
    expect((await openPage(link.authUrl)).html).toContain('data-action="unbind"');
    expect((await pressPageButton(link.authUrl, 'unbind')).shownStatus).toBe('UNBOUND');
    expect(
      await client.queryBind({ merchantUserId: link.merchantUserId, token: link.token }),
    ).toMatchObject({ kind: 'status', status: 'UNBOUND' });
    expect(await client.unifiedPayToken(tokenSale(link, 1000))).toMatchObject({
      kind: 'declined',
    });
  });

  it('another member or an unknown token is refused: token does not exist', async () => {
    const link = await linked(client);
    expect(
      await client.unbind({
        requestId: uniqueId('X'),
        merchantUserId: uniqueId('U'),
        token: link.token,
      }),
    ).toMatchObject({
      kind: 'refused',
      code: '107001',
      description: expect.stringMatching(/token does not exist/),
    });
    // The link still works for its member.
    expect(await client.unifiedPayToken(tokenSale(link, 1000))).toMatchObject({ kind: 'paid' });
  });
});

describe('token payments', () => {
  it('another member id with the token: rejected "token does not exist", nothing charged', async () => {
    const link = await linked(client);
    const sale = { ...tokenSale(link, 1000), merchantUserId: uniqueId('U') };
    const refused = await client.unifiedPayToken(sale);
    expect(refused).toMatchObject({ kind: 'rejected', code: '107001' });
    if (refused.kind === 'rejected') expect(refused.description).toContain('token does not exist');
    expect(chargesOf(sim, sale.merchantTransactionId)).toEqual([]);
    expect(
      await client.unifiedPayToken({ ...tokenSale(link, 1000), token: 'SIMTOKEN-nope' }),
    ).toMatchObject({ kind: 'rejected', code: '107001' });
  });

  it('above the per-payment limit (AlipayHK HKD 50,000.00, Alipay CNY 500.00): declined naming the limit', async () => {
    const hk = await linked(client, 'AlipayHK');
    const over = await client.unifiedPayToken(tokenSale(hk, 5_000_010));
    expect(over).toMatchObject({ kind: 'declined', status: 'FAILED' });
    if (over.kind === 'declined') expect(over.description).toContain('HKD 50,000.00');
    expect(await client.unifiedPayToken(tokenSale(hk, 5_000_000))).toMatchObject({ kind: 'paid' });
    const cn = await linked(client, 'Alipay');
    const cnOver = await client.unifiedPayToken(tokenSale(cn, 50_010));
    expect(cnOver).toMatchObject({ kind: 'declined' });
    if (cnOver.kind === 'declined') expect(cnOver.description).toContain('CNY 500.00');
    expect(await client.unifiedPayToken(tokenSale(cn, 50_000))).toMatchObject({ kind: 'paid' });
  });

  it('follows the scenario table and requestId idempotency like any payment', async () => {
    const link = await linked(client);
    const slow = tokenSale(link, 1232);
    expect(await client.unifiedPayToken(slow)).toMatchObject({ kind: 'pending' });
    expect(await settled(client, slow.merchantTransactionId)).toMatchObject({ kind: 'paid' });
    const sale = tokenSale(link, 1000);
    expect(await client.unifiedPayToken(sale)).toMatchObject({ kind: 'paid' });
    expect(await client.unifiedPayToken(sale)).toMatchObject({ kind: 'paid' });
    expect(chargesOf(sim, sale.merchantTransactionId)).toHaveLength(1);
  });
});

describe('hosted checkout (prePay)', () => {
  function checkout(amountMinor: number, extra: Record<string, unknown> = {}) {
    return {
      merchantTransactionId: uniqueId('M'),
      requestId: uniqueId('R'),
      amountMinor,
      currency: 'HKD' as Currency,
      ...extra,
    };
  }

  it('created → pending until the customer pays on the page → paid, one charge', async () => {
    const request = checkout(8800, { brand: 'ApplePay' });
    const created = await client.prePay(request);
    expect(created).toMatchObject({ kind: 'created' });
    if (created.kind !== 'created') return;
    expect(created.paymentUrl.startsWith(`${sim.baseUrl}/__sim/checkout?ticket=`)).toBe(true);
    expect(
      await client.query({ merchantTransactionId: request.merchantTransactionId }),
    ).toMatchObject({ kind: 'pending', status: 'PROCESSING' });
    const page = await openPage(created.paymentUrl);
    expect(page.html).toContain('ApplePay');
    expect(page.html).toContain('HKD 88.00');
    expect((await pressPageButton(created.paymentUrl, 'pay')).shownStatus).toBe('SUCCESS');
    const paid = await client.query({ merchantTransactionId: request.merchantTransactionId });
    expect(paid).toMatchObject({ kind: 'paid', amountMinor: 8800, currency: 'HKD' });
    expect(paid).not.toHaveProperty('paymentToken');
    expect(chargesOf(sim, request.merchantTransactionId)).toEqual([
      expect.objectContaining({ status: 'SUCCESS', methodType: 'ApplePay', source: 'checkout' }),
    ]);
  });

  it('the same request again answers the same page; another requestId for an open checkout is refused', async () => {
    const request = checkout(1000);
    const first = await client.prePay(request);
    expect(await client.prePay(request)).toEqual(first);
    expect(await client.prePay({ ...request, requestId: uniqueId('R') })).toMatchObject({
      kind: 'refused',
      code: '107000',
    });
  });

  it('fail → declined, nothing paid', async () => {
    const request = checkout(1000, { brand: 'GooglePay' });
    const created = await client.prePay(request);
    if (created.kind !== 'created') throw new Error(JSON.stringify(created));
    expect((await pressPageButton(created.paymentUrl, 'fail')).shownStatus).toBe('FAILED');
    expect(
      await client.query({ merchantTransactionId: request.merchantTransactionId }),
    ).toMatchObject({ kind: 'declined', status: 'FAILED' });
    expect(chargesOf(sim, request.merchantTransactionId).map((e) => e.status)).toEqual(['FAILED']);
  });

  it('an unpaid checkout closes (15 min × time scale): closed, and the page can no longer pay', async () => {
    const fast = await startTestSimulator({ timeScale: 0.001 });
    const gateway = makeClient(fast);
    try {
      const request = checkout(1000);
      const created = await gateway.prePay(request);
      if (created.kind !== 'created') throw new Error(JSON.stringify(created));
      expect(await settled(gateway, request.merchantTransactionId)).toMatchObject({
        kind: 'closed',
        status: 'CLOSED',
      });
      expect((await openPage(created.paymentUrl)).shownStatus).toBe('CLOSED');
      expect((await pressPageButton(created.paymentUrl, 'pay')).status).toBe(409);
      expect(fast.ledger().filter((e) => e.status === 'SUCCESS')).toEqual([]);
    } finally {
      gateway.close();
      await fast.close();
    }
  });

  it('a subscription: the paid first payment carries the payment token; later charges use it; a revoked token is declined', async () => {
    const merchantUserId = uniqueId('U');
    const request = checkout(9900, {
      brand: 'ApplePay',
      subscription: monthlySubscription(merchantUserId),
    });
    const created = await client.prePay(request);
    if (created.kind !== 'created') throw new Error(JSON.stringify(created));
    // Before the payment: no token.
    expect(
      await client.query({ merchantTransactionId: request.merchantTransactionId }),
    ).not.toHaveProperty('paymentToken');
    await pressPageButton(created.paymentUrl, 'pay');
    const paid = await client.query({ merchantTransactionId: request.merchantTransactionId });
    expect(paid).toMatchObject({ kind: 'paid', amountMinor: 9900 });
    const paymentToken = paid.kind === 'paid' ? paid.paymentToken : undefined;
    expect(paymentToken).toEqual(expect.any(String));
    if (paymentToken === undefined) return;

    const charge = renewal({ merchantUserId, paymentToken }, 9900, 'HKD');
    expect(await client.recurringCharge(charge)).toMatchObject({
      kind: 'paid',
      amountMinor: 9900,
      merchantTransactionId: charge.merchantTransactionId,
    });
    expect(chargesOf(sim, charge.merchantTransactionId)).toEqual([
      expect.objectContaining({
        status: 'SUCCESS',
        source: 'recurring',
        merchantUserId,
        methodType: 'ApplePay',
        scanCodeId: null,
      }),
    ]);
    // Another member with the token: token does not exist.
    expect(
      await client.recurringCharge({
        ...charge,
        merchantTransactionId: uniqueId('M'),
        requestId: uniqueId('R'),
        merchantUserId: uniqueId('U'),
      }),
    ).toMatchObject({ kind: 'rejected', code: '107001' });
    // Revoked: declined, saying so.
    expect(sim.revokePaymentToken(paymentToken)).toBe(true);
    const revoked = await client.recurringCharge({
      ...charge,
      merchantTransactionId: uniqueId('M'),
      requestId: uniqueId('R'),
    });
    expect(revoked).toMatchObject({ kind: 'declined', status: 'FAILED' });
    if (revoked.kind === 'declined') expect(revoked.description).toContain('revoked');
  });
});

describe('answers that must not be trusted', () => {
  it('a tampered sign-up, status, unbind or checkout answer is unknown (bad signature), never taken', async () => {
    const link = await linked(client);
    const proxy = await startAnswerProxy(sim.baseUrl, (answer) => {
      const envelope = JSON.parse(answer.body) as Envelope;
      if (typeof envelope.bizContent === 'string') {
        envelope.bizContent = envelope.bizContent
          .replace('"ACTIVE"', '"UNBOUND"')
          .replace('"PENDING"', '"ACTIVE"')
          .replace(/SIMTOKEN-[0-9a-f]+/, 'SIMTOKEN-attacker')
          .replace('/__sim/checkout', '/phishing/checkout');
      }
      return { status: answer.status, body: JSON.stringify(envelope) };
    });
    const viaProxy = makeClient({ baseUrl: proxy.baseUrl, store: sim.store });
    try {
      const tampered = { kind: 'unknown', cause: 'bad-signature' };
      expect(
        await viaProxy.bind({
          requestId: uniqueId('B'),
          merchantUserId: uniqueId('U'),
          wallet: 'Alipay',
        }),
      ).toMatchObject(tampered);
      expect(
        await viaProxy.queryBind({ merchantUserId: link.merchantUserId, token: link.token }),
      ).toMatchObject(tampered);
      expect(
        await viaProxy.prePay({
          merchantTransactionId: uniqueId('M'),
          requestId: uniqueId('R'),
          amountMinor: 1000,
          currency: 'HKD',
        }),
      ).toMatchObject(tampered);
      expect(
        await viaProxy.unbind({
          requestId: uniqueId('X'),
          merchantUserId: link.merchantUserId,
          token: link.token,
        }),
      ).toMatchObject(tampered);
    } finally {
      viaProxy.close();
      await proxy.close();
    }
  });

  it('a correctly signed answer about another member is unknown', async () => {
    const link = await linked(client);
    const other = await linked(client);
    // Replays the signed status of `other` for any status query.
    const replay = await (async () => {
      let body = '';
      const recorder = await startAnswerProxy(sim.baseUrl, (answer) => {
        body = answer.body;
        return answer;
      });
      const recording = makeClient({ baseUrl: recorder.baseUrl, store: sim.store });
      await recording.queryBind({ merchantUserId: other.merchantUserId, token: other.token });
      recording.close();
      await recorder.close();
      return body;
    })();
    const proxy = await startAnswerProxy(sim.baseUrl, (answer) => ({ ...answer, body: replay }));
    const viaProxy = makeClient({ baseUrl: proxy.baseUrl, store: sim.store });
    try {
      expect(
        await viaProxy.queryBind({ merchantUserId: link.merchantUserId, token: link.token }),
      ).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
    } finally {
      viaProxy.close();
      await proxy.close();
    }
  });

  it('no gateway at all: unknown with the reason, for every call', async () => {
    const nowhere = makeClient(
      { baseUrl: 'http://127.0.0.1:9', store: sim.store },
      { timeoutMs: 2_000 },
    );
    try {
      const outcome = await nowhere.bind({
        requestId: uniqueId('B'),
        merchantUserId: uniqueId('U'),
        wallet: 'AlipayHK',
      });
      expect(outcome).toMatchObject({ kind: 'unknown', cause: 'connection-lost' });
      if (outcome.kind === 'unknown') expect(outcome.reason).toMatch(/refused|reachable/);
      expect(await nowhere.queryBind({ merchantUserId: 'm', token: 't' })).toMatchObject({
        kind: 'unknown',
      });
    } finally {
      nowhere.close();
    }
  });
});
