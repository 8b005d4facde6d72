import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  columnsFor,
  customerMethodName,
  refundReceipt,
  saleReceipt,
  TRAINING_BANNER,
  zReportReceipt,
  type ReceiptSale,
  type ReceiptSettings,
} from '../../../electron/printing/layout.ts';
import { parsePrinterSpec } from '../../../electron/printing/spec.ts';
import { CUT, ESC_AT, indexOfBytes } from '../../support/fakePrinter.ts';
import { receiptSale, refundView } from '../../support/saleViews.ts';

const sale = (over: Partial<ReceiptSale> = {}) =>
  receiptSale({ transactionId: 'GW-TXN-778899', ...over });

const mainland: ReceiptSettings = {
  storeName: '好味茶餐厅',
  storeAddress: '北京市朝阳区建国路 1 号',
  codepage: 'gb18030',
  paperWidth: 80,
  timeZone: 'Asia/Shanghai',
};
const hongKong: ReceiptSettings = {
  storeName: '好味茶餐廳',
  storeAddress: '香港中環德輔道中 1 號',
  codepage: 'big5',
  paperWidth: 58,
  timeZone: 'Asia/Hong_Kong',
};

describe('printer specs', () => {
  it('reads serial, tcp, usb and file specs, with their defaults', () => {
    expect(parsePrinterSpec('serial:/dev/ttyUSB0')).toEqual({
      ok: true,
      spec: { kind: 'serial', path: '/dev/ttyUSB0', baudRate: 9600 },
    });
    expect(parsePrinterSpec('serial:COM3@115200')).toEqual({
      ok: true,
      spec: { kind: 'serial', path: 'COM3', baudRate: 115200 },
    });
    expect(parsePrinterSpec('tcp:192.168.1.50')).toEqual({
      ok: true,
      spec: { kind: 'tcp', host: '192.168.1.50', port: 9100 },
    });
    expect(parsePrinterSpec('tcp:printer.local:9101')).toMatchObject({
      spec: { host: 'printer.local', port: 9101 },
    });
    expect(parsePrinterSpec('usb:04b8:0202')).toEqual({
      ok: true,
      spec: { kind: 'usb', vendorId: 0x04b8, productId: 0x0202 },
    });
    expect(parsePrinterSpec('file:/tmp/r.bin')).toEqual({
      ok: true,
      spec: { kind: 'file', path: '/tmp/r.bin' },
    });
  });

  it('refuses malformed specs with a reason', () => {
    for (const bad of ['', 'lpt:1', 'serial:', 'serial:COM3@fast', 'tcp:', 'usb:xyz', 'file:']) {
      const parsed = parsePrinterSpec(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain('printer spec');
    }
  });
});

describe('receipt layout', () => {
  it('a mainland sale: init, GB18030 text, method in the customer words, masked code, ids, CODE128, cut', () => {
    const bytes = Buffer.from(saleReceipt(sale(), mainland));
    expect(indexOfBytes(bytes, ESC_AT)).toBe(0);
    const text = iconv.decode(bytes, 'gb18030');
    expect(text).toContain('好味茶餐厅');
    expect(text).toContain('北京市朝阳区建国路 1 号');
    expect(indexOfBytes(bytes, iconv.encode('好味茶餐厅', 'gb18030'))).toBeGreaterThan(0);
    expect(indexOfBytes(bytes, Buffer.from('好味茶餐厅', 'utf8'))).toBe(-1);
    expect(text).toContain('微信支付');
    expect(text).toContain('2026-12-01 20:00:05'); // local time in Shanghai
    expect(text).toContain('CNY 12.50');
    expect(text).toContain('134567********1234');
    expect(text).toContain('T1-1201-AB12CD34');
    expect(text).toContain('GW-TXN-778899');
    expect(text).toContain('PAID');
    expect(text).not.toContain('TRAINING');
    // GS k 73 (CODE128) n {B data
    const barcode = Buffer.concat([
      Buffer.from([0x1d, 0x6b, 0x49, 2 + sale().orderId.length]),
      Buffer.from(`{B${sale().orderId}`, 'ascii'),
    ]);
    expect(indexOfBytes(bytes, barcode)).toBeGreaterThan(0);
    // modules of 2 dots (GS w 2): 16 characters fit the 576 dots of 80 mm paper
    expect(indexOfBytes(bytes, Uint8Array.of(0x1d, 0x77, 0x02))).toBeGreaterThan(0);
    expect(indexOfBytes(bytes, CUT)).toBeGreaterThan(indexOfBytes(bytes, barcode));
  });

  it('an order id too long for CODE128 on the paper is printed as a QR code', () => {
    const s = sale({ orderId: 'POS-20261201T120000Z-ab12cd34' });
    const bytes = Buffer.from(saleReceipt(s, mainland));
    // GS ( k pL pH 49 80 48 data: store the QR data
    const qr = Buffer.concat([
      Buffer.from([0x1d, 0x28, 0x6b, s.orderId.length + 3, 0x00, 0x31, 0x50, 0x30]),
      Buffer.from(s.orderId, 'ascii'),
    ]);
    expect(indexOfBytes(bytes, qr)).toBeGreaterThan(0);
    expect(indexOfBytes(bytes, Uint8Array.of(0x1d, 0x6b))).toBe(-1);
    // the same short id does not fit CODE128 on 58 mm either: QR there too
    const narrow = Buffer.from(saleReceipt(sale(), { ...mainland, paperWidth: 58 }));
    expect(indexOfBytes(narrow, Uint8Array.of(0x1d, 0x28, 0x6b))).toBeGreaterThan(0);
  });

  it('never prints a full code, even if one reached the record', () => {
    const text = iconv.decode(
      Buffer.from(saleReceipt(sale({ maskedCode: '134567890123451234' }), mainland)),
      'gb18030',
    );
    expect(text).not.toContain('134567890123451234');
    expect(text).toContain('134567********1234');
  });

  it('a Hong Kong sale in Big5 on 58 mm paper: lines fit 32 columns', () => {
    const s = sale({ method: 'AlipayHK-Offline', currency: 'HKD', amountMinor: 8800 });
    const bytes = Buffer.from(saleReceipt(s, hongKong));
    const text = iconv.decode(bytes, 'big5');
    expect(text).toContain('好味茶餐廳');
    expect(text).toContain('香港中環德輔道中 1 號');
    expect(indexOfBytes(bytes, iconv.encode('好味茶餐廳', 'big5'))).toBeGreaterThan(0);
    expect(text).toContain('AlipayHK');
    expect(text).toContain('HKD 88.00');
    expect(columnsFor(58)).toBe(32);
    // 40 double-width characters (80 columns) wrap at 16 a line on 58 mm paper.
    const long = '香'.repeat(40);
    const wrapped = iconv.decode(
      Buffer.from(saleReceipt(s, { ...hongKong, storeAddress: long })),
      'big5',
    );
    expect(wrapped).toContain(`${'香'.repeat(16)}\n`);
    expect(wrapped).not.toContain('香'.repeat(17));
  });

  it('names Alipay in the printer script', () => {
    expect(customerMethodName('AlipayCN-Offline', 'gb18030')).toBe('支付宝');
    expect(customerMethodName('AlipayCN-Offline', 'big5')).toBe('支付寶');
    expect(customerMethodName('Wechat-Offline', 'big5')).toBe('微信支付');
    expect(customerMethodName('AlipayHK-Offline', 'gb18030')).toBe('AlipayHK');
  });

  it('a training receipt says TRAINING — NOT A RECEIPT (in both codepages)', () => {
    for (const settings of [mainland, hongKong]) {
      const text = iconv.decode(
        Buffer.from(saleReceipt(sale({ training: true }), settings)),
        settings.codepage,
      );
      expect(text.split(TRAINING_BANNER).length - 1).toBeGreaterThanOrEqual(2);
    }
  });

  it('a refund slip names the original sale', () => {
    const original = sale({ refundedMinor: 500 });
    const bytes = Buffer.from(
      refundReceipt(refundView({ orderId: original.orderId }), original, mainland),
    );
    const text = iconv.decode(bytes, 'gb18030');
    expect(text).toContain('REFUND');
    expect(text).toContain('-CNY 5.00');
    expect(text).toContain('Original sale');
    expect(text).toContain(original.orderId);
    expect(text).toContain(`${original.orderId}-R1`);
    expect(text).toContain('REFUNDED');
    expect(indexOfBytes(bytes, CUT)).toBeGreaterThan(0);
  });

  it('the day report prints the Z report rows and the net', () => {
    const bytes = Buffer.from(
      zReportReceipt(
        {
          day: '2026-12-01',
          rows: [
            {
              method: 'Wechat-Offline',
              currency: 'CNY',
              salesCount: 3,
              salesMinor: 3000,
              refundsCount: 1,
              refundsMinor: 500,
              netMinor: 2500,
            },
          ],
        },
        mainland,
        { training: false, printedAt: Date.UTC(2026, 11, 1, 15, 0, 0) },
      ),
    );
    const text = iconv.decode(bytes, 'gb18030');
    expect(text).toContain('Z REPORT 2026-12-01');
    expect(text).toContain('微信支付 (CNY)');
    expect(text).toContain('Sales x3');
    expect(text).toContain('CNY 30.00');
    expect(text).toContain('-CNY 5.00');
    expect(text).toMatch(/Total net CNY\s+CNY 25\.00/);
  });

  it('control bytes from outside (transaction id, store name) never become printer commands', () => {
    const bytes = Buffer.from(
      saleReceipt(sale({ transactionId: 'GW-1\u001bp\u0000\u0019\u00fa' }), {
        ...mainland,
        storeName: 'Store\u001dV\u0000X',
      }),
    );
    expect(indexOfBytes(bytes, Uint8Array.of(0x1b, 0x70))).toBe(-1); // ESC p: cash drawer
    expect(indexOfBytes(bytes, CUT)).toBeGreaterThan(bytes.length - 8); // only the last cut
    expect(iconv.decode(bytes, 'gb18030')).toContain('GW-1?p??');
  });

  it('linked wallets and pay-on-phone print in the customer words', () => {
    const words = (method: string) =>
      iconv.decode(
        Buffer.from(saleReceipt(sale({ method } as Partial<ReceiptSale>), mainland)),
        'gb18030',
      );
    expect(words('ApplePay')).toContain('Apple Pay');
    expect(words('GooglePay')).toContain('Google Pay');
    expect(words('Alipay')).toContain('支付宝');
    expect(words('AlipayHK')).toContain('AlipayHK');
  });

  it('a slip of a refund not done says so, never the amount as given back', () => {
    const original = sale();
    for (const status of ['declined', 'pending'] as const) {
      const text = iconv.decode(
        Buffer.from(
          refundReceipt(
            refundView({ orderId: original.orderId, status, reason: 'declined by the wallet' }),
            original,
            mainland,
          ),
        ),
        'gb18030',
      );
      expect(text).not.toContain('-CNY 5.00');
      expect(text).not.toContain('REFUNDED');
      expect(text).toContain(status === 'declined' ? 'NO REFUND' : 'NO REFUND YET');
      expect(text).toMatch(/Asked\s+CNY 5\.00/);
    }
  });
});
