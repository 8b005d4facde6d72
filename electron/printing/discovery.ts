/**
 * Printers the Settings screen offers: the serial ports (virtual COM ports of USB printers
 * included) as the scanners' discovery lists them (electron/scanners/discovery.ts), and the
 * HID devices that may be HID-class printers, through the same node-hid backend. A keyboard,
 * a mouse or an HID POS scanner (usage page 0x8C) is not a printer and is left out.
 */
import { listScannerDevices, type DiscoveryBackends } from '../scanners/discovery.ts';
import { isHidPos, nodeHidBackend, type HidDeviceInfo } from '../scanners/hidSource.ts';
import { hex4 } from '../scanners/spec.ts';
import type { PrinterDevice } from '../../shared/ipc/receiptChannels.ts';

const GENERIC_DESKTOP = 0x01;

/** An HID device that can be a printer: not a scanner, keyboard, mouse or game pad. */
export function mayBeHidPrinter(device: HidDeviceInfo): boolean {
  if (isHidPos(device)) return false;
  return device.usagePage !== GENERIC_DESKTOP;
}

export async function listPrinterDevices(
  backends: DiscoveryBackends = {},
): Promise<{ devices: PrinterDevice[]; errors: string[] }> {
  const hid = backends.hid ?? nodeHidBackend;
  const [scanners, hidDevices] = await Promise.all([
    // Serial ports only: the HID part of that list is scanners.
    listScannerDevices({
      ...backends,
      hid: { devices: () => Promise.resolve([]), open: (p) => hid.open(p) },
    }),
    hid.devices().then(
      (list) => ({ ok: true as const, list }),
      (error: unknown) => ({
        ok: false as const,
        error: error instanceof Error ? error.message : String(error),
      }),
    ),
  ]);
  const devices: PrinterDevice[] = scanners.serial.map((entry) => ({
    ...entry,
    kind: 'serial' as const,
  }));
  const errors = [...scanners.errors];
  if (hidDevices.ok) {
    const seen = new Set<string>();
    for (const device of hidDevices.list) {
      const spec = `usb:${hex4(device.vendorId)}:${hex4(device.productId)}`;
      if (!mayBeHidPrinter(device) || seen.has(spec)) continue;
      seen.add(spec);
      const name = [device.manufacturer, device.product]
        .filter((p) => p && p.trim() !== '')
        .join(' ');
      devices.push({
        kind: 'hid',
        path: device.path ?? spec,
        vendorId: hex4(device.vendorId),
        productId: hex4(device.productId),
        ...(name !== '' ? { name } : {}),
        spec,
      });
    }
  } else {
    errors.push(`HID devices could not be listed: ${hidDevices.error}`);
  }
  return { devices, errors };
}
