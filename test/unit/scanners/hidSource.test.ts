import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HidScanner,
  type HidBackend,
  type HidDeviceHandle,
  type HidDeviceInfo,
} from '../../../electron/scanners/hidSource.ts';
import type { ScannerEvents } from '../../../electron/scanners/types.ts';
import { record } from '../../support/eventTools.ts';

/** A fake node-hid device: emits `data` and `error` like HIDAsync does. */
class FakeDevice extends EventEmitter implements HidDeviceHandle {
  closed = false;
  constructor(readonly path: string) {
    super();
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** The device list and open() of node-hid, with scanners plugged in and out by the test. */
class FakeHid implements HidBackend {
  attached: HidDeviceInfo[] = [];
  opened: FakeDevice[] = [];
  async devices(): Promise<HidDeviceInfo[]> {
    return this.attached.map((d) => ({ ...d }));
  }
  async open(path: string): Promise<HidDeviceHandle> {
    if (!this.attached.some((d) => d.path === path)) throw new Error(`cannot open ${path}`);
    const device = new FakeDevice(path);
    this.opened.push(device);
    return device;
  }
  get last(): FakeDevice {
    const device = this.opened.at(-1);
    if (!device) throw new Error('nothing opened');
    return device;
  }
}

const honeywellPos = (path: string): HidDeviceInfo => ({
  path,
  vendorId: 0x0c2e,
  productId: 0x0b61,
  usagePage: 0x8c,
  usage: 0x02,
  manufacturer: 'Honeywell',
  product: '1900GHD',
});

/** One 64-byte input report, report id first. */
function inputReport(data: string, options: { aim?: string; more?: boolean } = {}): Buffer {
  const bytes = Buffer.alloc(64);
  bytes[0] = 0x02;
  bytes[1] = data.length;
  if (options.aim) bytes.write(options.aim, 2, 'latin1');
  bytes.write(data, 5, 'latin1');
  bytes[63] = options.more ? 1 : 0;
  return bytes;
}

const scanners: HidScanner[] = [];
afterEach(async () => {
  await Promise.all(scanners.splice(0).map((s) => s.close()));
});

function make(spec: ConstructorParameters<typeof HidScanner>[0], backend: FakeHid) {
  const scanner = new HidScanner(spec, { backend, pollInitialMs: 5, pollMaxMs: 20 });
  scanners.push(scanner);
  return {
    scanner,
    events: record<ScannerEvents>(scanner, ['scan', 'rejected', 'state', 'error']),
  };
}

describe('HID POS scanner (node-hid source with a fake device)', () => {
  it('opens the HID POS interface of the VID:PID, not its keyboard interface, and reads a scan', async () => {
    const hid = new FakeHid();
    hid.attached = [
      { ...honeywellPos('/dev/hidraw0'), usagePage: 0x01, usage: 0x06 },
      honeywellPos('/dev/hidraw1'),
    ];
    const { scanner, events } = make({ kind: 'hid', vendorId: 0x0c2e, productId: 0x0b61 }, hid);
    await scanner.open();
    expect(scanner.state()).toMatchObject({ connected: true });
    expect(scanner.state().detail).toMatch(/0c2e:0b61 \(Honeywell 1900GHD\) at \/dev\/hidraw1/);
    hid.last.emit('data', inputReport('134567890123456789', { aim: ']Q1' }));
    await expect(events.waitFor('scan')).resolves.toMatchObject({
      text: '134567890123456789',
      source: 'hid',
      symbology: ']Q1',
    });
  });

  it('joins a code sent in several reports', async () => {
    const hid = new FakeHid();
    hid.attached = [honeywellPos('/dev/hidraw1')];
    const { scanner, events } = make({ kind: 'hid', path: '/dev/hidraw1' }, hid);
    await scanner.open();
    const text = '28' + '7'.repeat(70);
    hid.last.emit('data', inputReport(text.slice(0, 56), { more: true }));
    hid.last.emit('data', inputReport(text.slice(56)));
    const scan = await events.waitFor('scan');
    expect(scan.text).toBe(text);
    expect(events.seen.scan).toHaveLength(1);
  });

  it('rejects a report that is not a HID POS scan, with the reason', async () => {
    const hid = new FakeHid();
    hid.attached = [honeywellPos('/dev/hidraw1')];
    const { scanner, events } = make({ kind: 'hid', path: '/dev/hidraw1' }, hid);
    await scanner.open();
    hid.last.emit('data', Buffer.from([0x02, 0xff, 0xff, 0x00]));
    await expect(events.waitFor('rejected')).resolves.toMatchObject({
      reason: 'bad-report',
      source: 'hid',
    });
    expect(events.seen.scan).toHaveLength(0);
  });

  it('an unplug (device error) is handled: disconnected, then reconnects when the same VID/PID is back', async () => {
    const hid = new FakeHid();
    hid.attached = [honeywellPos('/dev/hidraw1')];
    const { scanner, events } = make({ kind: 'hid', vendorId: 0x0c2e, productId: 0x0b61 }, hid);
    await scanner.open();
    const first = hid.last;

    hid.attached = [];
    first.emit('error', new Error('could not read from HID device'));
    const down = await events.waitFor('state', (s) => !s.connected);
    expect(down.detail).toMatch(/disconnected \(could not read from HID device\)/);
    expect(first.closed).toBe(true);
    expect(events.seen.error.map((e) => e.message)).toContain('could not read from HID device');

    // Plugged back in, under a new path.
    const statesBefore = events.seen.state.length;
    hid.attached = [honeywellPos('/dev/hidraw4')];
    await events.waitFor('state', (s) => s.connected, { from: statesBefore });
    expect(hid.last).not.toBe(first);
    expect(hid.last.path).toBe('/dev/hidraw4');
    hid.last.emit('data', inputReport('287654321098765432'));
    await expect(events.waitFor('scan')).resolves.toMatchObject({ text: '287654321098765432' });
    // The old device is no longer listened to.
    first.emit('data', inputReport('134567890123456789'));
    first.emit('error', new Error('late error'));
    expect(events.seen.scan.map((s) => s.text)).toEqual(['287654321098765432']);
  });

  it('says plainly when the scanner is present only in keyboard mode, and keeps polling', async () => {
    const hid = new FakeHid();
    hid.attached = [{ ...honeywellPos('/dev/hidraw0'), usagePage: 0x01, usage: 0x06 }];
    const { scanner, events } = make({ kind: 'hid', vendorId: 0x0c2e, productId: 0x0b61 }, hid);
    await scanner.open();
    expect(scanner.state().connected).toBe(false);
    expect(scanner.state().detail).toMatch(/not in HID POS mode .*keyboard mode/);
    hid.attached = [honeywellPos('/dev/hidraw1')];
    await events.waitFor('state', (s) => s.connected);
  });

  it('close() releases the device', async () => {
    const hid = new FakeHid();
    hid.attached = [honeywellPos('/dev/hidraw1')];
    const { scanner } = make({ kind: 'hid', path: '/dev/hidraw1' }, hid);
    await scanner.open();
    await scanner.close();
    expect(hid.last.closed).toBe(true);
    expect(scanner.state()).toMatchObject({ connected: false });
  });

  it('close() while waiting for the device stops the polling: a later plug-in is not opened', async () => {
    const hid = new FakeHid();
    const { scanner, events } = make({ kind: 'hid', vendorId: 0x0c2e, productId: 0x0b61 }, hid);
    await scanner.open();
    expect(scanner.state().detail).toMatch(/no HID device 0c2e:0b61 is connected/);
    await scanner.close();
    hid.attached = [honeywellPos('/dev/hidraw1')];
    // Several poll intervals (5–20 ms) pass: nothing may be opened any more.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hid.opened).toHaveLength(0);
    expect(events.seen.state.some((s) => s.connected)).toBe(false);
  });
});
