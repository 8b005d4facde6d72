/**
 * Attack: a defect found in linked wallets, fixed (this test failed before the fix): the
 * terminal asked about a sign-up by its requestId only, so a correctly signed status answer
 * of ANOTHER sign-up of the same member (another token: a replay of an old ACTIVE answer, or
 * a gateway mix-up) made a sign-up the customer never agreed to "active".
 *
 * Cause: electron/members/memberService.ts checkLink() called
 * gateway.queryBind({ merchantUserId, requestId }) without the token it holds (sealed in
 * rec.tokenSealed), and the sign-up query's answer carries no requestId (simulator
 * codeGrant.ts statusBiz; codegrant.md's answer is {token, merchantUserId, paymentMethod,
 * status}), so shared/gateway/codeGrantAnswers.ts accepted() had nothing to compare: any
 * token of that member was taken. Fix: memberService queryOf() unseals the link's token and
 * sends it as `token` in the query (the client then refuses "another token" as unknown); the
 * client also holds a status asked by requestId alone to the token its own sign-up got.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDataKey } from '../../electron/members/tokenCipher.ts';
import { startAnswerProxy } from '../support/simulator.ts';
import {
  customerDoes,
  openMemberTerminal,
  startMemberSim,
  type MemberSim,
} from './members/support.ts';

let sim: MemberSim;
beforeAll(async () => {
  sim = await startMemberSim(0.05);
});
afterAll(async () => {
  await sim.close();
});

describe('fixed: a status answer about another sign-up of the same member', () => {
  it('a replayed ACTIVE answer of an earlier sign-up (another token) does not make a new, unanswered sign-up active', async () => {
    let activeAnswer: string | null = null;
    let replay = false;
    const proxy = await startAnswerProxy(sim.baseUrl, (answer, path) => {
      if (!path.startsWith('/v4/paymethod/bind/query')) return answer;
      if (replay && activeAnswer !== null) return { status: 200, body: activeAnswer };
      if (answer.body.includes('\\"status\\":\\"ACTIVE\\"')) activeAnswer = answer.body;
      return answer;
    });
    const t = await openMemberTerminal(
      { ...sim, baseUrl: proxy.baseUrl },
      { key: newDataKey(), terminalId: 'ATTKM1' },
    );
    try {
      const member = `M-attack-${Date.now().toString(36)}`;
      // The first sign-up: agreed, active, then unbound at the till.
      const first = await t.members.link(member, 'AlipayHK');
      expect(await customerDoes(first.authUrl as string, 'agree')).toBeLessThan(400);
      expect((await t.members.waitForLink(first.linkId, 10_000)).status).toBe('active');
      expect(activeAnswer).not.toBeNull();
      await t.members.unbind(member, 'AlipayHK', 'cashier');
      // A new sign-up the customer never answers.
      const second = await t.members.link(member, 'AlipayHK');
      expect(second.status).toBe('pending');
      expect(second.linkId).not.toBe(first.linkId);
      replay = true;
      const checked = await t.members.checkLink(second.linkId);
      // Expected: the answer names another token, so it is not about this sign-up: still pending.
      expect(checked.status).toBe('pending');
    } finally {
      await t.close();
      await proxy.close();
    }
  });
});
