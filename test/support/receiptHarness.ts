/**
 * A ReceiptService (electron/app/receipts.ts) over a temporary data folder, fed sale views by
 * the test: what it printed, the statuses it emitted, its warnings; `answer.next` is what the
 * printer answers. The clock stands at NOW (1 December 2026, 12:00 UTC).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SaleView } from '../../shared/ipc/contract.ts';
import type { ReceiptStatus } from '../../shared/ipc/receiptChannels.ts';
import {
  DEFAULT_RECEIPT_SETTINGS,
  type ReceiptSettings,
} from '../../shared/ipc/receiptSettings.ts';
import { RECEIPTS_FILE, ReceiptService } from '../../electron/app/receipts.ts';
import { resolveReceiptConfig } from '../../electron/printing/config.ts';
import type { PrintResult } from '../../electron/printing/printer.ts';

export const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

const made: string[] = [];

/** A new empty folder, removed by removeTempDirs() (call it in afterEach). */
export function tempDir(prefix = 'pospay-receipts-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * A data folder left by a crash while a receipt printed: its receipts.json says the receipt
 * of `orderId` was "printing" (recorded at `at`) and nothing after.
 */
export function crashedWhilePrinting(orderId: string, at: number): string {
  const dir = tempDir();
  writeFileSync(
    path.join(dir, RECEIPTS_FILE),
    JSON.stringify({
      version: 1,
      receipts: [{ orderId, refundId: null, state: 'printing', reason: null, at }],
    }),
  );
  return dir;
}

export interface ReceiptHarness {
  service: ReceiptService;
  /** The bytes of every receipt printed (when the printer answered printed). */
  printed: Buffer[];
  statuses: ReceiptStatus[];
  warnings: string[];
  /** The sales the service can look up (by order id), each with transaction id GW-1. */
  sales: Map<string, SaleView>;
  answer: { next: PrintResult };
  /** The saved receipt settings the service reads (change them between updates). */
  saved: ReceiptSettings;
  dir: string;
}

export function receiptHarness(
  options: {
    /** The data folder (default: a new temporary one). */
    dir?: string;
    receipts?: Partial<ReceiptSettings>;
    env?: Record<string, string>;
    region?: string;
    /** Replaces the printer (then `printed` and `answer` are not used). */
    print?: (spec: string, bytes: Uint8Array) => Promise<PrintResult>;
  } = {},
): ReceiptHarness {
  const dir = options.dir ?? tempDir();
  const printed: Buffer[] = [];
  const statuses: ReceiptStatus[] = [];
  const warnings: string[] = [];
  const sales = new Map<string, SaleView>();
  const answer: { next: PrintResult } = { next: { printed: true } };
  const saved: ReceiptSettings = {
    ...DEFAULT_RECEIPT_SETTINGS,
    printer: 'file:/dev/null',
    ...options.receipts,
  };
  const service = new ReceiptService({
    dataDir: dir,
    config: () => resolveReceiptConfig(saved, options.region ?? 'CN', options.env ?? {}),
    sale: (id) => {
      const s = sales.get(id);
      return s ? { ...s, transactionId: 'GW-1' } : null;
    },
    report: (day) => ({ day, rows: [] }),
    trainingMode: () => false,
    emit: (s) => statuses.push(s),
    log: { info: () => undefined, warn: (m) => warnings.push(m) },
    print:
      options.print ??
      ((_spec, bytes) => {
        if (answer.next.printed) printed.push(Buffer.from(bytes));
        return Promise.resolve(answer.next);
      }),
    now: () => NOW,
  });
  return { service, printed, statuses, warnings, sales, answer, saved, dir };
}

/** The engine's sale:updated: the service can look the sale up, then hears of it. */
export function update(h: ReceiptHarness, sale: SaleView): void {
  h.sales.set(sale.orderId, sale);
  h.service.onSaleUpdated(sale);
}
