/**
 * Small fakes of the engine, runtime and scanner for the app-layer unit tests (the real
 * wiring is exercised by test/integration/app against the embedded simulator).
 */
import type { SaleView } from '../../../shared/ipc/contract.ts';
import type { EngineLike } from '../../../electron/app/ports.ts';
import { TypedEvents } from '../../../electron/scanners/events.ts';
import { ScannerManager } from '../../../electron/scanners/manager.ts';
import { formatScannerSpec } from '../../../electron/scanners/spec.ts';
import type { Scanner, ScannerEvents, StateEvent } from '../../../electron/scanners/types.ts';
import type { RuntimeConfig, RuntimeLike } from '../../../electron/app/terminalApp.ts';

export class TypedEngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeEngine implements EngineLike {
  readonly sales = new Map<string, SaleView>();
  readonly submitted: Array<{ orderId: string; code: string; source: string }> = [];
  readonly refunds: Array<{ orderId: string; amountMinor: number }> = [];
  private currentId: string | null = null;
  private listeners = new Set<(sale: SaleView) => void>();
  private seq = 0;
  /** Set to make the next call throw. */
  failNext: Error | null = null;
  /** Text put in the `reason` of declined sales (tests put the salt here to prove redaction). */
  declineReason = 'Declined by the wallet';

  private update(sale: SaleView): SaleView {
    this.sales.set(sale.orderId, sale);
    for (const l of this.listeners) l(sale);
    return sale;
  }

  private throwIfFailing(): void {
    const error = this.failNext;
    this.failNext = null;
    if (error) throw error;
  }

  startSale(input: { amountMinor: number; currency: SaleView['currency'] }): SaleView {
    this.throwIfFailing();
    this.seq += 1;
    const sale: SaleView = {
      orderId: `ORDER${this.seq}`,
      status: 'awaiting-scan',
      amountMinor: input.amountMinor,
      currency: input.currency,
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

  async submitCode(orderId: string, code: string, source: string): Promise<SaleView> {
    this.throwIfFailing();
    const sale = this.sales.get(orderId);
    if (!sale) throw new TypedEngineError('sale-not-found', `no sale ${orderId}`);
    if (sale.status !== 'awaiting-scan') {
      throw new TypedEngineError('sale-not-awaiting', 'this sale does not take a code now');
    }
    this.submitted.push({ orderId, code, source });
    const declined = sale.amountMinor % 10 === 1;
    return this.update({
      ...sale,
      status: declined ? 'declined' : 'paid',
      method: 'Wechat-Offline',
      maskedCode: `${code.slice(0, 6)}********${code.slice(-4)}`,
      reason: declined ? this.declineReason : null,
      updatedAt: 2,
    });
  }

  cancel(orderId: string): SaleView {
    const sale = this.sales.get(orderId);
    if (!sale) throw new TypedEngineError('sale-not-found', `no sale ${orderId}`);
    return this.update({ ...sale, status: 'closed', abandoned: true });
  }

  current(): SaleView | null {
    return this.currentId ? (this.sales.get(this.currentId) ?? null) : null;
  }

  onSaleUpdated(listener: (sale: SaleView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async refund(orderId: string, amountMinor: number): Promise<SaleView> {
    this.throwIfFailing();
    const sale = this.sales.get(orderId);
    if (!sale) throw new TypedEngineError('sale-not-found', `no sale ${orderId}`);
    this.refunds.push({ orderId, amountMinor });
    return this.update({ ...sale, refundedMinor: sale.refundedMinor + amountMinor });
  }

  history(): SaleView[] {
    return [...this.sales.values()];
  }

  report(day: string) {
    return { day, rows: [] };
  }

  exportCsv(day: string): string {
    return `day,${day}\n`;
  }
}

export class FakeRuntimes {
  readonly configs: RuntimeConfig[] = [];
  readonly engines: FakeEngine[] = [];
  closed = 0;

  get engine(): FakeEngine {
    const engine = this.engines[this.engines.length - 1];
    if (!engine) throw new Error('no runtime opened');
    return engine;
  }

  /** Makes opening fail for the configs it matches (e.g. the real gateway). */
  failWhen: ((config: RuntimeConfig) => boolean) | null = null;

  open = async (config: RuntimeConfig): Promise<RuntimeLike> => {
    if (this.failWhen?.(config)) throw new Error('journal is locked by another process');
    this.configs.push(config);
    const engine = new FakeEngine();
    this.engines.push(engine);
    return {
      engine,
      simulator: config.embeddedSimulator
        ? { baseUrl: 'http://127.0.0.1:9', ledger: () => [] }
        : undefined,
      close: async () => {
        this.closed += 1;
      },
    };
  };
}

/** A hardware scanner source the real ScannerManager drives (via its `create` option). */
export class FakeScanner extends TypedEvents<ScannerEvents> implements Scanner {
  readonly source = 'serial' as const;
  private current: StateEvent = { connected: false, detail: 'waiting for the scanner' };
  closed = false;

  constructor(readonly spec: string) {
    super();
  }

  async open(): Promise<void> {
    this.setState(true, `connected to ${this.spec}`);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  state(): StateEvent {
    return this.current;
  }

  scan(text: string): void {
    this.emit('scan', { text, source: 'serial', at: performance.now() });
  }
  reject(text: string, detail: string): void {
    this.emit('rejected', {
      reason: 'control-characters',
      detail,
      text,
      bytes: new Uint8Array(),
      source: 'serial',
      at: performance.now(),
    });
  }
  setState(connected: boolean, detail: string): void {
    this.current = { connected, detail };
    this.emit('state', this.current);
  }
}

/** A real ScannerManager whose sources are FakeScanners (the last one made is `latest`). */
export function fakeScannerManager(): { manager: ScannerManager; latest(): FakeScanner } {
  const made: FakeScanner[] = [];
  const manager = new ScannerManager({
    dedupeWindowMs: 0,
    create: (spec) => {
      const scanner = new FakeScanner(formatScannerSpec(spec));
      made.push(scanner);
      return scanner;
    },
  });
  return {
    manager,
    latest() {
      const last = made[made.length - 1];
      if (!last) throw new Error('no scanner opened');
      return last;
    },
  };
}

/** A logger that keeps every line (tests check the salt never reaches it). */
export function memoryLogger(): {
  lines: string[];
  info(m: string, ...d: unknown[]): void;
  warn(m: string, ...d: unknown[]): void;
  error(m: string, ...d: unknown[]): void;
} {
  const lines: string[] = [];
  const push = (m: string, ...d: unknown[]): void => {
    lines.push(
      [m, ...d.map((x) => (x instanceof Error ? x.message : JSON.stringify(x)))].join(' '),
    );
  };
  return { lines, info: push, warn: push, error: push };
}
