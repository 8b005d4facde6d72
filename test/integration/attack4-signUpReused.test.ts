/**
 * Attack (fixed defect): the customer display does not show a sign-up the till re-used.
 *
 * 69142a6 made MemberService.openSignUp (electron/members/memberService.ts:537) offer only
 * sign-ups in `startedHere`, which only startLink's new sign-up adds (line ~497). When the
 * cashier taps Link for a member whose sign-up is still pending — started before the till
 * restarted, or by the back office's `pospay member link` on the same data folder — link()
 * returns that pending sign-up (memberService.ts:467: "latest.status === 'pending' && !lapsed
 * → poll, return it") and the cashier's screen shows its QR, but it is never added to
 * `startedHere`: a customer display opened (or re-opened) now asks member:open-sign-up and
 * gets null, so the customer sees no QR for the sign-up this till is waiting on.
 *
 * Expected: a sign-up this process's link() hands back (and polls) is offered to its display.
 *
 * Fixed: a pending sign-up link() hands back is added to this process's (startedHere).
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import { tempDataDir } from '../support/engineProcess.ts';
import { openMemberTerminal } from './members/support.ts';

const members = useMemberTerminals('SR');
const { key } = members;

describe('a pending sign-up re-used by link() after a restart', () => {
  it('is the one member:open-sign-up offers', async () => {
    const dataDir = members.removeAfter(tempDataDir());
    const before = await openMemberTerminal(members.sim, {
      key,
      terminalId: 'SR1',
      dataDir,
      keepDir: true,
    });
    const id = `SR-${Date.now().toString(36)}`;
    const pending = await before.members.link(id, 'AlipayHK');
    expect(pending.status).toBe('pending');
    expect(before.members.openSignUp()).toMatchObject({ linkId: pending.linkId });
    await before.close();

    // The till restarts; the cashier taps Link again: the same sign-up, its QR on the screen.
    const after = members.track(
      await openMemberTerminal(members.sim, { key, terminalId: 'SR1', dataDir, keepDir: true }),
    );
    const again = await after.members.link(id, 'AlipayHK');
    expect(again).toMatchObject({ linkId: pending.linkId, status: 'pending' });
    expect(again.authUrl).toBe(pending.authUrl);
    // The customer display opened now.
    expect(after.members.openSignUp()).toMatchObject({
      linkId: pending.linkId,
      authUrl: pending.authUrl,
    });
  });
});
