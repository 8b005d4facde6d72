/**
 * Attack: a pay-on-phone checkout the cashier cancelled. Its page stays payable until it
 * closes at the gateway, but the till goes on: the next customer's sale starts at once, and
 * a payment made on the old page meanwhile is refunded automatically; the day's report then
 * counts it as a sale and a refund (net zero), never as money taken.
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import { localDay } from '../../shared/sale.ts';
import { ledgerProblems, waitFor } from '../support/engineProcess.ts';
import { customerDoes } from './members/support.ts';

const members = useMemberTerminals('A2CC');
const { terminal } = members;

describe('a cancelled checkout', () => {
  it('the next sale starts at once; the old page paid later is refunded; the report nets zero', async () => {
    const t = await terminal();
    const view = await t.engine.startCheckout({ amountMinor: 30_00, currency: 'HKD' });
    t.engine.cancel(view.orderId);
    // The next customer: a sale waiting for its code, right away.
    const next = t.engine.startSale({ amountMinor: 5_00, currency: 'HKD' });
    expect(next.status).toBe('awaiting-scan');
    t.engine.cancel(next.orderId);

    await customerDoes(view.paymentUrl as string, 'pay');
    await waitFor(
      () => t.engine.sale(view.orderId),
      (s) => s?.status === 'paid' && s.refunds.some((r) => r.status === 'refunded'),
      20_000,
    );
    const day = localDay(Date.now());
    const rows = t.engine.report(day).rows;
    const net = rows.reduce((sum, r) => sum + r.netMinor, 0);
    expect(net).toBe(0);
    expect(rows.reduce((sum, r) => sum + r.refundsMinor, 0)).toBe(30_00);
    expect(
      ledgerProblems(members.sim.ledger(), t.terminal.journal, { terminalId: t.terminalId }),
    ).toEqual([]);
  });
});
