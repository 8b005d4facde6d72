/**
 * What the app layer relies on from the payment engine, as one suite run against every
 * engine a test passes to the app: the real engine on the simulator and the in-memory fake
 * of the core-supervisor tests (test/unit/app/engineContract.test.ts). A fake that drifts
 * from the engine (another error code, a cancel that closes a paid sale, a CSV without its
 * file name) fails here.
 */
import { describe, expect, it } from 'vitest';
import { ZReportSchema, type SaleView } from '../../shared/ipc/contract.ts';
import { maskCode } from '../../shared/paymentCode.ts';
import type { EngineLike } from '../../electron/app/ports.ts';

export interface ContractSubject {
  engine: EngineLike;
  /** A payment code the engine's gateway pays (a new one each call). */
  code(): string;
  /** The day (YYYY-MM-DD) the engine records the sale on. */
  dayOf(sale: SaleView): string;
  close(): Promise<void>;
}

/** The amount every sale of the suite uses (its last digit: a plain success on the simulator). */
const AMOUNT = 2000;

function codeOf(work: () => unknown): Promise<string | undefined> {
  return Promise.resolve()
    .then(work)
    .then(
      () => undefined,
      (error: unknown) => (error as { code?: string }).code,
    );
}

export function engineContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`engine contract: ${name}`, () => {
    async function withSubject(test: (s: ContractSubject) => Promise<void>): Promise<void> {
      const subject = await open();
      try {
        await test(subject);
      } finally {
        await subject.close();
      }
    }

    async function paid(s: ContractSubject): Promise<SaleView> {
      const sale = s.engine.startSale({ amountMinor: AMOUNT, currency: 'CNY' });
      const code = s.code();
      const after = await s.engine.submitCode(sale.orderId, code, 'manual');
      expect(after).toMatchObject({ status: 'paid', maskedCode: maskCode(code) });
      return after;
    }

    it('a new sale waits for its code, is the current sale, and is found by id', () =>
      withSubject(async (s) => {
        const sale = s.engine.startSale({ amountMinor: AMOUNT, currency: 'CNY' });
        expect(sale).toMatchObject({ status: 'awaiting-scan', amountMinor: AMOUNT });
        expect(s.engine.current()?.orderId).toBe(sale.orderId);
        expect(s.engine.sale(sale.orderId)?.status).toBe('awaiting-scan');
        expect(s.engine.sale('NO-SUCH-ORDER')).toBeNull();
      }));

    it('refuses a second sale while one waits for its code (sale-in-progress)', () =>
      withSubject(async (s) => {
        const first = s.engine.startSale({ amountMinor: AMOUNT, currency: 'CNY' });
        await expect(
          codeOf(() => s.engine.startSale({ amountMinor: AMOUNT, currency: 'CNY' })),
        ).resolves.toBe('sale-in-progress');
        expect(s.engine.current()?.orderId).toBe(first.orderId);
      }));

    it('pays a code, tells listeners, and shows the sale in the history', () =>
      withSubject(async (s) => {
        const seen: string[] = [];
        const stop = s.engine.onSaleUpdated((sale) => seen.push(sale.status));
        const sale = await paid(s);
        stop();
        expect(seen[0]).toBe('awaiting-scan');
        expect(seen).toContain('paid');
        const count = seen.length;
        s.engine.startSale({ amountMinor: AMOUNT, currency: 'CNY' });
        expect(seen).toHaveLength(count);
        expect(s.engine.sale(sale.orderId)?.status).toBe('paid');
        expect(s.engine.history({}).map((h) => h.orderId)).toContain(sale.orderId);
      }));

    it('refuses a code for an unknown sale (not-found) and for a paid one (sale-already-final)', () =>
      withSubject(async (s) => {
        await expect(
          codeOf(() => s.engine.submitCode('NO-SUCH-ORDER', s.code(), 'manual')),
        ).resolves.toBe('not-found');
        const sale = await paid(s);
        await expect(
          codeOf(() => s.engine.submitCode(sale.orderId, s.code(), 'manual')),
        ).resolves.toBe('sale-already-final');
      }));

    it('cancel before a scan closes the sale and frees the till; cancel leaves a paid sale paid', () =>
      withSubject(async (s) => {
        const waiting = s.engine.startSale({ amountMinor: AMOUNT, currency: 'CNY' });
        expect(s.engine.cancel(waiting.orderId)).toMatchObject({
          status: 'closed',
          abandoned: true,
          reasonCode: 'cancelled',
        });
        expect(s.engine.current()).toBeNull();
        const sale = await paid(s);
        expect(s.engine.cancel(sale.orderId)).toMatchObject({ status: 'paid', abandoned: false });
        await expect(codeOf(() => s.engine.cancel('NO-SUCH-ORDER'))).resolves.toBe('not-found');
      }));

    it('refunds a paid sale up to what is left, and names what it refuses', () =>
      withSubject(async (s) => {
        const sale = await paid(s);
        expect((await s.engine.refund(sale.orderId, 500)).refundedMinor).toBe(500);
        await expect(codeOf(() => s.engine.refund(sale.orderId, AMOUNT))).resolves.toBe(
          'refund-exceeds-balance',
        );
        await expect(codeOf(() => s.engine.refund('NO-SUCH-ORDER', 100))).resolves.toBe(
          'not-found',
        );
      }));

    it('reports a day as a Z report and exports it as a named CSV file', () =>
      withSubject(async (s) => {
        const day = s.dayOf(await paid(s));
        expect(ZReportSchema.parse(s.engine.report(day)).day).toBe(day);
        const exported = s.engine.exportCsv(day);
        expect(exported).toEqual({ filename: `pospay-${day}.csv`, csv: expect.any(String) });
      }));
  });
}
