/**
 * The one interface every scanner source implements (serial, USB HID POS), and the events
 * it reports. The keyboard wedge lives in the renderer; the main process only knows its spec.
 */
import type { TypedEvents } from './events.ts';

export type HardwareSource = 'serial' | 'hid';

/** One accepted read: the text with any AIM identifier removed. */
export interface ScanEvent {
  text: string;
  source: HardwareSource;
  /** AIM symbology identifier (`]Q1`, `]E0`…) when the scanner sent one. */
  symbology?: string;
  /** Monotonic time of arrival, `performance.now()` milliseconds. */
  at: number;
}

export type RejectReason =
  'invalid-utf8' | 'control-characters' | 'too-long' | 'incomplete' | 'bad-report';

/** A read that was not a usable scan (line noise, garbage, an over-long or broken read). */
export interface RejectedEvent {
  reason: RejectReason;
  /** What went wrong, in words a support engineer understands. */
  detail: string;
  /** The read made printable (control bytes and invalid UTF-8 shown as `\xNN`). */
  text: string;
  /** The raw bytes as received (possibly truncated for over-long reads). */
  bytes: Uint8Array;
  source: HardwareSource;
  at: number;
}

export interface StateEvent {
  connected: boolean;
  /** Human-readable: "connected to /dev/ttyUSB0 at 9600 8N1", "disconnected: …", "waiting for …". */
  detail: string;
}

export interface ScannerEvents {
  scan: ScanEvent;
  rejected: RejectedEvent;
  state: StateEvent;
  /** Non-fatal problems (the scanner keeps trying). Never thrown. */
  error: Error;
}

export interface Scanner {
  readonly source: HardwareSource;
  /** The spec this scanner was made from, e.g. `serial:/dev/ttyUSB0@9600`. */
  readonly spec: string;
  /**
   * Starts reading. Resolves after the first attempt to reach the device, whether or not it
   * succeeded: a missing device is reported as a disconnected state and retried until close().
   */
  open(): Promise<void>;
  /** Stops reading and retrying; releases the device. Never rejects. */
  close(): Promise<void>;
  /** The latest state. */
  state(): StateEvent;
  on: TypedEvents<ScannerEvents>['on'];
  off: TypedEvents<ScannerEvents>['off'];
}
