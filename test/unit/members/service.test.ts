/**
 * The link service's decisions with a gateway double (no network): one sign-up at a time
 * per member and wallet, a lost bind answer resolved by the query, a sign-up the gateway
 * never registered lapsing, an unbind the gateway does not confirm changing nothing, and a
 * stale link's re-check that cannot reach the gateway leaving the charge to decide.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../../../electron/journal/journal.ts';
import {
  createMemberService,
  MemberError,
  type LinkGateway,
} from '../../../electron/members/memberService.ts';
import { createTokenCipher, newDataKey } from '../../../electron/members/tokenCipher.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

type Answer<K extends keyof LinkGateway> = Awaited<ReturnType<LinkGateway[K]>>;

function gatewayDouble() {
  const calls: string[] = [];
  const state = {
    bind: {
      kind: 'created',
      token: 'TKN-1',
      authUrl: 'http://sim/auth?ticket=1',
    } as Answer<'bind'>,
    query: { kind: 'unknown', reason: 'timeout' } as Answer<'queryBind'>,
    unbind: { kind: 'unknown', reason: 'timeout' } as Answer<'unbind'>,
  };
  const gateway: LinkGateway = {
    bind: async (r) => {
      calls.push(`bind ${r.requestId}`);
      return state.bind;
    },
    queryBind: async () => {
      calls.push('query');
      return state.query;
    },
    unbind: async () => {
      calls.push('unbind');
      return state.unbind;
    },
  };
  return { gateway, calls, state };
}

/** The gateway's answer to a query about M1's sign-up. */
function signUp(status: string, token = 'TKN-1', wallet = 'AlipayHK'): Answer<'queryBind'> {
  return { kind: 'status', token, merchantUserId: 'M1', wallet, status } as Answer<'queryBind'>;
}

/** M1 linked to AlipayHK (active, TKN-1) at time 1000. */
async function linkedM1() {
  const g = gatewayDouble();
  g.state.query = signUp('ACTIVE');
  const now = { t: 1000 };
  const { s } = service(now, g.gateway);
  const link = await s.link('M1', 'AlipayHK');
  await s.waitForLink(link.linkId, 5000);
  return { g, now, s };
}

function service(now: { t: number }, gateway: LinkGateway, key: Buffer | null = newDataKey()) {
  const dir = tempDataDir();
  const journal: Journal = openJournal({ dir });
  const s = createMemberService({
    journal,
    gateway,
    cipher: createTokenCipher(key),
    clock: { now: () => now.t },
    tuning: { pollScheduleMs: [5], signUpLifetimeMs: 1000, recheckAfterMs: 100 },
  });
  cleanups.push(() => removeDir(dir));
  cleanups.push(() => journal.close());
  cleanups.push(() => s.stop());
  return { s, journal };
}

describe('the link service', () => {
  it('a sign-up still pending is returned again, not a second bind', async () => {
    const g = gatewayDouble();
    g.state.query = signUp('PENDING');
    const now = { t: 1000 };
    const { s } = service(now, g.gateway);
    const first = await s.link('M1', 'AlipayHK');
    const second = await s.link('M1', 'AlipayHK');
    expect(second.linkId).toBe(first.linkId);
    expect(g.calls.filter((c) => c.startsWith('bind'))).toHaveLength(1);
  });

  it('the sign-up waiting for the customer is the newest open one; none once answered or lapsed', async () => {
    const g = gatewayDouble();
    g.state.query = signUp('PENDING');
    const now = { t: 1000 };
    const { s } = service(now, g.gateway);
    expect(s.openSignUp()).toBeNull();
    await s.link('M1', 'AlipayHK');
    now.t += 10;
    g.state.bind = { kind: 'created', token: 'TKN-2', authUrl: 'http://sim/auth?ticket=2' };
    const second = await s.link('M2', 'Alipay');
    expect(s.openSignUp()).toEqual({
      linkId: second.linkId,
      authUrl: 'http://sim/auth?ticket=2',
      expiresAt: second.expiresAt,
    });
    now.t += 5000; // both past their life and its grace
    expect(s.openSignUp()).toBeNull();

    const answered = await linkedM1();
    expect(answered.s.openSignUp()).toBeNull();
  });

  it('the bind answer is lost: the sign-up stays pending and the query finds it active', async () => {
    const g = gatewayDouble();
    g.state.bind = { kind: 'unknown', reason: 'timeout' };
    const now = { t: 1000 };
    const { s } = service(now, g.gateway);
    const link = await s.link('M1', 'Alipay');
    expect(link).toMatchObject({ status: 'pending', authUrl: null });
    g.state.query = signUp('ACTIVE', 'TKN-9', 'Alipay');
    expect((await s.waitForLink(link.linkId, 5000)).status).toBe('active');
    // Its token was taken from the query (sealed): the charge can use it.
    now.t += 1; // checked just now: no re-check before the charge
    const grant = await s.prepareLinkedCharge('M1', 'Alipay', 'CNY');
    expect(grant).toMatchObject({ ok: true, token: 'TKN-9', merchantUserId: 'M1' });
  });

  it('never registered and its time up: expired, "did not reach the gateway"', async () => {
    const g = gatewayDouble();
    g.state.bind = { kind: 'unknown', reason: 'timeout' };
    g.state.query = { kind: 'refused', code: '107001', description: 'no such sign-up' };
    const now = { t: 1000 };
    const { s } = service(now, g.gateway);
    const link = await s.link('M1', 'AlipayHK');
    now.t += 5000; // past the sign-up's life and its grace
    const checked = await s.checkLink(link.linkId);
    expect(checked).toMatchObject({ status: 'expired' });
    expect(checked.reason).toMatch(/did not reach the gateway/);
  });

  it('an unbind the gateway does not confirm changes nothing, and says so', async () => {
    const { g, s } = await linkedM1();
    g.state.query = { kind: 'unknown', reason: 'timeout' };
    const error = await s.unbind('M1', undefined, 'cashier').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemberError);
    expect((error as MemberError).message).toMatch(/did not confirm/);
    expect(s.view('M1')?.links[0]?.status).toBe('active');
  });

  it('a stale link that cannot be re-checked is still charged (the charge decides)', async () => {
    const { g, now, s } = await linkedM1();
    now.t += 10_000;
    g.state.query = { kind: 'unknown', reason: 'timeout' };
    const before = g.calls.length;
    expect(await s.prepareLinkedCharge('M1', undefined, 'HKD')).toMatchObject({ ok: true });
    expect(g.calls.slice(before)).toEqual(['query']);
  });

  it('no member, no link, a link in another currency: refused with the reason', async () => {
    const g = gatewayDouble();
    const { s } = service({ t: 1 }, g.gateway);
    expect(await s.prepareLinkedCharge('NOPE', undefined, 'HKD')).toMatchObject({
      ok: false,
      reasonCode: 'member-unknown',
    });
    s.findOrCreate({ memberId: 'M2' });
    expect(await s.prepareLinkedCharge('M2', undefined, 'HKD')).toMatchObject({
      ok: false,
      reasonCode: 'link-missing',
    });
  });

  it('a phone number becomes the same opaque id with the same key, and none without a key', () => {
    const g = gatewayDouble();
    const key = newDataKey();
    const a = service({ t: 1 }, g.gateway, key).s.memberIdFor({ phone: '+852 9123-4567' });
    const b = service({ t: 1 }, g.gateway, key).s.memberIdFor({ phone: '85291234567' });
    expect(a.memberId).toBe(b.memberId);
    expect(a.memberId).not.toContain('91234567');
    expect(() => service({ t: 1 }, g.gateway, null).s.memberIdFor({ phone: '91234567' })).toThrow(
      /no data key/,
    );
  });
});
