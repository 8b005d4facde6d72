/**
 * Attack: a linked wallet whose token cannot be read here any more (the data key was lost
 * or changed: a new Windows profile, a journal copied to another machine).
 *
 * The charge is refused with a clear reason, nothing is sent, no sale is left open.
 *
 * And linking again, as the reason says ("ask the customer to scan their payment code or
 * link again"), must work: MemberService.startLink (electron/members/memberService.ts) used to
 * return any active link of the wallet as it is — the unreadable one — so the member was
 * stuck with a link that could never be charged until a supervisor unbound it (fixed: a link
 * whose token cannot be read here no longer counts as linked; linking again starts a new
 * sign-up).
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import { EngineError } from '../../electron/engine/errors.ts';
import { newDataKey } from '../../electron/members/tokenCipher.ts';
import { tempDataDir } from '../support/engineProcess.ts';
import { customerDoes, openMemberTerminal } from './members/support.ts';

const members = useMemberTerminals('A2DK');

/** A member linked (active) under one key, then the same folder opened under another. */
async function linkedThenKeyChanged() {
  const dataDir = members.removeAfter(tempDataDir());
  const a = await openMemberTerminal(members.sim, {
    key: newDataKey(),
    terminalId: 'A2DK',
    dataDir,
    keepDir: true,
  });
  const memberId = `A2DK-${Date.now().toString(36)}`;
  const pending = await a.members.link(memberId, 'AlipayHK');
  await customerDoes(pending.authUrl as string, 'agree');
  expect((await a.members.waitForLink(pending.linkId, 10_000)).status).toBe('active');
  await a.close();
  const b = await members.terminal({
    key: newDataKey(),
    terminalId: 'A2DK',
    dataDir,
    keepDir: true,
  });
  return { b, memberId, oldLinkId: pending.linkId };
}

describe('a link sealed under another data key', () => {
  it('a charge is refused with the reason, nothing sent', async () => {
    const { b, memberId } = await linkedThenKeyChanged();
    const before = members.sim.ledger().length;
    const refusal = await b.engine
      .chargeMember({ amountMinor: 10_00, currency: 'HKD', memberId })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(EngineError);
    expect((refusal as EngineError).reasonCode).toBe('link-token-unreadable');
    expect((refusal as EngineError).message).toMatch(/data key/);
    expect(members.sim.ledger().length).toBe(before);
    expect(b.engine.current()).toBeNull();
  });
});

describe('a link sealed under another data key, linked again', () => {
  it('"link again", as the reason says, starts a new sign-up instead of returning the unreadable link', async () => {
    const { b, memberId, oldLinkId } = await linkedThenKeyChanged();
    const again = await b.members.link(memberId, 'AlipayHK');
    // Expected: a new pending sign-up with its wallet page; today: the old link, 'active'.
    expect(again.linkId).not.toBe(oldLinkId);
    expect(again).toMatchObject({ status: 'pending' });
    expect(again.authUrl).toMatch(/^http/);
  });
});
