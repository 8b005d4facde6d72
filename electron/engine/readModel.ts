/** What the screens and reports read: history, the Z report, the day's CSV, a sale's events. */
import type { SaleView, ZReport } from '../../shared/ipc/contract.ts';
import { type JournalEvent, type SaleFilter, type SaleRecord } from '../journal/journal.ts';
import { dayCsv, zReport } from './reports.ts';
import { type ModeOption } from './types.ts';
import type { CsvOptions } from './reports.ts';
import type { EngineCore } from './core.ts';

export class ReadModel {
  constructor(readonly core: EngineCore) {}

  history(filter: SaleFilter = {}): SaleView[] {
    const training = this.core.modeOf(filter);
    const query: SaleFilter = { ...filter };
    if (training === undefined) delete query.training;
    else query.training = training;
    const sales = this.core.journal.listSales(query);
    const refunds = this.core.journal.refundsOfSales(sales.map((rec) => rec.orderId));
    return sales.map((rec) => this.core.view(rec, refunds.get(rec.orderId) ?? []));
  }

  report(day: string, options: ModeOption = {}): ZReport {
    return zReport(day, this.core.journal.daySummary(day, this.core.modeOf(options)));
  }

  exportCsv(day: string, options: ModeOption & CsvOptions = {}): { filename: string; csv: string } {
    const training = this.core.modeOf(options);
    const sales = this.core.journal.salesOfDay(day, training);
    const byId = new Map(sales.map((s) => [s.orderId, s]));
    const refundsBySale = this.core.journal.refundsOfSales([...byId.keys()]);
    const saleOf = (orderId: string): SaleRecord | undefined =>
      byId.get(orderId) ?? this.core.journal.sale(orderId);
    const csv = dayCsv(
      sales,
      (orderId) => refundsBySale.get(orderId) ?? [],
      this.core.journal.refundsOfDay(day, training),
      (orderId) => saleOf(orderId)?.method ?? null,
      (orderId) => saleOf(orderId)?.training === true,
      options.language ? { language: options.language } : {},
    );
    const suffix = training === true ? '-training' : '';
    return { filename: `pospay-${day}${suffix}.csv`, csv };
  }

  events(orderId: string): JournalEvent[] {
    return this.core.journal.events(orderId);
  }
}
