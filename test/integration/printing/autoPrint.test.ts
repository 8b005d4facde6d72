/**
 * Receipts print by themselves after a paid sale and after a refund, in browser mode (the
 * terminal's HTTP + SSE, as the cashier's screen uses it), on a socat pty printer: the bytes
 * are decoded (status asked, init, Chinese in the chosen codepage, barcode/QR, cut). A printer
 * out of paper or gone leaves the sale paid, says "receipt not printed: <why>" (event, state,
 * log) and reprint works once the printer is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  invokeOverHttp,
  openEventStream,
  startTerminalServer,
  type EventStream,
  type TerminalServer,
} from '../../support/browserMode.ts';
import {
  CUT,
  ESC_AT,
  indexOfBytes,
  startSerialFakePrinter,
  STATUS_REQUESTS,
  type SerialFakePrinter,
} from '../../support/fakePrinter.ts';
import { alipayCode, wechatCode } from '../../support/simulator.ts';
import { stopAllSocat } from '../../support/socatPair.ts';

/** GS ( k … 49 80 48: the QR code's data (a full order id is too long for CODE128). */
const QR_STORE = Uint8Array.of(0x1d, 0x28, 0x6b);

const dir = mkdtempSync(path.join(tmpdir(), 'pospay-autoprint-'));
const open: Array<{ close(): Promise<void> | void }> = [];

afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
  await stopAllSocat();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function invoke<T>(terminal: TerminalServer, channel: string, request: unknown): Promise<T> {
  const reply = await invokeOverHttp(terminal.url, channel, request);
  expect(reply.status, `${channel}: ${reply.text}`).toBe(200);
  return reply.json as T;
}

interface Sale {
  orderId: string;
  status: string;
  refunds: { refundId: string; status: string }[];
}

/** A paid sale, as the cashier makes it: amount, Charge, the customer's code. */
async function paidSale(
  terminal: TerminalServer,
  amountText: string,
  code = wechatCode(),
): Promise<Sale> {
  const started = await invoke<Sale>(terminal, 'sale:start', { amountText });
  await invoke(terminal, 'sale:submit-code', {
    orderId: started.orderId,
    code,
    source: 'manual',
  });
  return vi.waitFor(
    async () => {
      const [sale] = await invoke<Sale[]>(terminal, 'history:list', { search: started.orderId });
      expect(sale?.status).toBe('paid');
      return sale as Sale;
    },
    { timeout: 15_000, interval: 50 },
  );
}

function statusEvents(stream: EventStream, orderId: string) {
  return stream.events
    .filter((e) => e.channel === 'receipt:status')
    .map(
      (e) =>
        e.payload as {
          orderId: string;
          refundId: string | null;
          state: string;
          reason: string | null;
        },
    )
    .filter((p) => p.orderId === orderId);
}

/** Waits for the receipt's final state event (printed or not printed). */
async function finalStatus(stream: EventStream, orderId: string, refundId: string | null = null) {
  return vi.waitFor(
    () => {
      const last = statusEvents(stream, orderId)
        .filter((p) => p.refundId === refundId)
        .at(-1);
      expect(last?.state).toMatch(/^(printed|not-printed)$/);
      return last as { state: string; reason: string | null };
    },
    { timeout: 15_000, interval: 20 },
  );
}

/** The bytes of the one receipt received after `from` (up to its cut). */
async function receiptAfter(fake: SerialFakePrinter, from: number): Promise<Buffer> {
  return vi.waitFor(
    () => {
      const bytes = fake.received().subarray(from);
      const cut = indexOfBytes(bytes, CUT);
      expect(cut).toBeGreaterThan(0);
      return bytes;
    },
    { timeout: 15_000, interval: 20 },
  );
}

async function start(
  env: Record<string, string> = {},
): Promise<{ terminal: TerminalServer; stream: EventStream }> {
  const terminal = await startTerminalServer({ env });
  open.push(terminal);
  const stream = await openEventStream(terminal.url);
  open.push(stream);
  return { terminal, stream };
}

describe('automatic receipts in browser mode (socat pty printer)', () => {
  it('after a paid sale and after its refund: GB18030 receipt, then the refund slip, each once', async () => {
    const fake = await startSerialFakePrinter();
    open.push(fake);
    const { terminal, stream } = await start();
    // The printer and the store as a supervisor saves them in Settings.
    await invoke(terminal, 'settings:save', {
      pin: '1234',
      receipts: {
        printer: fake.spec,
        storeName: '好味茶餐厅',
        storeAddress: '北京市朝阳区建国路 1 号',
      },
    });
    const sale = await paidSale(terminal, '12.50');
    expect(await finalStatus(stream, sale.orderId)).toMatchObject({ state: 'printed' });
    const bytes = await receiptAfter(fake, 0);
    // Status asked first, then init, the text in GB18030, the order id's QR code, the cut.
    expect(indexOfBytes(bytes, STATUS_REQUESTS)).toBe(0);
    const init = indexOfBytes(bytes, ESC_AT);
    expect(init).toBe(STATUS_REQUESTS.length);
    expect(indexOfBytes(bytes, iconv.encode('好味茶餐厅', 'gb18030'))).toBeGreaterThan(init);
    const text = iconv.decode(bytes.subarray(init), 'gb18030');
    expect(text).toContain('北京市朝阳区建国路 1 号');
    expect(text).toContain('微信支付');
    expect(text).toContain('CNY 12.50');
    expect(text).toContain(sale.orderId);
    expect(text).toContain('TRAINING — NOT A RECEIPT');
    const qr = indexOfBytes(bytes, QR_STORE);
    expect(qr).toBeGreaterThan(init);
    expect(indexOfBytes(bytes, CUT)).toBeGreaterThan(qr);

    const afterSale = fake.received().length;
    const refunded = await invoke<Sale>(terminal, 'refund:create', {
      orderId: sale.orderId,
      amountText: '5.00',
      pin: '1234',
    });
    const refundId = refunded.refunds[0]?.refundId ?? '';
    expect(refundId).not.toBe('');
    expect(await finalStatus(stream, sale.orderId, refundId)).toMatchObject({ state: 'printed' });
    const slip = iconv.decode(await receiptAfter(fake, afterSale), 'gb18030');
    expect(slip).toContain('REFUND');
    expect(slip).toContain('-CNY 5.00');
    expect(slip).toContain(refundId);
    expect(slip).toContain('Original sale');
    expect(slip).toContain(sale.orderId);

    // Once each: later updates of the sale print nothing more.
    const printedSoFar = fake.received().length;
    await invoke(terminal, 'history:list', {});
    const state = await invoke<{ receipts: { state: string; refundId: string | null }[] }>(
      terminal,
      'receipt:state',
      { orderId: sale.orderId },
    );
    expect(state.receipts).toEqual([
      expect.objectContaining({ refundId: null, state: 'printed' }),
      expect.objectContaining({ refundId, state: 'printed' }),
    ]);
    expect(fake.received().length).toBe(printedSoFar);
  });

  it('after a restart a sale is not printed again: its refund then prints only the slip', async () => {
    const fake = await startSerialFakePrinter();
    open.push(fake);
    const dataDir = mkdtempSync(path.join(dir, 'restart-'));
    const first = await startTerminalServer({ dataDir, env: { POS_PRINTER: fake.spec } });
    const stream = await openEventStream(first.url);
    const sale = await paidSale(first, '15.60');
    expect(await finalStatus(stream, sale.orderId)).toMatchObject({ state: 'printed' });
    stream.close();
    await first.close();
    const printedBefore = (await receiptAfter(fake, 0)).length;

    const second = await startTerminalServer({ dataDir, env: { POS_PRINTER: fake.spec } });
    open.push(second);
    const secondStream = await openEventStream(second.url);
    open.push(secondStream);
    const refunded = await invoke<Sale>(second, 'refund:create', {
      orderId: sale.orderId,
      amountText: '1.00',
      pin: '1234',
    });
    const refundId = refunded.refunds[0]?.refundId ?? '';
    expect(await finalStatus(secondStream, sale.orderId, refundId)).toMatchObject({
      state: 'printed',
    });
    const after = iconv.decode(await receiptAfter(fake, printedBefore), 'gb18030');
    expect(after).toContain('REFUND');
    expect(after).not.toMatch(/^\s*SALE\s*$/m);
    expect(statusEvents(secondStream, sale.orderId).filter((e) => e.refundId === null)).toEqual([]);
  });

  it('Big5 for a Hong Kong store (codepage by region), printer from POS_PRINTER', async () => {
    const fake = await startSerialFakePrinter();
    open.push(fake);
    const { terminal, stream } = await start({
      POS_PRINTER: fake.spec,
      POS_STORE_NAME: '好味茶餐廳',
    });
    await invoke(terminal, 'settings:save', { pin: '1234', region: 'HK', currency: 'HKD' });
    const settings = await invoke<{ printer: string; printerSource: string; codepage: string }>(
      terminal,
      'receipt:state',
      {},
    );
    expect(settings).toMatchObject({
      printer: fake.spec,
      printerSource: 'environment',
      codepage: 'big5',
    });
    const sale = await paidSale(terminal, '88', alipayCode());
    expect(await finalStatus(stream, sale.orderId)).toMatchObject({ state: 'printed' });
    const bytes = await receiptAfter(fake, 0);
    expect(indexOfBytes(bytes, iconv.encode('好味茶餐廳', 'big5'))).toBeGreaterThan(0);
    const text = iconv.decode(bytes, 'big5');
    expect(text).toContain('HKD 88.00');
    expect(text).toContain('AlipayHK');
  });

  it('out of paper: the sale stays paid, "not printed: out of paper" reaches the screen and the log; reprint after paper is back', async () => {
    const fake = await startSerialFakePrinter({ paper: 'out-of-paper' });
    open.push(fake);
    const { terminal, stream } = await start({ POS_PRINTER: fake.spec });
    const sale = await paidSale(terminal, '7.00');
    expect(await finalStatus(stream, sale.orderId)).toEqual(
      expect.objectContaining({ state: 'not-printed', reason: 'the printer is out of paper' }),
    );
    expect(indexOfBytes(fake.received(), ESC_AT)).toBe(-1);
    const [after] = await invoke<Sale[]>(terminal, 'history:list', { search: sale.orderId });
    expect(after?.status).toBe('paid');
    expect(terminal.logs.join('\n')).toContain('receipt not printed: the printer is out of paper');

    fake.paper = 'ok';
    expect(await invoke(terminal, 'receipt:print', { orderId: sale.orderId })).toEqual({
      printed: true,
    });
    const text = iconv.decode(await receiptAfter(fake, 0), 'gb18030');
    expect(text).toContain(sale.orderId);
    expect(await finalStatus(stream, sale.orderId)).toMatchObject({ state: 'printed' });
  });

  it('printer gone (unplugged): not printed, the sale paid; plugged back, reprint prints it', async () => {
    const link = path.join(dir, 'printer-link');
    const gone = await startSerialFakePrinter({ linkA: link });
    await gone.close();
    const { terminal, stream } = await start({ POS_PRINTER: `serial:${link}` });
    const sale = await paidSale(terminal, '3.20');
    const status = await finalStatus(stream, sale.orderId);
    expect(status.state).toBe('not-printed');
    expect(status.reason).toContain(`no printer at ${link}`);
    const [after] = await invoke<Sale[]>(terminal, 'history:list', { search: sale.orderId });
    expect(after?.status).toBe('paid');

    const back = await startSerialFakePrinter({ linkA: link });
    open.push(back);
    expect(await invoke(terminal, 'receipt:print', { orderId: sale.orderId })).toEqual({
      printed: true,
    });
    expect(iconv.decode(await receiptAfter(back, 0), 'gb18030')).toContain('CNY 3.20');
  });

  it('the preview is the SVG of the same receipt; a test page prints on the printer in force', async () => {
    const fake = await startSerialFakePrinter();
    open.push(fake);
    const { terminal, stream } = await start({ POS_PRINTER: fake.spec });
    const sale = await paidSale(terminal, '9.90');
    await finalStatus(stream, sale.orderId);
    const preview = await invoke<{ svg: string }>(terminal, 'receipt:preview', {
      orderId: sale.orderId,
    });
    expect(preview.svg).toMatch(/^<svg /);
    expect(preview.svg).toContain(sale.orderId);
    expect(preview.svg).toContain('CNY 9.90');
    expect(preview.svg).toContain('TRAINING — NOT A RECEIPT');
    const before = fake.received().length;
    expect(await invoke(terminal, 'receipt:test-page', {})).toEqual({ printed: true });
    expect(iconv.decode(await receiptAfter(fake, before), 'gb18030')).toContain('TEST PAGE');
    // Another printer, not saved yet: only with the supervisor PIN.
    const refused = await invokeOverHttp(terminal.url, 'receipt:test-page', {
      printer: `file:${path.join(dir, 'test.bin')}`,
    });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ code: 'pin-required' });
  });

  it('the receipt channels refuse what does not exist, with the reason; printing needs no PIN', async () => {
    const { terminal } = await start({ POS_PRINTER: `file:${path.join(dir, 'r.bin')}` });
    const unknown = await invokeOverHttp(terminal.url, 'receipt:print', { orderId: 'NOPE-1' });
    expect(unknown.status).toBe(422);
    expect(unknown.json).toEqual({ error: 'There is no sale NOPE-1.', code: 'sale-not-found' });
    const sale = await paidSale(terminal, '1.10');
    const noRefund = await invokeOverHttp(terminal.url, 'receipt:preview', {
      orderId: sale.orderId,
      refundId: 'R-NOPE',
    });
    expect(noRefund.status).toBe(422);
    expect(noRefund.json).toMatchObject({ error: `Sale ${sale.orderId} has no refund R-NOPE.` });
    const malformed = await invokeOverHttp(terminal.url, 'receipt:print', { order: 'x' });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ code: 'invalid-request' });
    const report = await invokeOverHttp(terminal.url, 'receipt:print-report', { day: '2026-13' });
    expect(report.status).toBe(400);
    // No PIN asked: a receipt changes nothing.
    expect(await invoke(terminal, 'receipt:print', { orderId: sale.orderId })).toEqual({
      printed: true,
    });
  });
});
