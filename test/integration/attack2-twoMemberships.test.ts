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
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../shared/sale.ts';
import { EngineError } from '../../electron/engine/errors.ts';
import { newDataKey } from '../../electron/members/tokenCipher.ts';
import { isShownFinal, waitFor } from '../support/engineProcess.ts';
import {
  customerDoes,
  openMemberTerminal,
  startMemberSim,
  type MemberSim,
  type MemberTerminal,
} from './members/support.ts';

let sim: MemberSim;
const open: MemberTerminal[] = [];
const key = newDataKey();

beforeAll(async () => {
  sim = await startMemberSim(0.05);
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});
afterAll(async () => {
  await sim.close();
});

async function settled(t: MemberTerminal, orderId: string) {
  return waitFor(
    () => t.engine.sale(orderId),
    (s) => s !== null && isShownFinal(s) && !(s.status === 'unknown' && s.abandoned),
    20_000,
  );
}

describe('a member with two memberships', () => {
  it('a renewal that names neither is refused before sending', async () => {
    const t = await openMemberTerminal(sim, { key, terminalId: 'A2TM' });
    open.push(t);
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
