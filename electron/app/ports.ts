/**
 * What the app layer needs from the payment engine, as a structural type: the real engine
 * (electron/engine) satisfies it, and unit tests can pass a small fake.
 */
import type { SaleView, ScanSource, ZReport } from '../../shared/ipc/contract.ts';
import type { Currency } from '../../shared/money.ts';
import type { PaymentMethod } from '../../shared/paymentMethods.ts';

type MaybePromise<T> = T | Promise<T>;

export interface HistoryFilter {
  day?: string;
  status?: SaleView['status'];
  method?: PaymentMethod;
  search?: string;
  limit?: number;
}

export interface EngineLike {
  startSale(input: {
    amountMinor: number;
    currency: Currency;
    methodOverride?: PaymentMethod;
  }): MaybePromise<SaleView>;
  submitCode(orderId: string, rawCode: string, source: ScanSource): Promise<SaleView>;
  cancel(orderId: string): MaybePromise<SaleView>;
  current(): SaleView | null;
  onSaleUpdated(listener: (sale: SaleView) => void): () => void;
  refund(
    orderId: string,
    amountMinor: number,
    options?: { automatic?: boolean },
  ): Promise<SaleView>;
  history(filter: HistoryFilter): MaybePromise<SaleView[]>;
  report(day: string, options?: { training?: boolean }): MaybePromise<ZReport>;
  exportCsv(
    day: string,
    options?: { training?: boolean },
  ): MaybePromise<string | { filename: string; csv: string }>;
  /** One sale by id, when the engine offers it (else history is searched). */
  sale?(orderId: string): MaybePromise<SaleView | null>;
}
