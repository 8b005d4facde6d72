/**
 * The member channels (shared/ipc/memberChannels.ts) at the boundary, with their handlers
 * (electron/app/memberHandlers.ts) over a real engine, member service and simulator: every
 * request and answer checked by the contract's zod schemas (dispatchInvoke), WeChat Pay and
 * bad input refused at the boundary, unbind and renewals behind the supervisor PIN, and no
 * token in any answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  dispatchInvoke,
  type HandlerContext,
  type Handlers,
} from '../../../electron/app/handlers.ts';
import { createMemberHandlers } from '../../../electron/app/memberHandlers.ts';
import { DEFAULT_PIN, DEFAULT_PIN_HASH, PinGuard } from '../../../electron/app/pin.ts';
import { newDataKey } from '../../../electron/members/tokenCipher.ts';
import { localDay } from '../../../shared/sale.ts';
import { isShownFinal, waitFor } from '../../support/engineProcess.ts';
import {
  customerDoes,
  openMemberTerminal,
  startMemberSim,
  type MemberSim,
  type MemberTerminal,
} from './support.ts';

let sim: MemberSim;
const open: MemberTerminal[] = [];
beforeAll(async () => {
  sim = await startMemberSim(0.05);
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});
afterAll(async () => {
  await sim.close();
});

async function boundary() {
  const t = await openMemberTerminal(sim, {
    key: newDataKey(),
    terminalId: `IPC${open.length + 1}`,
  });
  open.push(t);
  const ctx = {
    engine: () => t.engine,
    settings: () => ({
      currency: 'HKD',
      amountCeilingMinor: 10_000_000,
      supervisorPinHash: DEFAULT_PIN_HASH,
    }),
    pinGuard: new PinGuard({ now: () => 0, freeAttempts: 3, lockMs: 30_000 }),
    members: () => t.members,
  } as unknown as HandlerContext & { members: () => typeof t.members };
  const handlers = createMemberHandlers(ctx) as unknown as Handlers;
  const call = (channel: string, request: unknown) =>
    // No secret to redact: an answer must not carry a token in the first place.
    dispatchInvoke(handlers, channel, request, { secrets: () => [] });
  return { t, call };
}

describe('member channels', () => {
  it('create, link (authUrl, expiresAt), agree, charge; unbind needs the PIN; no token in answers', async () => {
    const { t, call } = await boundary();
    const created = await call('member:create', { memberId: 'IPC-1', label: 'Ms Chan' });
    expect(created).toMatchObject({
      ok: true,
      value: { memberId: 'IPC-1', label: 'Ms Chan', links: [] },
    });
    const linked = await call('member:link', { memberId: 'IPC-1', wallet: 'AlipayHK' });
    expect(linked.ok).toBe(true);
    const link = (linked as { value: { authUrl: string; expiresAt: number; linkId: string } })
      .value;
    expect(link.authUrl).toMatch(/__sim\/wallet\/authorize/);
    expect(link.expiresAt).toBeGreaterThan(Date.now());
    await customerDoes(link.authUrl, 'agree');
    await t.members.waitForLink(link.linkId, 10_000);

    // The cashier had typed the amount (a sale waiting for its code), then chose Member.
    const draft = t.engine.startSale({ amountMinor: 880, currency: 'HKD' });
    const sale = await call('sale:start-member', {
      amountText: '8.80',
      memberId: 'IPC-1',
      replaces: draft.orderId,
    });
    expect(sale).toMatchObject({
      ok: true,
      value: { tender: 'linked-wallet', memberId: 'IPC-1', method: 'AlipayHK' },
    });
    const orderId = (sale as { value: { orderId: string } }).value.orderId;
    await waitFor(
      () => t.engine.sale(orderId),
      (s) => s !== null && isShownFinal(s),
    );

    expect(t.engine.sale(draft.orderId)).toBeNull(); // nothing was sent for it
    expect(await call('member:history', { memberId: 'IPC-1' })).toMatchObject({
      ok: true,
      value: [{ orderId, status: 'paid' }],
    });

    const noPin = await call('member:unbind', { memberId: 'IPC-1', pin: '' });
    expect(noPin).toMatchObject({ ok: false, error: { code: 'pin-required' } });
    const wrong = await call('member:unbind', { memberId: 'IPC-1', pin: '0000' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'pin-wrong' } });
    const unbound = await call('member:unbind', { memberId: 'IPC-1', pin: DEFAULT_PIN });
    expect(unbound).toMatchObject({
      ok: true,
      value: [{ status: 'unbound', unboundBy: 'cashier' }],
    });

    const listed = await call('member:list', {});
    const text = JSON.stringify([created, linked, sale, unbound, listed]);
    expect(t.secrets.tokens.size).toBeGreaterThan(0);
    for (const token of t.secrets.tokens) expect(text).not.toContain(token);
  });

  it('refused at the boundary: WeChat Pay, a member ref with both id and phone, no amount', async () => {
    const { call } = await boundary();
    expect(await call('member:link', { memberId: 'X', wallet: 'WeChatPay' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await call('member:find', { memberId: 'X', phone: '91234567' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await call('sale:start-member', { amountText: '', memberId: 'X' })).toMatchObject({
      ok: false,
      error: { code: 'amount-empty' },
    });
    expect(await call('member:find', { memberId: 'NOBODY' })).toEqual({ ok: true, value: null });
  });

  it('a member found by phone gets an opaque id, the number nowhere in the answer', async () => {
    const { call } = await boundary();
    const created = await call('member:create', { phone: '+852 9123 4567' });
    expect(created.ok).toBe(true);
    const view = (created as { value: { memberId: string; phoneHashed: boolean } }).value;
    expect(view.phoneHashed).toBe(true);
    expect(JSON.stringify(created)).not.toMatch(/91234567|9123 4567/);
    expect(await call('member:find', { phone: '85291234567' })).toMatchObject({
      ok: true,
      value: { memberId: view.memberId },
    });
  });

  it('pay on phone: the sale carries its paymentUrl; renew needs the PIN', async () => {
    const { t, call } = await boundary();
    const started = await call('sale:start-checkout', {
      amountText: '60.00',
      brand: 'ApplePay',
      subscription: {
        memberId: 'IPC-SUB',
        // Started 40 days ago: one monthly renewal is due (a renewal not due is refused).
        startDate: localDay(Date.now() - 40 * 86_400_000),
        intervalUnit: 'month',
        intervalCount: 1,
        endDate: '2099-01-01',
      },
    });
    expect(started).toMatchObject({ ok: true, value: { tender: 'checkout', method: 'ApplePay' } });
    const view = (started as { value: { orderId: string; paymentUrl: string } }).value;
    expect(view.paymentUrl).toMatch(/__sim\/checkout/);
    await customerDoes(view.paymentUrl, 'pay');
    await waitFor(
      () => t.members.subscriptions('IPC-SUB')[0],
      (s) => s?.status === 'active',
    );
    expect(await call('subscription:list', { memberId: 'IPC-SUB' })).toMatchObject({
      ok: true,
      value: [{ status: 'active', paidCount: 1 }],
    });
    expect(
      await call('subscription:renew', { memberId: 'IPC-SUB', amountText: '60.00', pin: '' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'pin-required' },
    });
    const renewed = await call('subscription:renew', {
      memberId: 'IPC-SUB',
      amountText: '60.00',
      pin: DEFAULT_PIN,
    });
    expect(renewed).toMatchObject({ ok: true, value: { tender: 'renewal' } });
  });
});

describe('the members side of the app runtime', () => {
  it('a real terminal gets one (charges then go through it); a test double gets none', async () => {
    const { openTestTerminal, removeDir } = await import('../../support/engineProcess.ts');
    const { membersForRuntime } = await import('../../../electron/members/runtime.ts');
    const { fixedKeys } = await import('./support.ts');
    const t = await openTestTerminal(sim, { currency: 'HKD', region: 'HK' });
    try {
      const members = membersForRuntime(t, {
        dataDir: t.dataDir,
        dataKeys: fixedKeys(newDataKey()),
        gatewayUrl: sim.baseUrl,
        start: false,
      });
      expect(members).not.toBeNull();
      const link = await members?.link('RT-1', 'AlipayHK');
      expect(link?.status).toBe('pending');
      await members?.stop();
      expect(
        membersForRuntime({ engine: {}, close: async () => {} }, { dataDir: t.dataDir }),
      ).toBeNull();
    } finally {
      await t.close();
      removeDir(t.dataDir);
    }
  });
});
