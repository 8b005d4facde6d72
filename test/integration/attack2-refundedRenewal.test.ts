/**
 * Attack (fixed defect): a renewal refunded in full still counts as paid — the member's next
 * period is given away.
 *
 * A membership's next due date follows the number of its paid charges
 * (electron/journal/members.ts paidCount: status 'paid' and not abandoned — refunds are not
 * looked at). A renewal the shop gave back in full (charged by mistake, disputed, the member
 * cancelled) still moves the next due date on: the renewal due today disappears from the
 * due list and the period is never charged — money the store owner loses.
 *
 * Expected: a renewal refunded in full is not a paid period; the renewal is due again.
 *
 * Fixed: MemberStore.paidCount does not count a charge refunded in full.
 */
import { describe, expect, it } from 'vitest';
import {
  useMemberTerminals,
  settled,
  monthlyCheckout,
  daysAgo,
} from '../support/memberTerminal.ts';
import { waitFor } from '../support/engineProcess.ts';
import { customerDoes } from './members/support.ts';

const members = useMemberTerminals('A2RF');

describe('a refunded renewal', () => {
  it('refunded in full, the renewal is due again (the period is not given away)', async () => {
    const t = await members.terminal({ terminalId: 'A2RF' });
    const memberId = `A2RF-${Date.now().toString(36)}`;
    // One monthly renewal due, on any day.
    const first = await monthlyCheckout(t, memberId, 60_00, daysAgo(40));
    await customerDoes(first.paymentUrl as string, 'pay');
    await settled(t, first.orderId);
    await waitFor(
      () => t.members.subscriptions(memberId)[0],
      (s) => s?.status === 'active',
    );
    const dueBefore = t.members.dueRenewals().find((s) => s.memberId === memberId);
    expect(dueBefore).toBeDefined();

    const renewal = await t.engine.renew({ memberId, amountMinor: 60_00, currency: 'HKD' });
    expect(await settled(t, renewal.orderId)).toMatchObject({ status: 'paid' });
    expect(t.members.dueRenewals().find((s) => s.memberId === memberId)).toBeUndefined();

    await t.engine.refund(renewal.orderId, 60_00);
    await waitFor(
      () => t.engine.sale(renewal.orderId),
      (s) => s?.refunds.some((r) => r.status === 'refunded') === true,
      20_000,
    );
    // The money went back: the period is unpaid, due again on the same date.
    const dueAfter = t.members.dueRenewals().find((s) => s.memberId === memberId);
    expect(dueAfter?.nextDue).toBe(dueBefore?.nextDue);
  });
});
