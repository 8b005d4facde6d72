/**
 * Test doubles of the app layer's hardware and logging, shared by the app-layer tests: a
 * scanner source the real ScannerManager drives, and a logger that keeps every line.
 */
import { TypedEvents } from '../../electron/scanners/events.ts';
import { ScannerManager } from '../../electron/scanners/manager.ts';
import { formatScannerSpec } from '../../electron/scanners/spec.ts';
import type { Scanner, ScannerEvents, StateEvent } from '../../electron/scanners/types.ts';

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
