/**
 * Attack (fixed defects): memberships' renewals take money the member never owed.
 *
 * A renewal is a charge with the member's kept payment token, a person's decision (issue 13).
 * The store owner's rule: money is never taken twice. Today a renewal is charged whenever it
 * is asked for — a second renewal the same day right after one was paid (the screen and the
 * CLI each charging "the renewal due today"), an amount other than the membership's, or a
 * currency other than the membership's all go to the gateway.
 *
 * Fixed: MemberService.prepareRenewal refuses before sending a renewal not due yet
 * (naming its due date), at another amount or in another currency than the membership's.
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals, settled, monthlyCheckout } from '../support/memberTerminal.ts';
import { localDay } from '../../shared/sale.ts';
import { EngineError } from '../../electron/engine/errors.ts';
import { waitFor } from '../support/engineProcess.ts';
import { customerDoes, type MemberTerminal } from './members/support.ts';

const members = useMemberTerminals('RN');
const { terminal } = members;

/** A monthly HKD 120.00 membership whose first payment was made (token kept). */
async function membership(t: MemberTerminal, startDate = localDay(Date.now())) {
  const memberId = `A2R-${Date.now().toString(36)}-${members.seq}`;
  const first = await monthlyCheckout(t, memberId, 120_00, startDate, 'GooglePay');
  await customerDoes(first.paymentUrl as string, 'pay');
  expect(await settled(t, first.orderId)).toMatchObject({ status: 'paid' });
  await waitFor(
    () => t.members.subscriptions(memberId)[0],
    (s) => s?.status === 'active',
  );
  return memberId;
}

/** The successful charges of these orders at the simulator's ledger. */
function paidCharges(orderIds: string[]) {
  return members.sim
    .ledger()
    .filter(
      (e) =>
        e.kind === 'charge' && e.status === 'SUCCESS' && orderIds.includes(e.merchantTransactionId),
    );
}

async function tryRenew(
  t: MemberTerminal,
  input: Parameters<MemberTerminal['engine']['renew']>[0],
): Promise<{ orderId: string | null; error: EngineError | null }> {
  try {
    const sale = await t.engine.renew(input);
    await settled(t, sale.orderId);
    return { orderId: sale.orderId, error: null };
  } catch (error) {
    if (error instanceof EngineError) return { orderId: null, error };
    throw error;
  }
}

describe('renewals', () => {
  it('the renewal due today, charged a second time the same day, is refused before sending: one charge', async () => {
    // The membership started 40 days ago: its first renewal is due.
    const t = await terminal();
    const monthAgo = new Date();
    monthAgo.setDate(monthAgo.getDate() - 40); // one monthly renewal due, on any day
    const memberId = await membership(t, localDay(monthAgo.getTime()));
    const due = t.members.dueRenewals().filter((s) => s.memberId === memberId);
    expect(due).toHaveLength(1);

    const first = await tryRenew(t, { memberId, amountMinor: 120_00, currency: 'HKD' });
    expect(first.error).toBeNull();
    expect(t.engine.sale(first.orderId as string)).toMatchObject({ status: 'paid' });
    // Nothing is due any more…
    expect(t.members.dueRenewals().filter((s) => s.memberId === memberId)).toEqual([]);

    // …yet the second cashier (or pospay renew from the back office) charging "the renewal
    // due today" takes the money again. Expected: refused before anything is sent, naming
    // the next due date (e.g. 'not due until 2027-01-02').
    const second = await tryRenew(t, { memberId, amountMinor: 120_00, currency: 'HKD' });
    const orders = [first.orderId, second.orderId].filter((o): o is string => o !== null);
    expect(paidCharges(orders)).toHaveLength(1);
    expect(second.error).toBeInstanceOf(EngineError);
  });

  it('a renewal at another amount than the membership’s (HKD 120.00 a month) is refused before sending', async () => {
    const t = await terminal();
    const memberId = await membership(t);
    // A typo at the counter (12000 for 120.00) or a hostile cashier with the PIN: the
    // member agreed to HKD 120.00 a month. Expected: refused before sending, naming the
    // membership's amount; nothing charged.
    const result = await tryRenew(t, { memberId, amountMinor: 12_000_00, currency: 'HKD' });
    const charged = result.orderId ? t.engine.sale(result.orderId) : null;
    expect(charged?.status ?? 'not sent').not.toBe('paid');
    expect(result.error).toBeInstanceOf(EngineError);
  });

  it('a renewal in CNY of an HKD membership is refused before anything is sent', async () => {
    const t = await terminal();
    const memberId = await membership(t);
    // Expected: like a linked wallet's currency, refused before sending (exit 2 for pospay
    // renew: "refused before anything was sent"), not a sale declined by the gateway.
    const result = await tryRenew(t, { memberId, amountMinor: 120_00, currency: 'CNY' });
    expect(result.orderId).toBeNull();
    expect(result.error).toBeInstanceOf(EngineError);
  });
});
