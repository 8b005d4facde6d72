/**
 * Attack: a pay-on-phone checkout whose page closes at the gateway while the till is down
 * (pospay checkout SIGKILLed while the page was shown). A payment tried on the closed page is
 * refused; after the restart the sale is closed, nothing charged, journal = ledger.
 */
import { describe, expect, it } from 'vitest';
import { useMemberTerminals } from '../support/memberTerminal.ts';
import { openJournal } from '../../electron/journal/journal.ts';
import {
  isShownFinal,
  ledgerProblems,
  openTestTerminal,
  tempDataDir,
  waitFor,
} from '../support/engineProcess.ts';
import { runPospay } from '../support/pospayCli.ts';
import { customerDoes } from './members/support.ts';

const members = useMemberTerminals('A2XD', 0.005); // an unpaid page closes after 4.5 s

describe('a checkout that closes while the till is down', () => {
  it('paying the closed page is refused; after the restart: closed, nothing charged', async () => {
    const dataDir = members.removeAfter(tempDataDir());
    const killed = await runPospay(['checkout', '--amount', '19.00', '--currency', 'HKD'], {
      POS_DATA_DIR: dataDir,
      POS_GATEWAY_URL: members.sim.baseUrl,
      POS_ACC_ID: members.sim.store.accId,
      POS_SALT: members.sim.store.salt,
      POS_TERMINAL_ID: 'A2EX',
      POS_FAULT: 'waiting-for-customer',
    });
    expect(killed.signal).toBe('SIGKILL');
    const j = openJournal({ dir: dataDir });
    const [left] = j.listSales();
    j.close();
    expect(left).toMatchObject({ tender: 'checkout', status: 'waiting-for-customer' });
    // The page closes at the gateway (15 min × 0.005), the till still down.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(await customerDoes(String(left?.paymentUrl), 'pay')).toBeGreaterThanOrEqual(400);

    const t = await openTestTerminal(members.sim, {
      dataDir,
      recovery: 'await',
      currency: 'HKD',
      region: 'HK',
      terminalId: 'A2EX',
    });
    try {
      const final = await waitFor(
        () => t.engine.sale(left?.orderId ?? ''),
        (s) => s !== null && isShownFinal(s) && s.status !== 'unknown',
        20_000,
      );
      expect(final?.status).toBe('closed');
      expect(
        members.sim
          .ledger()
          .filter((e) => e.merchantTransactionId === left?.orderId && e.status === 'SUCCESS'),
      ).toEqual([]);
      expect(ledgerProblems(members.sim.ledger(), t.journal, { terminalId: 'A2EX' })).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
