/**
 * Attack (fixed defect): the renewal due charged by two people — the back office runs
 * `pospay renew`, then the counter does the same from its due list (two processes, one data
 * folder). One sale in flight per terminal only keeps two renewals from overlapping (started
 * at the same instant they charge once or twice, by chance); nothing keeps the second from
 * charging once the first is paid (Tenders.renew / MemberService.prepareRenewal never ask
 * whether the renewal is due: see attack2-renewals.test.ts).
 *
 * Expected: one charge at the gateway; the second command refused before sending (exit 2).
 *
 * Fixed: a renewal not due is refused before sending ('subscription-not-due'), and one
 * whose earlier charge is still unresolved waits for it ('subscription-unsettled').
 */
import { describe, expect, it } from 'vitest';
import { monthlyCheckout, daysAgo, useMemberTerminals } from '../support/memberTerminal.ts';
import { openJournal } from '../../electron/journal/journal.ts';
import { tempDataDir, waitFor } from '../support/engineProcess.ts';
import { runPospay } from '../support/pospayCli.ts';
import { customerDoes, openMemberTerminal } from './members/support.ts';

const members = useMemberTerminals('A2TT');
const { key } = members;

describe('the renewal due charged by two people', () => {
  it('pospay renew twice for the renewal due: one charge, the second refused (exit 2)', async () => {
    const dataDir = members.removeAfter(tempDataDir());
    const terminalId = 'A2TT';
    const t = await openMemberTerminal(members.sim, { key, terminalId, dataDir, keepDir: true });
    const memberId = `A2TT-${Date.now().toString(36)}`;
    // One monthly renewal due, on any day.
    const first = await monthlyCheckout(t, memberId, 45_00, daysAgo(40));
    await customerDoes(first.paymentUrl as string, 'pay');
    await waitFor(
      () => t.members.subscriptions(memberId)[0],
      (s) => s?.status === 'active',
      20_000,
    );
    expect(t.members.dueRenewals().filter((s) => s.memberId === memberId)).toHaveLength(1);
    await t.close();

    const env = members.pospayEnv(dataDir, terminalId);
    const args = ['renew', '--member', memberId, '--amount', '45.00', '--currency', 'HKD'];
    const firstRun = await runPospay(args, env);
    expect(firstRun.code, firstRun.stderr).toBe(0);
    const secondRun = await runPospay(args, env);

    const j = openJournal({ dir: dataDir });
    const renewals = j.listSales().filter((s) => s.tender === 'renewal');
    j.close();
    const charged = members.sim
      .ledger()
      .filter(
        (e) =>
          e.status === 'SUCCESS' && renewals.some((r) => r.orderId === e.merchantTransactionId),
      );
    expect(charged).toHaveLength(1);
    expect(secondRun.code).toBe(2);
  });
});
