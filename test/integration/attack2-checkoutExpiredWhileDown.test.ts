/**
 * Attack: a pay-on-phone checkout whose page closes at the gateway while the till is down
 * (pospay checkout SIGKILLed while the page was shown). A payment tried on the closed page is
 * refused; after the restart the sale is closed, nothing charged, journal = ledger.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../electron/journal/journal.ts';
import {
  isShownFinal,
  ledgerProblems,
  openTestTerminal,
  removeDir,
  tempDataDir,
  waitFor,
} from '../support/engineProcess.ts';
import { runPospay } from '../support/pospayCli.ts';
import { customerDoes, startMemberSim, type MemberSim } from './members/support.ts';

let sim: MemberSim;
const dirs: string[] = [];

beforeAll(async () => {
  sim = await startMemberSim(0.005); // an unpaid page closes after 4.5 s
});
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
afterAll(async () => {
  await sim.close();
});

describe('a checkout that closes while the till is down', () => {
  it('paying the closed page is refused; after the restart: closed, nothing charged', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const killed = await runPospay(['checkout', '--amount', '19.00', '--currency', 'HKD'], {
      POS_DATA_DIR: dataDir,
      POS_GATEWAY_URL: sim.baseUrl,
      POS_ACC_ID: sim.store.accId,
      POS_SALT: sim.store.salt,
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

    const t = await openTestTerminal(sim, {
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
        sim
          .ledger()
          .filter((e) => e.merchantTransactionId === left?.orderId && e.status === 'SUCCESS'),
      ).toEqual([]);
      expect(ledgerProblems(sim.ledger(), t.journal, { terminalId: 'A2EX' })).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
