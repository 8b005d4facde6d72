/**
 * Attack (fixed defect): a membership's first payment cancelled by the cashier, then paid on
 * the phone anyway. The payment is refunded automatically (no membership was sold), yet the
 * membership's reason says the opposite: "The first payment carried no payment token:
 * renewals cannot be charged (the payment stands)" — MemberService.saleFinal
 * (electron/members/memberService.ts) takes any 'paid' first sale without a kept token for
 * a payment that stands, even one abandoned and refunded. The Members screen then tells the
 * supervisor the member paid.
 *
 * Expected: the membership failed with a reason that says it was cancelled and the payment
 * refunded (never "the payment stands").
 *
 * Fixed: MemberService.saleFinal says the checkout was cancelled and the payment refunded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../shared/sale.ts';
import { newDataKey } from '../../electron/members/tokenCipher.ts';
import { waitFor } from '../support/engineProcess.ts';
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

describe('a cancelled membership checkout paid anyway', () => {
  it('refunded automatically, and the membership does not say the payment stands', async () => {
    const t = await openMemberTerminal(sim, { key, terminalId: 'A2CM' });
    open.push(t);
    const memberId = `A2CM-${Date.now().toString(36)}`;
    const view = await t.engine.startCheckout({
      amountMinor: 77_00,
      currency: 'HKD',
      subscription: {
        memberId,
        schedule: {
          startDate: localDay(Date.now()),
          intervalUnit: 'month',
          intervalCount: 1,
          endDate: '2099-12-31',
        },
      },
    });
    t.engine.cancel(view.orderId);
    await customerDoes(view.paymentUrl as string, 'pay');
    await waitFor(
      () => t.engine.sale(view.orderId),
      (s) => s?.status === 'paid' && s.refunds.some((r) => r.status === 'refunded'),
      20_000,
    );
    const sub = await waitFor(
      () => t.members.subscriptions(memberId)[0],
      (s) => s !== undefined && s.status !== 'pending',
      20_000,
    );
    expect(sub?.status).toBe('failed');
    expect(sub?.reason ?? '').not.toMatch(/payment stands/);
    expect(sub?.reason ?? '').toMatch(/refund/i);
  });
});
