/**
 * The simulator's linked wallets (CodeGrant) over real HTTP with raw signed envelopes: the
 * sign-up's field checks, idempotency, the wallet page a customer (or a browser test) uses,
 * the CODEGRANT notifications and their retries, and the sign-ups kept across a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  fetchLedger,
  openPage,
  pressPageButton,
  rawRequest,
  startNotificationReceiver,
  startTestSimulator,
  uniqueId,
  withSimulator,
} from '../support/simulator.ts';

const BIND = '/v4/paymethod/bind';
const BIND_QUERY = '/v4/paymethod/bind/query';
const UNBIND = '/v4/paymethod/unbind';
const PAY = '/v4/payment/unifiedPay';

/** The simulator's log lines (a notification given up or delivered is logged). */
const lines: string[] = [];
const sim = withSimulator({ timeScale: 0.05, log: (line) => lines.push(line) });

function bindBiz(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    requestId: uniqueId('B'),
    merchantUserId: uniqueId('U'),
    paymentMethod: { type: 'AlipayHK' },
    merchantResultUrl: 'https://shop.example/linked',
    notificationUrl: 'https://shop.example/notify',
    device: { orderTerminal: '02' },
    bizType: 'CodeGrant',
    ...overrides,
  };
}

function tokenPayBiz(token: string, merchantUserId: string, amount = '10.00') {
  return {
    captureDelayHours: 0,
    amount,
    currency: 'HKD',
    merchantTransactionId: uniqueId('M'),
    requestId: uniqueId('R'),
    bizType: 'CodeGrant',
    token,
    merchantUserId,
    paymentMethod: { type: 'AlipayHK' },
    device: { orderTerminal: '02' },
  };
}

describe('sign-up checks', () => {
  it('answers a sign-up signed with the store salt: token, authUrl to the wallet page (with a ticket, not the token), PENDING', async () => {
    const biz = bindBiz();
    const answer = await rawRequest(sim, BIND, biz);
    expect(answer.signedByStore).toBe(true);
    expect(answer.envelope.code).toBe('000000');
    expect(answer.biz).toMatchObject({
      requestId: biz.requestId,
      merchantUserId: biz.merchantUserId,
      paymentMethod: { type: 'AlipayHK' },
      status: 'PENDING',
    });
    const { token, authUrl } = answer.biz as { token: string; authUrl: string };
    expect(authUrl).toMatch(new RegExp(`^${sim.baseUrl}/__sim/wallet/authorize\\?ticket=[\\w-]+$`));
    expect(authUrl).not.toContain(token);
  });

  it.each([
    ['requestId', { requestId: undefined }, /requestId is missing/],
    ['requestId > 64', { requestId: 'r'.repeat(65) }, /requestId must be at most 64/],
    ['merchantUserId', { merchantUserId: undefined }, /merchantUserId is missing/],
    ['merchantUserId > 256', { merchantUserId: 'u'.repeat(257) }, /at most 256/],
    ['paymentMethod', { paymentMethod: undefined }, /paymentMethod is missing/],
    ['paymentMethod.type', { paymentMethod: { type: 'Visa' } }, /AlipayHK, Alipay/],
    [
      'merchantResultUrl > 255',
      { merchantResultUrl: `https://x.example/${'a'.repeat(240)}` },
      /merchantResultUrl must be at most 255/,
    ],
    [
      'notificationUrl not a URL',
      { notificationUrl: 'not a url' },
      /notificationUrl must be an http\(s\) URL/,
    ],
    ['device', { device: undefined }, /device is missing/],
    ['device.orderTerminal', { device: { orderTerminal: '09' } }, /orderTerminal must be/],
    ['bizType', { bizType: undefined }, /bizType is missing/],
    ['bizType value', { bizType: 'Recurring' }, /bizType must be CodeGrant/],
  ])(
    'refuses a sign-up with a bad %s (102000 naming the field)',
    async (_name, change, message) => {
      const answer = await rawRequest(sim, BIND, bindBiz(change));
      expect(answer.envelope.code).toBe('102000');
      expect(answer.envelope.description).toMatch(message);
      expect(answer.signedByStore).toBe(true);
    },
  );

  it('refuses WeChat Pay, saying it has no CodeGrant', async () => {
    for (const type of ['Wechat-Offline', 'WeChat Pay', 'Wechat']) {
      const answer = await rawRequest(sim, BIND, bindBiz({ paymentMethod: { type } }));
      expect(answer.envelope.code).toBe('102000');
      expect(answer.envelope.description).toMatch(/WeChat Pay does not support CodeGrant/);
    }
  });

  it('is idempotent on requestId: same content → same token and authUrl; other content → 107000', async () => {
    const biz = bindBiz();
    const first = await rawRequest(sim, BIND, biz);
    const again = await rawRequest(sim, BIND, biz);
    expect(again.biz.token).toBe(first.biz.token);
    expect(again.biz.authUrl).toBe(first.biz.authUrl);
    const other = await rawRequest(sim, BIND, { ...biz, merchantUserId: uniqueId('U') });
    expect(other.envelope.code).toBe('107000');
    expect(other.envelope.description).toMatch(/another sign-up/);
    const wallet = await rawRequest(sim, BIND, { ...biz, paymentMethod: { type: 'Alipay' } });
    expect(wallet.envelope.code).toBe('107000');
  });

  it('answers a status query only with the member id, and with a requestId or token', async () => {
    const biz = bindBiz();
    const { token } = (await rawRequest(sim, BIND, biz)).biz as { token: string };
    const noId = await rawRequest(sim, BIND_QUERY, { merchantUserId: biz.merchantUserId });
    expect(noId.envelope.code).toBe('102000');
    const noMember = await rawRequest(sim, BIND_QUERY, { token });
    expect(noMember.envelope).toMatchObject({ code: '102000' });
    const mixed = await rawRequest(sim, BIND_QUERY, {
      merchantUserId: biz.merchantUserId,
      token,
      requestId: uniqueId('B'),
    });
    expect(mixed.envelope.code).toBe('107001');
  });

  it('does not show one store the sign-ups of another', async () => {
    const biz = bindBiz();
    const { token } = (await rawRequest(sim, BIND, biz)).biz as { token: string };
    const otherStore = { accId: '2018092714313010016289', salt: 'BCE27A281029F5EAF3CC0E82' };
    const answer = await rawRequest({ baseUrl: sim.baseUrl, store: otherStore }, BIND_QUERY, {
      merchantUserId: biz.merchantUserId,
      token,
    });
    expect(answer.envelope.code).toBe('107001');
  });
});

describe('unbind', () => {
  it('cannot unbind a declined sign-up (105000); a repeat of an unbind requestId for another token is 107000', async () => {
    const biz = bindBiz();
    const { token, authUrl } = (await rawRequest(sim, BIND, biz)).biz as {
      token: string;
      authUrl: string;
    };
    await pressPageButton(authUrl, 'decline');
    const refused = await rawRequest(sim, UNBIND, {
      requestId: uniqueId('X'),
      merchantUserId: biz.merchantUserId,
      token,
    });
    expect(refused.envelope.code).toBe('105000');
    expect(refused.envelope.description).toMatch(/DECLINED/);

    const active = bindBiz();
    const link = (await rawRequest(sim, BIND, active)).biz as { token: string; authUrl: string };
    await pressPageButton(link.authUrl, 'agree');
    const requestId = uniqueId('X');
    const done = await rawRequest(sim, UNBIND, {
      requestId,
      merchantUserId: active.merchantUserId,
      token: link.token,
    });
    expect(done.biz).toMatchObject({ status: 'UNBOUND', token: link.token, requestId });
    const reused = await rawRequest(sim, UNBIND, {
      requestId,
      merchantUserId: biz.merchantUserId,
      token,
    });
    expect(reused.envelope.code).toBe('107000');
  });

  it('a PENDING sign-up can be cancelled by the merchant: the wallet page then offers nothing', async () => {
    const biz = bindBiz();
    const link = (await rawRequest(sim, BIND, biz)).biz as { token: string; authUrl: string };
    const done = await rawRequest(sim, UNBIND, {
      requestId: uniqueId('X'),
      merchantUserId: biz.merchantUserId,
      token: link.token,
    });
    expect(done.biz.status).toBe('UNBOUND');
    const page = await openPage(link.authUrl);
    expect(page.shownStatus).toBe('UNBOUND');
    expect(page.html).not.toContain('data-action=');
    expect((await pressPageButton(link.authUrl, 'agree')).status).toBe(409);
  });
});

describe('the wallet page', () => {
  it('shows the store, the member, the wallet, the status, and Agree / Decline buttons for a pending sign-up', async () => {
    const biz = bindBiz({ paymentMethod: { type: 'Alipay' } });
    const { authUrl } = (await rawRequest(sim, BIND, biz)).biz as { authUrl: string };
    const response = await fetch(authUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('name="viewport"');
    expect(html).toContain(sim.store.accId);
    expect(html).toContain(String(biz.merchantUserId));
    expect(html).toContain('Alipay');
    expect(html).toContain('CNY 500.00 per payment');
    expect(html).toMatch(/<button[^>]*data-action="agree"/);
    expect(html).toMatch(/<button[^>]*data-action="decline"/);
    expect(html).not.toContain('data-action="unbind"');
    // No external resource, no script.
    expect(html).not.toMatch(/<script|src=|href=/i);
    expect(html).toMatch(/<form method="post" action="\/__sim\/wallet\/authorize\?ticket=/);
  });

  it('agree redirects back to the page, which then offers only Unlink', async () => {
    const { authUrl } = (await rawRequest(sim, BIND, bindBiz())).biz as { authUrl: string };
    const response = await fetch(authUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=agree',
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      new URL(authUrl).pathname + new URL(authUrl).search,
    );
    const page = await openPage(authUrl);
    expect(page.shownStatus).toBe('ACTIVE');
    expect(page.html).toMatch(/<button[^>]*data-action="unbind"/);
    expect(page.html).not.toContain('data-action="agree"');
  });

  it('refuses an action the sign-up is not in a state for (409) and an unknown action (400), with the reason shown', async () => {
    const { authUrl } = (await rawRequest(sim, BIND, bindBiz())).biz as { authUrl: string };
    const unlink = await pressPageButton(authUrl, 'unbind');
    expect(unlink.status).toBe(409);
    expect(unlink.html).toContain('this sign-up is PENDING');
    const odd = await pressPageButton(authUrl, 'steal');
    expect(odd.status).toBe(400);
    expect(odd.html).toContain('use agree, decline or unbind');
  });

  it('answers an unknown ticket with a 404 page saying so', async () => {
    const page = await openPage(`${sim.baseUrl}/__sim/wallet/authorize?ticket=nope`);
    expect(page.status).toBe(404);
    expect(page.html).toContain('No sign-up has this link');
    expect((await openPage(`${sim.baseUrl}/__sim/wallet/authorize`)).status).toBe(404);
    expect(
      (await pressPageButton(`${sim.baseUrl}/__sim/wallet/authorize?ticket=x`, 'agree')).status,
    ).toBe(404);
  });
});

describe('CODEGRANT notifications', () => {
  let receiver: Awaited<ReturnType<typeof startNotificationReceiver>>;
  beforeAll(async () => {
    receiver = await startNotificationReceiver(sim.store.salt);
  });
  afterAll(async () => {
    await receiver.close();
  });

  async function signUp(path: string) {
    const biz = bindBiz({ notificationUrl: `${receiver.url}${path}` });
    const answer = await rawRequest(sim, BIND, biz);
    return { biz, ...(answer.biz as { token: string; authUrl: string }) };
  }

  it('a sign-up alone sends nothing; agree and the wallet unlink each send a signed CODEGRANT notification', async () => {
    const path = `/notify/${uniqueId('N')}`;
    const link = await signUp(path);
    await pressPageButton(link.authUrl, 'agree');
    await vi.waitFor(() => expect(receiver.received(path)).toHaveLength(1), {
      timeout: 10_000,
      interval: 20,
    });
    await pressPageButton(link.authUrl, 'unbind');
    await vi.waitFor(() => expect(receiver.received(path)).toHaveLength(2), {
      timeout: 10_000,
      interval: 20,
    });
    const [agreed, unlinked] = receiver.received(path);
    for (const notification of [agreed, unlinked]) {
      expect(notification?.signedByStore).toBe(true);
      expect(notification?.envelope.accId).toBe(sim.store.accId);
    }
    expect(agreed?.biz).toEqual({
      notifyType: 'CODEGRANT',
      token: link.token,
      merchantUserId: link.biz.merchantUserId,
      paymentMethod: { type: 'AlipayHK' },
      status: 'ACTIVE',
    });
    expect(unlinked?.biz).toMatchObject({ notifyType: 'CODEGRANT', status: 'UNBOUND' });
  });

  it('a merchant unbind and a decline are notified too', async () => {
    const path = `/notify/${uniqueId('N')}`;
    const link = await signUp(path);
    await pressPageButton(link.authUrl, 'agree');
    await rawRequest(sim, UNBIND, {
      requestId: uniqueId('X'),
      merchantUserId: link.biz.merchantUserId,
      token: link.token,
    });
    const declinedPath = `/notify/${uniqueId('N')}`;
    const declined = await signUp(declinedPath);
    await pressPageButton(declined.authUrl, 'decline');
    await vi.waitFor(
      () => {
        expect(receiver.received(path).map((n) => n.biz.status)).toEqual(['ACTIVE', 'UNBOUND']);
        expect(receiver.received(declinedPath).map((n) => n.biz.status)).toEqual(['DECLINED']);
      },
      { timeout: 10_000, interval: 20 },
    );
  });

  it('is retried twice when not answered HTTP 200, then given up; every retry is the same message', async () => {
    const path = `/notify/${uniqueId('N')}`;
    receiver.script(path, [{ status: 500 }, { status: 503 }, { status: 502 }, { status: 500 }]);
    const link = await signUp(path);
    await pressPageButton(link.authUrl, 'agree');
    await vi.waitFor(() => expect(receiver.received(path)).toHaveLength(3), {
      timeout: 10_000,
      interval: 20,
    });
    const bodies = new Set(receiver.received(path).map((n) => n.envelope.bizContent));
    expect(bodies.size).toBe(1);
    await vi.waitFor(
      () => expect(lines.some((l) => l.includes(`${path} given up after 3 attempts`))).toBe(true),
      { timeout: 10_000, interval: 20 },
    );
    expect(receiver.received(path)).toHaveLength(3);
  });

  it('stops retrying once answered 200', async () => {
    const path = `/notify/${uniqueId('N')}`;
    receiver.script(path, [{ status: 500 }]);
    const link = await signUp(path);
    await pressPageButton(link.authUrl, 'agree');
    await vi.waitFor(() => expect(receiver.received(path)).toHaveLength(2), {
      timeout: 10_000,
      interval: 20,
    });
    await vi.waitFor(
      () => expect(lines.some((l) => l.includes(`${path} delivered (attempt 2)`))).toBe(true),
      { timeout: 10_000, interval: 20 },
    );
    expect(receiver.received(path)).toHaveLength(2);
  });
});

describe('secrets', () => {
  it('no token appears in the ledger (over HTTP) or in a log line', async () => {
    const biz = bindBiz();
    const link = (await rawRequest(sim, BIND, biz)).biz as { token: string; authUrl: string };
    await pressPageButton(link.authUrl, 'agree');
    expect(
      (await rawRequest(sim, PAY, tokenPayBiz(link.token, String(biz.merchantUserId)))).biz.status,
    ).toBe('SUCCESS');
    const ledger = JSON.stringify(await fetchLedger(sim.baseUrl));
    expect(ledger).toContain(String(biz.merchantUserId));
    expect(ledger).not.toContain('SIMTOKEN-');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes('SIMTOKEN-'))).toEqual([]);
  });
});

describe('kept across a restart (state file)', () => {
  it('keeps sign-ups, their status, tickets and the expiry still to come', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pospay-sim-cg-'));
    try {
      const stateFile = join(dir, 'state.json');
      const first = await startTestSimulator({ stateFile, timeScale: 0.002 });
      const active = bindBiz();
      const link = (await rawRequest(first, BIND, active)).biz as {
        token: string;
        authUrl: string;
      };
      await pressPageButton(link.authUrl, 'agree');
      const pending = bindBiz();
      const waiting = (await rawRequest(first, BIND, pending)).biz as { token: string };
      await first.close();
      expect(readFileSync(stateFile, 'utf8')).toContain(waiting.token);

      const second = await startTestSimulator({ stateFile, timeScale: 0.002 });
      try {
        // The ACTIVE token still pays (on the new port the ticket still opens its page).
        const paid = await rawRequest(
          second,
          PAY,
          tokenPayBiz(link.token, String(active.merchantUserId)),
        );
        expect(paid.biz.status).toBe('SUCCESS');
        const moved = new URL(link.authUrl);
        expect(
          (await openPage(`${second.baseUrl}${moved.pathname}${moved.search}`)).shownStatus,
        ).toBe('ACTIVE');
        // The same sign-up request answers the same token after the restart.
        expect((await rawRequest(second, BIND, pending)).biz.token).toBe(waiting.token);
        // The pending one expires on time (10 min × 0.002 = 1.2 s).
        await vi.waitFor(
          async () =>
            expect(
              (
                await rawRequest(second, BIND_QUERY, {
                  merchantUserId: pending.merchantUserId,
                  token: waiting.token,
                })
              ).biz.status,
            ).toBe('EXPIRED'),
          { timeout: 10_000, interval: 100 },
        );
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('token payment checks', () => {
  it('answers "token does not exist" (107001) for another member and an unknown token; 102000 for the wrong currency', async () => {
    const biz = bindBiz();
    const link = (await rawRequest(sim, BIND, biz)).biz as { token: string; authUrl: string };
    await pressPageButton(link.authUrl, 'agree');
    const other = await rawRequest(sim, PAY, tokenPayBiz(link.token, uniqueId('U')));
    expect(other.envelope).toMatchObject({ code: '107001' });
    expect(other.envelope.description).toContain('token does not exist');
    const unknown = await rawRequest(
      sim,
      PAY,
      tokenPayBiz('SIMTOKEN-0', String(biz.merchantUserId)),
    );
    expect(unknown.envelope.code).toBe('107001');
    const cny = await rawRequest(sim, PAY, {
      ...tokenPayBiz(link.token, String(biz.merchantUserId)),
      currency: 'CNY',
    });
    expect(cny.envelope.code).toBe('102000');
    expect(cny.envelope.description).toMatch(/currency must be HKD for AlipayHK/);
    const wechat = await rawRequest(sim, PAY, {
      ...tokenPayBiz(link.token, String(biz.merchantUserId)),
      paymentMethod: { type: 'Wechat-Offline' },
    });
    expect(wechat.envelope.description).toMatch(/WeChat Pay does not support CodeGrant/);
  });

  it('applies a configured limit', async () => {
    const local = await startTestSimulator({ linkLimitsMinor: { AlipayHK: 1000 } });
    try {
      const biz = bindBiz();
      const link = (await rawRequest(local, BIND, biz)).biz as { token: string; authUrl: string };
      await pressPageButton(link.authUrl, 'agree');
      const over = await rawRequest(
        local,
        PAY,
        tokenPayBiz(link.token, String(biz.merchantUserId), '10.10'),
      );
      expect(over.biz).toMatchObject({ status: 'FAILED' });
      expect(over.envelope.code).toMatch(/^30\d{4}$/);
      expect(over.biz.resultDescription).toContain('HKD 10.00 per payment');
    } finally {
      await local.close();
    }
    await expect(startTestSimulator({ linkLimitsMinor: { AlipayHK: -1 } })).rejects.toThrow(
      /linkLimitsMinor.AlipayHK must be a positive whole number/,
    );
  });
});
