/**
 * Discovery and hot-plug: serial ports (`SerialPort.list()`) and HID POS devices
 * (`HID.devicesAsync()` filtered on usage page 0x8C). Neither library has plug-in events, so
 * the watcher polls and reports what appeared and what went away.
 */
import { SerialPort } from 'serialport';
import { TypedEvents, asError } from './events.ts';
import { isHidPos, nodeHidBackend, type HidBackend } from './hidSource.ts';
import { hex4 } from './spec.ts';

export interface DeviceEntry {
  kind: 'serial' | 'hid';
  path: string;
  /** 4-digit lower-case hex, when known. */
  vendorId?: string;
  productId?: string;
  /** Manufacturer and product as the OS reports them, when known. */
  name?: string;
  /** The scanner spec that opens this device. */
  spec: string;
}

export interface SerialPortInfo {
  path: string;
  vendorId?: string | undefined;
  productId?: string | undefined;
  manufacturer?: string | undefined;
  friendlyName?: string | undefined;
}

export interface DiscoveryBackends {
  listSerial?: () => Promise<SerialPortInfo[]>;
  hid?: HidBackend;
}

export interface DeviceList {
  serial: DeviceEntry[];
  hid: DeviceEntry[];
  /** A kind that could not be listed, and why (the other kind is still listed). */
  errors: string[];
}

function normaliseHex(id: string | undefined): string | undefined {
  if (id === undefined || id === '') return undefined;
  const value = parseInt(id, 16);
  return Number.isNaN(value) ? id.toLowerCase() : hex4(value);
}

function joinName(...parts: (string | undefined)[]): string | undefined {
  const name = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join(' ');
  return name === '' ? undefined : name;
}

function withOptional(entry: DeviceEntry, extra: Partial<DeviceEntry>): DeviceEntry {
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) (entry as unknown as Record<string, unknown>)[key] = value;
  }
  return entry;
}

export async function listScannerDevices(backends: DiscoveryBackends = {}): Promise<DeviceList> {
  const listSerial = backends.listSerial ?? (() => SerialPort.list());
  const hid = backends.hid ?? nodeHidBackend;
  const errors: string[] = [];
  const [serialResult, hidResult] = await Promise.allSettled([listSerial(), hid.devices()]);

  const serial: DeviceEntry[] = [];
  if (serialResult.status === 'fulfilled') {
    for (const port of serialResult.value) {
      serial.push(
        withOptional(
          { kind: 'serial', path: port.path, spec: `serial:${port.path}` },
          {
            vendorId: normaliseHex(port.vendorId),
            productId: normaliseHex(port.productId),
            name: joinName(port.manufacturer, port.friendlyName),
          },
        ),
      );
    }
  } else {
    errors.push(`serial ports could not be listed: ${asError(serialResult.reason).message}`);
  }

  const hidEntries: DeviceEntry[] = [];
  if (hidResult.status === 'fulfilled') {
    const seen = new Set<string>();
    for (const device of hidResult.value) {
      if (!isHidPos(device) || !device.path || seen.has(device.path)) continue;
      seen.add(device.path);
      hidEntries.push(
        withOptional(
          {
            kind: 'hid',
            path: device.path,
            vendorId: hex4(device.vendorId),
            productId: hex4(device.productId),
            spec: `hid:${hex4(device.vendorId)}:${hex4(device.productId)}`,
          },
          { name: joinName(device.manufacturer, device.product) },
        ),
      );
    }
  } else {
    errors.push(`HID devices could not be listed: ${asError(hidResult.reason).message}`);
  }
  const byPath = (a: DeviceEntry, b: DeviceEntry) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  return { serial: serial.sort(byPath), hid: hidEntries.sort(byPath), errors };
}

/** One line per device, for the CLI and logs. */
export function describeDevice(entry: DeviceEntry): string {
  const ids =
    entry.vendorId !== undefined || entry.productId !== undefined
      ? ` ${entry.vendorId ?? '????'}:${entry.productId ?? '????'}`
      : '';
  const name = entry.name !== undefined ? ` ${entry.name}` : '';
  return `${entry.kind === 'serial' ? 'serial' : 'hid   '} ${entry.path}${ids}${name}  (spec: ${entry.spec})`;
}

export interface WatcherEvents {
  attach: DeviceEntry;
  detach: DeviceEntry;
  error: Error;
}

export interface DeviceWatcherOptions extends DiscoveryBackends {
  intervalMs?: number;
}

function keyOf(entry: DeviceEntry): string {
  return `${entry.kind}\u0000${entry.path}\u0000${entry.vendorId ?? ''}:${entry.productId ?? ''}`;
}

/** Polls the device lists; emits `attach`/`detach` for changes after the first snapshot. */
export class DeviceWatcher extends TypedEvents<WatcherEvents> {
  private readonly intervalMs: number;
  private readonly backends: DiscoveryBackends;
  private known = new Map<string, DeviceEntry>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(options: DeviceWatcherOptions = {}) {
    super();
    const { intervalMs, ...backends } = options;
    this.intervalMs = intervalMs ?? 1000;
    this.backends = backends;
  }

  /** Takes the first snapshot (returned, no events) and starts polling. */
  async start(): Promise<DeviceEntry[]> {
    if (this.running) return [...this.known.values()];
    this.running = true;
    const list = await listScannerDevices(this.backends);
    for (const error of list.errors) this.emit('error', new Error(error));
    this.known = new Map([...list.serial, ...list.hid].map((e) => [keyOf(e), e]));
    this.schedule();
    return [...this.known.values()];
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.poll().then(
        () => this.schedule(),
        (error: unknown) => {
          this.emit('error', asError(error));
          this.schedule();
        },
      );
    }, this.intervalMs);
  }

  /** One poll: compares with the last snapshot and emits the differences. */
  async poll(): Promise<void> {
    const list = await listScannerDevices(this.backends);
    if (!this.running) return;
    for (const error of list.errors) this.emit('error', new Error(error));
    const next = new Map<string, DeviceEntry>();
    // A kind that failed to list keeps its previous entries: a failed poll is not an unplug.
    const failedSerial = list.errors.some((e) => e.startsWith('serial'));
    const failedHid = list.errors.some((e) => e.startsWith('HID'));
    for (const [key, entry] of this.known) {
      if ((entry.kind === 'serial' && failedSerial) || (entry.kind === 'hid' && failedHid)) {
        next.set(key, entry);
      }
    }
    for (const entry of [...list.serial, ...list.hid]) next.set(keyOf(entry), entry);
    for (const [key, entry] of this.known) if (!next.has(key)) this.emit('detach', entry);
    for (const [key, entry] of next) if (!this.known.has(key)) this.emit('attach', entry);
    this.known = next;
  }
}
