/**
 * The receipt layouts: PURE functions from a sale / refund / Z report / test page and the
 * store's settings to ONE layout model (ReceiptDocument, line by line), which escPos() turns
 * into the printer's bytes and svg.ts into the preview on the screen. The structure (init, styles, barcode, QR, cut) is encoded by
 * @point-of-sale/receipt-printer-encoder; the text bytes are GB18030 (mainland printers) or
 * Big5 (Hong Kong printers) from iconv-lite, which that encoder cannot produce itself, and
 * are laid out by their printed width (a Chinese character takes two columns).
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import iconv from 'iconv-lite';
import type { RefundView, SaleView, ZReport } from '../../shared/ipc/contract.ts';
import type { Currency } from '../../shared/money.ts';
import { formatForGateway } from '../../shared/money.ts';
import { maskCode } from '../../shared/paymentCode.ts';
import { isPaymentMethod, METHODS, type PaymentMethod } from '../../shared/paymentMethods.ts';
import type { PaperWidth, ReceiptCodepage } from '../../shared/ipc/receiptSettings.ts';

export type { PaperWidth, ReceiptCodepage };

export interface ReceiptSettings {
  storeName: string;
  storeAddress: string;
  codepage: ReceiptCodepage;
  paperWidth: PaperWidth;
  /** IANA time zone of the store's local time; default: this computer's. */
  timeZone?: string;
}

/** A sale to print: the screen's SaleView and the gateway's transaction id (journal). */
export type ReceiptSale = SaleView & { transactionId: string | null };

export const TRAINING_BANNER = 'TRAINING — NOT A RECEIPT';

/** Characters per line in Font A: 32 on 58 mm paper, 48 on 80 mm. */
export function columnsFor(width: PaperWidth): number {
  return width === 58 ? 32 : 48;
}

/** Printable dots across: 384 on 58 mm, 576 on 80 mm (203 dpi). */
export function dotsFor(width: PaperWidth): number {
  return width === 58 ? 384 : 576;
}

/** FS & : the double-byte (Chinese) character mode of Chinese-market ESC/POS printers. */
const FS_CHINESE_ON = [0x1c, 0x26];

/** The method as the customer knows it, in the printer's script. */
export function customerMethodName(method: PaymentMethod, codepage: ReceiptCodepage): string {
  const facts = METHODS[method];
  if (facts.wallet === 'wechat') return '微信支付';
  if (facts.region === 'HK') return facts.name;
  return codepage === 'big5' ? '支付寶' : '支付宝';
}

/** Linked wallets and pay-on-phone brands, as the customer knows them. */
function otherMethodName(method: string, codepage: ReceiptCodepage): string {
  switch (method) {
    case 'Alipay':
      return codepage === 'big5' ? '支付寶' : '支付宝';
    case 'AlipayHK':
      return 'AlipayHK';
    case 'ApplePay':
      return 'Apple Pay';
    case 'GooglePay':
      return 'Google Pay';
    case 'Card':
      return 'Card';
    default:
      return method;
  }
}

function methodLabel(method: string | null, codepage: ReceiptCodepage): string {
  if (method === null) return '-';
  return isPaymentMethod(method)
    ? customerMethodName(method, codepage)
    : otherMethodName(method, codepage);
}

/**
 * Text as it may go to the printer: a control character (C0, DEL, C1) from outside — the
 * gateway's transaction id, the store's name — would be a printer command (ESC p opens the
 * cash drawer, GS V cuts): line breaks and tabs become spaces, the others '?'.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (/[\t\n\r]/.test(c) ? ' ' : '?'));
}

function amount(minor: number, currency: Currency): string {
  return `${currency} ${formatForGateway(minor, currency)}`;
}

/** "2026-12-01 22:59" in the store's time zone. */
export function localDateTime(epochMs: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    ...(timeZone ? { timeZone } : {}),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(epochMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** A code as it may appear on paper: masked, whatever the record holds. */
function safeCode(masked: string | null): string {
  if (masked === null || masked === '') return '-';
  return /^\d+$/.test(masked) ? maskCode(masked) : masked;
}

/** One printed line of a receipt, or a code, as both renderers draw it. */
export type ReceiptLine =
  | {
      kind: 'text';
      /** Already wrapped to the paper and padded (centred lines start with spaces). */
      text: string;
      bold: boolean;
      invert: boolean;
      /** 2: double width and height (half as many columns). */
      size: 1 | 2;
    }
  /** CODE128 (code set B) with modules of `moduleDots` dots. */
  | { kind: 'barcode'; value: string; moduleDots: number; height: number }
  /** QR code (model 2, error level M) with modules of `moduleDots` dots. */
  | { kind: 'qr'; value: string; moduleDots: number }
  | { kind: 'feed' };

/**
 * THE layout model of a receipt: what is printed, line by line. escPos() turns it into the
 * printer's bytes and receiptSvg (svg.ts) into the picture on the screen: one layout, two
 * renderers. Ends with a cut.
 */
export interface ReceiptDocument {
  paperWidth: PaperWidth;
  codepage: ReceiptCodepage;
  columns: number;
  lines: ReceiptLine[];
}

/** Bytes of `text` in the codepage. */
export function encodeText(text: string, codepage: ReceiptCodepage): Buffer {
  return iconv.encode(text, codepage);
}

/** Printed columns of `text`: a double-byte (Chinese) character takes two. */
export function printedWidth(text: string, codepage: ReceiptCodepage): number {
  let n = 0;
  for (const ch of text) n += encodeText(ch, codepage).length >= 2 ? 2 : 1;
  return n;
}

/** Lays a receipt out, line by line, by printed width. */
class Paper {
  readonly columns: number;
  readonly lines: ReceiptLine[] = [];
  private style = { bold: false, invert: false, size: 1 as 1 | 2 };

  constructor(private readonly settings: ReceiptSettings) {
    this.columns = columnsFor(settings.paperWidth);
  }

  width(text: string): number {
    return printedWidth(text, this.settings.codepage);
  }

  /** Splits into lines of at most `columns` printed columns. */
  wrap(text: string, columns = this.columns): string[] {
    const lines: string[] = [];
    let line = '';
    let used = 0;
    for (const ch of text) {
      const w = this.width(ch);
      if (used + w > columns) {
        lines.push(line);
        line = '';
        used = 0;
      }
      line += ch;
      used += w;
    }
    if (line !== '' || lines.length === 0) lines.push(line);
    return lines;
  }

  private push(text: string): void {
    this.lines.push({ kind: 'text', text, ...this.style });
  }

  line(text: string, align: 'left' | 'center' = 'left'): this {
    for (const part of this.wrap(printable(text))) {
      const pad = align === 'center' ? Math.floor((this.columns - this.width(part)) / 2) : 0;
      this.push(' '.repeat(pad) + part);
    }
    return this;
  }

  /** Double width and height: half as many columns. */
  big(text: string): this {
    this.style.size = 2;
    for (const part of this.wrap(printable(text), this.columns / 2)) this.push(part);
    this.style.size = 1;
    return this;
  }

  /** "label ........ value" on one line (the value on its own line when both do not fit). */
  pair(rawLabel: string, rawValue: string): this {
    const label = printable(rawLabel);
    const value = printable(rawValue);
    const gap = this.columns - this.width(label) - this.width(value);
    if (gap >= 1) return this.line(label + ' '.repeat(gap) + value);
    this.line(label);
    const pad = Math.max(0, this.columns - this.width(value));
    return this.line(' '.repeat(pad) + value);
  }

  bold(text: string, align: 'left' | 'center' = 'left'): this {
    this.style.bold = true;
    this.line(text, align);
    this.style.bold = false;
    return this;
  }

  rule(): this {
    return this.line('-'.repeat(this.columns));
  }

  training(on: boolean): this {
    if (!on) return this;
    this.style = { ...this.style, bold: true, invert: true };
    this.line(TRAINING_BANNER, 'center');
    this.style = { ...this.style, bold: false, invert: false };
    return this;
  }

  header(title: string, training: boolean): this {
    this.training(training);
    if (this.settings.storeName !== '') this.bold(this.settings.storeName, 'center');
    if (this.settings.storeAddress !== '') this.line(this.settings.storeAddress, 'center');
    this.rule();
    this.bold(title, 'center');
    return this;
  }

  /**
   * CODE128 of `value` when it fits the paper with modules of at least 2 dots (what ESC/POS
   * printers take: GS w 2..), else a QR code of it (a full order id is too long for CODE128
   * on 80 mm paper).
   */
  code(value: string): this {
    const modules = 11 * value.length + 35; // code set B: start, data, check, stop, quiet zones
    const dots = [4, 3, 2].find((d) => modules * d <= dotsFor(this.settings.paperWidth));
    if (dots !== undefined) {
      this.lines.push({ kind: 'barcode', value, moduleDots: dots, height: 60 });
    } else {
      this.lines.push({ kind: 'qr', value, moduleDots: 6 });
    }
    return this.line(value, 'center');
  }

  finish(training: boolean): ReceiptDocument {
    this.training(training);
    this.lines.push({ kind: 'feed' });
    return {
      paperWidth: this.settings.paperWidth,
      codepage: this.settings.codepage,
      columns: this.columns,
      lines: this.lines,
    };
  }
}

/** The ESC/POS bytes of a receipt: init, Chinese mode, its lines, codes, a partial cut. */
export function escPos(doc: ReceiptDocument): Uint8Array {
  const encoder = new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns: doc.columns,
    feedBeforeCut: 4,
    newline: '\n',
  });
  encoder.initialize().raw(FS_CHINESE_ON);
  for (const line of doc.lines) {
    switch (line.kind) {
      case 'text':
        if (line.invert) encoder.invert(true);
        if (line.bold) encoder.bold(true);
        if (line.size === 2) encoder.size(2, 2);
        encoder.raw(encodeText(line.text, doc.codepage)).newline();
        if (line.size === 2) encoder.size(1, 1);
        if (line.bold) encoder.bold(false);
        if (line.invert) encoder.invert(false);
        break;
      case 'barcode':
        encoder.align('center');
        // The encoder's width n is sent as GS w n+1.
        encoder.barcode(line.value, 'code128', {
          height: line.height,
          width: line.moduleDots - 1,
          text: false,
        });
        encoder.align('left');
        break;
      case 'qr':
        encoder.align('center');
        encoder.qrcode(line.value, { model: 2, size: line.moduleDots, errorlevel: 'm' });
        encoder.align('left');
        break;
      case 'feed':
        encoder.newline();
        break;
    }
  }
  encoder.cut('partial');
  return encoder.encode();
}

function saleStatusLine(sale: SaleView): string {
  if (sale.status !== 'paid') return `NOT PAID (${sale.status})`;
  if (sale.refundedMinor >= sale.amountMinor && sale.refundedMinor > 0) return 'PAID — REFUNDED';
  if (sale.refundedMinor > 0) return 'PAID — PARTLY REFUNDED';
  return 'PAID';
}

/** The customer's slip of a sale. */
export function saleDocument(sale: ReceiptSale, settings: ReceiptSettings): ReceiptDocument {
  const training = sale.training === true;
  const paper = new Paper(settings).header('SALE', training);
  paper.line(localDateTime(sale.createdAt, settings.timeZone));
  paper.rule();
  paper.big(amount(sale.amountMinor, sale.currency));
  paper.pair('Method', methodLabel(sale.method, settings.codepage));
  paper.pair('Code', safeCode(sale.maskedCode));
  paper.pair('Status', saleStatusLine(sale));
  if (sale.refundedMinor > 0) paper.pair('Refunded', amount(sale.refundedMinor, sale.currency));
  paper.rule();
  paper.line('Order');
  paper.line(sale.orderId);
  paper.line('Transaction');
  paper.line(sale.transactionId ?? '-');
  paper.rule();
  paper.code(sale.orderId);
  return paper.finish(training);
}

/** The refund slip: names the original sale. */
export function refundDocument(
  refund: RefundView,
  sale: ReceiptSale,
  settings: ReceiptSettings,
): ReceiptDocument {
  const training = sale.training === true;
  // Only a refund done gives money back: any other slip says so, big, and what was asked.
  const done = refund.status === 'refunded';
  const title = done
    ? 'REFUND'
    : refund.status === 'declined'
      ? 'REFUND DECLINED'
      : 'REFUND NOT DONE YET';
  const paper = new Paper(settings).header(title, training);
  paper.line(localDateTime(refund.createdAt, settings.timeZone));
  paper.rule();
  if (done) {
    paper.big(`-${amount(refund.amountMinor, refund.currency)}`);
  } else {
    paper.big(refund.status === 'declined' ? 'NO REFUND' : 'NO REFUND YET');
    paper.pair('Asked', amount(refund.amountMinor, refund.currency));
  }
  paper.pair('Method', methodLabel(sale.method, settings.codepage));
  paper.pair('Code', safeCode(sale.maskedCode));
  paper.pair('Status', done ? 'REFUNDED' : `REFUND ${refund.status.toUpperCase()}`);
  paper.rule();
  paper.line('Refund');
  paper.line(refund.refundId);
  paper.line('Original sale');
  paper.line(sale.orderId);
  paper.pair(
    'of',
    `${amount(sale.amountMinor, sale.currency)}  ${localDateTime(sale.createdAt, settings.timeZone)}`,
  );
  paper.line('Transaction');
  paper.line(sale.transactionId ?? '-');
  paper.rule();
  paper.code(sale.orderId);
  return paper.finish(training);
}

/** The day's report (Z report) for the owner. */
export function zReportDocument(
  report: ZReport,
  settings: ReceiptSettings,
  options: { training: boolean; printedAt: number },
): ReceiptDocument {
  const paper = new Paper(settings).header(`Z REPORT ${report.day}`, options.training);
  paper.line(`Printed ${localDateTime(options.printedAt, settings.timeZone)}`);
  paper.rule();
  if (report.rows.length === 0) paper.line('No sales.');
  const totals = new Map<Currency, number>();
  for (const row of report.rows) {
    paper.bold(`${methodLabel(row.method, settings.codepage)} (${row.currency})`);
    paper.pair(`Sales x${row.salesCount}`, amount(row.salesMinor, row.currency));
    paper.pair(`Refunds x${row.refundsCount}`, `-${amount(row.refundsMinor, row.currency)}`);
    paper.pair('Net', amount(row.netMinor, row.currency));
    totals.set(row.currency, (totals.get(row.currency) ?? 0) + row.netMinor);
  }
  paper.rule();
  for (const [currency, net] of totals) paper.pair(`Total net ${currency}`, amount(net, currency));
  return paper.finish(options.training);
}

/** A page that shows the printer works and how the settings print (Settings, "test page"). */
export function testPageDocument(
  settings: ReceiptSettings,
  options: { printer: string; printedAt: number },
): ReceiptDocument {
  const paper = new Paper(settings).header('TEST PAGE', false);
  paper.line(localDateTime(options.printedAt, settings.timeZone));
  paper.rule();
  paper.pair('Printer', options.printer);
  paper.pair('Paper', `${settings.paperWidth} mm, ${paper.columns} columns`);
  paper.pair('Codepage', settings.codepage === 'big5' ? 'Big5' : 'GB18030');
  paper.line(
    settings.codepage === 'big5' ? '中文測試：微信支付 支付寶' : '中文测试：微信支付 支付宝',
  );
  paper.line('0123456789'.repeat(Math.ceil(paper.columns / 10)).slice(0, paper.columns));
  paper.rule();
  paper.code('TEST-1234');
  return paper.finish(false);
}

/** The customer's slip of a sale, as ESC/POS bytes. */
export function saleReceipt(sale: ReceiptSale, settings: ReceiptSettings): Uint8Array {
  return escPos(saleDocument(sale, settings));
}

/** The refund slip, as ESC/POS bytes. */
export function refundReceipt(
  refund: RefundView,
  sale: ReceiptSale,
  settings: ReceiptSettings,
): Uint8Array {
  return escPos(refundDocument(refund, sale, settings));
}

/** The day's Z report, as ESC/POS bytes. */
export function zReportReceipt(
  report: ZReport,
  settings: ReceiptSettings,
  options: { training: boolean; printedAt: number },
): Uint8Array {
  return escPos(zReportDocument(report, settings, options));
}
