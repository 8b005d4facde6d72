/**
 * The receipt service (electron/app/receipts.ts): prints once per paid sale and per refund,
 * not again on later updates nor after a restart; ask / never; a printer problem leaves the
 * sale alone and says "receipt not printed: <why>"; reprint.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RefundView, SaleView } from '../../../shared/ipc/contract.ts';
import {
  DEFAULT_RECEIPT_SETTINGS,
  type ReceiptSettings,
} from '../../../shared/ipc/receiptSettings.ts';
import {
  AUTO_PRINT_WINDOW_MS,
  INTERRUPTED_REASON,
  PRINT_DEADLINE_MS,
  RECEIPTS_FILE,
} from '../../../electron/app/receipts.ts';
import { resolveReceiptConfig } from '../../../electron/printing/config.ts';
import { defaultSettings, mergeSettings } from '../../../electron/app/settings.ts';
import { invokeChannels } from '../../../shared/ipc/contract.ts';
import type { PrintResult } from '../../../electron/printing/printer.ts';
import {
  crashedWhilePrinting,
  NOW,
  receiptHarness,
  removeTempDirs,
  tempDir,
  update,
} from '../../support/receiptHarness.ts';
import { refundView, saleView } from '../../support/saleViews.ts';

const ORDER = 'T1-1201-AAAA0001';
const paidSale = (over: Partial<SaleView> = {}) =>
  saleView({ orderId: ORDER, createdAt: NOW - 5000, updatedAt: NOW - 1000, ...over });
const refund = (over: Partial<RefundView> = {}) =>
  refundView({ orderId: ORDER, createdAt: NOW - 500, ...over });
const harness = receiptHarness;

afterEach(removeTempDirs);

describe('automatic receipts', () => {
  it('prints a paid sale once, however many updates follow', async () => {
    const h = harness();
    update(h, paidSale());
    update(h, paidSale({ updatedAt: NOW - 10 }));
    await h.service.idle();
    update(h, paidSale());
    await h.service.idle();
    expect(h.printed).toHaveLength(1);
    expect(iconv.decode(h.printed[0] ?? Buffer.alloc(0), 'gb18030')).toContain('T1-1201-AAAA0001');
    expect(h.statuses.map((s) => s.state)).toEqual(['printing', 'printed']);
  });

  it('prints nothing for a sale not paid', async () => {
    const h = harness();
    for (const status of ['awaiting-scan', 'submitting', 'declined', 'unknown'] as const) {
      update(h, paidSale({ status }));
    }
    await h.service.idle();
    expect(h.printed).toHaveLength(0);
    expect(h.statuses).toHaveLength(0);
  });

  it('does not print again after a restart (receipts.json remembers)', async () => {
    const first = harness();
    update(first, paidSale());
    await first.service.idle();
    const dir = first.dir;
    const second = harness({ dir });
    update(second, paidSale());
    await second.service.idle();
    expect(first.printed).toHaveLength(1);
    expect(second.printed).toHaveLength(0);
    expect(second.service.state('T1-1201-AAAA0001').receipts).toMatchObject([
      { state: 'printed', refundId: null },
    ]);
  });

  it('prints the slip of each refund once, naming the original sale; not automatic refunds', async () => {
    const h = harness();
    update(h, paidSale());
    await h.service.idle();
    const withRefund = paidSale({ refundedMinor: 500, refunds: [refund()] });
    update(h, withRefund);
    update(h, withRefund);
    await h.service.idle();
    expect(h.printed).toHaveLength(2);
    const slip = iconv.decode(h.printed[1] ?? Buffer.alloc(0), 'gb18030');
    expect(slip).toContain('REFUND');
    expect(slip).toContain('T1-1201-AAAA0001-R1');
    expect(slip).toContain('Original sale');
    update(
      h,
      paidSale({
        orderId: 'T1-1201-AAAA0002',
        refunds: [refund({ refundId: 'X-R1', orderId: 'T1-1201-AAAA0002', automatic: true })],
      }),
    );
    await h.service.idle();
    // The second sale's receipt, but not its automatic refund.
    expect(h.printed).toHaveLength(3);
    expect(iconv.decode(h.printed[2] ?? Buffer.alloc(0), 'gb18030')).not.toContain('REFUND');
  });

  it('a refund still pending prints nothing yet', async () => {
    const h = harness({ receipts: { when: 'always' } });
    update(h, paidSale({ refunds: [refund({ status: 'pending' })] }));
    await h.service.idle();
    expect(h.printed).toHaveLength(1); // the sale's receipt only
  });

  it('an old sale found paid later, or an abandoned one, does not start the printer', async () => {
    const h = harness();
    update(h, paidSale({ updatedAt: NOW - AUTO_PRINT_WINDOW_MS - 1 }));
    update(h, paidSale({ orderId: 'T1-ABANDONED', abandoned: true }));
    await h.service.idle();
    expect(h.printed).toHaveLength(0);
    // … but it can be printed on request.
    expect(await h.service.printNow('T1-1201-AAAA0001')).toEqual({ printed: true });
    expect(h.printed).toHaveLength(1);
  });

  it('ask: nothing prints, the cashier is asked; yes prints, no is remembered', async () => {
    const h = harness({ receipts: { when: 'ask' } });
    update(h, paidSale());
    await h.service.idle();
    expect(h.printed).toHaveLength(0);
    expect(h.statuses).toMatchObject([{ state: 'ask', printed: false }]);
    expect(await h.service.printNow('T1-1201-AAAA0001')).toEqual({ printed: true });
    expect(h.printed).toHaveLength(1);
    update(h, paidSale({ orderId: 'T1-NO' }));
    h.service.decline('T1-NO');
    update(h, paidSale({ orderId: 'T1-NO' }));
    await h.service.idle();
    expect(h.printed).toHaveLength(1);
    expect(h.service.state('T1-NO').receipts).toMatchObject([{ state: 'declined' }]);
  });

  it('never, or no printer: nothing prints and nothing is asked', async () => {
    for (const receipts of [{ when: 'never' as const }, { printer: null }]) {
      const h = harness({ receipts });
      update(h, paidSale());
      await h.service.idle();
      expect(h.printed).toHaveLength(0);
      expect(h.statuses).toHaveLength(0);
    }
  });

  it('a sale paid while printing was off is not printed when it changes later (a refund)', async () => {
    const h = harness({ receipts: { when: 'never' } });
    update(h, paidSale());
    h.saved.when = 'always';
    update(h, paidSale({ refundedMinor: 500, refunds: [refund()] }));
    await h.service.idle();
    // Only the refund's slip: the sale's receipt was not due when it was paid.
    expect(h.printed).toHaveLength(1);
    expect(iconv.decode(h.printed[0] ?? Buffer.alloc(0), 'gb18030')).toContain('REFUND');
  });

  it('POS_PRINTER gives a printer when none is saved, and wins over the saved one', async () => {
    const h = harness({ receipts: { printer: null }, env: { POS_PRINTER: 'file:/tmp/x.bin' } });
    update(h, paidSale());
    await h.service.idle();
    expect(h.printed).toHaveLength(1);
    expect(h.service.state()).toMatchObject({
      printer: 'file:/tmp/x.bin',
      printerSource: 'environment',
      environment: ['POS_PRINTER'],
    });
    const saved = harness({
      receipts: { printer: 'tcp:10.0.0.9' },
      env: { POS_PRINTER: 'file:/tmp/y.bin' },
    });
    expect(saved.service.state().printer).toBe('file:/tmp/y.bin');
  });

  it('a printer problem: "not printed" with the reason, logged, reprint prints it', async () => {
    const h = harness();
    h.answer.next = { printed: false, reason: 'the printer is out of paper' };
    update(h, paidSale());
    await h.service.idle();
    expect(h.statuses.at(-1)).toMatchObject({
      state: 'not-printed',
      printed: false,
      reason: 'the printer is out of paper',
    });
    expect(h.warnings.join('\n')).toContain('receipt not printed: the printer is out of paper');
    // Not retried on the next update: the cashier reprints.
    update(h, paidSale());
    await h.service.idle();
    expect(h.printed).toHaveLength(0);
    h.answer.next = { printed: true };
    expect(await h.service.printNow('T1-1201-AAAA0001')).toEqual({ printed: true });
    expect(h.printed).toHaveLength(1);
    expect(h.statuses.at(-1)).toMatchObject({ state: 'printed', printed: true });
  });

  it('a receipt left printing by a crash is not printed again by itself, but offers Reprint', async () => {
    // The crash: recorded "printing", the process gone before the printer answered.
    const dir = crashedWhilePrinting('T1-1201-AAAA0001', NOW);
    const after = harness({ dir });
    update(after, paidSale());
    await after.service.idle();
    expect(after.printed).toHaveLength(0);
    expect(after.service.state('T1-1201-AAAA0001').receipts).toMatchObject([
      { state: 'not-printed', reason: INTERRUPTED_REASON },
    ]);
  });

  it('a printer that never finishes is given up: not printed, the next receipt prints, close returns', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const h = harness();
      let calls = 0;
      const stalled = h.service as unknown as {
        print: (spec: string, bytes: Uint8Array) => Promise<PrintResult>;
      };
      stalled.print = (_spec, bytes) => {
        calls += 1;
        if (calls === 1) return new Promise<PrintResult>(() => undefined);
        h.printed.push(Buffer.from(bytes));
        return Promise.resolve({ printed: true });
      };
      update(h, paidSale());
      update(h, paidSale({ orderId: 'T1-1201-AAAA0002' }));
      await vi.advanceTimersByTimeAsync(PRINT_DEADLINE_MS);
      expect(h.service.state('T1-1201-AAAA0001').receipts[0]).toMatchObject({
        state: 'not-printed',
        reason: 'the printer stopped taking the receipt (not done within 60 s)',
      });
      expect(h.printed).toHaveLength(1);
      let closed = false;
      void h.service.close().then(() => (closed = true));
      await vi.advanceTimersByTimeAsync(1);
      expect(closed).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a damaged receipts.json is said and replaced, not fatal', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, RECEIPTS_FILE), '{not json');
    const h = harness({ dir });
    expect(h.warnings.join('\n')).toContain('could not be read');
    update(h, paidSale());
    await h.service.idle();
    expect(h.printed).toHaveLength(1);
  });
});

describe('preview', () => {
  it('is the SVG of the same layout: store, amount, method, order id, QR for a long id', () => {
    const h = harness({ receipts: { storeName: '好味茶餐厅' } });
    const id = 'POS-20261201T120000Z-ab12cd34';
    h.sales.set(id, paidSale({ orderId: id }));
    const { svg, paperWidth } = h.service.preview(id);
    expect(paperWidth).toBe(80);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('好味茶餐厅');
    expect(svg).toContain('微信支付');
    expect(svg).toContain(id);
    expect(svg).toContain('data-code="qr"');
  });

  it('a short id on 80 mm is a CODE128 barcode, as on paper', () => {
    const h = harness();
    h.sales.set('T1-1201-AAAA0001', paidSale());
    expect(h.service.preview('T1-1201-AAAA0001').svg).toContain('data-code="code128"');
  });
});

describe('receipt settings', () => {
  it('defaults: no printer, 80 mm, codepage by region, print always', () => {
    expect(DEFAULT_RECEIPT_SETTINGS).toEqual({
      storeName: '',
      storeAddress: '',
      printer: null,
      paperWidth: 80,
      codepage: null,
      when: 'always',
    });
    expect(resolveReceiptConfig(DEFAULT_RECEIPT_SETTINGS, 'HK', {}).layout.codepage).toBe('big5');
    expect(resolveReceiptConfig(DEFAULT_RECEIPT_SETTINGS, 'CN', {}).layout.codepage).toBe(
      'gb18030',
    );
    expect(
      resolveReceiptConfig({ ...DEFAULT_RECEIPT_SETTINGS, codepage: 'big5' }, 'CN', {}).layout
        .codepage,
    ).toBe('big5');
  });

  it('flags win over the environment, the environment over the settings; bad values are said', () => {
    const saved: ReceiptSettings = {
      ...DEFAULT_RECEIPT_SETTINGS,
      printer: 'tcp:10.0.0.9',
      paperWidth: 80,
      storeName: 'Saved',
    };
    const env = {
      POS_PRINTER: 'file:/tmp/env.bin',
      POS_PRINTER_WIDTH: '58',
      POS_STORE_NAME: 'Env',
    };
    const fromEnv = resolveReceiptConfig(saved, 'CN', env);
    expect(fromEnv).toMatchObject({
      printer: 'file:/tmp/env.bin',
      printerSource: 'environment',
      layout: { paperWidth: 58, storeName: 'Env' },
    });
    const fromFlags = resolveReceiptConfig(saved, 'CN', env, {
      printer: 'file:/tmp/flag.bin',
      width: '80',
    });
    expect(fromFlags).toMatchObject({ printer: 'file:/tmp/flag.bin', printerSource: 'flag' });
    expect(fromFlags.layout.paperWidth).toBe(80);
    const bad = resolveReceiptConfig(saved, 'CN', { POS_PRINTER_CODEPAGE: 'utf8' });
    expect(bad.problems).toEqual(['POS_PRINTER_CODEPAGE must be gb18030 or big5, not "utf8"']);
    expect(bad.layout.codepage).toBe('gb18030');
  });

  it('a save naming one receipt field keeps the others (settings:save is partial)', async () => {
    const current = {
      ...defaultSettings(),
      receipts: {
        ...DEFAULT_RECEIPT_SETTINGS,
        printer: 'serial:COM3',
        storeName: '好味茶餐厅',
        paperWidth: 58 as const,
      },
    };
    const request = invokeChannels['settings:save'].request.parse({ receipts: { when: 'ask' } });
    const next = await mergeSettings(current, { receipts: request.receipts ?? {} });
    expect(next.receipts).toEqual({ ...current.receipts, when: 'ask' });
    const cleared = invokeChannels['settings:save'].request.parse({ receipts: { printer: null } });
    expect((await mergeSettings(next, { receipts: cleared.receipts ?? {} })).receipts.printer).toBe(
      null,
    );
  });

  it('a malformed printer spec is refused with its reason', () => {
    const parsed = invokeChannels['settings:save'].request.safeParse({
      receipts: { printer: 'lpt1' },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain('printer spec "lpt1"');
  });
});
