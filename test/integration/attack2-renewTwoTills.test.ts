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
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localDay } from '../../shared/sale.ts';
import { openJournal } from '../../electron/journal/journal.ts';
import { newDataKey } from '../../electron/members/tokenCipher.ts';
import { removeDir, tempDataDir, waitFor } from '../support/engineProcess.ts';
import { runPospay } from '../support/pospayCli.ts';
import {
  customerDoes,
  openMemberTerminal,
  startMemberSim,
  type MemberSim,
} from './members/support.ts';

let sim: MemberSim;
const dirs: string[] = [];
const key = newDataKey();

beforeAll(async () => {
  sim = await startMemberSim(0.05);
});
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
afterAll(async () => {
  await sim.close();
});

describe('the renewal due charged by two people', () => {
  it('pospay renew twice for the renewal due: one charge, the second refused (exit 2)', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const terminalId = 'A2TT';
    const t = await openMemberTerminal(sim, { key, terminalId, dataDir, keepDir: true });
    const memberId = `A2TT-${Date.now().toString(36)}`;
    const start = new Date();
    start.setDate(start.getDate() - 40); // one monthly renewal due, on any day
    const first = await t.engine.startCheckout({
      amountMinor: 45_00,
      currency: 'HKD',
      subscription: {
        memberId,
        schedule: {
          startDate: localDay(start.getTime()),
          intervalUnit: 'month',
          intervalCount: 1,
          endDate: '2099-12-31',
        },
      },
    });
    await customerDoes(first.paymentUrl as string, 'pay');
    await waitFor(
      () => t.members.subscriptions(memberId)[0],
      (s) => s?.status === 'active',
      20_000,
    );
    expect(t.members.dueRenewals().filter((s) => s.memberId === memberId)).toHaveLength(1);
    await t.close();

    const env = {
      POS_DATA_DIR: dataDir,
      POS_GATEWAY_URL: sim.baseUrl,
      POS_ACC_ID: sim.store.accId,
      POS_SALT: sim.store.salt,
      POS_DATA_KEY: key.toString('base64'),
      POS_TERMINAL_ID: terminalId,
    };
    const args = ['renew', '--member', memberId, '--amount', '45.00', '--currency', 'HKD'];
    const firstRun = await runPospay(args, env);
    expect(firstRun.code, firstRun.stderr).toBe(0);
    const secondRun = await runPospay(args, env);

    const j = openJournal({ dir: dataDir });
    const renewals = j.listSales().filter((s) => s.tender === 'renewal');
    j.close();
    const charged = sim
      .ledger()
      .filter(
        (e) =>
          e.status === 'SUCCESS' && renewals.some((r) => r.orderId === e.merchantTransactionId),
      );
    expect(charged).toHaveLength(1);
    expect(secondRun.code).toBe(2);
  });
});
