/**
 * Attack (fixed defect): a member with two memberships — `pospay renew --member ID --amount X`
 * (and subscription:renew without a subscriptionId) charges whichever membership
 * MemberService.prepareRenewal (electron/members/memberService.ts) finds first
 * (`subs.find(active) ?? subs[0]`: the newest), with the amount given: the cashier renewing
 * the HKD 50.00 monthly membership charges the yearly one's token HKD 50.00, and it counts
 * as a whole year paid (its next due date moves a year on).
 *
 * Expected: when the member has more than one active membership and none is named, the
 * renewal is refused before sending, naming them (so the right one is picked).
 *
 * Fixed: prepareRenewal refuses ('subscription-ambiguous') naming the memberships.
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals, settled } from '../support/memberTerminal.ts';
import { localDay } from '../../shared/sale.ts';
import { EngineError } from '../../electron/engine/errors.ts';
import { waitFor } from '../support/engineProcess.ts';
import { customerDoes } from './members/support.ts';

const members = useMemberTerminals('A2TM');

describe('a member with two memberships', () => {
  it('a renewal that names neither is refused before sending', async () => {
    const t = await members.terminal({ terminalId: 'A2TM' });
    const memberId = `A2TM-${Date.now().toString(36)}`;
    const today = localDay(Date.now());
    for (const [amountMinor, intervalUnit] of [
      [50_00, 'month'],
      [300_00, 'year'],
    ] as const) {
      const first = await t.engine.startCheckout({
        amountMinor,
        currency: 'HKD',
        subscription: {
          memberId,
          schedule: { startDate: today, intervalUnit, intervalCount: 1, endDate: '2099-12-31' },
        },
      });
      await customerDoes(first.paymentUrl as string, 'pay');
      await settled(t, first.orderId);
    }
    await waitFor(
      () => t.members.subscriptions(memberId),
      (subs) => subs.length === 2 && subs.every((s) => s.status === 'active'),
    );
    const result = await t.engine
      .renew({ memberId, amountMinor: 50_00, currency: 'HKD' })
      .then((v) => settled(t, v.orderId))
      .catch((e: unknown) => e);
    expect(result).toBeInstanceOf(EngineError);
  });
});
