/**
 * Serial scanners (RS-232 or USB-CDC "virtual COM") through `serialport` v13 and its parsers.
 *
 * Framing: a suffix with `@serialport/parser-delimiter` — the parser behind `parser-readline` —
 * or, for devices without a suffix, `@serialport/parser-inter-byte-timeout`. Whichever suffix
 * the port is set to (CR, LF or CRLF), each of the three ends a read: scanners get reset or
 * swapped, and one that sends LF to a CR port must not have its scans run into the next one.
 * A CRLF is one ending, also when its CR and LF arrive in separate reads.
 * Reads are checked (frame.ts) before they become scans. The other end going away (an unplug,
 * a `disconnected` close, an error) turns the state to disconnected, and the port is reopened
 * with backoff until it is back. Nothing here throws to the caller or leaves an `error` unheard.
 */
import { SerialPort } from 'serialport';
import { DelimiterParser } from '@serialport/parser-delimiter';
import { InterByteTimeoutParser } from '@serialport/parser-inter-byte-timeout';
import { stat } from 'node:fs/promises';
import type { TransformCallback } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { asError } from './events.ts';
import { DEFAULT_MAX_LENGTH, checkRead, printable } from './frame.ts';
import { formatScannerSpec, type SerialSpec } from './spec.ts';
import { Backoff, ScannerSource } from './source.ts';

/** The part of a serialport stream this source uses (SerialPort, SerialPortMock). */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(callback: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(
    event: 'close',
    listener: (error?: (Error & { disconnected?: boolean }) | null) => void,
  ): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(): unknown;
}

export interface SerialPortFactoryOptions {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 1.5 | 2;
  autoOpen: false;
}

export interface SerialScannerOptions {
  /** Longest read accepted as a scan (bytes). Default 512. */
  maxLength?: number;
  /** With a suffix: a partial read followed by this much silence is dropped as incomplete. */
  staleMs?: number;
  /** Reopen backoff after a disconnect or a failed open. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /**
   * While connected, how often to check that the device is still there (ms; 0 = never). An
   * unplugged tty does not always fail its read: a hung-up Linux tty reads as end-of-file, on
   * which serialport retries forever instead of reporting the disconnect. Default 500.
   */
  presenceIntervalMs?: number;
  /** Makes the port; default `new SerialPort(options)`. Tests pass SerialPortMock. */
  createPort?: (options: SerialPortFactoryOptions) => SerialPortLike;
}

type Token = Buffer | { overflow: Buffer } | { gap: true };

const CR = 0x0d;
const LF = 0x0a;

/**
 * DelimiterParser on LF, fed with every line ending (CR, LF, CRLF) turned into one LF; it
 * reports (in order with the frames) a partial read growing too long.
 */
class SuffixFramer extends DelimiterParser {
  /** The last byte seen was a CR: an LF right after it is the same line ending. */
  private afterCr = false;

  constructor(private readonly maxLength: number) {
    super({ delimiter: '\n', readableObjectMode: true });
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, cb: TransformCallback): void {
    super._transform(this.normaliseEndings(chunk), encoding, (error?: Error | null) => {
      if (this.buffer.length > this.maxLength) {
        this.push({ overflow: this.buffer.subarray(0, 64) });
        this.buffer = Buffer.alloc(0);
      }
      cb(error);
    });
  }

  private normaliseEndings(chunk: Buffer): Buffer {
    const out = Buffer.allocUnsafe(chunk.length);
    let length = 0;
    for (const byte of chunk) {
      if (byte === LF && this.afterCr) {
        this.afterCr = false;
        continue;
      }
      this.afterCr = byte === CR;
      out[length] = byte === CR ? LF : byte;
      length += 1;
    }
    return out.subarray(0, length);
  }

  /** Takes the bytes received since the last suffix. */
  takePartial(): Buffer {
    const partial = this.buffer;
    this.buffer = Buffer.alloc(0);
    return partial;
  }
}

/** InterByteTimeoutParser that marks silence between chunks (in order with the frames). */
class GapFramer extends InterByteTimeoutParser {
  private lastChunkAt = Number.NEGATIVE_INFINITY;

  constructor(intervalMs: number, maxLength: number) {
    super({ interval: intervalMs, maxBufferSize: maxLength + 1, readableObjectMode: true });
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, cb: TransformCallback): void {
    const now = performance.now();
    if (now - this.lastChunkAt >= this.interval) {
      // The timer may not have run yet: silence ends the previous read whatever the timers say.
      this.emitPacket();
      this.push({ gap: true });
    }
    this.lastChunkAt = now;
    super._transform(chunk, encoding, cb);
  }

  stop(): void {
    if (this.intervalID) clearTimeout(this.intervalID);
    this.currentPacket = [];
  }
}

export class SerialScanner extends ScannerSource {
  readonly source = 'serial' as const;
  readonly spec: string;
  private readonly settings: SerialSpec;
  private readonly maxLength: number;
  private readonly staleMs: number;
  private readonly presenceIntervalMs: number;
  private readonly createPort: (options: SerialPortFactoryOptions) => SerialPortLike;
  private port: SerialPortLike | undefined;
  private framer: SuffixFramer | GapFramer | undefined;
  private discarding = false;
  private staleTimer: NodeJS.Timeout | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  /** Reopens the port after a disconnect or a failed open. */
  private readonly retry: Backoff;
  private stopped = true;
  /** Bumped by close(): an attempt that finishes after a close (and reopen) is discarded. */
  private generation = 0;

  constructor(spec: SerialSpec, options: SerialScannerOptions = {}) {
    super();
    this.settings = { ...spec };
    this.spec = formatScannerSpec(spec);
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    this.staleMs = options.staleMs ?? 1000;
    this.retry = new Backoff(options.retryInitialMs ?? 250, options.retryMaxMs ?? 2000);
    this.presenceIntervalMs = options.presenceIntervalMs ?? 500;
    this.createPort =
      options.createPort ?? ((portOptions) => new SerialPort(portOptions) as SerialPortLike);
    this.current = { connected: false, detail: `opening ${spec.path}` };
  }

  async open(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.retry.reset();
    await this.attempt();
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.generation += 1;
    this.retry.cancel();
    const port = this.port;
    this.detach();
    if (port?.isOpen) {
      await new Promise<void>((resolve) => {
        try {
          port.close(() => resolve());
        } catch {
          resolve();
        }
      });
    }
    this.setState(false, `closed: ${this.settings.path}`);
  }

  private lineSettings(): string {
    const s = this.settings;
    const frame = `${s.dataBits}${s.parity.charAt(0).toUpperCase()}${s.stopBits}`;
    const suffix =
      s.suffix === 'none' ? `no suffix, ${s.interByteTimeoutMs} ms gap` : `${s.suffix} suffix`;
    return `${s.baudRate} ${frame}, ${suffix}`;
  }

  private attempt(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.stopped) return resolve();
      const generation = this.generation;
      const s = this.settings;
      let port: SerialPortLike;
      try {
        port = this.createPort({
          path: s.path,
          baudRate: s.baudRate,
          dataBits: s.dataBits,
          parity: s.parity,
          stopBits: s.stopBits,
          autoOpen: false,
        });
      } catch (error) {
        this.failedAttempt(asError(error));
        return resolve();
      }
      // Registered before open so that no error from this port can ever go unheard.
      port.on('error', (error) => this.onPortError(port, error));
      port.open((error) => {
        if (error) {
          port.removeAllListeners();
          port.on('error', () => undefined);
          if (generation === this.generation) this.failedAttempt(error);
          return resolve();
        }
        if (this.stopped || generation !== this.generation) {
          port.close(() => undefined);
          return resolve();
        }
        this.attach(port);
        this.retry.reset();
        this.setState(true, `connected to ${s.path} at ${this.lineSettings()}`);
        resolve();
      });
    });
  }

  private failedAttempt(error: Error): void {
    // serialport's open errors read "Error: Error: No such file…" once stringified twice.
    const message = error.message.replace(/^(Error: )+/, '');
    this.setState(false, `waiting for ${this.settings.path}: ${message}`);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.retry.schedule(() => void this.attempt());
  }

  private attach(port: SerialPortLike): void {
    this.port = port;
    this.discarding = false;
    const s = this.settings;
    const framer =
      s.suffix === 'none'
        ? new GapFramer(s.interByteTimeoutMs, this.maxLength)
        : new SuffixFramer(this.maxLength);
    this.framer = framer;
    framer.on('data', (token: Token) => this.onToken(token));
    framer.on('error', (error: Error) => this.emit('error', error));
    port.on('data', (chunk) => {
      if (this.port !== port) return;
      framer.write(chunk);
      if (framer instanceof SuffixFramer) this.armStaleTimer(framer);
    });
    port.on('close', (error) => {
      if (this.port !== port) return;
      this.detach();
      if (this.stopped) return;
      const why =
        error && error.disconnected
          ? `disconnected: ${error.message}`
          : `the port was closed${error ? `: ${error.message}` : ''}`;
      this.setState(false, `${s.path} ${why}; waiting for it to come back`);
      this.scheduleRetry();
    });
    void this.watchPresence(port);
  }

  /**
   * Remembers which device node the path named when it opened, then checks now and then that
   * it still does: a vanished or replaced node is an unplug even if the read never failed.
   */
  private async watchPresence(port: SerialPortLike): Promise<void> {
    if (this.presenceIntervalMs <= 0) return;
    const identity = await deviceIdentity(this.settings.path);
    // A path nothing lists (a mock port, a virtual COM port missing from the list): the read
    // errors and the close event are all there is.
    if (identity === undefined || this.port !== port) return;
    const check = async () => {
      const now = await deviceIdentity(this.settings.path);
      if (this.port !== port) return;
      if (now === identity) {
        this.presenceTimer = setTimeout(() => void check(), this.presenceIntervalMs);
        this.presenceTimer.unref?.();
        return;
      }
      this.detach();
      try {
        port.close(() => undefined);
      } catch {
        // Already closed underneath us: nothing to release.
      }
      if (this.stopped) return;
      this.setState(
        false,
        `${this.settings.path} disconnected: the device ${now === undefined ? 'is gone' : 'was replaced'}; waiting for it to come back`,
      );
      this.scheduleRetry();
    };
    this.presenceTimer = setTimeout(() => void check(), this.presenceIntervalMs);
    this.presenceTimer.unref?.();
  }

  private detach(): void {
    clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    clearTimeout(this.presenceTimer);
    this.presenceTimer = undefined;
    const framer = this.framer;
    this.framer = undefined;
    this.port = undefined;
    this.discarding = false;
    if (framer) {
      if (framer instanceof GapFramer) framer.stop();
      framer.removeAllListeners();
      framer.on('error', () => undefined);
      framer.destroy();
    }
  }

  private onPortError(port: SerialPortLike, error: Error): void {
    this.emit('error', error);
    if (this.port === port && !port.isOpen && !this.stopped) {
      this.detach();
      this.setState(false, `${this.settings.path}: ${error.message}; waiting for it to come back`);
      this.scheduleRetry();
    }
  }

  private armStaleTimer(framer: SuffixFramer): void {
    clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    if (framer.buffer.length === 0) return;
    this.staleTimer = setTimeout(() => {
      this.staleTimer = undefined;
      if (this.framer !== framer) return;
      const partial = framer.takePartial();
      if (this.discarding) {
        this.discarding = false;
        return;
      }
      const result = checkRead(partial, this.maxLength);
      if (result.ok === 'empty') return;
      if (result.ok) {
        this.reject(
          'incomplete',
          `no CR, LF or CRLF suffix after ${this.staleMs} ms: is the scanner set to send a suffix after each code (or is this port for suffix=none)?`,
          printable(partial),
          partial,
        );
      } else {
        this.reject(result.reason, result.detail, result.text, partial);
      }
    }, this.staleMs);
    this.staleTimer.unref?.();
  }

  private onToken(token: Token): void {
    if (Buffer.isBuffer(token)) {
      if (this.settings.suffix === 'none' && token.length > this.maxLength) {
        this.overflow(token.subarray(0, 64));
        return;
      }
      if (this.discarding) {
        // The rest of an over-long read: already rejected once.
        this.discarding = false;
        return;
      }
      this.onRead(token);
    } else if ('overflow' in token) {
      this.overflow(token.overflow);
    } else {
      this.discarding = false;
    }
  }

  private overflow(head: Buffer): void {
    if (!this.discarding) {
      this.reject(
        'too-long',
        `read of more than ${this.maxLength} bytes without a${this.settings.suffix === 'none' ? ' pause' : ' CR, LF or CRLF suffix'}: not a scan (line noise or a wrong line setting?)`,
        `${printable(head)}…`,
        head,
      );
    }
    this.discarding = true;
  }

  private onRead(bytes: Buffer): void {
    const at = performance.now();
    const result = checkRead(bytes, this.maxLength);
    if (result.ok === 'empty') return;
    if (!result.ok) {
      this.reject(result.reason, result.detail, result.text, bytes, at);
      return;
    }
    this.emit(
      'scan',
      result.symbology === undefined
        ? { text: result.text, source: 'serial', at }
        : { text: result.text, source: 'serial', symbology: result.symbology, at },
    );
  }
}

/**
 * What a path names right now, or undefined when nothing: on Windows the port's entry in
 * `SerialPort.list()`, elsewhere the device node behind the path (through links).
 */
async function deviceIdentity(path: string): Promise<string | undefined> {
  if (process.platform === 'win32') {
    try {
      const port = (await SerialPort.list()).find(
        (p) => p.path.toLowerCase() === path.toLowerCase(),
      );
      return port ? `listed:${port.pnpId ?? ''}:${port.serialNumber ?? ''}` : undefined;
    } catch {
      return undefined;
    }
  }
  try {
    const info = await stat(path);
    return `${info.dev}:${info.ino}:${info.rdev}`;
  } catch {
    return undefined;
  }
}
