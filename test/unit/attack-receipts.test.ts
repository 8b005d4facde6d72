/**
 * Attack (hostile review of the receipts work): a damaged memory of what printed
 * (receipts.json deleted, truncated, garbage, or a directory), a printer that runs out of
 * paper mid-job, what a receipt may say (never the full code; TRAINING on training
 * receipts; a declined refund never says refunded), and Big5 for characters Big5 lacks.
 *
 * These pass today: they are regression tests. Failing ones are in attack-receipts-open.
 */
import { mkdirSync, writeFileSync, existsSync, statSync, rmSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import type { RefundView, SaleView } from '../../shared/ipc/contract.ts';
import { RECEIPTS_FILE } from '../../electron/app/receipts.ts';
import {
  escPos,
  refundDocument,
  saleDocument,
  TRAINING_BANNER,
} from '../../electron/printing/layout.ts';
import { receiptSvg } from '../../electron/printing/svg.ts';
import {
  NOW,
  receiptHarness as harness,
  removeTempDirs,
  tempDir,
  update,
} from '../support/receiptHarness.ts';
import { asReceipt, refundView, saleView } from '../support/saleViews.ts';

const FULL_CODE = '134567890123451234';
const ORDER = 'T1-1201-ATTK0001';
const paidSale = (over: Partial<SaleView> = {}) =>
  saleView({ orderId: ORDER, createdAt: NOW - 5000, updatedAt: NOW - 1000, ...over });
const refund = (over: Partial<RefundView> = {}) =>
  refundView({ orderId: ORDER, createdAt: NOW - 500, ...over });

afterEach(removeTempDirs);

const LAYOUT = {
  storeName: '测试商店',
  storeAddress: '上海市',
  codepage: 'gb18030' as const,
  paperWidth: 80 as const,
  timeZone: 'Asia/Shanghai',
};

describe('a damaged receipts.json', () => {
  it.each([
    ['truncated', '{"version":1,"receipts":[{"orderId":"T1-1201-ATT'],
    ['garbage', '\u0000\u0001garbage\uFFFD'],
    ['JSON null', 'null'],
    ['receipts not a list', '{"version":1,"receipts":{"orderId":"x"}}'],
    ['entries of the wrong shape', '{"receipts":[1,"a",null,{"orderId":5}]}'],
  ])('%s: the service starts, says why, and the paid sale still prints once', async (_w, text) => {
    const dir = tempDir('pospay-attack-receipts-');
    writeFileSync(path.join(dir, RECEIPTS_FILE), text);
    const h = harness({ dir });
    update(h, paidSale());
    update(h, paidSale());
    await h.service.idle();
    expect(h.printed).toHaveLength(1);
    // The damaged file was replaced by a readable one: a restart does not print it again.
    const again = harness({ dir });
    update(again, paidSale());
    await again.service.idle();
    expect(again.printed).toHaveLength(0);
  });

  it('a directory named receipts.json: no crash, a warning naming the file, the receipt prints', async () => {
    const dir = tempDir('pospay-attack-receipts-');
    mkdirSync(path.join(dir, RECEIPTS_FILE));
    const h = harness({ dir });
    expect(h.service.loadProblem).toContain(RECEIPTS_FILE);
    update(h, paidSale());
    await h.service.idle();
    expect(h.printed).toHaveLength(1);
    expect(h.warnings.some((w) => w.includes(RECEIPTS_FILE))).toBe(true);
    expect(statSync(path.join(dir, RECEIPTS_FILE)).isDirectory()).toBe(true);
    expect(h.service.state('T1-1201-ATTK0001').receipts).toMatchObject([{ state: 'printed' }]);
  });

  it('receipts.json deleted while running: the next write recreates it', async () => {
    const h = harness();
    update(h, paidSale());
    await h.service.idle();
    rmSync(path.join(h.dir, RECEIPTS_FILE));
    update(h, paidSale({ orderId: 'T1-1201-ATTK0002' }));
    await h.service.idle();
    expect(existsSync(path.join(h.dir, RECEIPTS_FILE))).toBe(true);
    const again = harness({ dir: h.dir });
    update(again, paidSale());
    update(again, paidSale({ orderId: 'T1-1201-ATTK0002' }));
    await again.service.idle();
    expect(again.printed).toHaveLength(0);
  });
});

describe('a printer that reports paper-end during the job', () => {
  it('the receipt is not-printed with the reason; reprint prints it exactly once', async () => {
    const h = harness();
    h.answer.next = { printed: false, reason: 'the printer is out of paper' };
    update(h, paidSale());
    await h.service.idle();
    expect(h.service.state('T1-1201-ATTK0001').receipts).toMatchObject([
      { state: 'not-printed', printed: false, reason: 'the printer is out of paper' },
    ]);
    // A later update does not retry by itself (nor print twice).
    h.answer.next = { printed: true };
    update(h, paidSale());
    await h.service.idle();
    expect(h.printed).toHaveLength(0);
    expect(await h.service.printNow('T1-1201-ATTK0001')).toEqual({ printed: true });
    expect(h.printed).toHaveLength(1);
  });
});

describe('what a receipt may say', () => {
  it('a record holding the full payment code prints it masked, on paper and in the preview', () => {
    const doc = saleDocument(asReceipt(paidSale({ maskedCode: FULL_CODE })), LAYOUT);
    const bytes = iconv.decode(Buffer.from(escPos(doc)), 'gb18030');
    expect(bytes).not.toContain(FULL_CODE);
    expect(bytes).toContain('1345');
    expect(receiptSvg(doc)).not.toContain(FULL_CODE);
  });

  it('a training sale says TRAINING — NOT A RECEIPT on paper and in the preview', () => {
    const doc = saleDocument(asReceipt(paidSale({ training: true })), LAYOUT);
    expect(iconv.decode(Buffer.from(escPos(doc)), 'gb18030')).toContain(TRAINING_BANNER);
    expect(receiptSvg(doc)).toContain('TRAINING');
    const slip = refundDocument(refund(), asReceipt(paidSale({ training: true })), LAYOUT);
    expect(iconv.decode(Buffer.from(escPos(slip)), 'gb18030')).toContain(TRAINING_BANNER);
  });

  it('a real sale has no TRAINING mark', () => {
    const doc = saleDocument(asReceipt(paidSale()), LAYOUT);
    expect(iconv.decode(Buffer.from(escPos(doc)), 'gb18030')).not.toContain('TRAINING');
  });

  it('the slip of a declined refund never says REFUNDED', () => {
    for (const status of ['declined', 'pending', 'unknown'] as const) {
      const slip = refundDocument(
        refund({ status, reason: 'declined by the wallet' }),
        asReceipt(paidSale()),
        LAYOUT,
      );
      expect(iconv.decode(Buffer.from(escPos(slip)), 'gb18030')).not.toContain('REFUNDED');
    }
  });

  it('a declined refund does not start the printer by itself', async () => {
    const h = harness();
    update(h, paidSale());
    await h.service.idle();
    update(h, paidSale({ refunds: [refund({ status: 'declined' })] }));
    await h.service.idle();
    expect(h.printed).toHaveLength(1);
  });
});

describe('Big5 (Hong Kong printers) and characters Big5 does not have', () => {
  it('simplified-only characters print a replacement instead of crashing', () => {
    const layout = {
      ...LAYOUT,
      codepage: 'big5' as const,
      storeName: '这个店',
      storeAddress: '门',
    };
    const doc = saleDocument(asReceipt(paidSale({ method: 'AlipayHK-Offline' })), layout);
    const bytes = Buffer.from(escPos(doc));
    const text = iconv.decode(bytes, 'big5');
    expect(text).toContain('店');
    expect(text).toContain('?');
    expect(text).toContain('AlipayHK');
  });

  it('an emoji and a character outside the BMP in the store name neither crash GB18030 nor Big5', () => {
    for (const codepage of ['gb18030', 'big5'] as const) {
      const layout = { ...LAYOUT, codepage, storeName: '店🍵𠀀店' };
      expect(() => escPos(saleDocument(asReceipt(paidSale()), layout))).not.toThrow();
    }
  });
});
