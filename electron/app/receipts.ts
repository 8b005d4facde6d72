/**
 * The receipt service: prints the customer's receipt after each paid sale and the slip after
 * each refund (settings `receipts.when`: always / ask / never), reprints on request, prints the
 * day's report and a test page, and draws the preview (the same layout model as the bytes).
 *
 * A receipt is never a condition of a sale: this only reads sales (the engine's updates) and
 * never changes one; printing runs in the background, one job at a time, and every printer
 * problem becomes "receipt not printed: <why>" — on the screen (event `receipt:status`) and in
 * the log — with reprint offered.
 *
 * Once per receipt: what was printed (or asked, or failed) is remembered in `receipts.json` in
 * the data folder, written (atomically) BEFORE the receipt is sent, so neither a later update
 * of the same sale nor a restart prints it again (a crash while printing leaves it "printing",
 * i.e. at most once; reprint is there). Only sales that became paid (refunds that completed)
 * within the last AUTO_PRINT_WINDOW_MS print by themselves: a sale the sweeper finds paid
 * hours later, or the history of a folder that had no receipts.json yet, does not start the
 * printer. Not printed by themselves: automatic refunds and the sale of an abandoned wait
 * (the cashier had stopped waiting; nobody asked for them) — History reprints any of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SaleView, ZReport } from '../../shared/ipc/contract.ts';
import type {
  PrintResultView,
  ReceiptState,
  ReceiptStatus,
  ReceiptStateName,
  ReceiptEnvVar,
} from '../../shared/ipc/receiptChannels.ts';
import type { ReceiptCodepage, PaperWidth } from '../../shared/ipc/receiptSettings.ts';
import { ENV_OF, type ReceiptConfig } from '../printing/config.ts';
import {
  escPos,
  refundDocument,
  saleDocument,
  testPageDocument,
  zReportDocument,
  type ReceiptDocument,
  type ReceiptSale,
} from '../printing/layout.ts';
import { printBytes, type PrintResult } from '../printing/printer.ts';
import { receiptSvg } from '../printing/svg.ts';
import { writeFileAtomic } from './atomicFile.ts';

export const RECEIPTS_FILE = 'receipts.json';
/** A sale paid (a refund done) longer ago than this is not printed by itself. */
export const AUTO_PRINT_WINDOW_MS = 10 * 60_000;
/**
 * A receipt the printer has not finished within this is given up (not printed, reprint
 * offered), so one stuck printer never holds the receipts after it nor the shutdown.
 */
export const PRINT_DEADLINE_MS = 60_000;
/** What a receipt left printing by a crash says after the restart. */
export const INTERRUPTED_REASON =
  'the terminal stopped while this receipt was printing: check the paper, and reprint if it is missing';
/** receipts.json keeps the last this many receipts. */
const KEEP = 5000;

export interface ReceiptLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface ReceiptServiceOptions {
  dataDir: string;
  /** The receipt settings in force (saved settings + environment), read at each print. */
  config(): ReceiptConfig;
  /** A sale as the engine has it now, with the gateway's transaction id. */
  sale(orderId: string): ReceiptSale | null;
  /** The day's Z report. */
  report(day: string, training: boolean | undefined): ZReport;
  /** True in training mode (the report's TRAINING mark when not asked otherwise). */
  trainingMode(): boolean;
  emit(status: ReceiptStatus): void;
  log: ReceiptLog;
  /** Default: printBytes (electron/printing/printer.ts). */
  print?: (spec: string, bytes: Uint8Array) => Promise<PrintResult>;
  /** Default PRINT_DEADLINE_MS. */
  printDeadlineMs?: number;
  now?: () => number;
}

interface Entry {
  orderId: string;
  refundId: string | null;
  state: ReceiptStateName;
  reason: string | null;
  at: number;
}

function keyOf(orderId: string, refundId: string | null): string {
  return refundId === null ? `sale:${orderId}` : `refund:${refundId}`;
}

function isEntry(value: unknown): value is Entry {
  const e = value as Partial<Entry> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.orderId === 'string' &&
    (e.refundId === null || typeof e.refundId === 'string') &&
    typeof e.state === 'string' &&
    typeof e.at === 'number'
  );
}

export class ReceiptService {
  private readonly file: string;
  private readonly entries = new Map<string, Entry>();
  private readonly print: (spec: string, bytes: Uint8Array) => Promise<PrintResult>;
  private readonly now: () => number;
  /** One print job at a time (a printer takes one receipt at a time). */
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private closed = false;
  /**
   * Receipts already looked at in this run. One that was not due when its sale was paid (no
   * printer, or set to never) is not printed later by an update of the same sale (a refund).
   */
  private readonly considered = new Set<string>();
  /** Why receipts.json could not be read (it is then kept aside, not overwritten blindly). */
  readonly loadProblem: string | null = null;

  constructor(private readonly options: ReceiptServiceOptions) {
    this.file = path.join(options.dataDir, RECEIPTS_FILE);
    this.print = options.print ?? ((spec, bytes) => printBytes(spec, bytes));
    this.now = options.now ?? Date.now;
    if (existsSync(this.file)) {
      try {
        const json = JSON.parse(readFileSync(this.file, 'utf8')) as { receipts?: unknown };
        let interrupted = false;
        for (const e of Array.isArray(json.receipts) ? json.receipts : []) {
          if (!isEntry(e)) continue;
          // Left printing by a crash: not printed again by itself (at most once), but the
          // screen offers Reprint.
          if (e.state === 'printing') {
            e.state = 'not-printed';
            e.reason = INTERRUPTED_REASON;
            interrupted = true;
          }
          this.entries.set(keyOf(e.orderId, e.refundId), e);
        }
        if (interrupted) this.persist();
      } catch (error) {
        // Never print everything again because the memory is damaged: the window still
        // applies; the damaged file is replaced by the next write.
        this.loadProblem = `${this.file} could not be read (${error instanceof Error ? error.message : String(error)}): receipts printed before may print again if their sale changes`;
        options.log.warn(this.loadProblem);
      }
    }
  }

  /** The engine's update of a sale: prints what is due (once), in the background. */
  onSaleUpdated(sale: SaleView): void {
    if (this.closed || sale.status !== 'paid') return;
    const now = this.now();
    if (!sale.abandoned && now - sale.updatedAt <= AUTO_PRINT_WINDOW_MS) {
      this.due(sale.orderId, null);
    }
    for (const refund of sale.refunds) {
      if (refund.status !== 'refunded' || refund.automatic) continue;
      if (now - refund.createdAt > AUTO_PRINT_WINDOW_MS) continue;
      this.due(sale.orderId, refund.refundId);
    }
  }

  private due(orderId: string, refundId: string | null): void {
    const key = keyOf(orderId, refundId);
    if (this.entries.has(key) || this.considered.has(key)) return;
    this.considered.add(key);
    const config = this.options.config();
    if (config.printer === null || config.when === 'never') return;
    if (config.when === 'ask') {
      this.record(orderId, refundId, 'ask', null);
      return;
    }
    void this.printNow(orderId, refundId);
  }

  /** Prints (or reprints) a sale's receipt or a refund's slip; never throws. */
  printNow(orderId: string, refundId: string | null = null): Promise<PrintResultView> {
    // Recorded first: an update or a restart while it prints does not print it again.
    this.record(orderId, refundId, 'printing', null);
    return this.enqueue(async () => {
      const config = this.options.config();
      const result = await this.send(config, () => this.documentOf(orderId, refundId, config));
      const what = refundId === null ? `sale ${orderId}` : `refund ${refundId} of ${orderId}`;
      if (result.printed) {
        this.record(orderId, refundId, 'printed', null);
        this.options.log.info(`receipt printed: ${what} on ${config.printer ?? '-'}`);
      } else {
        this.record(orderId, refundId, 'not-printed', result.reason);
        this.options.log.warn(`receipt not printed: ${result.reason} (${what})`);
      }
      return result;
    });
  }

  /** The cashier answered no to "Print receipt?". */
  decline(orderId: string, refundId: string | null = null): ReceiptStatus {
    return this.record(orderId, refundId, 'declined', null);
  }

  printReport(day: string, training: boolean | undefined): Promise<PrintResultView> {
    return this.enqueue(async () => {
      const config = this.options.config();
      const result = await this.send(config, () =>
        zReportDocument(this.options.report(day, training), config.layout, {
          training: training ?? this.options.trainingMode(),
          printedAt: this.now(),
        }),
      );
      if (!result.printed) this.options.log.warn(`report not printed: ${result.reason} (${day})`);
      return result;
    });
  }

  /** A test page on the printer in force, or on the one given (not saved yet). */
  printTestPage(
    override: {
      printer?: string;
      paperWidth?: PaperWidth;
      codepage?: ReceiptCodepage;
      storeName?: string;
      storeAddress?: string;
    } = {},
  ): Promise<PrintResultView> {
    return this.enqueue(async () => {
      const base = this.options.config();
      const config: ReceiptConfig = {
        ...base,
        printer: override.printer ?? base.printer,
        layout: {
          ...base.layout,
          ...(override.paperWidth ? { paperWidth: override.paperWidth } : {}),
          ...(override.codepage ? { codepage: override.codepage } : {}),
          ...(override.storeName !== undefined ? { storeName: override.storeName } : {}),
          ...(override.storeAddress !== undefined ? { storeAddress: override.storeAddress } : {}),
        },
      };
      const result = await this.send(config, () =>
        testPageDocument(config.layout, { printer: config.printer ?? '-', printedAt: this.now() }),
      );
      if (!result.printed) this.options.log.warn(`test page not printed: ${result.reason}`);
      return result;
    });
  }

  /** The receipt as SVG, from the same layout model the printer gets. */
  preview(
    orderId: string,
    refundId: string | null = null,
  ): { svg: string; paperWidth: PaperWidth } {
    const config = this.options.config();
    const doc = this.documentOf(orderId, refundId, config);
    return { svg: receiptSvg(doc), paperWidth: doc.paperWidth };
  }

  state(orderId?: string): ReceiptState {
    const config = this.options.config();
    const environment = (Object.keys(ENV_OF) as (keyof typeof ENV_OF)[])
      .filter((field) => config.overridden.includes(field))
      .map((field) => ENV_OF[field] as ReceiptEnvVar);
    const receipts =
      orderId === undefined
        ? []
        : [...this.entries.values()]
            .filter((e) => e.orderId === orderId)
            .sort((a, b) => (a.refundId === null ? -1 : b.refundId === null ? 1 : a.at - b.at))
            .map((e) => this.statusOf(e));
    return {
      printer: config.printer,
      printerSource: config.printerSource === 'flag' ? 'environment' : config.printerSource,
      when: config.when,
      paperWidth: config.layout.paperWidth,
      codepage: config.layout.codepage,
      environment,
      problems: config.problems,
      receipts,
    };
  }

  /** Resolves once every print asked for so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.queue.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const run = this.queue.then(job).finally(() => {
      this.pending -= 1;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async send(
    config: ReceiptConfig,
    document: () => ReceiptDocument,
  ): Promise<PrintResultView> {
    if (config.printer === null) {
      return { printed: false, reason: 'no printer is set (Settings, or POS_PRINTER)' };
    }
    let bytes: Uint8Array;
    try {
      bytes = escPos(document());
    } catch (error) {
      return { printed: false, reason: error instanceof Error ? error.message : String(error) };
    }
    const deadlineMs = this.options.printDeadlineMs ?? PRINT_DEADLINE_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const givenUp = new Promise<PrintResultView>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            printed: false,
            reason: `the printer stopped taking the receipt (not done within ${Math.round(deadlineMs / 1000)} s)`,
          }),
        deadlineMs,
      );
    });
    try {
      return await Promise.race([this.print(config.printer, bytes), givenUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  private documentOf(
    orderId: string,
    refundId: string | null,
    config: ReceiptConfig,
  ): ReceiptDocument {
    const sale = this.options.sale(orderId);
    if (!sale) throw new ReceiptTargetError(`There is no sale ${orderId}.`);
    if (refundId === null) return saleDocument(sale, config.layout);
    const refund = sale.refunds.find((r) => r.refundId === refundId);
    if (!refund) throw new ReceiptTargetError(`Sale ${orderId} has no refund ${refundId}.`);
    return refundDocument(refund, sale, config.layout);
  }

  private statusOf(e: Entry): ReceiptStatus {
    return {
      orderId: e.orderId,
      refundId: e.refundId,
      state: e.state,
      printed: e.state === 'printed',
      reason: e.reason,
      at: e.at,
    };
  }

  private record(
    orderId: string,
    refundId: string | null,
    state: ReceiptStateName,
    reason: string | null,
  ): ReceiptStatus {
    const key = keyOf(orderId, refundId);
    const entry: Entry = { orderId, refundId, state, reason, at: this.now() };
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > KEEP) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.persist();
    const status = this.statusOf(entry);
    this.options.emit(status);
    return status;
  }

  private persist(): void {
    try {
      writeFileAtomic(
        this.file,
        `${JSON.stringify({ version: 1, receipts: [...this.entries.values()] })}\n`,
        0o600,
      );
    } catch (error) {
      this.options.log.warn(
        `${this.file} could not be written (${error instanceof Error ? error.message : String(error)}): a restart may print this receipt again`,
      );
    }
  }
}

/** A receipt asked for a sale or refund that does not exist (the screen's mistake). */
export class ReceiptTargetError extends Error {
  readonly code = 'sale-not-found';
  constructor(message: string) {
    super(message);
    this.name = 'ReceiptTargetError';
  }
}
