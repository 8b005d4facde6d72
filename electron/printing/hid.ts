/**
 * USB printers that are HID-class (`usb:VID:PID`), through node-hid (already a dependency: the
 * scanners use it). The receipt goes as output reports: report id 0, then up to 63 bytes of
 * ESC/POS (a 64-byte report, what HID-class thermal printers take). The printer's status is
 * asked with DLE EOT and read from its input reports; a printer that does not answer there is
 * printed to anyway (many HID printers answer status only over their vendor's driver).
 *
 * A USB printer that is NOT HID-class (a USB printer-class device, what most are) is not
 * listed by HID: it is driven through the COM port its Windows driver gives it
 * (`serial:COM3`), and the message says so. No new native dependency.
 */
import type * as NodeHidModule from 'node-hid';
import { describeSpec, type PrinterSpec } from './spec.ts';
import type { PrinterProblem } from './status.ts';

/** The parts of node-hid a HID printer link uses (a fake in tests). */
export interface HidPrinterBackend {
  devices(): Promise<
    Array<{ path?: string; vendorId: number; productId: number; usagePage?: number }>
  >;
  open(path: string): Promise<HidPrinterHandle>;
}

export interface HidPrinterHandle {
  write(values: number[] | Buffer): Promise<number>;
  read(timeoutMs?: number): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

export const HID_REPORT_PAYLOAD = 63;

let nodeHid: Promise<typeof NodeHidModule> | undefined;

export const nodeHidPrinterBackend: HidPrinterBackend = {
  async devices() {
    nodeHid ??= import('node-hid').then((mod) => mod as typeof NodeHidModule);
    return (await nodeHid).devicesAsync();
  },
  async open(path) {
    nodeHid ??= import('node-hid').then((mod) => mod as typeof NodeHidModule);
    return (await nodeHid).HIDAsync.open(path, { nonExclusive: true });
  },
};

/** The output reports that carry `bytes`: report id 0, then up to 63 bytes each. */
export function hidReports(bytes: Uint8Array): Buffer[] {
  const reports: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += HID_REPORT_PAYLOAD) {
    const chunk = bytes.subarray(at, at + HID_REPORT_PAYLOAD);
    reports.push(Buffer.concat([Buffer.of(0x00), Buffer.from(chunk)]));
  }
  return reports;
}

export type HidOpenResult =
  { ok: true; handle: HidPrinterHandle; where: string } | { ok: false; problem: PrinterProblem };

export async function openHidPrinter(
  spec: Extract<PrinterSpec, { kind: 'usb' }>,
  backend: HidPrinterBackend,
): Promise<HidOpenResult> {
  const where = describeSpec(spec);
  const notHid: PrinterProblem = {
    problem: 'unreachable',
    reason: `no HID printer ${where} is connected; a USB printer that is not an HID printer is used through the COM port its Windows driver gives it (e.g. serial:COM3)`,
  };
  let list;
  try {
    list = await backend.devices();
  } catch (error) {
    return {
      ok: false,
      problem: {
        problem: 'unsupported',
        reason: `USB HID printers cannot be listed here (${error instanceof Error ? error.message : String(error)}); use the printer's COM port (serial:COM3)`,
      },
    };
  }
  const same = list.filter(
    (d) => d.vendorId === spec.vendorId && d.productId === spec.productId && d.path,
  );
  // Not its keyboard or mouse interface, if it has one.
  const device = same.find((d) => d.usagePage !== 0x01) ?? same[0];
  if (!device?.path) return { ok: false, problem: notHid };
  try {
    return { ok: true, handle: await backend.open(device.path), where };
  } catch (error) {
    return {
      ok: false,
      problem: {
        problem: 'unreachable',
        reason: `the HID printer ${where} could not be opened (${error instanceof Error ? error.message : String(error)})`,
      },
    };
  }
}
