/**
 * Attack (fixed defects): member:open-sign-up (electron/members/memberService.ts openSignUp,
 * ~line 530) answers the newest pending sign-up of the whole journal — whoever started it.
 *
 * 1. Another process on the same data folder. The back office runs `pospay member link
 *    --member X --wallet AlipayHK --no-wait` (the CLI shares the till's journal: "two
 *    processes, one data folder", see attack2-renewTwoTills). The till's customer display,
 *    opened (or back after a break) within the sign-up's 10 minutes, asks member:open-sign-up
 *    and shows member X's wallet page as a QR to whoever stands at the counter; a customer who
 *    scans it and agrees links THEIR wallet to member X, whose later linked-wallet charges and
 *    renewals take that customer's money. The display's events (member:link-updated) only
 *    ever showed the till's own sign-ups; the new read shows any process's.
 *    Expected: the till's display is offered only a sign-up this terminal started.
 *    (Here: two MemberService on one journal, as the till and the CLI are.)
 *
 * 2. Another gateway or mode. Every other read of links keeps to the gateway the terminal
 *    uses now (MemberService.isOurs: startLink, pendingFirstPayments …); openSignUp does not.
 *    After the till is switched from training to live, the training sign-up still pending is
 *    offered to the live customer display (the simulator's page as a QR).
 *    Expected: null — no sign-up of another gateway / mode.
 *
 * Fixed: MemberService.openSignUp offers only sign-ups this process started (startedHere) with
 * the gateway it uses now (isOurs).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../../electron/journal/journal.ts';
import { createMemberService, type LinkGateway } from '../../electron/members/memberService.ts';
import { createTokenCipher, newDataKey } from '../../electron/members/tokenCipher.ts';
import type { GatewayIdentity } from '../../electron/engine/types.ts';
import { removeDir, tempDataDir } from '../support/engineProcess.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

/** A gateway that gives every sign-up a page and leaves it pending. */
function pendingGateway(): LinkGateway {
  let n = 0;
  return {
    bind: async () => {
      n += 1;
      return { kind: 'created', token: `TKN-${n}`, authUrl: `http://gw.example/auth?ticket=${n}` };
    },
    queryBind: async (r) =>
      ({
        kind: 'status',
        token: 'TKN-1',
        merchantUserId: r.merchantUserId ?? 'X',
        wallet: 'AlipayHK',
        status: 'PENDING',
      }) as never,
    unbind: async () => ({ kind: 'unknown', reason: 'timeout' }) as never,
  };
}

function journal(): Journal {
  const dir = tempDataDir();
  const j = openJournal({ dir });
  cleanups.push(() => removeDir(dir));
  cleanups.push(() => j.close());
  return j;
}

const key = newDataKey();
const now = { t: Date.UTC(2026, 11, 2, 5, 0, 0) };

function serviceOn(j: Journal, identity?: GatewayIdentity) {
  const s = createMemberService({
    journal: j,
    gateway: pendingGateway(),
    cipher: createTokenCipher(key),
    clock: { now: () => now.t },
    ...(identity ? { identity } : {}),
    tuning: { pollScheduleMs: [60_000], signUpLifetimeMs: 600_000, recheckAfterMs: 60_000 },
  });
  cleanups.push(() => s.stop());
  return s;
}

const LIVE: GatewayIdentity = { training: false, gateway: 'https://gw.example', accId: 'S1' };
const TRAINING: GatewayIdentity = { training: true, gateway: 'embedded-simulator', accId: 'S1' };

describe("the customer display's open sign-up", () => {
  it("a sign-up the back office's pospay started is not offered to the till's display", async () => {
    const j = journal();
    const till = serviceOn(j, LIVE);
    const backOffice = serviceOn(j, LIVE);
    const theirs = await backOffice.link('BACKOFFICE-X', 'AlipayHK');
    expect(theirs.status).toBe('pending');
    now.t += 1000;
    expect(till.openSignUp()).toBeNull();
    // The till's own sign-up is offered, as before.
    const ours = await till.link('COUNTER-Y', 'AlipayHK');
    expect(till.openSignUp()?.linkId).toBe(ours.linkId);
  });

  it('a training sign-up still pending is not offered once the till is live', async () => {
    const j = journal();
    const training = serviceOn(j, TRAINING);
    const started = await training.link('TRAINEE-1', 'AlipayHK');
    expect(training.openSignUp()?.linkId).toBe(started.linkId);
    training.stop();
    now.t += 1000;
    const live = serviceOn(j, LIVE);
    expect(live.openSignUp()).toBeNull();
  });
});
