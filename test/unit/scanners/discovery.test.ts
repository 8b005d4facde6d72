import { describe, expect, it } from 'vitest';
import {
  DeviceWatcher,
  describeDevice,
  listScannerDevices,
  type SerialPortInfo,
  type WatcherEvents,
} from '../../../electron/scanners/discovery.ts';
import type { HidBackend, HidDeviceInfo } from '../../../electron/scanners/hidSource.ts';
import { record } from '../../support/eventTools.ts';

function backends(serial: () => SerialPortInfo[], hid: () => HidDeviceInfo[]) {
  const hidBackend: HidBackend = {
    devices: async () => hid(),
    open: async () => {
      throw new Error('not used');
    },
  };
  return { listSerial: async () => serial(), hid: hidBackend };
}

const ftdi: SerialPortInfo = {
  path: '/dev/ttyUSB0',
  vendorId: '0403',
  productId: '6001',
  manufacturer: 'FTDI',
};
const zebraPos: HidDeviceInfo = {
  path: '/dev/hidraw2',
  vendorId: 0x05e0,
  productId: 0x1300,
  usagePage: 0x8c,
  usage: 0x02,
  manufacturer: 'Zebra',
  product: 'DS2208',
};
const keyboard: HidDeviceInfo = {
  path: '/dev/hidraw0',
  vendorId: 0x046d,
  productId: 0xc31c,
  usagePage: 0x01,
  usage: 0x06,
  product: 'Keyboard',
};

describe('listing scanners', () => {
  it('lists serial ports and only HID POS devices (usage page 0x8C), with ids, names and specs', async () => {
    const list = await listScannerDevices(
      backends(
        () => [ftdi],
        () => [keyboard, zebraPos],
      ),
    );
    expect(list.serial).toEqual([
      {
        kind: 'serial',
        path: '/dev/ttyUSB0',
        vendorId: '0403',
        productId: '6001',
        name: 'FTDI',
        spec: 'serial:/dev/ttyUSB0',
      },
    ]);
    expect(list.hid).toEqual([
      {
        kind: 'hid',
        path: '/dev/hidraw2',
        vendorId: '05e0',
        productId: '1300',
        name: 'Zebra DS2208',
        spec: 'hid:05e0:1300',
      },
    ]);
    expect(describeDevice(list.hid[0]!)).toBe(
      'hid    /dev/hidraw2 05e0:1300 Zebra DS2208  (spec: hid:05e0:1300)',
    );
  });

  it('one kind failing to list still lists the other and says why', async () => {
    const list = await listScannerDevices(
      backends(
        () => [ftdi],
        () => {
          throw new Error('node-hid failed to load');
        },
      ),
    );
    expect(list.serial).toHaveLength(1);
    expect(list.errors).toEqual(['HID devices could not be listed: node-hid failed to load']);
  });
});

describe('hot-plug watcher', () => {
  it('reports attach and detach between polls, not the devices already present', async () => {
    let serial: SerialPortInfo[] = [ftdi];
    let hid: HidDeviceInfo[] = [];
    const watcher = new DeviceWatcher({
      ...backends(
        () => serial,
        () => hid,
      ),
      intervalMs: 60_000,
    });
    const events = record<WatcherEvents>(watcher, ['attach', 'detach', 'error']);
    const first = await watcher.start();
    expect(first.map((e) => e.path)).toEqual(['/dev/ttyUSB0']);

    hid = [zebraPos];
    await watcher.poll();
    serial = [];
    await watcher.poll();
    await watcher.poll();
    watcher.stop();

    expect(events.seen.attach.map((e) => e.spec)).toEqual(['hid:05e0:1300']);
    expect(events.seen.detach.map((e) => e.spec)).toEqual(['serial:/dev/ttyUSB0']);
  });

  it('a failed poll is reported, not taken for every device being unplugged', async () => {
    let failing = false;
    const watcher = new DeviceWatcher({
      ...backends(
        () => {
          if (failing) throw new Error('EBUSY');
          return [ftdi];
        },
        () => [],
      ),
      intervalMs: 60_000,
    });
    const events = record<WatcherEvents>(watcher, ['attach', 'detach', 'error']);
    await watcher.start();
    failing = true;
    await watcher.poll();
    failing = false;
    await watcher.poll();
    watcher.stop();
    expect(events.seen.detach).toHaveLength(0);
    expect(events.seen.attach).toHaveLength(0);
    expect(events.seen.error.map((e) => e.message)).toEqual([
      'serial ports could not be listed: EBUSY',
    ]);
  });
});
