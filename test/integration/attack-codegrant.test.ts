/**
 * Attack (hostile review of the linked-wallet / pay-on-phone work): a correctly signed stand-in
 * gateway answers bind, queryBind, unbind and prePay with valid-looking but wrong answers —
 * another request or member or token, a status missing or unknown, an authUrl/paymentUrl
 * that is not http(s), an enormous answer, a body that drips, a connection dropped
 * mid-body. Each must end `unknown` (or `refused`), never `created` / a trusted status, and
 * the token must never appear in a reason. Plus the simulator's own edges: exact limits,
 * page actions replayed, HTML injection through the member id, ticket guessing,
 * idempotency of prePay, currency of a subscription charge.
 *
 * These pass today: they are regression tests. The answer defects found later, now fixed, are
 * in attack-codegrantAnswers.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../electron/gateway/client.ts';
import {
  linked,
  monthlySubscription,
  renewal,
  signUp,
  tokenSale,
  withStandIn as withSignedStandIn,
  type StandInScript,
} from '../support/codeGrant.ts';
import {
  alipayCode,
  openPage,
  pressPageButton,
  rawRequest,
  uniqueId,
  withClient,
  withSimulator,
} from '../support/simulator.ts';

const STORE = { accId: '2026110100000077', salt: 'attack-codegrant-salt-0077' };
const SECRET_TOKEN = 'SIMTOKEN-attack-secret-0123456789abcdef';

/** A client of STORE talking to a signed stand-in gateway scripted by `script`. */
const withStandIn = <T>(
  script: StandInScript,
  run: (client: GatewayClient) => Promise<T>,
  timeoutMs?: number,
) => withSignedStandIn(STORE, script, run, { timeoutMs });

const BIND = { requestId: 'B-attack-1', merchantUserId: 'M-attack-1', wallet: 'AlipayHK' as const };
const goodBind = (biz: Record<string, unknown>) => ({
  requestId: biz.requestId,
  merchantUserId: biz.merchantUserId,
  token: SECRET_TOKEN,
  authUrl: 'https://wallet.example/authorize?t=1',
  paymentMethod: { type: 'AlipayHK' },
  status: 'PENDING',
});

function noSecret(outcome: unknown): void {
  expect(JSON.stringify(outcome)).not.toContain(SECRET_TOKEN);
}

describe('hostile answers to a sign-up (bind)', () => {
  it('a well-formed answer is created (the stand-in itself is sound)', async () => {
    const outcome = await withStandIn(
      (_p, biz) => ({ biz: goodBind(biz) }),
      (c) => c.bind(BIND),
    );
    expect(outcome).toMatchObject({ kind: 'created', token: SECRET_TOKEN });
  });

  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['file:', 'file:///etc/passwd'],
    ['ftp:', 'ftp://wallet.example/authorize'],
    ['scheme-relative', '//wallet.example/authorize'],
    ['whitespace inside', 'https://wallet.example/a b'],
    ['empty', ''],
  ])('an authUrl that is %s is unknown, never created', async (_what, authUrl) => {
    const outcome = await withStandIn(
      (_p, biz) => ({ biz: { ...goodBind(biz), authUrl } }),
      (c) => c.bind(BIND),
    );
    expect(outcome.kind).toBe('unknown');
    noSecret(outcome);
  });

  it('an answer about another requestId or another member is unknown, without the token', async () => {
    for (const tamper of [{ requestId: 'B-someone-else' }, { merchantUserId: 'M-someone-else' }]) {
      const outcome = await withStandIn(
        (_p, biz) => ({ biz: { ...goodBind(biz), ...tamper } }),
        (c) => c.bind(BIND),
      );
      expect(outcome).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
      noSecret(outcome);
    }
  });

  it('an answer with no token, or a token that is not text, is unknown', async () => {
    for (const token of [undefined, '', { nested: SECRET_TOKEN }, null]) {
      const outcome = await withStandIn(
        (_p, biz) => ({ biz: { ...goodBind(biz), token } }),
        (c) => c.bind(BIND),
      );
      expect(outcome.kind).toBe('unknown');
    }
  });

  it('an enormous answer (over 1 MiB) is unknown, not read into memory', async () => {
    const outcome = await withStandIn(
      (_p, biz) => ({ biz: { ...goodBind(biz), padding: 'x'.repeat(2 * 1024 * 1024) } }),
      (c) => c.bind(BIND),
    );
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
  });

  it('a connection dropped in the middle of the body is unknown', async () => {
    const outcome = await withStandIn(
      () => ({
        raw: (res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
          res.write('{"code":"000000","bizContent":"{\\"token\\":\\"' + SECRET_TOKEN);
          setTimeout(() => res.destroy(), 20);
        },
      }),
      (c) => c.bind(BIND),
    );
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'connection-lost' });
    noSecret(outcome);
  });

  it('a body that drips one byte at a time past the deadline is unknown (timeout)', async () => {
    const timers: NodeJS.Timeout[] = [];
    const outcome = await withStandIn(
      () => ({
        raw: (res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          const drip = setInterval(() => {
            if (!res.destroyed) res.write(' ');
          }, 50);
          timers.push(drip);
          res.on('close', () => clearInterval(drip));
        },
      }),
      (c) => c.bind(BIND),
      400,
    );
    for (const t of timers) clearInterval(t);
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'timeout' });
  });
});

describe('hostile answers to a sign-up status query', () => {
  const ASK = { merchantUserId: 'M-attack-1', token: SECRET_TOKEN };
  const goodStatus = (biz: Record<string, unknown>) => ({
    token: biz.token,
    merchantUserId: biz.merchantUserId,
    paymentMethod: { type: 'AlipayHK' },
    status: 'ACTIVE',
  });

  it('a well-formed ACTIVE answer is trusted', async () => {
    const outcome = await withStandIn(
      (_p, biz) => ({ biz: goodStatus(biz) }),
      (c) => c.queryBind(ASK),
    );
    expect(outcome).toMatchObject({ kind: 'status', status: 'ACTIVE' });
  });

  it.each([
    ['status missing', { status: undefined }],
    ['status unknown (ACTIVATED)', { status: 'ACTIVATED' }],
    ['status lower case (active)', { status: 'active' }],
    ['status a number', { status: 1 }],
    ['another member', { merchantUserId: 'M-someone-else' }],
    ['no member', { merchantUserId: undefined }],
    ['another token', { token: 'SIMTOKEN-another-one' }],
    ['no wallet', { paymentMethod: undefined }],
    ['WeChat as the wallet', { paymentMethod: { type: 'Wechat-Offline' } }],
  ])('%s: unknown, never a trusted status, and no token in the reason', async (_w, tamper) => {
    const outcome = await withStandIn(
      (_p, biz) => ({ biz: { ...goodStatus(biz), ...tamper } }),
      (c) => c.queryBind(ASK),
    );
    expect(outcome.kind).toBe('unknown');
    noSecret(outcome);
    expect(JSON.stringify(outcome)).not.toContain('SIMTOKEN-another-one');
  });

  it('a refusal is refused with the gateway code, not a status', async () => {
    const outcome = await withStandIn(
      () => ({ code: '107001', description: 'no such sign-up for this member' }),
      (c) => c.queryBind(ASK),
    );
    expect(outcome).toMatchObject({ kind: 'refused', code: '107001' });
  });
});

describe('hostile answers to unbind and to a checkout creation', () => {
  it('an unbind answered with a status other than UNBOUND, or none, is unknown', async () => {
    for (const status of ['ACTIVE', undefined, 'unbound']) {
      const outcome = await withStandIn(
        (_p, biz) => ({ biz: { ...biz, status } }),
        (c) => c.unbind({ requestId: 'U-1', merchantUserId: 'M-1', token: SECRET_TOKEN }),
      );
      expect(outcome.kind).toBe('unknown');
      noSecret(outcome);
    }
  });

  const CHECKOUT = {
    merchantTransactionId: 'CO-attack-1',
    requestId: 'CO-attack-1-r1',
    amountMinor: 1250,
    currency: 'HKD' as const,
    brand: 'ApplePay' as const,
  };
  const goodCheckout = (biz: Record<string, unknown>) => ({
    merchantTransactionId: biz.merchantTransactionId,
    requestId: biz.requestId,
    status: 'PROCESSING',
    paymentUrl: 'https://pay.example/checkout?ticket=abc',
    token: 'SIMSESSION-1',
  });

  it.each([
    ['javascript:', { paymentUrl: 'javascript:alert(1)' }],
    ['data:', { paymentUrl: 'data:text/html,hi' }],
    ['missing', { paymentUrl: undefined }],
    ['another order', { merchantTransactionId: 'CO-someone-else' }],
    ['another request', { requestId: 'CO-someone-else-r1' }],
    ['no session token', { token: undefined }],
  ])('a checkout answer with %s is unknown, never created', async (_w, tamper) => {
    const outcome = await withStandIn(
      (_p, biz) => ({ biz: { ...goodCheckout(biz), ...tamper } }),
      (c) => c.prePay(CHECKOUT),
    );
    expect(outcome.kind).toBe('unknown');
  });

  it('an unsigned-looking success (wrong salt) is unknown (bad signature)', async () => {
    const outcome = await withSignedStandIn(
      STORE,
      () => ({
        biz: {
          merchantTransactionId: CHECKOUT.merchantTransactionId,
          requestId: CHECKOUT.requestId,
          paymentUrl: 'https://pay.example/x',
          token: 'S',
        },
      }),
      (c) => c.prePay(CHECKOUT),
      { signingSalt: 'not-the-store-salt' },
    );
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'bad-signature' });
  });
});

// The simulator's own edges ----------------------------------------------------------------

const sim = withSimulator({ timeScale: 0.05 });
const client = withClient(sim);

const linkedAlipay = () => linked(client, 'Alipay');
/** Every ledger entry of the order. */
const ledgerOf = (order: string) => sim.ledger().filter((e) => e.merchantTransactionId === order);
/** The order's ledger entries that succeeded. */
const successesOf = (order: string) => ledgerOf(order).filter((e) => e.status === 'SUCCESS');
/** A scanned AlipayHK code paying HKD 12.50 for the order. */
const codePayment = (order: string) =>
  client.unifiedPay({
    merchantTransactionId: order,
    requestId: uniqueId('R'),
    amountMinor: 1250,
    currency: 'HKD',
    method: 'AlipayHK-Offline',
    scanCodeId: alipayCode(),
  });
/** A pay-on-phone checkout of HKD 12.50 for the order (a new one unless named). */
const checkoutOf = (order = uniqueId('CO'), extra: { brand?: 'ApplePay' } = {}) =>
  client.prePay({
    merchantTransactionId: order,
    requestId: uniqueId('R'),
    amountMinor: 1250,
    currency: 'HKD',
    ...extra,
  });

describe('simulator: limits exactly at the boundary', () => {
  it('Alipay CNY 500.00 is paid, CNY 500.01 is declined naming the limit; one charge', async () => {
    const link = await linkedAlipay();
    const at = await client.unifiedPayToken(tokenSale(link, 50_000));
    expect(at.kind).toBe('paid');
    const overLimit = tokenSale(link, 50_001);
    const over = overLimit.merchantTransactionId;
    const above = await client.unifiedPayToken(overLimit);
    expect(above.kind).toBe('declined');
    expect(JSON.stringify(above)).toContain('500.00');
    noSecret(above);
    expect(JSON.stringify(above)).not.toContain(link.token);
    expect(successesOf(over)).toEqual([]);
  });

  it('an Alipay (CNY) token charged in HKD is refused, nothing charged', async () => {
    const link = await linkedAlipay();
    const inHkd = { ...tokenSale(link, 100), currency: 'HKD' as const };
    const order = inHkd.merchantTransactionId;
    const outcome = await client.unifiedPayToken(inHkd);
    expect(outcome.kind).not.toBe('paid');
    expect(JSON.stringify(outcome)).not.toContain(link.token);
    expect(ledgerOf(order)).toEqual([]);
  });
});

describe('simulator: wallet page replayed and attacked', () => {
  it('agree twice: the second is refused (409), still ACTIVE; decline after agree is refused', async () => {
    const link = await linkedAlipay();
    const again = await pressPageButton(link.authUrl, 'agree');
    expect(again.status).toBe(409);
    expect(again.shownStatus).toBe('ACTIVE');
    expect((await pressPageButton(link.authUrl, 'decline')).status).toBe(409);
    expect(
      await client.queryBind({ merchantUserId: link.merchantUserId, token: link.token }),
    ).toMatchObject({ kind: 'status', status: 'ACTIVE' });
  });

  it('unlink before agreeing is refused; a pending sign-up stays PENDING', async () => {
    const bound = await signUp(client);
    const page = await pressPageButton(bound.authUrl, 'unbind');
    expect(page.status).toBe(409);
    expect(page.shownStatus).toBe('PENDING');
  });

  it('a member id with HTML in it is shown as text on the wallet page', async () => {
    const evil = `<script>alert(1)</script><img src=x onerror="alert(2)">'"&`;
    const bound = await signUp(client, 'AlipayHK', evil);
    const page = await openPage(bound.authUrl);
    expect(page.html).not.toContain('<script>alert(1)');
    expect(page.html).not.toContain('<img src=x');
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.html).not.toContain(bound.token);
  });

  it('a guessed or altered ticket finds nothing (404), and the page never shows a token', async () => {
    const bound = await signUp(client);
    const url = new URL(bound.authUrl);
    const ticket = url.searchParams.get('ticket') ?? '';
    expect(ticket.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits
    for (const guess of ['1', 'AAAAAAAAAAAAAAAAAAAAAAAA', `${ticket.slice(0, -1)}x`, '']) {
      url.searchParams.set('ticket', guess);
      const page = await pressPageButton(url.href, 'agree');
      expect(page.status).toBe(404);
    }
    // The sign-up is untouched by the guesses.
    expect((await openPage(bound.authUrl)).shownStatus).toBe('PENDING');
  });
});

describe('simulator: checkout page replayed', () => {
  async function checkout() {
    const order = uniqueId('CO');
    const created = await checkoutOf(order, { brand: 'ApplePay' });
    if (created.kind !== 'created') throw new Error(JSON.stringify(created));
    return { order, paymentUrl: created.paymentUrl };
  }

  it('pay twice: one charge; fail after pay is refused; the order stays paid', async () => {
    const { order, paymentUrl } = await checkout();
    expect((await pressPageButton(paymentUrl, 'pay')).shownStatus).toBe('SUCCESS');
    expect((await pressPageButton(paymentUrl, 'pay')).status).toBe(409);
    expect((await pressPageButton(paymentUrl, 'fail')).status).toBe(409);
    expect(await client.query({ merchantTransactionId: order })).toMatchObject({ kind: 'paid' });
    expect(successesOf(order)).toHaveLength(1);
  });

  it('pay after fail is refused: the order stays declined, nothing charged', async () => {
    const { order, paymentUrl } = await checkout();
    expect((await pressPageButton(paymentUrl, 'fail')).shownStatus).toBe('FAILED');
    const after = await pressPageButton(paymentUrl, 'pay');
    expect(after.status).toBe(409);
    expect(await client.query({ merchantTransactionId: order })).toMatchObject({
      kind: 'declined',
    });
  });

  it('a code payment for an order whose checkout is open is refused (no second charge)', async () => {
    const { order, paymentUrl } = await checkout();
    const code = await codePayment(order);
    expect(code.kind).not.toBe('paid');
    expect((await pressPageButton(paymentUrl, 'pay')).shownStatus).toBe('SUCCESS');
    expect(successesOf(order)).toHaveLength(1);
  });

  it('the same prePay requestId with another amount is refused (107000), not the first page', async () => {
    const order = uniqueId('CO');
    const requestId = uniqueId('R');
    const first = await client.prePay({
      merchantTransactionId: order,
      requestId,
      amountMinor: 1250,
      currency: 'HKD',
    });
    expect(first.kind).toBe('created');
    const second = await client.prePay({
      merchantTransactionId: order,
      requestId,
      amountMinor: 99_999,
      currency: 'HKD',
    });
    expect(second).toMatchObject({ kind: 'refused', code: '107000' });
  });

  it('a subscription charge in another currency than the subscription is refused, nothing charged', async () => {
    const member = uniqueId('U');
    const firstOrder = uniqueId('CO');
    const created = await client.prePay({
      merchantTransactionId: firstOrder,
      requestId: uniqueId('R'),
      amountMinor: 9900,
      currency: 'HKD',
      subscription: monthlySubscription(member),
    });
    if (created.kind !== 'created') throw new Error(JSON.stringify(created));
    const page = await pressPageButton(created.paymentUrl, 'pay');
    expect(page.shownStatus).toBe('SUCCESS');
    const paid = await client.query({ merchantTransactionId: firstOrder });
    if (paid.kind !== 'paid' || !paid.paymentToken) throw new Error(JSON.stringify(paid));
    const inCny = renewal({ merchantUserId: member, paymentToken: paid.paymentToken }, 9900, 'CNY');
    const order = inCny.merchantTransactionId;
    const charge = await client.recurringCharge(inCny);
    expect(charge.kind).toBe('rejected');
    expect(JSON.stringify(charge)).not.toContain(paid.paymentToken);
    expect(ledgerOf(order)).toEqual([]);
  });

  it('the checkout page shows an order id with HTML in it as text', async () => {
    const order = `CO<b>x</b>"'`;
    const created = await rawRequest(sim, '/v4/payment/prePay', {
      merchantTransactionId: order,
      requestId: uniqueId('R'),
      amount: '12.50',
      currency: 'HKD',
      paymentType: 'DEBIT',
      device: { orderTerminal: '02' },
    });
    const url = String(created.biz.paymentUrl ?? '');
    expect(url).toMatch(/^http/);
    const page = await openPage(url);
    expect(page.html).not.toContain('<b>x</b>');
    expect(page.html).toContain('CO&lt;b&gt;x&lt;/b&gt;&quot;&#39;');
  });
});

describe('simulator: ids and tokens used where they do not belong', () => {
  it('the same sign-up requestId with another member or wallet is refused (107000)', async () => {
    const requestId = uniqueId('B');
    const first = await client.bind({
      requestId,
      merchantUserId: uniqueId('U'),
      wallet: 'AlipayHK',
    });
    expect(first.kind).toBe('created');
    const other = await client.bind({
      requestId,
      merchantUserId: uniqueId('U'),
      wallet: 'AlipayHK',
    });
    expect(other).toMatchObject({ kind: 'refused', code: '107000' });
    noSecret(other);
  });

  it('a checkout for an order already paid by code is refused (107000), nothing charged twice', async () => {
    const order = uniqueId('M');
    const paid = await codePayment(order);
    expect(paid.kind).toBe('paid');
    const checkout = await checkoutOf(order);
    expect(checkout).toMatchObject({ kind: 'refused', code: '107000' });
    expect(successesOf(order)).toHaveLength(1);
  });

  it("a checkout's session token is not a linked-wallet token nor a subscription's payment token", async () => {
    const created = await checkoutOf();
    if (created.kind !== 'created') throw new Error(JSON.stringify(created));
    const member = uniqueId('U');
    const asLink = await client.unifiedPayToken(
      tokenSale({ token: created.sessionToken, merchantUserId: member, wallet: 'AlipayHK' }, 100),
    );
    expect(asLink.kind).toBe('rejected');
    const asPaymentToken = await client.recurringCharge(
      renewal({ merchantUserId: member, paymentToken: created.sessionToken }, 100, 'HKD'),
    );
    expect(asPaymentToken.kind).toBe('rejected');
    expect(JSON.stringify([asLink, asPaymentToken])).not.toContain(created.sessionToken);
  });

  it("a linked wallet's CodeGrant token does not work as a subscription's payment token", async () => {
    const link = await linkedAlipay();
    const charge = renewal(
      { merchantUserId: link.merchantUserId, paymentToken: link.token },
      100,
      'CNY',
    );
    const order = charge.merchantTransactionId;
    const outcome = await client.recurringCharge(charge);
    expect(outcome.kind).toBe('rejected');
    expect(ledgerOf(order)).toEqual([]);
  });

  it('a GET of the wallet page with ?action=agree changes nothing (only the form POST acts)', async () => {
    const bound = await signUp(client);
    const response = await fetch(`${bound.authUrl}&action=agree`);
    expect(response.headers.get('content-security-policy')).toBeTruthy();
    await response.text();
    expect((await openPage(bound.authUrl)).shownStatus).toBe('PENDING');
  });

  it('an unbind answered UNBOUND about another token is unknown, not unbound', async () => {
    const outcome = await withStandIn(
      (_p, biz) => ({ biz: { ...biz, token: 'SIMTOKEN-another-one', status: 'UNBOUND' } }),
      (c) => c.unbind({ requestId: 'U-2', merchantUserId: 'M-2', token: SECRET_TOKEN }),
    );
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
    noSecret(outcome);
  });
});
