/**
 * Refunds, history and the daily report against the simulator: full and partial refunds,
 * never beyond what was paid, never of a sale that is not paid; the history filters; the
 * Z report's totals per method and currency; the CSV export. Each test has a terminal (data
 * folder) and a simulator of its own, and makes the sales it looks at.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZReportSchema, type SaleView } from '../../../shared/ipc/contract.ts';
import { formatForGateway } from '../../../shared/money.ts';
import { EngineError } from '../../../electron/engine/errors.ts';
import {
  isShownFinal,
  ledgerProblems,
  openTestTerminal,
  removeDir,
  scenarioAmount,
  waitFor,
} from '../../support/engineProcess.ts';
import {
  alipayCode,
  startTestSimulator,
  wechatCode,
  type TestSimulator,
} from '../../support/simulator.ts';

let sim: TestSimulator;
let t: Awaited<ReturnType<typeof openTestTerminal>>;

beforeEach(async () => {
  sim = await startTestSimulator();
  t = await openTestTerminal(sim, { terminalId: 'REFUND', customerDeadlineMs: 5000 });
});

afterEach(async () => {
  await t.close();
  await sim.close();
  removeDir(t.dataDir);
});

async function paidSale(amountMinor: number, code = wechatCode()): Promise<SaleView> {
  const sale = t.engine.startSale({ amountMinor, currency: 'CNY' });
  await t.engine.submitCode(sale.orderId, code, 'manual');
  return waitFor(() => t.engine.sale(sale.orderId) as SaleView, isShownFinal);
}

async function refusalOf(work: () => Promise<unknown>): Promise<EngineError | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    return error instanceof EngineError ? error : undefined;
  }
}

/** The day the terminal recorded the sale on (the report's and the export's day). */
function dayOf(sale: SaleView): string {
  const day = t.journal.sale(sale.orderId)?.day;
  if (!day) throw new Error(`sale ${sale.orderId} is not in the journal`);
  return day;
}

function refundsInLedger(orderId: string) {
  return sim
    .ledger()
    .filter((e) => e.kind === 'refund' && e.merchantTransactionId === orderId)
    .map((e) => [e.merchantRefundId, e.amountMinor, e.status]);
}

describe('refunds', () => {
  it('a full refund gives everything back', async () => {
    const sale = await paidSale(scenarioAmount(0, 4200));
    const after = await t.engine.refund(sale.orderId, sale.amountMinor);
    expect(after.refundedMinor).toBe(sale.amountMinor);
    expect(after.refunds).toEqual([
      expect.objectContaining({
        status: 'refunded',
        amountMinor: sale.amountMinor,
        automatic: false,
      }),
    ]);
    expect(refundsInLedger(sale.orderId)).toEqual([
      [after.refunds[0]?.refundId, sale.amountMinor, 'SUCCESS'],
    ]);
  });

  it('two partial refunds, each with its own merchantRefundId; a third beyond the balance is refused', async () => {
    const sale = await paidSale(scenarioAmount(0, 10_000));
    await t.engine.refund(sale.orderId, 3000);
    const second = await t.engine.refund(sale.orderId, 2500);
    expect(second.refundedMinor).toBe(5500);
    const ids = second.refunds.map((r) => r.refundId);
    expect(new Set(ids).size).toBe(2);

    const refused = await refusalOf(() => t.engine.refund(sale.orderId, 4501));
    expect(refused?.code).toBe('refund-exceeds-balance');
    expect(refused?.message).toBe('Only ¥45.00 can still be refunded on this sale');
    expect(refundsInLedger(sale.orderId)).toEqual([
      [ids[0], 3000, 'SUCCESS'],
      [ids[1], 2500, 'SUCCESS'],
    ]);

    const rest = await t.engine.refund(sale.orderId, 4500);
    expect(rest.refundedMinor).toBe(sale.amountMinor);
    const more = await refusalOf(() => t.engine.refund(sale.orderId, 1));
    expect(more?.code).toBe('refund-exceeds-balance');
    expect(more?.message).toBe('This sale is already fully refunded');
  });

  it('a refund of a sale still waiting for the customer is refused, and nothing is sent', async () => {
    const sale = t.engine.startSale({ amountMinor: scenarioAmount(2, 3000), currency: 'CNY' });
    const waiting = await t.engine.submitCode(sale.orderId, wechatCode(), 'manual');
    expect(waiting.status).toBe('waiting-for-customer');
    const refused = await refusalOf(() => t.engine.refund(sale.orderId, 100));
    expect(refused?.code).toBe('refund-not-allowed');
    expect(refused?.message).toMatch(/not confirmed yet/);
    await waitFor(() => t.engine.sale(sale.orderId) as SaleView, isShownFinal);
    expect(refundsInLedger(sale.orderId)).toEqual([]);
  });

  it('a refund of a declined sale, or of an unknown order, is refused', async () => {
    const declined = await paidSale(scenarioAmount(1, 3000));
    expect(declined.status).toBe('declined');
    expect((await refusalOf(() => t.engine.refund(declined.orderId, 100)))?.code).toBe(
      'refund-not-allowed',
    );
    expect((await refusalOf(() => t.engine.refund('NO-SUCH-ORDER', 100)))?.code).toBe('not-found');
    expect((await refusalOf(() => t.engine.refund(declined.orderId, 0)))?.code).toBe(
      'amount-invalid',
    );
  });

  it('the journal and the ledger agree on every charge and refund', async () => {
    const full = await paidSale(scenarioAmount(0, 4200));
    await t.engine.refund(full.orderId, full.amountMinor);
    const partial = await paidSale(scenarioAmount(0, 5000), alipayCode());
    await t.engine.refund(partial.orderId, 1000);
    await t.engine.refund(partial.orderId, 500);
    const declined = await paidSale(scenarioAmount(1, 3000));
    const confirmed = await paidSale(scenarioAmount(2, 3000));
    expect([full, partial, declined, confirmed].map((s) => s.status)).toEqual([
      'paid',
      'paid',
      'declined',
      'paid',
    ]);
    await t.engine.whenIdle(10_000);

    expect(ledgerProblems(sim.ledger(), t.journal, { terminalId: 'REFUND' })).toEqual([]);
    // It compared something: every sale above is in the journal, and the ledger holds the
    // three successful charges and the three refunds the journal says were made.
    expect(t.journal.listSales({ limit: 100 }).map((s) => s.orderId)).toHaveLength(4);
    const ledger = sim.ledger().filter((e) => e.status === 'SUCCESS');
    expect(ledger.filter((e) => e.kind === 'charge').map((e) => e.merchantTransactionId)).toEqual(
      expect.arrayContaining([full.orderId, partial.orderId, confirmed.orderId]),
    );
    expect(ledger.filter((e) => e.kind === 'charge')).toHaveLength(3);
    expect(ledger.filter((e) => e.kind === 'refund').map((e) => e.amountMinor)).toEqual([
      full.amountMinor,
      1000,
      500,
    ]);
  });
});

describe('history, daily report and CSV', () => {
  it('filters the history by status, method and search text', async () => {
    const wechat = await paidSale(scenarioAmount(0, 1110));
    const alipay = await paidSale(scenarioAmount(0, 2220), alipayCode());
    const declined = await paidSale(scenarioAmount(1, 3330));
    const day = t.journal.sale(wechat.orderId)?.day as string;

    const all = t.engine.history({ day });
    expect(all.map((s) => s.orderId)).toEqual([declined.orderId, alipay.orderId, wechat.orderId]);
    expect(t.engine.history({ status: 'declined' }).map((s) => s.orderId)).toEqual([
      declined.orderId,
    ]);
    expect(t.engine.history({ status: 'declined' }).every((s) => s.status === 'declined')).toBe(
      true,
    );
    expect(t.engine.history({ method: 'AlipayCN-Offline' }).map((s) => s.orderId)).toEqual([
      alipay.orderId,
    ]);
    const suffix = wechat.orderId.slice(-6);
    expect(t.engine.history({ search: suffix.toLowerCase() }).map((s) => s.orderId)).toEqual([
      wechat.orderId,
    ]);
    expect(t.engine.history({ limit: 2 })).toHaveLength(2);
    expect(t.engine.history({ day: '1999-01-01' })).toEqual([]);
  });

  it('the Z report counts paid sales and refunds per method and currency, with the net', async () => {
    const wechat = await paidSale(scenarioAmount(0, 2000));
    await t.engine.refund(wechat.orderId, 700);
    await paidSale(scenarioAmount(0, 3000));
    const alipay = await paidSale(scenarioAmount(0, 4000), alipayCode());
    await t.engine.refund(alipay.orderId, alipay.amountMinor);
    await paidSale(scenarioAmount(1, 5000));
    const day = dayOf(wechat);
    const report = ZReportSchema.parse(t.engine.report(day));
    const paid = t.engine.history({ day, limit: 1000 }).filter((s) => s.status === 'paid');
    const refunds = paid.flatMap((s) => s.refunds).filter((r) => r.status === 'refunded');
    for (const method of ['Wechat-Offline', 'AlipayCN-Offline'] as const) {
      const row = report.rows.find((r) => r.method === method && r.currency === 'CNY');
      const sales = paid.filter((s) => s.method === method);
      const refunded = sales.flatMap((s) => s.refunds).filter((r) => r.status === 'refunded');
      expect(row).toEqual({
        method,
        currency: 'CNY',
        salesCount: sales.length,
        salesMinor: sales.reduce((sum, s) => sum + s.amountMinor, 0),
        refundsCount: refunded.length,
        refundsMinor: refunded.reduce((sum, r) => sum + r.amountMinor, 0),
        netMinor:
          sales.reduce((sum, s) => sum + s.amountMinor, 0) -
          refunded.reduce((sum, r) => sum + r.amountMinor, 0),
      });
    }
    // Declined and waiting sales never count.
    const total = report.rows.reduce((sum, r) => sum + r.salesCount, 0);
    expect(total).toBe(paid.length);
    expect(report.rows.reduce((sum, r) => sum + r.refundsCount, 0)).toBe(refunds.length);
    // What the sales above make: the declined one never counts.
    expect(report.rows.map((r) => [r.method, r.salesCount, r.refundsCount, r.netMinor])).toEqual(
      expect.arrayContaining([
        ['Wechat-Offline', 2, 1, 2000 + 3000 - 700],
        ['AlipayCN-Offline', 1, 1, 0],
      ]),
    );
    expect(report.rows).toHaveLength(2);
    expect(t.engine.report('1999-01-01')).toEqual({ day: '1999-01-01', rows: [] });
  });

  it('the CSV export has one line per sale and per refund of the day', async () => {
    const refunded = await paidSale(scenarioAmount(0, 6000));
    await t.engine.refund(refunded.orderId, 2000);
    await t.engine.refund(refunded.orderId, 4000);
    await paidSale(scenarioAmount(0, 2500), alipayCode());
    await paidSale(scenarioAmount(1, 1500));
    const day = dayOf(refunded);
    const { filename, csv } = t.engine.exportCsv(day);
    expect(filename).toBe(`pospay-${day}.csv`);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'type,order_id,refund_id,time,status,method,currency,amount,refunded,masked_code,transaction_id,automatic,recovered,reason,training',
    );
    const sales = t.engine.history({ day, limit: 1000 });
    const refunds = sales.flatMap((s) => s.refunds);
    expect(sales).toHaveLength(3);
    expect(refunds).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('sale,'))).toHaveLength(sales.length);
    expect(lines.filter((l) => l.startsWith('refund,'))).toHaveLength(refunds.length);
    const sale = sales.find((s) => s.orderId === refunded.orderId) as SaleView;
    expect(sale.refundedMinor).toBe(sale.amountMinor);
    const line = lines.find((l) => l.startsWith(`sale,${sale.orderId},`)) ?? '';
    const amount = formatForGateway(sale.amountMinor, 'CNY');
    expect(line).toContain(`,paid,Wechat-Offline,CNY,${amount},${amount},${sale.maskedCode},`);
    for (const refund of sale.refunds) {
      const refundLine = lines.find((l) =>
        l.startsWith(`refund,${sale.orderId},${refund.refundId},`),
      );
      expect(refundLine).toContain(
        `,refunded,Wechat-Offline,CNY,${formatForGateway(refund.amountMinor, 'CNY')},`,
      );
    }
  });
});
