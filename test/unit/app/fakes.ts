/**
 * A small in-memory engine for the core-supervisor tests (test/unit/app/coreSupervisor.test.ts),
 * where what is tested is the port between main and the core, not the payment engine. It is
 * typed by the engine's own methods (EngineLike, picked from PaymentEngine) and held to the
 * same contract tests as the real engine (test/unit/app/engineContract.test.ts, run from
 * test/support/engineContract.ts): the same error codes, `cancel` leaves a final sale as it
 * is, `exportCsv` names its file.
 * The handler tests (handlers.test.ts) run on the real engine.
 */
import type { SaleView, ZReport } from '../../../shared/ipc/contract.ts';
import { maskCode } from '../../../shared/paymentCode.ts';
import { EngineError } from '../../../electron/engine/errors.ts';
import type {
  CheckoutInput,
  MemberChargeInput,
  RenewalInput,
  ScanSource,
  StartSaleInput,
} from '../../../electron/engine/paymentEngine.ts';
import type { EngineLike } from '../../../electron/app/ports.ts';

export class FakeEngine implements EngineLike {
  readonly sales = new Map<string, SaleView>();
  private currentId: string | null = null;
  private listeners = new Set<(sale: SaleView) => void>();
  private seq = 0;

  private update(sale: SaleView): SaleView {
    this.sales.set(sale.orderId, sale);
    for (const l of this.listeners) l(sale);
    return sale;
  }

  startSale(input: StartSaleInput): SaleView {
    const open = this.current();
    if (open && (open.status === 'awaiting-scan' || open.status === 'submitting')) {
      throw new EngineError('sale-in-progress', 'A sale is already open on this terminal');
    }
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) {
      throw new EngineError('amount-invalid', 'The amount must be more than zero');
    }
    this.seq += 1;
    const sale: SaleView = {
      orderId: `FAKE-${this.seq}`,
      status: 'awaiting-scan',
      amountMinor: input.amountMinor,
      currency: input.currency ?? 'CNY',
      method: null,
      maskedCode: null,
      reason: null,
      reasonCode: null,
      remainingMs: null,
      abandoned: false,
      recovered: false,
      refundedMinor: 0,
      refunds: [],
      createdAt: 1,
      updatedAt: 1,
    };
    this.currentId = sale.orderId;
    return this.update(sale);
  }

  /** The fake has no members: member charges, checkouts and renewals are refused. */
  async chargeMember(_input: MemberChargeInput): Promise<SaleView> {
    throw new EngineError('method-invalid', 'Members are not available on this terminal');
  }

  async startCheckout(_input: CheckoutInput): Promise<SaleView> {
    throw new EngineError('method-invalid', 'Pay on phone is not available on this terminal');
  }

  async renew(_input: RenewalInput): Promise<SaleView> {
    throw new EngineError('method-invalid', 'Members are not available on this terminal');
  }

  /** Pays every code (the fake has no gateway). */
  async submitCode(orderId: string, code: string, _source: ScanSource): Promise<SaleView> {
    const sale = this.sales.get(orderId);
    if (!sale) throw new EngineError('not-found', `There is no sale ${orderId}`);
    if (orderId !== this.currentId) {
      throw new EngineError('sale-not-current', 'This sale is no longer on the screen');
    }
    if (sale.status !== 'awaiting-scan') {
      throw new EngineError('sale-already-final', 'This sale is finished — start a new sale');
    }
    return this.update({
      ...sale,
      status: 'paid',
      method: 'Wechat-Offline',
      maskedCode: maskCode(code),
      updatedAt: 2,
    });
  }

  cancel(orderId: string): SaleView {
    const sale = this.sales.get(orderId);
    if (!sale) throw new EngineError('not-found', `There is no sale ${orderId}`);
    if (sale.status !== 'awaiting-scan') return sale;
    if (this.currentId === orderId) this.currentId = null;
    return this.update({
      ...sale,
      status: 'closed',
      abandoned: true,
      reason: 'Cancelled before a code was scanned',
      reasonCode: 'cancelled',
    });
  }

  current(): SaleView | null {
    return this.currentId ? (this.sales.get(this.currentId) ?? null) : null;
  }

  sale(orderId: string): SaleView | null {
    return this.sales.get(orderId) ?? null;
  }

  onSaleUpdated(listener: (sale: SaleView) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async refund(orderId: string, amountMinor: number): Promise<SaleView> {
    const sale = this.sales.get(orderId);
    if (!sale) throw new EngineError('not-found', `There is no sale ${orderId}`);
    if (sale.status !== 'paid') {
      throw new EngineError('refund-not-allowed', 'This sale was not paid');
    }
    if (amountMinor > sale.amountMinor - sale.refundedMinor) {
      throw new EngineError('refund-exceeds-balance', 'More than can still be refunded');
    }
    return this.update({ ...sale, refundedMinor: sale.refundedMinor + amountMinor });
  }

  history(): SaleView[] {
    return [...this.sales.values()].filter((s) => s.status !== 'awaiting-scan').reverse();
  }

  report(day: string): ZReport {
    return { day, rows: [] };
  }

  exportCsv(day: string): { filename: string; csv: string } {
    return { filename: `pospay-${day}.csv`, csv: '' };
  }
}
