/**
 * USB HID printers (usb:VID:PID) through a fake node-hid backend: the receipt goes as 64-byte
 * output reports (report id 0 + 63 bytes), the DLE EOT status is obeyed when the printer
 * answers, silence still prints, and a USB printer that is not HID says to use its COM port.
 */
import { describe, expect, it } from 'vitest';
import { hidReports, type HidPrinterBackend } from '../../../electron/printing/hid.ts';
import { saleReceipt } from '../../../electron/printing/layout.ts';
import { printBytes } from '../../../electron/printing/printer.ts';
import { STATUS_REQUESTS, statusReplies } from '../../support/fakePrinter.ts';
import { receiptSale } from '../../support/saleViews.ts';

const receipt = saleReceipt(receiptSale(), {
  storeName: '好味茶餐厅',
  storeAddress: '',
  codepage: 'gb18030',
  paperWidth: 80,
});

function fakeHid(answer: 'ok' | 'out-of-paper' | 'silent', present = true) {
  const written: Buffer[] = [];
  let pending: number[] = [];
  const backend: HidPrinterBackend = {
    devices: () =>
      Promise.resolve(
        present
          ? [
              { path: '/dev/hidraw-kbd', vendorId: 0x0483, productId: 0x5743, usagePage: 0x01 },
              { path: '/dev/hidraw-prn', vendorId: 0x0483, productId: 0x5743, usagePage: 0xff00 },
            ]
          : [{ path: '/dev/hidraw-other', vendorId: 0x1234, productId: 0x0001 }],
      ),
    open: (path) => {
      expect(path).toBe('/dev/hidraw-prn');
      return Promise.resolve({
        write: (values) => {
          const report = Buffer.from(values);
          written.push(report);
          pending.push(...statusReplies(report.subarray(1), answer));
          return Promise.resolve(report.length);
        },
        read: () => {
          const next = pending.shift();
          pending = [...pending];
          return Promise.resolve(next === undefined ? undefined : Buffer.of(0x00, next));
        },
        close: () => Promise.resolve(),
      });
    },
  };
  return { backend, written };
}

const payloadOf = (reports: Buffer[]) => Buffer.concat(reports.map((r) => r.subarray(1)));

describe('USB HID printers', () => {
  it('splits the receipt into output reports of report id 0 and 63 bytes', () => {
    const reports = hidReports(receipt);
    expect(reports.every((r) => r[0] === 0 && r.length <= 64)).toBe(true);
    expect(Buffer.compare(payloadOf(reports), Buffer.from(receipt))).toBe(0);
  });

  it('prints on the HID printer interface (not its keyboard one) after the status check', async () => {
    const { backend, written } = fakeHid('ok');
    expect(await printBytes('usb:0483:5743', receipt, { hid: backend })).toEqual({
      printed: true,
    });
    const sent = payloadOf(written);
    expect(sent.subarray(0, 6)).toEqual(Buffer.from(STATUS_REQUESTS));
    expect(sent.subarray(6).indexOf(Buffer.from(receipt))).toBe(0);
  });

  it('out of paper (answered over HID): not printed, nothing sent', async () => {
    const { backend, written } = fakeHid('out-of-paper');
    expect(await printBytes('usb:0483:5743', receipt, { hid: backend })).toEqual({
      printed: false,
      reason: 'the printer is out of paper',
    });
    expect(payloadOf(written).length).toBe(6);
  });

  it('a HID printer that does not answer status is printed to', async () => {
    const { backend, written } = fakeHid('silent');
    const result = await printBytes('usb:0483:5743', receipt, {
      hid: backend,
      statusTimeoutMs: 50,
    });
    expect(result).toEqual({ printed: true });
    expect(payloadOf(written).indexOf(Buffer.from(receipt))).toBeGreaterThan(0);
  });

  it('not an HID device: says to use the COM port its Windows driver gives it', async () => {
    const { backend } = fakeHid('ok', false);
    const result = await printBytes('usb:0483:5743', receipt, { hid: backend });
    expect(result.printed).toBe(false);
    if (!result.printed) {
      expect(result.reason).toBe(
        'no HID printer usb:0483:5743 is connected; a USB printer that is not an HID printer is used through the COM port its Windows driver gives it (e.g. serial:COM3)',
      );
    }
  });
});
