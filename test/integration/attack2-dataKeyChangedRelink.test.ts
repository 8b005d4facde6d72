/**
 * Attack: a linked wallet whose token cannot be read here any more (the data key was lost
 * or changed: a new Windows profile, a journal copied to another machine).
 *
 * The charge is refused with a clear reason, nothing is sent (attack2-dataKeyChanged.test.ts).
 * But the reason says "ask the customer to scan their payment code or link again", and
 * linking again cannot work: MemberService.startLink (electron/members/memberService.ts) returns any
 * active link of the wallet as it is — the unreadable one — so the member is stuck with a
 * link that can never be charged until a supervisor unbinds it (fixed: a link whose token
 * cannot be read here no longer counts as linked; linking again starts a new sign-up).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newDataKey } from '../../electron/members/tokenCipher.ts';
import { removeDir, tempDataDir } from '../support/engineProcess.ts';
import {
  customerDoes,
  openMemberTerminal,
  startMemberSim,
  type MemberSim,
  type MemberTerminal,
} from './members/support.ts';

let sim: MemberSim;
const open: MemberTerminal[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  sim = await startMemberSim(0.05);
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const d of dirs.splice(0)) removeDir(d);
});
afterAll(async () => {
  await sim.close();
});

/** A member linked (active) under one key, then the same folder opened under another. */
async function linkedThenKeyChanged() {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  const a = await openMemberTerminal(sim, {
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
  const b = await openMemberTerminal(sim, {
    key: newDataKey(),
    terminalId: 'A2DK',
    dataDir,
    keepDir: true,
  });
  open.push(b);
  return { b, memberId, oldLinkId: pending.linkId };
}

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
