/**
 * What the serial and HID sources share: the state they report (`state()` and the `state`
 * event, sent only on a change), rejected reads stamped with the source, and the reopen
 * backoff after a disconnect or a failed open.
 */
import { performance } from 'node:perf_hooks';
import { TypedEvents } from './events.ts';
import type { HardwareSource, RejectReason, Scanner, ScannerEvents, StateEvent } from './types.ts';

export abstract class ScannerSource extends TypedEvents<ScannerEvents> implements Scanner {
  abstract readonly source: HardwareSource;
  abstract readonly spec: string;
  /** Set by the subclass's constructor to its `opening …` state. */
  protected current: StateEvent = { connected: false, detail: '' };

  abstract open(): Promise<void>;
  abstract close(): Promise<void>;

  state(): StateEvent {
    return { ...this.current };
  }

  protected setState(connected: boolean, detail: string): void {
    if (this.current.connected === connected && this.current.detail === detail) return;
    this.current = { connected, detail };
    this.emit('state', { connected, detail });
  }

  protected reject(
    reason: RejectReason,
    detail: string,
    text: string,
    bytes: Uint8Array,
    at = performance.now(),
  ): void {
    this.emit('rejected', {
      reason,
      detail,
      text,
      bytes: Uint8Array.from(bytes),
      source: this.source,
      at,
    });
  }
}

/** Retries with a delay that doubles from initialMs up to maxMs; one retry pending at a time. */
export class Backoff {
  private timer: NodeJS.Timeout | undefined;
  private delay: number;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.delay = initialMs;
  }

  /** Back to the first delay: on open, and once connected. */
  reset(): void {
    this.delay = this.initialMs;
  }

  /** Runs `retry` after the current delay, then doubles it; nothing if a retry is pending. */
  schedule(retry: () => void): void {
    if (this.timer) return;
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, this.maxMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      retry();
    }, delay);
    this.timer.unref?.();
  }

  /** Drops the pending retry, if any. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
