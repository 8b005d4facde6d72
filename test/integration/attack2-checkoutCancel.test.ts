/**
 * Attack: a pay-on-phone checkout the cashier cancelled. Its page stays payable until it
 * closes at the gateway, but the till goes on: the next customer's sale starts at once, and
 * a payment made on the old page meanwhile is refunded automatically; the day's report then
 * counts it as a sale and a refund (net zero), never as money taken.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../shared/sale.ts';
import { newDataKey } from '../../electron/members/tokenCipher.ts';
import { ledgerProblems, waitFor } from '../support/engineProcess.ts';
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
let seq = 0;

beforeAll(async () => {
  sim = await startMemberSim(0.05);
});
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});
afterAll(async () => {
  await sim.close();
});

async function terminal() {
  seq += 1;
  const t = await openMemberTerminal(sim, { key, terminalId: `A2CC${seq}` });
  open.push(t);
  return t;
}

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
    expect(ledgerProblems(sim.ledger(), t.terminal.journal, { terminalId: t.terminalId })).toEqual(
      [],
    );
  });
});
