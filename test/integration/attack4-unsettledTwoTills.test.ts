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
import { EngineError } from '../../electron/engine/errors.ts';
import { chargeThenCancel, holdLinkRecheck, twoTillsOneWallet } from '../support/linkedCharges.ts';

const members = useMemberTerminals('UT');

describe('two tills on one data folder, one linked wallet', () => {
  it('a charge that passed the check before the other till’s charge was journaled is not sent', async () => {
    const { a, b, memberId: id } = await twoTillsOneWallet(members, 'UT');

    // Till B's re-check of the link is held until till A's charge is journaled and cancelled.
    const { reached: atCheck, release } = holdLinkRecheck(b);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = b.engine
      .chargeMember({ amountMinor: 8_00, currency: 'HKD', memberId: id })
      .catch((e: unknown) => e as EngineError);
    await atCheck;

    const first = await chargeThenCancel(a, id);
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
