/**
 * The simulator's hosted checkout (prePay, pay on the customer's phone) over real HTTP with
 * raw signed envelopes: field checks, idempotency, the checkout page, its expiry, the
 * subscription's payment token and later charges, the revoke test hook, notifications, and
 * sessions kept across a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  openPage,
  pressPageButton,
  rawRequest,
  revokePaymentTokenOverHttp,
  startNotificationReceiver,
  startTestSimulator,
  uniqueId,
  withSimulator,
  type TestSimulator,
} from '../support/simulator.ts';

const PRE_PAY = '/v4/payment/prePay';
const PAY = '/v4/payment/unifiedPay';
const QUERY = '/v4/payment/query';
const REFUND = '/v4/payment/refund';

const sim = withSimulator({ timeScale: 0.05 });

const RECURRING = {
  recurringPaymentStartDate: '2026-12-01 00:00:00',
  recurringPaymentIntervalUnit: 'month',
  recurringPaymentIntervalCount: '6',
  recurringPaymentEndDate: '2028-12-01 00:00:00',
};

function prePayBiz(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    merchantTransactionId: uniqueId('M'),
    requestId: uniqueId('R'),
    amount: '25.00',
    currency: 'HKD',
    paymentType: 'DEBIT',
    paymentBrand: 'ApplePay',
    shopperResultUrl: 'https://shop.example/done',
    ...overrides,
  };
}

function subscriptionBiz(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return prePayBiz({
    merchantUserId: uniqueId('U'),
    createToken: 'Y',
    bizType: 'CodeGrant',
    recurringInfo: RECURRING,
    ...overrides,
  });
}

async function status(simulator: TestSimulator, merchantTransactionId: unknown) {
  return (await rawRequest(simulator, QUERY, { merchantTransactionId })).biz;
}

function recurringBiz(
  token: string,
  merchantUserId: string,
  overrides: Record<string, unknown> = {},
) {
  return {
    captureDelayHours: 0,
    amount: '25.00',
    currency: 'HKD',
    merchantTransactionId: uniqueId('M'),
    requestId: uniqueId('R'),
    bizType: 'CodeGrant',
    merchantUserId,
    tokenDetail: { token },
    device: { orderTerminal: '02' },
    ...overrides,
  };
}

/** A subscription paid on the page: its member and payment token. */
async function paidSubscription(simulator: TestSimulator) {
  const biz = subscriptionBiz();
  const created = await rawRequest(simulator, PRE_PAY, biz);
  await pressPageButton(String(created.biz.paymentUrl), 'pay');
  const paid = await status(simulator, biz.merchantTransactionId);
  return { biz, merchantUserId: String(biz.merchantUserId), token: String(paid.token) };
}

describe('prePay checks', () => {
  it('answers a signed paymentUrl to the checkout page and a session token; the order is PROCESSING', async () => {
    const biz = prePayBiz();
    const answer = await rawRequest(sim, PRE_PAY, biz);
    expect(answer.signedByStore).toBe(true);
    expect(answer.envelope.code).toBe('000000');
    expect(answer.biz).toMatchObject({
      merchantTransactionId: biz.merchantTransactionId,
      requestId: biz.requestId,
      status: 'PROCESSING',
      amount: '25.000000',
      currency: 'HKD',
    });
    expect(String(answer.biz.paymentUrl)).toMatch(
      new RegExp(`^${sim.baseUrl}/__sim/checkout\\?ticket=[\\w-]+$`),
    );
    expect(answer.biz.token).toEqual(expect.stringMatching(/\S/));
    expect(await status(sim, biz.merchantTransactionId)).toMatchObject({ status: 'PROCESSING' });
  });

  it.each([
    ['amount', { amount: '0.00' }, /amount must be more than zero/],
    ['amount decimals', { amount: '1.234' }, /more than 2 decimal places/],
    ['currency', { currency: 'EUR' }, /not a supported currency/],
    ['paymentType', { paymentType: undefined }, /paymentType is missing/],
    ['paymentType value', { paymentType: 'AUTH' }, /paymentType must be DEBIT/],
    [
      'paymentBrand',
      { paymentBrand: 'Visa' },
      /paymentBrand must be ApplePay, GooglePay, or absent/,
    ],
    [
      'shopperResultUrl',
      { shopperResultUrl: 'ftp://x' },
      /shopperResultUrl must be an http\(s\) URL/,
    ],
    [
      'merchantTransactionId',
      { merchantTransactionId: undefined },
      /merchantTransactionId is missing/,
    ],
  ])('refuses a bad %s (102000 naming the field)', async (_name, change, message) => {
    const answer = await rawRequest(sim, PRE_PAY, prePayBiz(change));
    expect(answer.envelope.code).toBe('102000');
    expect(answer.envelope.description).toMatch(message);
  });

  it.each([
    [
      'only merchantUserId',
      { merchantUserId: 'm', createToken: undefined, bizType: undefined, recurringInfo: undefined },
      /createToken is missing/,
    ],
    ['no recurringInfo', { recurringInfo: undefined }, /recurringInfo is missing/],
    ['createToken N', { createToken: 'N' }, /createToken must be "Y"/],
    ['bizType', { bizType: 'Other' }, /bizType must be CodeGrant/],
    [
      'start date',
      { recurringInfo: { ...RECURRING, recurringPaymentStartDate: '2026-12-01' } },
      /recurringPaymentStartDate must be "YYYY-MM-DD HH:mm:ss"/,
    ],
    [
      'unit',
      { recurringInfo: { ...RECURRING, recurringPaymentIntervalUnit: 'fortnight' } },
      /day, week, month or year/,
    ],
    [
      'count',
      { recurringInfo: { ...RECURRING, recurringPaymentIntervalCount: '0' } },
      /IntervalCount must be a whole number/,
    ],
    [
      'end before start',
      { recurringInfo: { ...RECURRING, recurringPaymentEndDate: '2026-01-01 00:00:00' } },
      /must be after recurringPaymentStartDate/,
    ],
  ])('refuses a subscription with %s: its fields go together', async (_name, change, message) => {
    const answer = await rawRequest(sim, PRE_PAY, subscriptionBiz(change));
    expect(answer.envelope.code).toBe('102000');
    expect(answer.envelope.description).toMatch(message);
  });

  it('accepts the card page (no brand) and Google Pay', async () => {
    for (const paymentBrand of [undefined, 'GooglePay']) {
      const answer = await rawRequest(sim, PRE_PAY, prePayBiz({ paymentBrand }));
      expect(answer.envelope.code).toBe('000000');
      expect((await openPage(String(answer.biz.paymentUrl))).html).toContain(
        paymentBrand ?? 'Card',
      );
    }
  });

  it('is idempotent on requestId; other content for it, or a new request for an open order, is 107000', async () => {
    const biz = prePayBiz();
    const first = await rawRequest(sim, PRE_PAY, biz);
    const again = await rawRequest(sim, PRE_PAY, biz);
    expect(again.biz).toEqual(first.biz);
    expect((await rawRequest(sim, PRE_PAY, { ...biz, amount: '26.00' })).envelope.code).toBe(
      '107000',
    );
    expect(
      (await rawRequest(sim, PRE_PAY, { ...biz, requestId: uniqueId('R') })).envelope.code,
    ).toBe('107000');
    // A requestId already used cannot start a checkout of another order either.
    const ledgerBefore = sim.ledger().length;
    expect(
      (await rawRequest(sim, PRE_PAY, prePayBiz({ requestId: biz.requestId }))).envelope.code,
    ).toBe('107000');
    expect(sim.ledger()).toHaveLength(ledgerBefore);
  });

  it('after a failed checkout, the order may be tried again with a new requestId', async () => {
    const biz = prePayBiz();
    const first = await rawRequest(sim, PRE_PAY, biz);
    await pressPageButton(String(first.biz.paymentUrl), 'fail');
    const retry = await rawRequest(sim, PRE_PAY, { ...biz, requestId: uniqueId('R') });
    expect(retry.envelope.code).toBe('000000');
    expect(retry.biz.paymentUrl).not.toBe(first.biz.paymentUrl);
    await pressPageButton(String(retry.biz.paymentUrl), 'pay');
    expect(await status(sim, biz.merchantTransactionId)).toMatchObject({ status: 'SUCCESS' });
    expect(
      sim
        .ledger()
        .filter((e) => e.merchantTransactionId === biz.merchantTransactionId)
        .map((e) => e.status),
    ).toEqual(['FAILED', 'SUCCESS']);
  });
});

describe('the checkout page', () => {
  it('shows the amount, currency, brand and Pay / Fail buttons; no script or external resource', async () => {
    const biz = prePayBiz({ amount: '1234.50' });
    const { paymentUrl } = (await rawRequest(sim, PRE_PAY, biz)).biz as { paymentUrl: string };
    const response = await fetch(paymentUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('HKD 1,234.50');
    expect(html).toContain('ApplePay');
    expect(html).toContain(String(biz.merchantTransactionId));
    expect(html).toMatch(/<button[^>]*data-action="pay"/);
    expect(html).toMatch(/<button[^>]*data-action="fail"/);
    expect(html).not.toMatch(/<script|src=|href=/i);
  });

  it('pay → SUCCESS with one charge; the page then offers nothing and refuses a second pay (409)', async () => {
    const biz = prePayBiz();
    const { paymentUrl } = (await rawRequest(sim, PRE_PAY, biz)).biz as { paymentUrl: string };
    const paid = await pressPageButton(paymentUrl, 'pay');
    expect(paid.status).toBe(200);
    expect(paid.shownStatus).toBe('SUCCESS');
    expect(paid.html).not.toContain('data-action=');
    const again = await pressPageButton(paymentUrl, 'pay');
    expect(again.status).toBe(409);
    expect(again.html).toContain('this checkout is SUCCESS');
    const charges = sim
      .ledger()
      .filter((e) => e.merchantTransactionId === biz.merchantTransactionId);
    expect(charges).toEqual([
      expect.objectContaining({
        status: 'SUCCESS',
        amount: '25.00',
        source: 'checkout',
        scanCodeId: null,
      }),
    ]);
    // Paid money can be refunded like any payment.
    const refund = await rawRequest(sim, REFUND, {
      merchantTransactionId: biz.merchantTransactionId,
      merchantRefundId: uniqueId('F'),
      amount: '25.00',
      currency: 'HKD',
    });
    expect(refund.biz.status).toBe('SUCCESS');
  });

  it('answers an unknown ticket with a 404 page and an unknown action with 400', async () => {
    const missing = await openPage(`${sim.baseUrl}/__sim/checkout?ticket=nope`);
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('No checkout has this link');
    const { paymentUrl } = (await rawRequest(sim, PRE_PAY, prePayBiz())).biz as {
      paymentUrl: string;
    };
    const odd = await pressPageButton(paymentUrl, 'refund');
    expect(odd.status).toBe(400);
    expect(odd.html).toContain('use pay or fail');
  });

  it('closes an unpaid checkout after 15 min × time scale: CLOSED, nothing charged', async () => {
    const fast = await startTestSimulator({ timeScale: 0.001 });
    try {
      const biz = prePayBiz();
      const { paymentUrl } = (await rawRequest(fast, PRE_PAY, biz)).biz as { paymentUrl: string };
      await vi.waitFor(
        async () =>
          expect(await status(fast, biz.merchantTransactionId)).toMatchObject({ status: 'CLOSED' }),
        { timeout: 10_000, interval: 100 },
      );
      expect((await pressPageButton(paymentUrl, 'pay')).status).toBe(409);
      // A closed order may be offered again with a new requestId.
      expect(
        (await rawRequest(fast, PRE_PAY, { ...biz, requestId: uniqueId('R') })).envelope.code,
      ).toBe('000000');
    } finally {
      await fast.close();
    }
  });
});

describe('subscriptions', () => {
  it('the paid first payment carries the payment token (query and notification); an unpaid one does not', async () => {
    const receiver = await startNotificationReceiver(sim.store.salt);
    try {
      const path = `/notify/${uniqueId('N')}`;
      const biz = subscriptionBiz({ notificationUrl: `${receiver.url}${path}` });
      const created = await rawRequest(sim, PRE_PAY, biz);
      expect(await status(sim, biz.merchantTransactionId)).not.toHaveProperty('token');
      expect((await openPage(String(created.biz.paymentUrl))).html).toContain('every 6 month');
      await pressPageButton(String(created.biz.paymentUrl), 'pay');
      const paid = await status(sim, biz.merchantTransactionId);
      expect(paid).toMatchObject({ status: 'SUCCESS', merchantUserId: biz.merchantUserId });
      expect(paid.token).toEqual(expect.stringMatching(/\S/));
      expect(paid.token).not.toBe(created.biz.token);
      await vi.waitFor(() => expect(receiver.received(path)).toHaveLength(1), {
        timeout: 10_000,
        interval: 20,
      });
      expect(receiver.received(path)[0]).toMatchObject({
        signedByStore: true,
        biz: { notifyType: 'RECHARGE', status: 'SUCCESS', token: paid.token },
      });
    } finally {
      await receiver.close();
    }
  });

  it('later charges with tokenDetail.token and the same member succeed, without a code, naming the member', async () => {
    const sub = await paidSubscription(sim);
    const charge = recurringBiz(sub.token, sub.merchantUserId);
    const answer = await rawRequest(sim, PAY, charge);
    expect(answer.envelope.code).toBe('000000');
    expect(answer.biz).toMatchObject({ status: 'SUCCESS', paymentMethod: { type: 'ApplePay' } });
    expect(answer.biz).not.toHaveProperty('token');
    expect(
      sim.ledger().filter((e) => e.merchantTransactionId === charge.merchantTransactionId),
    ).toEqual([
      expect.objectContaining({
        source: 'recurring',
        merchantUserId: sub.merchantUserId,
        scanCodeId: null,
        status: 'SUCCESS',
      }),
    ]);
    // The scenario table applies: 1 → declined.
    const declined = await rawRequest(
      sim,
      PAY,
      recurringBiz(sub.token, sub.merchantUserId, { amount: '25.01' }),
    );
    expect(declined.biz.status).toBe('FAILED');
  });

  it('refuses another member (token does not exist), another currency, a token without bizType, a token of no subscription', async () => {
    const sub = await paidSubscription(sim);
    const other = await rawRequest(sim, PAY, recurringBiz(sub.token, uniqueId('U')));
    expect(other.envelope.code).toBe('107001');
    expect(other.envelope.description).toContain('token does not exist');
    const cny = await rawRequest(
      sim,
      PAY,
      recurringBiz(sub.token, sub.merchantUserId, { currency: 'CNY' }),
    );
    expect(cny.envelope.description).toMatch(/currency must be HKD, the subscription's currency/);
    const noBizType = await rawRequest(
      sim,
      PAY,
      recurringBiz(sub.token, sub.merchantUserId, { bizType: undefined }),
    );
    expect(noBizType.envelope.description).toMatch(/tokenDetail needs bizType CodeGrant/);
    const unknown = await rawRequest(sim, PAY, recurringBiz('SIMPAYTOKEN-0', sub.merchantUserId));
    expect(unknown.envelope.code).toBe('107001');
  });

  it('a revoked payment token (test hook over HTTP) is declined, saying so; nothing charged', async () => {
    const sub = await paidSubscription(sim);
    expect(await revokePaymentTokenOverHttp(sim.baseUrl, sub.token)).toBe(200);
    expect(await revokePaymentTokenOverHttp(sim.baseUrl, 'SIMPAYTOKEN-none')).toBe(404);
    const charge = recurringBiz(sub.token, sub.merchantUserId);
    const answer = await rawRequest(sim, PAY, charge);
    expect(answer.envelope.code).toMatch(/^30\d{4}$/);
    expect(answer.biz).toMatchObject({ status: 'FAILED' });
    expect(String(answer.biz.resultDescription)).toContain('revoked');
    expect(
      sim
        .ledger()
        .filter(
          (e) => e.merchantTransactionId === charge.merchantTransactionId && e.status === 'SUCCESS',
        ),
    ).toEqual([]);
    const bad = await fetch(`${sim.baseUrl}/__sim/control/revoke-payment-token`, {
      method: 'POST',
      body: '{}',
    });
    expect(bad.status).toBe(400);
  });
});

describe('kept across a restart (state file)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pospay-sim-co-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps checkout sessions (their page and expiry) and payment tokens, revoked or not', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await startTestSimulator({ stateFile, timeScale: 0.002 });
    const sub = await paidSubscription(first);
    const revoked = await paidSubscription(first);
    expect(first.revokePaymentToken(revoked.token)).toBe(true);
    const open = prePayBiz();
    const { paymentUrl } = (await rawRequest(first, PRE_PAY, open)).biz as { paymentUrl: string };
    await first.close();

    const second = await startTestSimulator({ stateFile, timeScale: 0.002 });
    try {
      expect(
        (await rawRequest(second, PAY, recurringBiz(sub.token, sub.merchantUserId))).biz.status,
      ).toBe('SUCCESS');
      expect(
        (await rawRequest(second, PAY, recurringBiz(revoked.token, revoked.merchantUserId))).biz
          .status,
      ).toBe('FAILED');
      const moved = new URL(paymentUrl);
      const page = `${second.baseUrl}${moved.pathname}${moved.search}`;
      // 15 min × 0.002 = 1.8 s after it was created, the session closes.
      await vi.waitFor(
        async () =>
          expect((await status(second, open.merchantTransactionId)).status).toBe('CLOSED'),
        { timeout: 10_000, interval: 100 },
      );
      expect((await openPage(page)).shownStatus).toBe('CLOSED');
    } finally {
      await second.close();
    }
  });
});
