/**
 * USB HID POS scanners through node-hid (v3). The device is opened non-exclusively; its
 * `error` event (an unplug) is always handled: the state turns disconnected and the device
 * list is polled for the same VID/PID until it is back. node-hid is loaded lazily so that a
 * machine without it still runs serial scanners.
 */
import { performance } from 'node:perf_hooks';
import type * as NodeHidModule from 'node-hid';
import { asError } from './events.ts';
import { DEFAULT_MAX_LENGTH, checkRead, printable } from './frame.ts';
import { HID_POS_USAGE_PAGE, HidPosAssembler, parseHidPosReport } from './hidReport.ts';
import { formatScannerSpec, hex4, type HidSpec } from './spec.ts';
import { Backoff, ScannerSource } from './source.ts';

export interface HidDeviceInfo {
  path?: string;
  vendorId: number;
  productId: number;
  usagePage?: number;
  usage?: number;
  product?: string;
  manufacturer?: string;
  serialNumber?: string;
}

/** An open device: node-hid's HIDAsync, or a fake EventEmitter in tests. */
export interface HidDeviceHandle {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeAllListeners(): unknown;
  close(): Promise<void> | void;
}

export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidDeviceHandle>;
}

type NodeHid = typeof NodeHidModule;
let nodeHid: Promise<NodeHid> | undefined;

function loadNodeHid(): Promise<NodeHid> {
  nodeHid ??= import('node-hid').then((mod) => mod as NodeHid);
  return nodeHid;
}

/** The real backend: `HID.devicesAsync()` and `HID.HIDAsync.open(path, {nonExclusive:true})`. */
export const nodeHidBackend: HidBackend = {
  async devices() {
    const hid = await loadNodeHid();
    return hid.devicesAsync();
  },
  async open(path) {
    const hid = await loadNodeHid();
    return hid.HIDAsync.open(path, { nonExclusive: true });
  },
};

export function isHidPos(device: HidDeviceInfo): boolean {
  return device.usagePage === HID_POS_USAGE_PAGE;
}

export interface HidScannerOptions {
  backend?: HidBackend;
  maxLength?: number;
  /** Poll interval while the device is missing (doubles up to pollMaxMs). */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** A multi-report code whose next report does not come within this is dropped. */
  continuationTimeoutMs?: number;
}

export class HidScanner extends ScannerSource {
  readonly source = 'hid' as const;
  readonly spec: string;
  private readonly target: HidSpec;
  private readonly backend: HidBackend;
  private readonly maxLength: number;
  private readonly continuationTimeoutMs: number;
  private readonly assembler: HidPosAssembler;
  /** Learnt from the device list, so that a path spec survives a replug under a new path. */
  private ids: { vendorId: number; productId: number } | undefined;
  private device: HidDeviceHandle | undefined;
  private stopped = true;
  /** Polls the device list while the device is missing. */
  private readonly poll: Backoff;
  private continuationTimer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(spec: HidSpec, options: HidScannerOptions = {}) {
    super();
    this.target = spec;
    this.spec = formatScannerSpec(spec);
    this.backend = options.backend ?? nodeHidBackend;
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    this.poll = new Backoff(options.pollInitialMs ?? 250, options.pollMaxMs ?? 2000);
    this.continuationTimeoutMs = options.continuationTimeoutMs ?? 500;
    this.assembler = new HidPosAssembler(this.maxLength);
    if (spec.vendorId !== undefined) {
      this.ids = { vendorId: spec.vendorId, productId: spec.productId };
    }
    this.current = { connected: false, detail: `opening ${this.describeTarget()}` };
  }

  async open(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.poll.reset();
    await this.attempt();
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.generation += 1;
    this.poll.cancel();
    const device = this.device;
    this.release();
    if (device) await closeQuietly(device);
    this.setState(false, `closed: ${this.describeTarget()}`);
  }

  private describeTarget(): string {
    if (this.target.path !== undefined) return this.target.path;
    return `${hex4(this.target.vendorId)}:${hex4(this.target.productId)}`;
  }

  /** Picks the device to open from the list, or says why there is none. */
  private choose(devices: HidDeviceInfo[]): { path: string; info?: HidDeviceInfo } | string {
    const path = this.target.path;
    if (path !== undefined) {
      const listed = devices.find((d) => d.path === path);
      if (listed) return { path, info: listed };
    }
    const ids = this.ids;
    if (ids) {
      const same = devices.filter(
        (d) => d.vendorId === ids.vendorId && d.productId === ids.productId && d.path,
      );
      const pos = same.find(isHidPos) ?? same.find((d) => d.usagePage === undefined);
      if (pos?.path) return { path: pos.path, info: pos };
      if (same.length > 0) {
        return `${hex4(ids.vendorId)}:${hex4(ids.productId)} is connected but not in HID POS mode (usage page 0x8C); it is probably in keyboard mode: scan the vendor's "USB HID POS" setup barcode, or use the wedge scanner`;
      }
    }
    // A path nobody listed (permissions, an unusual stack): try it, the error will say why.
    if (path !== undefined) return { path };
    return `no HID device ${this.describeTarget()} is connected`;
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const generation = this.generation;
    let chosen: { path: string; info?: HidDeviceInfo } | string;
    try {
      chosen = this.choose(await this.backend.devices());
    } catch (error) {
      chosen = `cannot list HID devices: ${asError(error).message}`;
    }
    if (generation !== this.generation || this.stopped) return;
    if (typeof chosen === 'string') {
      this.waitAndRetry(chosen);
      return;
    }
    let device: HidDeviceHandle;
    try {
      device = await this.backend.open(chosen.path);
    } catch (error) {
      if (generation === this.generation && !this.stopped) {
        this.waitAndRetry(`cannot open ${chosen.path}: ${asError(error).message}`);
      }
      return;
    }
    // Listened to at once: an error from a device nobody listens to would crash the process.
    device.on('error', (error) => {
      if (this.device === device) this.onDeviceError(device, asError(error));
    });
    device.on('data', (data) => {
      if (this.device === device) this.onReport(data);
    });
    if (generation !== this.generation || this.stopped) {
      await closeQuietly(device);
      return;
    }
    const info = chosen.info;
    if (info) this.ids = { vendorId: info.vendorId, productId: info.productId };
    this.device = device;
    this.poll.reset();
    const name = info ? [info.manufacturer, info.product].filter(Boolean).join(' ') : '';
    const ids = info ? `${hex4(info.vendorId)}:${hex4(info.productId)} ` : '';
    this.setState(true, `connected to HID POS ${ids}${name ? `(${name}) ` : ''}at ${chosen.path}`);
  }

  private waitAndRetry(detail: string): void {
    this.setState(false, `waiting: ${detail}`);
    if (this.stopped) return;
    this.poll.schedule(() => {
      void this.attempt().catch((error: unknown) => this.emit('error', asError(error)));
    });
  }

  private onDeviceError(device: HidDeviceHandle, error: Error): void {
    this.release();
    void closeQuietly(device);
    this.emit('error', error);
    if (this.stopped) return;
    this.waitAndRetry(`${this.describeTarget()} disconnected (${error.message})`);
  }

  private release(): void {
    clearTimeout(this.continuationTimer);
    this.continuationTimer = undefined;
    this.assembler.reset();
    const device = this.device;
    this.device = undefined;
    if (device) {
      device.removeAllListeners();
      // A late error from a released device must not crash the process.
      device.on('error', () => undefined);
    }
  }

  private onReport(raw: Uint8Array): void {
    const at = performance.now();
    const parsed = parseHidPosReport(raw);
    if (!parsed.ok) {
      this.reject('bad-report', parsed.detail, printable(raw.subarray(0, 16)), raw, at);
      return;
    }
    clearTimeout(this.continuationTimer);
    this.continuationTimer = undefined;
    const read = this.assembler.push(parsed.report);
    if (read === 'too-long') {
      this.reject(
        'too-long',
        `a code spanning reports grew past ${this.maxLength} bytes`,
        printable(parsed.report.data.subarray(0, 32)) + '…',
        parsed.report.data,
        at,
      );
      return;
    }
    if (read === undefined) {
      this.continuationTimer = setTimeout(() => {
        this.continuationTimer = undefined;
        const partial = this.assembler.reset();
        this.reject(
          'incomplete',
          `a long code stopped after ${partial.length} bytes: its next report never came`,
          printable(partial),
          partial,
        );
      }, this.continuationTimeoutMs);
      this.continuationTimer.unref?.();
      return;
    }
    const result = checkRead(read.data, this.maxLength);
    if (result.ok === 'empty') return;
    if (!result.ok) {
      this.reject(result.reason, result.detail, result.text, read.data, at);
      return;
    }
    const symbology = read.aim ?? result.symbology;
    this.emit(
      'scan',
      symbology === undefined
        ? { text: result.text, source: 'hid', at }
        : { text: result.text, source: 'hid', symbology, at },
    );
  }
}

async function closeQuietly(device: HidDeviceHandle): Promise<void> {
  try {
    await device.close();
  } catch {
    // Closing an unplugged device fails; there is nothing left to release.
  }
}
