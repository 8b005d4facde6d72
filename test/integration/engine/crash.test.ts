/**
 * Power-cut safety: a terminal process is SIGKILLed at the worst moments (POS_FAULT), then
 * a new process starts on the same journal and recovers. The simulator runs in this test
 * process, so its ledger — the money that actually moved — survives the kill.
 * Every sale must end correct, with exactly one charge per paid sale and none missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import { openJournal } from '../../../electron/journal/journal.ts';
import {
  ledgerProblems,
  removeDir,
  runEngineChild,
  scenarioAmount,
  tempDataDir,
  testTerminalConfig,
} from '../../support/engineProcess.ts';
import { startTestSimulator, wechatCode, type TestSimulator } from '../../support/simulator.ts';

let sim: TestSimulator;
const dirs: string[] = [];
let terminals = 0;

/** A fresh data folder and terminal id per crash (the simulator is shared). */
function freshTerminal(): { dataDir: string; terminalId: string } {
  const dataDir = tempDataDir();
  dirs.push(dataDir);
  terminals += 1;
  return { dataDir, terminalId: `CRASH${terminals}` };
}

beforeAll(async () => {
  sim = await startTestSimulator();
});

afterAll(async () => {
  await sim.close();
  for (const dir of dirs) removeDir(dir);
});

interface CrashOutcome {
  orderId: string;
  recovered: SaleView;
  dataDir: string;
}

/**
 * Pays in a child that is killed — by itself at `fault`, or from here when `fault` (a
 * predicate on the order id) says so — then recovers in a second child on the same journal.
 */
async function crashAndRecover(
  fault: string | ((orderId: string) => boolean),
  digit: number,
): Promise<CrashOutcome> {
  const { dataDir, terminalId } = freshTerminal();
  const config = testTerminalConfig(sim, { dataDir, terminalId, customerDeadlineMs: 1500 });
  const paying = await runEngineChild(
    {
      mode: 'pay',
      config,
      amountMinor: scenarioAmount(digit),
      currency: 'CNY',
      code: wechatCode(),
    },
    typeof fault === 'string' ? { fault } : { killWhen: fault },
  );
  expect(paying.signal, paying.stderr).toBe('SIGKILL');
  const started = /"started":"([^"]+)"/.exec(paying.stdout);
  expect(started, paying.stdout).not.toBeNull();
  const orderId = (started as RegExpExecArray)[1] as string;

  const recovering = await runEngineChild({ mode: 'recover', config, waitMs: 20_000 });
  expect(recovering.code, recovering.stderr).toBe(0);
  const sales = recovering.output as SaleView[];
  const recovered = sales.find((s) => s.orderId === orderId);
  expect(recovered).toBeDefined();
  return { orderId, recovered: recovered as SaleView, dataDir };
}

function successfulCharges(orderId: string): number {
  return sim
    .ledger()
    .filter(
      (e) => e.kind === 'charge' && e.merchantTransactionId === orderId && e.status === 'SUCCESS',
    ).length;
}

function journalAgreesWithLedger(dataDir: string): string[] {
  const journal = openJournal({ dir: dataDir });
  try {
    const terminalId = journal.listSales({ limit: 1 })[0]?.terminalId ?? 'none';
    return ledgerProblems(sim.ledger(), journal, { terminalId });
  } finally {
    journal.close();
  }
}

describe('killed after the journal write, before the request', () => {
  it('the sale ends not paid and nothing was charged', async () => {
    const { orderId, recovered, dataDir } = await crashAndRecover(
      'after-journal-before-request',
      0,
    );
    expect(recovered.status).toBe('closed');
    expect(recovered.reasonCode).toBe('not-sent');
    expect(recovered.recovered).toBe(true);
    expect(sim.ledger().filter((e) => e.merchantTransactionId === orderId)).toEqual([]);
    expect(journalAgreesWithLedger(dataDir)).toEqual([]);
  });
});

describe('killed after the request was sent, before its answer was journaled', () => {
  it.each([
    [0, 'paid', 1],
    [2, 'paid', 1],
    [5, 'paid', 1],
    [1, 'declined', 0],
  ] as const)('scenario %i ends %s with %i charge(s)', async (digit, status, charges) => {
    const { orderId, recovered, dataDir } = await crashAndRecover(
      'after-send-before-answer',
      digit,
    );
    expect(recovered.status).toBe(status);
    expect(recovered.recovered).toBe(true);
    expect(successfulCharges(orderId)).toBe(charges);
    expect(journalAgreesWithLedger(dataDir)).toEqual([]);
  });

  it('killed from outside while the answer is still on its way (scenario 6): paid once after restart', async () => {
    const charged = (orderId: string): boolean =>
      sim.ledger().some((e) => e.kind === 'charge' && e.merchantTransactionId === orderId);
    const { orderId, recovered, dataDir } = await crashAndRecover(charged, 6);
    expect(recovered.status).toBe('paid');
    expect(recovered.recovered).toBe(true);
    expect(successfulCharges(orderId)).toBe(1);
    expect(journalAgreesWithLedger(dataDir)).toEqual([]);
  });

  it('scenario 9 (500 without charging): never re-sent without the code, ends not paid', async () => {
    const { orderId, recovered, dataDir } = await crashAndRecover('after-send-before-answer', 9);
    expect(recovered.status).toBe('closed');
    expect(recovered.reasonCode).toBe('not-sent');
    expect(successfulCharges(orderId)).toBe(0);
    expect(journalAgreesWithLedger(dataDir)).toEqual([]);
  });
});

describe('killed while waiting for the customer', () => {
  it.each([
    [2, 'paid', 1],
    [3, 'declined', 0],
    [4, 'closed', 0],
  ] as const)('scenario %i ends %s with %i charge(s)', async (digit, status, charges) => {
    const { orderId, recovered, dataDir } = await crashAndRecover('waiting-for-customer', digit);
    expect(recovered.status).toBe(status);
    expect(recovered.recovered).toBe(true);
    expect(recovered.refunds).toEqual([]);
    expect(successfulCharges(orderId)).toBe(charges);
    expect(journalAgreesWithLedger(dataDir)).toEqual([]);
  });
});

describe('killed after a refund was journaled, before it was sent', () => {
  it('recovery sends it (same merchantRefundId) and the money goes back once', async () => {
    const { dataDir, terminalId } = freshTerminal();
    const config = testTerminalConfig(sim, { dataDir, terminalId });
    const paid = await runEngineChild({
      mode: 'pay',
      config,
      amountMinor: scenarioAmount(0),
      currency: 'CNY',
      code: wechatCode(),
    });
    expect(paid.code, paid.stderr).toBe(0);
    const sale = paid.output as SaleView;
    expect(sale.status).toBe('paid');

    const refunding = await runEngineChild(
      { mode: 'refund', config, orderId: sale.orderId, amountMinor: 500 },
      { fault: 'refund-after-journal-before-request' },
    );
    expect(refunding.signal).toBe('SIGKILL');
    expect(sim.ledger().filter((e) => e.kind === 'refund')).not.toContainEqual(
      expect.objectContaining({ merchantTransactionId: sale.orderId }),
    );

    const recovering = await runEngineChild({ mode: 'recover', config, waitMs: 20_000 });
    expect(recovering.code, recovering.stderr).toBe(0);
    const after = (recovering.output as SaleView[]).find((s) => s.orderId === sale.orderId);
    expect(after?.refundedMinor).toBe(500);
    expect(after?.refunds.map((r) => r.status)).toEqual(['refunded']);
    const refunds = sim
      .ledger()
      .filter((e) => e.kind === 'refund' && e.merchantTransactionId === sale.orderId);
    expect(refunds.map((r) => [r.amountMinor, r.status])).toEqual([[500, 'SUCCESS']]);
    expect(journalAgreesWithLedger(dataDir)).toEqual([]);
  });
});
