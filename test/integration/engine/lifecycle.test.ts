/**
 * The sale lifecycle a cashier lives through, against the simulator over HTTP: one sale in
 * flight at a time, refused scans, cancel and deadline with the automatic refund of a late
 * payment, a fresh code as a new attempt, a wall-clock jump, and a restart mid-sale.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SaleViewSchema, type SaleView } from '../../../shared/ipc/contract.ts';
import { EngineError } from '../../../electron/engine/errors.ts';
import { createPaymentEngine, type EngineClock } from '../../../electron/engine/paymentEngine.ts';
import { openJournal } from '../../../electron/journal/journal.ts';
import {
  isShownFinal,
  ledgerProblems,
  openTestTerminal,
  removeDir,
  scenarioAmount,
  tempDataDir,
  testTuning,
  waitFor,
} from '../../support/engineProcess.ts';
import {
  alipayCode,
  makeClient,
  startTestSimulator,
  wechatCode,
  type TestSimulator,
} from '../../support/simulator.ts';

let sim: TestSimulator;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  sim = await startTestSimulator();
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

afterAll(async () => {
  await sim.close();
});

async function terminal(options: Parameters<typeof openTestTerminal>[1] = {}) {
  const t = await openTestTerminal(sim, options);
  cleanups.push(() => removeDir(t.dataDir));
  cleanups.push(() => t.close());
  return t;
}

function code(error: unknown): string | undefined {
  return error instanceof EngineError ? error.code : undefined;
}

function refusal(work: () => unknown): Promise<string | undefined> {
  return Promise.resolve()
    .then(work)
    .then(
      () => undefined,
      (error: unknown) => code(error),
    );
}

function ledgerOf(orderId: string) {
  return sim.ledger().filter((e) => e.merchantTransactionId === orderId);
}

describe('one sale in flight per terminal', () => {
  it('refuses a new sale and a second scan while the customer is confirming', async () => {
    const { engine } = await terminal({ customerDeadlineMs: 5000 });
    const sale = engine.startSale({ amountMinor: scenarioAmount(2), currency: 'CNY' });
    const waiting = await engine.submitCode(sale.orderId, wechatCode(), 'wedge');
    expect(waiting.status).toBe('waiting-for-customer');

    expect(await refusal(() => engine.startSale({ amountMinor: 500, currency: 'CNY' }))).toBe(
      'sale-in-progress',
    );
    expect(await refusal(() => engine.submitCode(sale.orderId, wechatCode(), 'wedge'))).toBe(
      'sale-in-progress',
    );
    let message = '';
    try {
      engine.startSale({ amountMinor: 500, currency: 'CNY' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('Already a payment in progress — finish it first');

    const paid = await waitFor(() => engine.sale(sale.orderId) as SaleView, isShownFinal);
    expect(paid.status).toBe('paid');
    expect(ledgerOf(sale.orderId).filter((e) => e.status === 'SUCCESS')).toHaveLength(1);
    // Resolved: the next customer can pay.
    expect(engine.startSale({ amountMinor: 500, currency: 'CNY' }).status).toBe('awaiting-scan');
  });

  it('rejects a scan that is not a payment code before anything is sent', async () => {
    const { engine } = await terminal();
    const sale = engine.startSale({ amountMinor: scenarioAmount(0), currency: 'CNY' });
    const before = sim.ledger().length;
    expect(await refusal(() => engine.submitCode(sale.orderId, '4006381333931', 'serial'))).toBe(
      'code-invalid',
    );
    expect(await refusal(() => engine.submitCode(sale.orderId, '6212345678901234567', 'hid'))).toBe(
      'code-invalid',
    );
    expect(sim.ledger()).toHaveLength(before);
    expect(engine.current()?.status).toBe('awaiting-scan');
    expect(engine.history()).toEqual([]);
    // The cashier rescans the right code: charged once.
    const paid = await engine.submitCode(sale.orderId, wechatCode(), 'serial');
    expect(paid.status).toBe('paid');
  });

  it('refuses a code whose wallet pays in another currency than the sale', async () => {
    const { engine } = await terminal({ currency: 'HKD', region: 'HK' });
    const sale = engine.startSale({ amountMinor: scenarioAmount(0), currency: 'HKD' });
    let message = '';
    try {
      await engine.submitCode(sale.orderId, wechatCode(), 'manual');
    } catch (error) {
      message = (error as Error).message;
      expect(code(error)).toBe('code-invalid');
    }
    expect(message).toMatch(/WeChat Pay.*CNY.*HKD/);
    const paid = await engine.submitCode(sale.orderId, alipayCode(), 'manual');
    expect(paid.status).toBe('paid');
    expect(paid.method).toBe('AlipayHK-Offline');
    expect(ledgerOf(sale.orderId).map((e) => [e.methodType, e.currency])).toEqual([
      ['AlipayHK-Offline', 'HKD'],
    ]);
  });

  it('refuses amounts outside the till’s limits', async () => {
    const { engine } = await terminal();
    expect(await refusal(() => engine.startSale({ amountMinor: 0, currency: 'CNY' }))).toBe(
      'amount-invalid',
    );
    expect(await refusal(() => engine.startSale({ amountMinor: 12.5, currency: 'CNY' }))).toBe(
      'amount-invalid',
    );
    expect(await refusal(() => engine.startSale({ amountMinor: 5_000_001, currency: 'CNY' }))).toBe(
      'amount-invalid',
    );
    expect(await refusal(() => engine.startSale({ amountMinor: 100, currency: 'USD' }))).toBe(
      'currency-invalid',
    );
  });

  it('a fresh code after a decline is a new attempt of the same order (new requestId)', async () => {
    const { engine, journal } = await terminal();
    const sale = engine.startSale({ amountMinor: scenarioAmount(1), currency: 'CNY' });
    const first = await engine.submitCode(sale.orderId, wechatCode(), 'manual');
    expect(first.status).toBe('declined');
    const second = await engine.submitCode(sale.orderId, wechatCode(), 'manual');
    expect(second.orderId).toBe(sale.orderId);
    expect(second.status).toBe('declined');
    const attempts = ledgerOf(sale.orderId).map((e) => e.requestId);
    expect(new Set(attempts).size).toBe(2);
    expect(attempts).toContain(journal.sale(sale.orderId)?.requestId);
    expect(ledgerOf(sale.orderId).filter((e) => e.status === 'SUCCESS')).toEqual([]);
  });

  it('every update the screen receives is a valid SaleView with a countdown while waiting', async () => {
    const { engine } = await terminal({ customerDeadlineMs: 5000 });
    const updates: SaleView[] = [];
    engine.onSaleUpdated((view) => updates.push(view));
    const sale = engine.startSale({ amountMinor: scenarioAmount(2), currency: 'CNY' });
    await engine.submitCode(sale.orderId, wechatCode(), 'wedge');
    await waitFor(() => engine.sale(sale.orderId) as SaleView, isShownFinal);
    expect(updates.map((u) => u.status)).toEqual([
      'awaiting-scan',
      'submitting',
      'waiting-for-customer',
      'paid',
    ]);
    for (const update of updates) expect(SaleViewSchema.parse(update)).toEqual(update);
    const waiting = updates.find((u) => u.status === 'waiting-for-customer');
    expect(waiting?.remainingMs).toBeGreaterThan(0);
    expect(waiting?.remainingMs).toBeLessThanOrEqual(5000);
    expect(updates.find((u) => u.status === 'paid')?.remainingMs).toBeNull();
  });
});

describe('the cashier stops waiting; a late payment is refunded automatically', () => {
  it('cancel while the customer is confirming: the payment that arrives later goes back', async () => {
    const t = await terminal({ customerDeadlineMs: 5000, terminalId: 'CANCEL' });
    const { engine } = t;
    const sale = engine.startSale({ amountMinor: scenarioAmount(2), currency: 'CNY' });
    await engine.submitCode(sale.orderId, wechatCode(), 'wedge');
    const cancelled = engine.cancel(sale.orderId);
    expect(cancelled.status).toBe('unknown');
    expect(cancelled.abandoned).toBe(true);
    expect(cancelled.reasonCode).toBe('cancelled');

    const refunded = await waitFor(
      () => engine.sale(sale.orderId) as SaleView,
      (view) => view.refunds.some((r) => r.status === 'refunded'),
    );
    expect(refunded.status).toBe('paid');
    expect(refunded.reason).toBe('Paid after the till stopped waiting — refunded automatically');
    expect(refunded.refunds).toEqual([
      expect.objectContaining({
        automatic: true,
        status: 'refunded',
        amountMinor: refunded.amountMinor,
      }),
    ]);
    expect(refunded.refundedMinor).toBe(refunded.amountMinor);
    const moved = ledgerOf(sale.orderId).map((e) => [e.kind, e.status, e.amountMinor]);
    expect(moved).toEqual([
      ['charge', 'SUCCESS', sale.amountMinor],
      ['refund', 'SUCCESS', sale.amountMinor],
    ]);
    const kinds = engine.events(sale.orderId).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['abandoned', 'resolved', 'refund-submitted']));
    expect(ledgerProblems(sim.ledger(), t.journal, { terminalId: 'CANCEL' })).toEqual([]);
  });

  it('deadline passes, then the customer confirms: told "did not confirm", refunded automatically', async () => {
    // The simulator's customer confirms after 3 s × 0.05 = 150 ms; the till gives up at 60 ms.
    const t = await terminal({ customerDeadlineMs: 60 });
    const { engine } = t;
    const sale = engine.startSale({ amountMinor: scenarioAmount(2, 4560), currency: 'CNY' });
    const updates: SaleView[] = [];
    engine.onSaleUpdated((view) => {
      if (view.orderId === sale.orderId) updates.push(view);
    });
    await engine.submitCode(sale.orderId, wechatCode(), 'wedge');
    const final = await waitFor(
      () => engine.sale(sale.orderId) as SaleView,
      (view) => view.refunds.some((r) => r.status === 'refunded'),
    );
    const told = updates.find((u) => u.status === 'unknown');
    expect(told?.reason).toBe('Customer did not confirm in time');
    expect(final.refundedMinor).toBe(sale.amountMinor);
    expect(final.refunds[0]?.automatic).toBe(true);
    expect(ledgerOf(sale.orderId).map((e) => [e.kind, e.status])).toEqual([
      ['charge', 'SUCCESS'],
      ['refund', 'SUCCESS'],
    ]);
  });

  it('cancel before any code was scanned sends nothing and leaves no sale behind', async () => {
    const { engine } = await terminal();
    const sale = engine.startSale({ amountMinor: 990, currency: 'CNY' });
    const cancelled = engine.cancel(sale.orderId);
    expect(cancelled.status).toBe('closed');
    expect(engine.current()).toBeNull();
    expect(engine.history()).toEqual([]);
    expect(ledgerOf(sale.orderId)).toEqual([]);
  });
});

describe('timers are monotonic', () => {
  it('a wall clock set back an hour mid-sale changes nothing: paid, deadline still honoured', async () => {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    const journal = openJournal({ dir: dataDir });
    const client = makeClient(sim, { timeoutMs: 1000 });
    let skew = 0;
    const clock: EngineClock = {
      now: () => Date.now() + skew,
      monotonic: () => performance.now(),
    };
    const engine = createPaymentEngine({
      journal,
      client,
      clock,
      tuning: testTuning(),
      settings: {
        terminalId: 'SKEW',
        region: 'CN',
        currency: 'CNY',
        amountCeilingMinor: 100_000,
        customerDeadlineMs: 1500,
      },
    });
    cleanups.push(() => journal.close());
    cleanups.push(() => client.close());
    cleanups.push(() => engine.stop());

    const paying = engine.startSale({ amountMinor: scenarioAmount(2), currency: 'CNY' });
    await engine.submitCode(paying.orderId, wechatCode(), 'wedge');
    skew = -3_600_000;
    const paid = await waitFor(() => engine.sale(paying.orderId) as SaleView, isShownFinal);
    expect(paid.status).toBe('paid');

    const waiting = engine.startSale({ amountMinor: scenarioAmount(4), currency: 'CNY' });
    await engine.submitCode(waiting.orderId, wechatCode(), 'wedge');
    skew = +3_600_000;
    const told = await waitFor(() => engine.sale(waiting.orderId) as SaleView, isShownFinal);
    expect(told.status).toBe('unknown');
    expect(told.reason).toBe('Customer did not confirm in time');
    const closed = await waitFor(
      () => engine.sale(waiting.orderId) as SaleView,
      (view) => view.status === 'closed',
    );
    expect(closed.status).toBe('closed');
    expect(ledgerOf(waiting.orderId).filter((e) => e.status === 'SUCCESS')).toEqual([]);
    // Distinct order ids even though the wall clock went backwards.
    expect(paying.orderId).not.toBe(waiting.orderId);
  });
});

describe('restart in the middle of a sale', () => {
  async function stopWhileWaiting(digit: number) {
    const dataDir = tempDataDir();
    cleanups.push(() => removeDir(dataDir));
    const before = await openTestTerminal(sim, { dataDir, customerDeadlineMs: 5000 });
    const sale = before.engine.startSale({
      amountMinor: scenarioAmount(digit, 7770),
      currency: 'CNY',
    });
    const waiting = await before.engine.submitCode(sale.orderId, wechatCode(), 'wedge');
    expect(waiting.status).toBe('waiting-for-customer');
    await before.close();
    const after = await openTestTerminal(sim, { dataDir, customerDeadlineMs: 5000 });
    cleanups.push(() => after.close());
    return { sale, after };
  }

  it('the unresolved sale comes back on screen and blocks a new one until it is settled', async () => {
    const { sale, after } = await stopWhileWaiting(4);
    await after.engine.recover();
    const onScreen = after.engine.current();
    expect(onScreen?.orderId).toBe(sale.orderId);
    expect(onScreen?.status).toBe('waiting-for-customer');
    expect(onScreen?.remainingMs).toBeGreaterThan(0);
    expect(await refusal(() => after.engine.startSale({ amountMinor: 100, currency: 'CNY' }))).toBe(
      'sale-in-progress',
    );
    after.engine.cancel(sale.orderId);
    expect(after.engine.startSale({ amountMinor: 100, currency: 'CNY' }).status).toBe(
      'awaiting-scan',
    );
    const closed = await waitFor(
      () => after.engine.sale(sale.orderId) as SaleView,
      (view) => view.status === 'closed',
    );
    expect(closed.reason).toBe('Cancelled — nothing was charged');
    expect(closed.recovered).toBe(true);
    expect(ledgerOf(sale.orderId).filter((e) => e.status === 'SUCCESS')).toEqual([]);
  });

  it('a sale the customer confirmed while the till was down ends paid (recovered), charged once', async () => {
    const { sale, after } = await stopWhileWaiting(2);
    await after.engine.recover();
    const resolved = await waitFor(() => after.engine.sale(sale.orderId) as SaleView, isShownFinal);
    expect(resolved.status).toBe('paid');
    expect(resolved.recovered).toBe(true);
    expect(resolved.refunds).toEqual([]);
    expect(after.engine.history({ status: 'paid' }).map((s) => s.orderId)).toContain(sale.orderId);
    expect(ledgerOf(sale.orderId).filter((e) => e.status === 'SUCCESS')).toHaveLength(1);
  });
});

describe('what the journal never holds', () => {
  it('neither the payment code in clear nor the salt is written to disk', async () => {
    const t = await terminal();
    const scanned = wechatCode();
    const sale = t.engine.startSale({ amountMinor: scenarioAmount(0), currency: 'CNY' });
    const paid = await t.engine.submitCode(sale.orderId, scanned, 'serial');
    await t.engine.refund(sale.orderId, 100);
    expect(paid.maskedCode).not.toContain(scanned.slice(6, 14));
    const bytes = readdirSync(t.dataDir)
      .filter((f) => f.startsWith('journal'))
      .map((f) => readFileSync(path.join(t.dataDir, f)).toString('latin1'))
      .join('');
    expect(bytes).toContain(sale.orderId);
    expect(bytes).not.toContain(scanned);
    expect(bytes).not.toContain(sim.store.salt);
  });
});
