/**
 * ScannerManager: owns the one configured scanner (from its spec), tells the screen whether it
 * is connected, suppresses double reads and forwards scans. Switching the spec at runtime
 * closes the old source before the new one opens; nothing the old source does afterwards is
 * passed on.
 */
import { createDedupe, DEFAULT_DEDUPE_WINDOW_MS, type Dedupe } from './dedupe.ts';
import { TypedEvents, asError } from './events.ts';
import { HidScanner, type HidScannerOptions } from './hidSource.ts';
import { SerialScanner, type SerialScannerOptions } from './serialSource.ts';
import {
  parseScannerSpec,
  withSerialOverrides,
  ScannerSpecError,
  type ScannerSpec,
  type SerialLineSettings,
} from './spec.ts';
import type { RejectedEvent, ScanEvent, Scanner } from './types.ts';

/** What the screen shows (shared/ipc/contract.ts ScannerState). */
export interface ScannerManagerState {
  spec: string | null;
  connected: boolean;
  detail: string | null;
}

export interface ScannerManagerEvents {
  scan: ScanEvent;
  rejected: RejectedEvent;
  state: ScannerManagerState;
  /** A repeat of the previous scan inside the double-read window (not forwarded as a scan). */
  duplicate: ScanEvent;
  error: Error;
}

export interface CreateScannerOptions {
  serial?: SerialScannerOptions;
  /** Line settings that override those in the spec string (e.g. from the settings screen). */
  serialLine?: Partial<SerialLineSettings>;
  hid?: HidScannerOptions;
}

/** Makes the source for a hardware spec. Throws ScannerSpecError for a bad spec or `wedge`. */
export function createScanner(
  spec: string | ScannerSpec,
  options: CreateScannerOptions = {},
): Scanner {
  const parsed = typeof spec === 'string' ? parseScannerSpec(spec) : spec;
  switch (parsed.kind) {
    case 'serial': {
      const settings = options.serialLine
        ? withSerialOverrides(parsed, options.serialLine)
        : parsed;
      return new SerialScanner(settings, options.serial);
    }
    case 'hid':
      return new HidScanner(parsed, options.hid);
    case 'wedge':
      throw new ScannerSpecError(
        'wedge',
        'a keyboard-wedge scanner types into the cashier screen; the main process cannot open it',
      );
  }
}

export interface ScannerManagerOptions extends CreateScannerOptions {
  /** Double-read window in ms; 0 turns suppression off. Default 1000. */
  dedupeWindowMs?: number;
  /** Replaces createScanner (tests). */
  create?: (spec: ScannerSpec) => Scanner;
}

const NONE: ScannerManagerState = { spec: null, connected: false, detail: 'no scanner configured' };
const WEDGE_DETAIL = 'keyboard wedge: scans are typed into the cashier screen';

export class ScannerManager extends TypedEvents<ScannerManagerEvents> {
  private readonly dedupe: Dedupe;
  private readonly create: (spec: ScannerSpec) => Scanner;
  private scanner: Scanner | undefined;
  private unsubscribe: (() => void)[] = [];
  private current: ScannerManagerState = { ...NONE };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ScannerManagerOptions = {}) {
    super();
    this.dedupe = createDedupe(options.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS);
    this.create = options.create ?? ((spec) => createScanner(spec, options));
  }

  state(): ScannerManagerState {
    return { ...this.current };
  }

  /** The open hardware source, if any. */
  get active(): Scanner | undefined {
    return this.scanner;
  }

  /**
   * Uses `spec` from now on (null: no scanner). Throws ScannerSpecError for a malformed spec,
   * leaving the current scanner as it was. Resolves once the new source made its first attempt.
   */
  use(spec: string | null): Promise<ScannerManagerState> {
    const text = spec === null ? null : spec.trim();
    let parsed: ScannerSpec | null;
    try {
      parsed = text === null || text === '' ? null : parseScannerSpec(text);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    const run = this.queue.then(() => this.switchTo(text === '' ? null : text, parsed));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Forgets the last scan, so the same code is accepted again at once (e.g. a new sale). */
  resetDedupe(): void {
    this.dedupe.reset();
  }

  async close(): Promise<void> {
    await this.use(null);
  }

  private async switchTo(
    spec: string | null,
    parsed: ScannerSpec | null,
  ): Promise<ScannerManagerState> {
    if (spec === this.current.spec) return this.state();
    await this.release();
    this.dedupe.reset();
    if (spec === null || parsed === null) {
      this.setState({ ...NONE });
      return this.state();
    }
    if (parsed.kind === 'wedge') {
      this.setState({ spec, connected: true, detail: WEDGE_DETAIL });
      return this.state();
    }
    let scanner: Scanner;
    try {
      scanner = this.create(parsed);
    } catch (error) {
      this.setState({ spec, connected: false, detail: asError(error).message });
      return this.state();
    }
    this.scanner = scanner;
    this.unsubscribe = [
      scanner.on('scan', (scan) => this.onScan(scanner, scan)),
      scanner.on('rejected', (rejected) => {
        if (this.scanner === scanner) this.emit('rejected', rejected);
      }),
      scanner.on('state', (state) => {
        if (this.scanner === scanner) this.setState({ spec, ...state });
      }),
      scanner.on('error', (error) => {
        if (this.scanner === scanner) this.emit('error', error);
      }),
    ];
    this.setState({ spec, ...scanner.state() });
    try {
      await scanner.open();
    } catch (error) {
      // Sources report failures as state; a throw here is a bug, still never fatal.
      this.emit('error', asError(error));
    }
    return this.state();
  }

  private onScan(scanner: Scanner, scan: ScanEvent): void {
    if (this.scanner !== scanner) return;
    if (this.dedupe.accept(scan.text, scan.at)) this.emit('scan', scan);
    else this.emit('duplicate', scan);
  }

  private async release(): Promise<void> {
    const scanner = this.scanner;
    this.scanner = undefined;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    if (!scanner) return;
    try {
      await scanner.close();
    } catch (error) {
      this.emit('error', asError(error));
    }
  }

  private setState(next: ScannerManagerState): void {
    const prev = this.current;
    if (
      prev.spec === next.spec &&
      prev.connected === next.connected &&
      prev.detail === next.detail
    ) {
      return;
    }
    this.current = { ...next };
    this.emit('state', { ...next });
  }
}
