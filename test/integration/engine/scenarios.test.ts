/**
 * Every scenario row of simulator.md, end to end: the real engine, journal and gateway client
 * against the simulator over HTTP. Each sale must end in the outcome the table states, and
 * the simulator's ledger and the journal must agree sale by sale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import {
  isShownFinal,
  ledgerProblems,
  openTestTerminal,
  removeDir,
  scenarioAmount,
  waitFor,
} from '../../support/engineProcess.ts';
import { startTestSimulator, wechatCode, type TestSimulator } from '../../support/simulator.ts';

let sim: TestSimulator;
let terminal: Awaited<ReturnType<typeof openTestTerminal>>;

beforeAll(async () => {
  sim = await startTestSimulator();
  // Deadline 1.5 s: scenario 4's gateway closes the order after 60 s × 0.05 = 3 s.
  terminal = await openTestTerminal(sim, { customerDeadlineMs: 1500, timeoutMs: 1000 });
});

afterAll(async () => {
  await terminal.close();
  await sim.close();
  removeDir(terminal.dataDir);
});

/** Starts a sale of the scenario's amount, scans a fresh code, records every update. */
async function pay(digit: number): Promise<{ first: SaleView; updates: SaleView[] }> {
  const { engine } = terminal;
  const sale = engine.startSale({ amountMinor: scenarioAmount(digit), currency: 'CNY' });
  const updates: SaleView[] = [];
  const off = engine.onSaleUpdated((view) => {
    if (view.orderId === sale.orderId) updates.push(view);
  });
  const first = await engine.submitCode(sale.orderId, wechatCode(), 'manual');
  const done = await waitFor(
    () => engine.sale(sale.orderId) as SaleView,
    (view) => ['paid', 'declined', 'closed'].includes(view.status),
  );
  off();
  updates.push(done);
  return { first, updates };
}

function last(updates: SaleView[]): SaleView {
  return updates[updates.length - 1] as SaleView;
}

function chargesOf(orderId: string) {
  return sim.ledger().filter((e) => e.kind === 'charge' && e.merchantTransactionId === orderId);
}

function eventKinds(orderId: string): string[] {
  return terminal.engine.events(orderId).map((e) => e.kind);
}

describe('simulator scenario table (the last minor digit picks the behaviour)', () => {
  it('0: paid at once, one charge', async () => {
    const { first } = await pay(0);
    expect(first.status).toBe('paid');
    expect(first.reason).toBeNull();
    expect(first.method).toBe('Wechat-Offline');
    expect(first.maskedCode).toMatch(/^13\d{4}\*{8}\d{4}$/);
    expect(chargesOf(first.orderId).map((c) => c.status)).toEqual(['SUCCESS']);
  });

  it('1: declined, with the wallet’s reason shown', async () => {
    const { first } = await pay(1);
    expect(first.status).toBe('declined');
    expect(first.reasonCode).toBe('declined');
    expect(first.reason).toMatch(/^Declined by the wallet: .*insufficient balance/i);
    expect(chargesOf(first.orderId).map((c) => c.status)).toEqual(['FAILED']);
  });

  it('2: waits for the customer, then paid', async () => {
    const { first, updates } = await pay(2);
    expect(first.status).toBe('waiting-for-customer');
    expect(first.remainingMs).toBeGreaterThan(0);
    expect(updates.map((u) => u.status)).toContain('waiting-for-customer');
    expect(last(updates).status).toBe('paid');
    expect(chargesOf(first.orderId).map((c) => c.status)).toEqual(['SUCCESS']);
  });

  it('3: waits for the customer, who cancels: declined', async () => {
    const { first, updates } = await pay(3);
    expect(first.status).toBe('waiting-for-customer');
    const final = last(updates);
    expect(final.status).toBe('declined');
    expect(final.reason).toMatch(/cancelled/i);
    expect(chargesOf(first.orderId).map((c) => c.status)).toEqual(['FAILED']);
  });

  it('4: "customer did not confirm" at the deadline, nothing charged, CLOSED in the background', async () => {
    const { engine } = terminal;
    const sale = engine.startSale({ amountMinor: scenarioAmount(4), currency: 'CNY' });
    const first = await engine.submitCode(sale.orderId, wechatCode(), 'manual');
    expect(first.status).toBe('waiting-for-customer');
    const told = await waitFor(() => engine.sale(sale.orderId) as SaleView, isShownFinal);
    expect(told.status).toBe('unknown');
    expect(told.abandoned).toBe(true);
    expect(told.reason).toBe('Customer did not confirm in time');
    expect(told.remainingMs).toBeNull();
    // The cashier can take the next customer while this one is still being resolved.
    const next = engine.startSale({ amountMinor: 1000, currency: 'CNY' });
    engine.cancel(next.orderId);
    const closed = await waitFor(
      () => engine.sale(sale.orderId) as SaleView,
      (view) => view.status === 'closed',
    );
    expect(closed.status).toBe('closed');
    expect(closed.reason).toBe('Customer did not confirm in time — nothing was charged');
    expect(closed.refunds).toEqual([]);
    expect(chargesOf(sale.orderId).map((c) => c.status)).toEqual(['CLOSED']);
  });

  it('5: connection dropped after charging: paid, found by query, one charge', async () => {
    const { first, updates } = await pay(5);
    expect(first.status).toBe('waiting-for-customer');
    expect(last(updates).status).toBe('paid');
    const answer = terminal.engine.events(first.orderId).find((e) => e.kind === 'answer-unknown');
    expect(answer?.detail?.cause).toBe('connection-lost');
    expect(eventKinds(first.orderId)).not.toContain('resend');
    expect(chargesOf(first.orderId).map((c) => c.status)).toEqual(['SUCCESS']);
  });

  it('6: answer later than the client’s timeout: paid, found by query, one charge', async () => {
    const { first, updates } = await pay(6);
    expect(first.status).toBe('waiting-for-customer');
    expect(last(updates).status).toBe('paid');
    const answer = terminal.engine.events(first.orderId).find((e) => e.kind === 'answer-unknown');
    expect(answer?.detail?.cause).toBe('timeout');
    expect(chargesOf(first.orderId).map((c) => c.status)).toEqual(['SUCCESS']);
  });

  it('7: tampered answer is never shown as paid; the signed query decides: paid once', async () => {
    const { first, updates } = await pay(7);
    expect(first.status).not.toBe('paid');
    const answer = terminal.engine.events(first.orderId).find((e) => e.kind === 'answer-unknown');
    expect(answer?.detail?.cause).toBe('bad-signature');
    // The first "paid" the screen ever sees comes from the query, after the tampered answer.
    const paidAt = updates.findIndex((u) => u.status === 'paid');
    expect(paidAt).toBeGreaterThan(0);
    const events = terminal.engine.events(first.orderId);
    const paidEvent = events.find((e) => e.status === 'paid');
    expect(paidEvent?.kind).toBe('resolved');
    expect(chargesOf(first.orderId).map((c) => c.status)).toEqual(['SUCCESS']);
  });

  it('8: expired code: "ask for a fresh code", nothing charged', async () => {
    const { first } = await pay(8);
    expect(first.status).toBe('declined');
    expect(first.reasonCode).toBe('code-expired');
    expect(first.reason).toBe('Payment code expired — ask the customer for a fresh code');
    expect(chargesOf(first.orderId)).toEqual([]);
  });

  it('9: HTTP 500 without charging; the query finds nothing; the same requestId is retried: paid once', async () => {
    const { first, updates } = await pay(9);
    expect(first.status).toBe('waiting-for-customer');
    expect(last(updates).status).toBe('paid');
    expect(eventKinds(first.orderId)).toContain('resend');
    const charges = chargesOf(first.orderId);
    expect(charges.map((c) => c.status)).toEqual(['SUCCESS']);
    const journaled = terminal.journal.sale(first.orderId);
    expect(charges[0]?.requestId).toBe(journaled?.requestId);
    expect(journaled?.attempt).toBe(1);
  });

  it('the ledger and the journal agree sale by sale (no double charge, none missing)', async () => {
    await terminal.engine.whenIdle(20_000);
    expect(terminal.journal.listSales().length).toBeGreaterThanOrEqual(10);
    expect(ledgerProblems(sim.ledger(), terminal.journal)).toEqual([]);
  });
});
