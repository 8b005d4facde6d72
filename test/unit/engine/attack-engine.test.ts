/**
 * Attacks on the engine's money-safety rules with a scripted gateway and fake time: paths the
 * rules must hold on that the first round of tests did not walk (a retry after a decline that
 * came after the deadline, two processes with different settings on one data folder, another
 * process committing between the engine's read of a sale and its write, a late SUCCESS that
 * does not state the amount, a crash between "late-paid" and its refund).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PaymentOutcome } from '../../../shared/gateway/outcome.ts';
import { checkSaleTransition } from '../../../shared/saleTransitions.ts';
import { notFoundWindowFor, type PaymentEngine } from '../../../electron/engine/paymentEngine.ts';
import { openJournal, type Journal } from '../../../electron/journal/journal.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';
import {
  AttackGateway,
  CODE,
  CODE_2,
  RacingJournal,
  attackEngine,
  closedOutcome,
  declinedOutcome,
  lostOutcome,
  notFoundOutcome,
  paidOutcome,
  pendingOutcome,
  seedSale,
  type AttackEngineOptions,
} from '../../support/attackEngine.ts';

let dir: string;
let journal: Journal;
let gateway: AttackGateway;
const engines: PaymentEngine[] = [];
const journals: Journal[] = [];

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2025-03-01T10:00:00Z') });
  dir = tempDataDir();
  journal = openJournal({ dir });
  gateway = new AttackGateway();
});

afterEach(async () => {
  const stopping = Promise.all(engines.map((e) => e.stop()));
  await vi.runOnlyPendingTimersAsync();
  await stopping;
  engines.length = 0;
  vi.useRealTimers();
  for (const j of [journal, ...journals]) {
    try {
      j.close();
    } catch {
      // already closed
    }
  }
  journals.length = 0;
  removeDir(dir);
});

function make(options: Partial<AttackEngineOptions> = {}): PaymentEngine {
  const engine = attackEngine({ journal, gateway, ...options });
  engines.push(engine);
  return engine;
}

/** Another process on the same data folder: its own connection to the journal. */
function otherProcess(options: Partial<AttackEngineOptions> = {}): {
  journal: Journal;
  engine: PaymentEngine;
} {
  const other = openJournal({ dir });
  journals.push(other);
  const engine = attackEngine({ journal: other, gateway, terminalId: 'OTHER', ...options });
  engines.push(engine);
  return { journal: other, engine };
}

function held(): { promise: Promise<PaymentOutcome>; answer: (o: PaymentOutcome) => void } {
  let answer!: (o: PaymentOutcome) => void;
  const promise = new Promise<PaymentOutcome>((resolve) => {
    answer = resolve;
  });
  return { promise, answer };
}

/**
 * The customer's deadline passes (the cashier is told "did not confirm"), the background
 * query then finds the payment declined, and the cashier retries the same sale with a fresh
 * code (a declined sale may take a new attempt).
 */
async function retryAfterLateDecline(engine: PaymentEngine): Promise<string> {
  gateway.pay = async () => pendingOutcome();
  gateway.ask = async () => pendingOutcome();
  const sale = engine.startSale({ amountMinor: 1000 });
  await engine.submitCode(sale.orderId, CODE, 'wedge');
  await vi.advanceTimersByTimeAsync(5_500);
  expect(engine.sale(sale.orderId)).toMatchObject({ status: 'unknown', abandoned: true });
  gateway.ask = async () => declinedOutcome();
  await vi.advanceTimersByTimeAsync(20_000);
  expect(engine.sale(sale.orderId)?.status).toBe('declined');
  gateway.ask = async () => pendingOutcome();
  const retry = await engine.submitCode(sale.orderId, CODE_2, 'wedge');
  expect(retry.status).toBe('waiting-for-customer');
  return sale.orderId;
}

describe('a new attempt after a decline that came in after the deadline', () => {
  it('is a sale the cashier waits on again (not carried over as "abandoned")', async () => {
    const engine = make({ customerDeadlineMs: 5000 });
    const orderId = await retryAfterLateDecline(engine);
    expect(engine.sale(orderId)?.abandoned).toBe(false);
    expect(journal.sale(orderId)?.abandoned).toBeNull();
  });

  it('counts as the one sale in flight: another process cannot charge meanwhile', async () => {
    const engine = make({ customerDeadlineMs: 5000 });
    const orderId = await retryAfterLateDecline(engine);
    const other = otherProcess();
    let secondCharged = false;
    try {
      const b = other.engine.startSale({ amountMinor: 2000 });
      await other.engine.submitCode(b.orderId, '134567890123456781', 'wedge');
      secondCharged = true;
    } catch {
      // refused: right
    }
    expect(secondCharged, `a second sale was charged while ${orderId} was in flight`).toBe(false);
  });

  it('the customer confirming the retry is paid — not refunded as a payment nobody waited for', async () => {
    const engine = make({ customerDeadlineMs: 5000 });
    const orderId = await retryAfterLateDecline(engine);
    gateway.ask = async () => paidOutcome();
    await vi.advanceTimersByTimeAsync(2_000);
    const view = engine.sale(orderId);
    expect(view?.status).toBe('paid');
    expect(view?.reasonCode).not.toBe('auto-refunded');
    expect(gateway.count('refund')).toBe(0);
  });

  it("the retry's own deadline still ends the cashier's wait (unknown, still being resolved)", async () => {
    const engine = make({ customerDeadlineMs: 5000 });
    const orderId = await retryAfterLateDecline(engine);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(engine.sale(orderId)).toMatchObject({ status: 'unknown', abandoned: true });
  });
});

describe('"not found" across processes with different request timeouts', () => {
  it('pospay query (10 s timeout) does not close a sale whose request is still in flight in the app (60 s timeout)', async () => {
    // The app's gateway timeout is a setting (1–120 s); pospay uses the default 10 s.
    const app = make({
      tuning: { notFoundWindowMs: notFoundWindowFor(60_000), notFoundGraceMs: 1000 },
    });
    const pay = held();
    gateway.pay = () => pay.promise;
    const sale = app.startSale({ amountMinor: 1000 });
    const submitted = app.submitCode(sale.orderId, CODE, 'wedge');
    await vi.advanceTimersByTimeAsync(10);
    // The gateway has not registered the request yet (a slow gateway): "does not exist".
    gateway.ask = async () => notFoundOutcome();
    const cli = otherProcess({ tuning: { notFoundGraceMs: 1000 } }); // window for 10 s
    const query = cli.engine.refresh(sale.orderId, { waitMs: 25_000 });
    await vi.advanceTimersByTimeAsync(25_000);
    await query;
    expect
      .soft(journal.sale(sale.orderId)?.status, 'closed while the app still waited for its answer')
      .not.toBe('closed');
    // The app's request is answered now (30 s, inside its own timeout): the customer paid.
    pay.answer(paidOutcome());
    await submitted;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(app.sale(sale.orderId)).toMatchObject({ status: 'paid', abandoned: false });
    expect(gateway.count('refund'), 'a payment made while the till waited was refunded').toBe(0);
  });
});

describe('one sale in flight across processes with different customer deadlines', () => {
  it('a sale whose own deadline has not passed is not taken as "left by a process that is gone"', async () => {
    // `pospay pay --deadline 120` in one process, the app (60 s) in another.
    const a = make({ customerDeadlineMs: 120_000 });
    gateway.pay = async () => pendingOutcome();
    gateway.ask = async () => pendingOutcome();
    const sa = a.startSale({ amountMinor: 1000 });
    await a.submitCode(sa.orderId, CODE, 'wedge');
    const b = otherProcess({ customerDeadlineMs: 60_000 });
    await vi.advanceTimersByTimeAsync(80_000);
    expect(a.sale(sa.orderId)).toMatchObject({
      status: 'waiting-for-customer',
      abandoned: false,
    });
    let secondCharged = false;
    try {
      const sb = b.engine.startSale({ amountMinor: 2000 });
      await b.engine.submitCode(sb.orderId, CODE_2, 'wedge');
      secondCharged = true;
    } catch {
      // refused: right, the first customer is still confirming
    }
    expect
      .soft(secondCharged, 'a second sale was charged while the first was in flight')
      .toBe(false);
    expect.soft(gateway.count('pay')).toBe(1);
    // The first customer confirms inside their own deadline.
    gateway.ask = async (orderId) => (orderId === sa.orderId ? paidOutcome() : pendingOutcome());
    await vi.advanceTimersByTimeAsync(15_000);
    expect(a.sale(sa.orderId)).toMatchObject({ status: 'paid', abandoned: false });
    expect(gateway.count('refund', sa.orderId)).toBe(0);
  });
});

describe('a sale left in flight by a process that is gone, with a refused salt', () => {
  it('marked abandoned by the next sale, it still names the real cause (the salt), not the customer', async () => {
    const stale = 'ORD-SALT';
    seedSale(journal, stale, Date.now() - 200_000, {
      status: 'unknown',
      reason:
        'The gateway refused our signature (104000): check the salt (store key) in Settings. ' +
        'The payment could not be confirmed — do not charge again; call the supervisor/IT.',
      reasonCode: 'gateway-credentials',
    });
    const engine = make();
    gateway.pay = async () => pendingOutcome();
    const sale = engine.startSale({ amountMinor: 500 });
    await engine.submitCode(sale.orderId, CODE, 'wedge');
    const left = journal.sale(stale);
    expect(left?.abandoned).toBe('deadline');
    expect(left?.reason ?? '').toMatch(/check the salt/);
  });
});

describe('another process commits between the engine reading a sale and writing it', () => {
  it('the deadline fires as another process records the sale paid: no exception out of the timer, paid kept', async () => {
    const racing = new RacingJournal(journal);
    const engine = attackEngine({ journal: racing.journal, gateway, customerDeadlineMs: 5000 });
    engines.push(engine);
    const pay = held();
    gateway.pay = () => pay.promise; // the request is in flight at the deadline
    const sale = engine.startSale({ amountMinor: 1000 });
    const submitted = engine.submitCode(sale.orderId, CODE, 'wedge');
    await vi.advanceTimersByTimeAsync(4_990);
    const other = otherProcess();
    racing.armed = {
      orderId: sale.orderId,
      run: () => {
        const rec = other.journal.sale(sale.orderId);
        if (!rec) throw new Error('not journaled');
        other.journal.changeSale(
          rec,
          { status: 'paid', settled: true, transactionId: 'TX-Q', gatewayStatus: 'SUCCESS' },
          { kind: 'resolved', detail: { via: 'query', outcome: 'paid' } },
        );
      },
    };
    // In a real process an exception here is uncaught (a timer callback): the process dies.
    const thrown = await vi.advanceTimersByTimeAsync(100).then(
      () => null,
      (error: unknown) => error,
    );
    expect.soft(thrown, 'the deadline timer threw').toBeNull();
    pay.answer(paidOutcome());
    await submitted.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(engine.sale(sale.orderId)).toMatchObject({ status: 'paid', abandoned: false });
    expect(gateway.count('refund')).toBe(0);
  });

  it('the pay answer is lost (timeout) as another process records the SUCCESS: submitCode still answers with the sale', async () => {
    const racing = new RacingJournal(journal);
    const engine = attackEngine({ journal: racing.journal, gateway });
    engines.push(engine);
    const pay = held();
    gateway.pay = () => pay.promise;
    const sale = engine.startSale({ amountMinor: 1000 });
    const submitted = engine.submitCode(sale.orderId, CODE, 'wedge');
    await vi.advanceTimersByTimeAsync(10);
    const other = otherProcess();
    racing.armed = {
      orderId: sale.orderId,
      run: () => {
        const rec = other.journal.sale(sale.orderId);
        if (!rec) throw new Error('not journaled');
        other.journal.changeSale(
          rec,
          { status: 'paid', settled: true, transactionId: 'TX-Q', gatewayStatus: 'SUCCESS' },
          { kind: 'resolved', detail: { via: 'query', outcome: 'paid' } },
        );
      },
    };
    pay.answer(lostOutcome());
    const result = await submitted.then(
      (view) => view,
      (error: unknown) => error,
    );
    // pospay pay turns a rejection here into exit 2 "refused before charging", no JSON line.
    expect(result).not.toBeInstanceOf(Error);
    expect(engine.sale(sale.orderId)?.status).toBe('paid');
  });

  it('conflicting "not paid" answers (CLOSED recorded elsewhere, FAILED here): submitCode does not throw', async () => {
    const racing = new RacingJournal(journal);
    const engine = attackEngine({ journal: racing.journal, gateway });
    engines.push(engine);
    const pay = held();
    gateway.pay = () => pay.promise;
    const sale = engine.startSale({ amountMinor: 1000 });
    const submitted = engine.submitCode(sale.orderId, CODE, 'wedge');
    await vi.advanceTimersByTimeAsync(10);
    const other = otherProcess();
    racing.armed = {
      orderId: sale.orderId,
      run: () => {
        const rec = other.journal.sale(sale.orderId);
        if (!rec) throw new Error('not journaled');
        other.journal.changeSale(
          rec,
          { status: 'closed', settled: true, reason: 'closed', reasonCode: 'closed' },
          { kind: 'resolved', detail: { via: 'query', outcome: closedOutcome().kind } },
        );
      },
    };
    pay.answer(declinedOutcome());
    const result = await submitted.then(
      (view) => view,
      (error: unknown) => error,
    );
    expect(result).not.toBeInstanceOf(Error);
    expect(['closed', 'declined']).toContain(engine.sale(sale.orderId)?.status);
  });
});

describe('a late signed SUCCESS for a sale recorded closed', () => {
  function seedClosed(orderId: string): void {
    seedSale(journal, orderId, Date.now() - 60_000, {
      status: 'closed',
      settled: true,
      reason: 'The payment did not reach the gateway — nothing was charged',
      reasonCode: 'not-sent',
      updatedAt: Date.now() - 30_000,
    });
    gateway.know(orderId, 1000);
  }

  it('that states no amount is not discarded: the sale no longer reads "nothing was charged"', async () => {
    seedClosed('ORD-NOAMOUNT');
    const engine = make();
    gateway.statesAmount = false;
    gateway.ask = async () => paidOutcome(); // signed SUCCESS, amount and currency left out
    await engine.sweep();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gateway.count('query', 'ORD-NOAMOUNT')).toBe(1);
    const kinds = engine.events('ORD-NOAMOUNT').map((e) => e.kind);
    expect.soft(kinds.length, `events: ${kinds.join(', ')}`).toBeGreaterThan(2);
    expect(engine.sale('ORD-NOAMOUNT')?.status).not.toBe('closed');
  });

  it('that states another amount is not discarded either', async () => {
    seedClosed('ORD-OTHERAMOUNT');
    const engine = make();
    gateway.ask = async () => paidOutcome(500, 'CNY');
    await engine.sweep();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(engine.sale('ORD-OTHERAMOUNT')?.status).not.toBe('closed');
  });

  it('on a re-send, after another process closed the sale meanwhile: paid, refunded, history shows both (pins)', async () => {
    const engine = make({ tuning: { notFoundGraceMs: 1000 } });
    const resend = held();
    let pays = 0;
    gateway.pay = () => {
      pays += 1;
      return pays === 1 ? Promise.resolve(lostOutcome()) : resend.promise;
    };
    gateway.ask = async () => notFoundOutcome();
    const sale = engine.startSale({ amountMinor: 1000 });
    await engine.submitCode(sale.orderId, CODE, 'wedge');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(gateway.count('pay')).toBe(2); // the same attempt re-sent, held at the gateway
    const rec = journal.sale(sale.orderId);
    if (!rec) throw new Error('not journaled');
    journal.changeSale(
      rec,
      { status: 'closed', settled: true, reason: 'not sent', reasonCode: 'not-sent' },
      { kind: 'resolved', detail: { outcome: 'not-found' } },
    );
    resend.answer(paidOutcome());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(engine.sale(sale.orderId)).toMatchObject({ status: 'paid', abandoned: true });
    expect(gateway.count('refund')).toBe(1);
    const kinds = engine.events(sale.orderId).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['resend', 'resolved', 'late-paid']));
  });
});

describe('a crash between the "late-paid" commit and its automatic refund (pins)', () => {
  it('the next start refunds it, once', async () => {
    const orderId = 'ORD-CRASHED';
    seedSale(journal, orderId, Date.now() - 120_000, {
      status: 'closed',
      settled: true,
      reason: 'not sent',
      reasonCode: 'not-sent',
      updatedAt: Date.now() - 100_000,
    });
    const rec = journal.sale(orderId);
    if (!rec) throw new Error('not journaled');
    // The process that committed this died before journaling the refund.
    journal.changeSale(
      rec,
      {
        status: 'paid',
        settled: true,
        abandoned: 'closed',
        reason: 'Paid after the till stopped waiting — refunded automatically',
        reasonCode: 'auto-refunded',
        transactionId: 'TX-LATE',
        gatewayStatus: 'SUCCESS',
        updatedAt: Date.now() - 90_000,
      },
      { kind: 'late-paid', detail: { was: 'closed' } },
    );
    const first = make();
    await first.recover();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gateway.count('refund', orderId)).toBe(1);
    const second = make();
    await second.recover();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gateway.count('refund', orderId)).toBe(1);
    expect(journal.refundsOf(orderId)).toEqual([
      expect.objectContaining({ automatic: true, status: 'refunded', amountMinor: 1000 }),
    ]);
  });
});

describe('an automatic refund the gateway declines', () => {
  it('the sale does not keep reading "refunded automatically" with nothing refunded, and it is tried again', async () => {
    const engine = make({ customerDeadlineMs: 5000 });
    const pay = held();
    gateway.pay = () => pay.promise;
    gateway.give = async (r) => ({
      kind: 'declined',
      reason: 'The refund was refused.',
      code: '000000',
      resultCode: '108001',
      description: 'refund refused',
      status: 'FAILED',
      merchantRefundId: r.merchantRefundId,
    });
    const sale = engine.startSale({ amountMinor: 1000 });
    const submitted = engine.submitCode(sale.orderId, CODE, 'wedge');
    await vi.advanceTimersByTimeAsync(5_000);
    pay.answer(paidOutcome());
    await submitted;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(engine.sale(sale.orderId)?.refunds).toEqual([
      expect.objectContaining({ automatic: true, status: 'declined' }),
    ]);
    await engine.sweep();
    await vi.advanceTimersByTimeAsync(1_000);
    const view = engine.sale(sale.orderId);
    const notDeclined = view?.refunds.filter((r) => r.status !== 'declined') ?? [];
    const honest = view?.reasonCode !== 'auto-refunded';
    expect(
      notDeclined.length > 0 || honest,
      `paid, its only automatic refund declined, and it says: ${view?.reason ?? ''}`,
    ).toBe(true);
  });
});

describe('the transition table takes the moves the engine makes (pins)', () => {
  it('credentials refusal, then the deadline, then an answer for another amount: no refusal', async () => {
    const engine = make({ customerDeadlineMs: 5000 });
    gateway.pay = async () => ({
      kind: 'rejected',
      reason: 'bad signature',
      code: '104000',
      resultCode: '104000',
      description: 'signature error',
    });
    gateway.ask = async () => ({
      kind: 'rejected',
      reason: 'bad signature',
      code: '104000',
      resultCode: '104000',
      description: 'signature error',
    });
    const sale = engine.startSale({ amountMinor: 1000 });
    const first = await engine.submitCode(sale.orderId, CODE, 'wedge');
    expect(first.status).toBe('unknown');
    await vi.advanceTimersByTimeAsync(5_500);
    expect(engine.sale(sale.orderId)).toMatchObject({ status: 'unknown', abandoned: true });
    expect(engine.sale(sale.orderId)?.reason).toMatch(/check the salt/);
    gateway.ask = async () => paidOutcome(999, 'CNY');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(engine.sale(sale.orderId)).toMatchObject({
      status: 'unknown',
      reasonCode: 'amount-mismatch',
    });
    expect(gateway.count('refund')).toBe(0);
  });

  it('the moves recovery, a retry and a late SUCCESS make are allowed', () => {
    const open = (status: 'submitting' | 'waiting-for-customer' | 'unknown') => ({
      status,
      settled: false,
    });
    expect(checkSaleTransition(open('unknown'), { status: 'unknown', settled: true }).ok).toBe(
      true,
    );
    expect(checkSaleTransition({ status: 'declined', settled: true }, open('submitting')).ok).toBe(
      true,
    );
    expect(
      checkSaleTransition({ status: 'closed', settled: true }, { status: 'paid', settled: true })
        .ok,
    ).toBe(true);
    expect(
      checkSaleTransition(open('waiting-for-customer'), { status: 'closed', settled: true }).ok,
    ).toBe(true);
  });
});
