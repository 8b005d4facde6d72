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
import { describe, expect, it } from 'vitest';
import { useMemberTerminals, monthlyCheckout } from '../support/memberTerminal.ts';
import { waitFor } from '../support/engineProcess.ts';
import { reasonLine } from '../../shared/reasonTexts.ts';
import { customerDoes } from './members/support.ts';

const members = useMemberTerminals('A2CM');

describe('a cancelled membership checkout paid anyway', () => {
  it('refunded automatically, and the membership does not say the payment stands', async () => {
    const t = await members.terminal({ terminalId: 'A2CM' });
    const memberId = `A2CM-${Date.now().toString(36)}`;
    const view = await monthlyCheckout(t, memberId, 77_00);
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
    // In the till's language on a Chinese till, with the same facts.
    expect(sub?.reasonCode).toBe('subscription-checkout-abandoned');
    expect(reasonLine('zh-CN', sub ?? { reason: null, reasonCode: null })).toMatch(/自动退款/);
  });
});
