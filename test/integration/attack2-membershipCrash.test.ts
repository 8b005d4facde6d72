/**
 * Attack (fixed defect): a membership's first payment recovered after a crash never makes the
 * membership — the customer paid, the payment token is lost, renewals are impossible.
 *
 * `pospay checkout --member … --every …` is SIGKILLed while the customer's page is shown; the
 * customer pays on the phone meanwhile. The next pospay command that opens the terminal
 * (here `pospay renew`) recovers the sale: paid. But recovery runs inside openTerminal
 * (electron/app/runtime.ts, recovery 'await') BEFORE openMembers attaches the members side
 * to the engine (electron/cli/memberTerminal.ts: openTerminal, then openMembers →
 * engine.useMembers), so SaleResolution.tellMembers finds no members side and the kept
 * payment token of the first payment is dropped: the membership stays 'pending' for ever
 * (the Members screen says its first payment was not completed) and renew is refused.
 *
 * Expected: once the recovered first payment is paid, the membership is active with its
 * token (paid 1), as when the till did not crash.
 *
 * Fixed: the CLI attaches the members side before recovery (electron/cli/memberTerminal.ts),
 * and a members side attached later catches up on first payments that ended without it
 * (Recovery.catchUpMembers asks the gateway again for the token).
 */
import { describe, expect, it } from 'vitest';
import { usePospayMembers, monthlyCheckoutArgs } from '../support/memberTerminal.ts';
import { openJournal } from '../../electron/journal/journal.ts';
import { runPospay } from '../support/pospayCli.ts';
import { customerDoes } from './members/support.ts';

const members = usePospayMembers(() => 'A2MC');
const { env, newDir } = members;

describe('a membership first payment across a crash', () => {
  it('SIGKILL while the page is shown, the customer pays, the next pospay recovers it: membership active', async () => {
    const d = newDir();
    const member = `A2MC-${Date.now().toString(36)}`;
    const killed = await runPospay(
      monthlyCheckoutArgs(member, '99.00'),
      env(d, { POS_FAULT: 'waiting-for-customer' }),
    );
    expect(killed.signal).toBe('SIGKILL');
    let j = openJournal({ dir: d });
    const [left] = j.listSales();
    expect(j.members.subscriptionsOf(member)[0]).toMatchObject({ status: 'pending' });
    j.close();
    expect(left).toMatchObject({ tender: 'checkout', status: 'waiting-for-customer' });
    expect(await customerDoes(String(left?.paymentUrl), 'pay')).toBeLessThan(400);

    // The next command recovers the sale (whatever it then says about the renewal).
    await runPospay(
      ['renew', '--member', member, '--amount', '99.00', '--currency', 'HKD'],
      env(d),
    );

    j = openJournal({ dir: d });
    try {
      expect(j.sale(left?.orderId ?? '')).toMatchObject({ status: 'paid' });
      const paid = members.sim
        .ledger()
        .filter((e) => e.merchantTransactionId === left?.orderId && e.status === 'SUCCESS');
      expect(paid).toHaveLength(1);
      // The membership is active with its kept token.
      expect(j.members.subscriptionsOf(member)[0]?.status).toBe('active');
      expect(j.members.subscriptionsOf(member)[0]?.tokenSealed).not.toBeNull();
    } finally {
      j.close();
    }
  });
});
