/**
 * Printing to real links: a socat pty pair as a serial printer (the fake answers DLE EOT),
 * a TCP printer on 127.0.0.1, file: output; printer gone, out of paper, offline, usb: (real
 * node-hid, no such printer here; test/unit/printing/usb.test.ts drives a fake HID printer).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { saleReceipt } from '../../../electron/printing/layout.ts';
import { printBytes } from '../../../electron/printing/printer.ts';
import {
  CUT,
  ESC_AT,
  indexOfBytes,
  STATUS_REQUESTS,
  startSerialFakePrinter,
  startTcpFakePrinter,
  type FakePrinter,
} from '../../support/fakePrinter.ts';
import { receiptSale } from '../../support/saleViews.ts';
import { stopAllSocat } from '../../support/socatPair.ts';

const CODE128 = Uint8Array.of(0x1d, 0x6b, 0x49);

const dir = mkdtempSync(path.join(tmpdir(), 'pospay-print-'));
const fakes: FakePrinter[] = [];

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  await stopAllSocat();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sale = receiptSale({ method: 'AlipayCN-Offline', maskedCode: '281234********5678' });

function receipt(codepage: 'gb18030' | 'big5'): Uint8Array {
  return saleReceipt(sale, {
    storeName: codepage === 'big5' ? '好味茶餐廳' : '好味茶餐厅',
    storeAddress: '',
    codepage,
    paperWidth: 80,
  });
}

/** The fake printer, closed after the test. */
async function closedAfter<T extends FakePrinter>(starting: Promise<T>): Promise<T> {
  const fake = await starting;
  fakes.push(fake);
  return fake;
}

/** Waits (no deadline asserted) until the fake has received the cut. */
async function receivedUntilCut(fake: FakePrinter): Promise<Buffer> {
  await vi.waitFor(() => expect(indexOfBytes(fake.received(), CUT)).toBeGreaterThan(0), {
    timeout: 10_000,
    interval: 20,
  });
  return fake.received();
}

function expectReceipt(bytes: Buffer, codepage: 'gb18030' | 'big5', name: string): void {
  // The status is asked before the receipt is sent.
  expect(indexOfBytes(bytes, STATUS_REQUESTS)).toBe(0);
  const init = indexOfBytes(bytes, ESC_AT);
  expect(init).toBe(STATUS_REQUESTS.length);
  expect(indexOfBytes(bytes, iconv.encode(name, codepage))).toBeGreaterThan(init);
  const text = iconv.decode(bytes.subarray(init), codepage);
  expect(text).toContain(name);
  expect(text).toContain(codepage === 'big5' ? '支付寶' : '支付宝');
  expect(text).toContain('CNY 12.50');
  const barcode = indexOfBytes(bytes, CODE128);
  expect(barcode).toBeGreaterThan(init);
  expect(indexOfBytes(bytes, CUT)).toBeGreaterThan(barcode);
}

describe('serial printer (socat pty pair)', () => {
  it('prints a GB18030 receipt: status asked, init, Chinese, CODE128, cut', async () => {
    const fake = await closedAfter(startSerialFakePrinter());
    expect(await printBytes(fake.spec, receipt('gb18030'))).toEqual({ printed: true });
    expectReceipt(await receivedUntilCut(fake), 'gb18030', '好味茶餐厅');
  });

  it('prints a Big5 receipt for a Hong Kong printer', async () => {
    const fake = await closedAfter(startSerialFakePrinter());
    expect(await printBytes(`${fake.spec}@19200`, receipt('big5'))).toEqual({ printed: true });
    expectReceipt(await receivedUntilCut(fake), 'big5', '好味茶餐廳');
  });

  it('out of paper (DLE EOT paper-end bits): not printed, says why, sends no receipt', async () => {
    const fake = await closedAfter(startSerialFakePrinter({ paper: 'out-of-paper' }));
    const result = await printBytes(fake.spec, receipt('gb18030'));
    expect(result).toEqual({ printed: false, reason: 'the printer is out of paper' });
    expect(indexOfBytes(fake.received(), ESC_AT)).toBe(-1);
  });

  it('paper that runs out during the receipt: asked again after it, not printed, says why', async () => {
    const fake = await closedAfter(startSerialFakePrinter({ paper: 'runs-out' }));
    const result = await printBytes(fake.spec, receipt('gb18030'));
    expect(result).toEqual({
      printed: false,
      reason: 'the printer ran out of paper during the receipt: load paper and reprint',
    });
    const bytes = fake.received();
    // The receipt went, then the status was asked again.
    expect(indexOfBytes(bytes, CUT)).toBeGreaterThan(0);
    expect(bytes.subarray(bytes.length - STATUS_REQUESTS.length)).toEqual(
      Buffer.from(STATUS_REQUESTS),
    );
  });

  it('offline (DLE EOT printer status bit 3): not printed, says why', async () => {
    const fake = await closedAfter(startSerialFakePrinter({ paper: 'offline' }));
    const result = await printBytes(fake.spec, receipt('gb18030'));
    expect(result).toEqual({
      printed: false,
      reason: 'the printer is offline (cover open or error)',
    });
    expect(indexOfBytes(fake.received(), ESC_AT)).toBe(-1);
  });

  it('a printer that does not answer the status is offline', async () => {
    const fake = await closedAfter(startSerialFakePrinter({ paper: 'silent' }));
    const result = await printBytes(fake.spec, receipt('gb18030'), { statusTimeoutMs: 300 });
    expect(result.printed).toBe(false);
    if (!result.printed) expect(result.reason).toMatch(/offline/);
    expect(indexOfBytes(fake.received(), ESC_AT)).toBe(-1);
  });

  it('printer gone (unplugged: socat stopped, its link removed): not printed, never throws', async () => {
    const link = path.join(dir, 'printer-gone');
    const fake = await startSerialFakePrinter({ linkA: link });
    await fake.close();
    const result = await printBytes(`serial:${link}`, receipt('gb18030'));
    expect(result.printed).toBe(false);
    if (!result.printed) expect(result.reason).toContain(`no printer at ${link}`);
  });
});

describe('tcp printer on 127.0.0.1', () => {
  it('prints over TCP after the status check', async () => {
    const fake = await closedAfter(startTcpFakePrinter());
    expect(await printBytes(fake.spec, receipt('gb18030'))).toEqual({ printed: true });
    expectReceipt(await receivedUntilCut(fake), 'gb18030', '好味茶餐厅');
  });

  it('out of paper over TCP', async () => {
    const fake = await closedAfter(startTcpFakePrinter({ paper: 'out-of-paper' }));
    expect(await printBytes(fake.spec, receipt('gb18030'))).toEqual({
      printed: false,
      reason: 'the printer is out of paper',
    });
  });

  it('nothing listening: not printed', async () => {
    const fake = await startTcpFakePrinter();
    const spec = fake.spec;
    await fake.close();
    const result = await printBytes(spec, receipt('gb18030'));
    expect(result.printed).toBe(false);
    if (!result.printed) expect(result.reason).toContain('no printer at 127.0.0.1');
  });
});

describe('file: and usb:', () => {
  it('file: writes the raw ESC/POS bytes', async () => {
    const file = path.join(dir, 'receipt.bin');
    const bytes = receipt('gb18030');
    expect(await printBytes(`file:${file}`, bytes)).toEqual({ printed: true });
    const written = readFileSync(file);
    expect(Buffer.compare(written, Buffer.from(bytes))).toBe(0);
    expect(iconv.decode(written, 'gb18030')).toContain('好味茶餐厅');
  });

  it('file: in a folder that does not exist is not printed', async () => {
    const result = await printBytes(`file:${path.join(dir, 'nope', 'r.bin')}`, receipt('big5'));
    expect(result.printed).toBe(false);
  });

  it('usb: with no such HID printer connected says to use the COM port', async () => {
    const result = await printBytes('usb:04b8:0202', receipt('gb18030'));
    expect(result.printed).toBe(false);
    if (!result.printed) expect(result.reason).toContain('serial:COM3');
  });

  it('a malformed spec is a reason, not an exception', async () => {
    expect(await printBytes('lpt1', receipt('gb18030'))).toMatchObject({ printed: false });
  });
});
