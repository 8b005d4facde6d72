/**
 * Attack: `pospay renew` killed (SIGKILL, no cleanup) at each step of the renewal, then the
 * till restarted: the member is charged at most once, exactly once when the charge had left,
 * and the journal agrees with the gateway's ledger. The kept payment token is never in what
 * the killed command printed.
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import { localDay } from '../../shared/sale.ts';
import {
  isShownFinal,
  ledgerProblems,
  openTestTerminal,
  tempDataDir,
  waitFor,
} from '../support/engineProcess.ts';
import { runPospay } from '../support/pospayCli.ts';
import { customerDoes, journalBytes, openMemberTerminal } from './members/support.ts';

const members = useMemberTerminals('A2K');
const { key } = members;
let seq = 0;

/** A data folder with an active HKD 88.00 monthly membership; its tokens. */
async function withMembership(terminalId: string) {
  const dataDir = members.removeAfter(tempDataDir());
  const t = await openMemberTerminal(members.sim, { key, terminalId, dataDir, keepDir: true });
  const memberId = `A2K-${Date.now().toString(36)}-${seq}`;
  const first = await t.engine.startCheckout({
    amountMinor: 88_00,
    currency: 'HKD',
    subscription: {
      memberId,
      schedule: {
        // 40 days back: one monthly renewal is due (a renewal not due is refused).
        startDate: localDay(Date.now() - 40 * 86_400_000),
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
  const tokens = [...t.secrets.tokens];
  await t.close();
  expect(tokens.length).toBeGreaterThan(0);
  return { dataDir, memberId, tokens, firstOrderId: first.orderId };
}

function env(dataDir: string, terminalId: string, fault: string): Record<string, string> {
  return members.pospayEnv(dataDir, terminalId, { POS_FAULT: fault });
}

describe('pospay renew killed mid-way', () => {
  for (const [fault, charged] of [
    ['after-journal-before-request', 0],
    ['after-send-before-answer', 1],
  ] as const) {
    it(`killed at ${fault}: after the restart the renewal is charged ${charged} time(s), journal = ledger`, async () => {
      seq += 1;
      const terminalId = `A2K${seq}`;
      const { dataDir, memberId, tokens, firstOrderId } = await withMembership(terminalId);
      const killed = await runPospay(
        ['renew', '--member', memberId, '--amount', '88.00', '--currency', 'HKD'],
        env(dataDir, terminalId, fault),
      );
      expect(killed.signal).toBe('SIGKILL');
      for (const token of tokens) {
        expect(killed.stdout + killed.stderr).not.toContain(token);
      }
      const t = await openTestTerminal(members.sim, {
        dataDir,
        recovery: 'await',
        currency: 'HKD',
        region: 'HK',
        terminalId,
      });
      try {
        const renewal = t.journal.listSales().find((s) => s.orderId !== firstOrderId);
        expect(renewal).toMatchObject({ tender: 'renewal', memberId });
        const final = await waitFor(
          () => t.engine.sale(renewal?.orderId ?? ''),
          (s) => s !== null && isShownFinal(s) && s.status !== 'unknown',
          20_000,
        );
        expect(final?.status).toBe(charged === 1 ? 'paid' : 'closed');
        const success = members.sim
          .ledger()
          .filter((e) => e.merchantTransactionId === renewal?.orderId && e.status === 'SUCCESS');
        expect(success).toHaveLength(charged);
        expect(ledgerProblems(members.sim.ledger(), t.journal, { terminalId })).toEqual([]);
        const bytes = journalBytes(dataDir);
        for (const token of tokens) expect(bytes).not.toContain(token);
      } finally {
        await t.close();
      }
    });
  }
});
