/**
 * Attack (fixed defect): two tills on one data folder charge the same member's linked wallet.
 *
 * The link-unsettled check (electron/members/memberService.ts prepareLinkedCharge) runs
 * before the re-check of a stale link (an await on the gateway), and not inside the journal
 * transaction that writes the sale ahead (electron/engine/tenders.ts chargeMember → launch,
 * no `precondition`, unlike renew). Till B passes the check, waits for its re-check; till A
 * meanwhile charges the wallet and cancels while the customer confirms (abandoned, not in
 * flight: the one-sale-in-flight rule no longer stops B). B then sends a second charge of
 * the wallet while A's may still go through.
 *
 * Seen: both charges are sent and paid (the simulator's ledger has two SUCCESS charges of
 * the member: A's cancelled one, which went through, and B's); B's is shown paid.
 *
 * Expected: B's charge is refused ('link-unsettled', nothing sent) while A's is unsettled:
 * the gateway sees one charge of the member.
 *
 * Fixed: chargeMember asks MemberPort.unsettledLinkedCharge again as the write-ahead
 * transaction's precondition (as renew does).
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import { tempDataDir, waitFor } from '../support/engineProcess.ts';
import { EngineError } from '../../electron/engine/errors.ts';
import { customerDoes, openMemberTerminal } from './members/support.ts';

const members = useMemberTerminals('UT');
const { key } = members;

describe('two tills on one data folder, one linked wallet', () => {
  it('a charge that passed the check before the other till’s charge was journaled is not sent', async () => {
    const dataDir = members.removeAfter(tempDataDir());
    const a = members.track(
      await openMemberTerminal(members.sim, { key, terminalId: 'UTA', dataDir, keepDir: true }),
    );
    const b = members.track(
      await openMemberTerminal(members.sim, {
        key,
        terminalId: 'UTB',
        dataDir,
        keepDir: true,
        memberTuning: { recheckAfterMs: 0 },
      }),
    );
    const id = `UT-${Date.now().toString(36)}`;
    const pending = await a.members.link(id, 'AlipayHK');
    expect(await customerDoes(pending.authUrl as string, 'agree')).toBeLessThan(400);
    expect((await a.members.waitForLink(pending.linkId, 10_000)).status).toBe('active');

    // Till B's re-check of the link is held until till A's charge is journaled and cancelled.
    const clientB = b.terminal.client as unknown as { queryBind: (r: unknown) => Promise<unknown> };
    const realQuery = clientB.queryBind.bind(clientB);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached: () => void = () => {};
    const atCheck = new Promise<void>((resolve) => (reached = resolve));
    clientB.queryBind = async (r) => {
      reached();
      await held;
      return realQuery(r);
    };
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = b.engine
      .chargeMember({ amountMinor: 8_00, currency: 'HKD', memberId: id })
      .catch((e: unknown) => e as EngineError);
    await atCheck;

    // Amount ending in 2: the customer confirms in the wallet.
    const first = await a.engine.chargeMember({ amountMinor: 7_02, currency: 'HKD', memberId: id });
    await waitFor(
      () => a.engine.sale(first.orderId),
      (s) => s?.status === 'waiting-for-customer',
      10_000,
    );
    a.engine.cancel(first.orderId);
    expect(a.terminal.journal.sale(first.orderId)).toMatchObject({ settled: false });
    release();
    const outcome = await second;
    const sentWhileUnsettled = members.sim
      .ledger()
      .filter((e) => e.merchantUserId === id && e.kind === 'charge')
      .map((e) => e.merchantTransactionId);
    expect(sentWhileUnsettled).toEqual([first.orderId]);
    expect(outcome).toBeInstanceOf(EngineError);
    expect((outcome as EngineError).reasonCode).toBe('link-unsettled');
  });
});
