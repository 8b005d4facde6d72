/**
 * The receipt preview: the SAME layout model the printer gets (layout.ts ReceiptDocument)
 * drawn as SVG, one unit a printer dot (203 dpi: 576 dots across 80 mm paper, 384 across
 * 58 mm), Font A cells of 12 × 24 dots, a Chinese character two cells wide as on paper.
 * CODE128 is drawn bar by bar (code set B, as the printer is sent `{B…`); the QR code's
 * modules come from `qrcode` (the same data, model 2, level M). PURE: text in, text out.
 */
import { createRequire } from 'node:module';
import type * as QRCodeModule from 'qrcode';
import { dotsFor, printedWidth, type ReceiptDocument } from './layout.ts';

// qrcode is CommonJS that require()s: loaded from node_modules at run time, as iconv-lite
// and the encoder are, so that the CLI's ES module bundle does not carry a require() shim.
let qrcode: typeof QRCodeModule | undefined;
function qr(): typeof QRCodeModule {
  qrcode ??= createRequire(import.meta.url)('qrcode') as typeof QRCodeModule;
  return qrcode;
}

const CELL_W = 12;
const CELL_H = 24;
const MARGIN = 16;
const BARCODE_QUIET = 10; // modules each side

/** CODE128 symbol patterns (bar, space, … widths in modules), values 0–106 (ISO/IEC 15417). */
const CODE128 = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212',
  '221213', '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221',
  '223211', '221132', '221231', '213212', '223112', '312131', '311222', '321122', '321221',
  '312212', '322112', '322211', '212123', '212321', '232121', '111323', '131123', '131321',
  '112313', '132113', '132311', '211313', '231113', '231311', '112133', '112331', '132131',
  '113123', '113321', '133121', '313121', '211331', '231131', '213113', '213311', '213131',
  '311123', '311321', '331121', '312113', '312311', '332111', '314111', '221411', '431111',
  '111224', '111422', '121124', '121421', '141122', '141221', '112214', '112412', '122114',
  '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111', '111242',
  '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311',
  '113141', '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
]; // prettier-ignore
const START_B = 104;
const STOP = 106;

/** The module widths of `value` in CODE128 code set B (start, data, check, stop). */
export function code128Widths(value: string): number[] {
  const symbols = [START_B];
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (code < 32 || code > 126) throw new Error(`CODE128 B cannot encode "${ch}"`);
    symbols.push(code - 32);
  }
  const check = symbols.reduce((sum, v, i) => sum + v * (i === 0 ? 1 : i), 0) % 103;
  symbols.push(check, STOP);
  return symbols.flatMap((s) => [...(CODE128[s] ?? '')].map(Number));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The receipt as an SVG document (text). */
export function receiptSvg(doc: ReceiptDocument): string {
  const width = dotsFor(doc.paperWidth);
  const parts: string[] = [];
  let y = MARGIN;
  for (const line of doc.lines) {
    switch (line.kind) {
      case 'text': {
        const scale = line.size;
        const h = CELL_H * scale;
        const cellW = CELL_W * scale;
        if (line.invert) {
          parts.push(`<rect x="0" y="${y}" width="${width}" height="${h}" fill="#000"/>`);
        }
        const xs: number[] = [];
        let col = 0;
        for (const ch of line.text) {
          xs.push(col * cellW);
          col += printedWidth(ch, doc.codepage);
        }
        if (line.text.trim() !== '') {
          parts.push(
            `<text xml:space="preserve" x="${xs.join(' ')}" y="${y + h - 5 * scale}" font-size="${20 * scale}"` +
              `${line.bold ? ' font-weight="bold"' : ''} fill="${line.invert ? '#fff' : '#000'}">` +
              `${escapeXml(line.text)}</text>`,
          );
        }
        y += h;
        break;
      }
      case 'barcode': {
        const widths = code128Widths(line.value);
        const total = widths.reduce((a, b) => a + b, 0) + 2 * BARCODE_QUIET;
        let x = Math.floor((width - total * line.moduleDots) / 2) + BARCODE_QUIET * line.moduleDots;
        const bars: string[] = [];
        widths.forEach((w, i) => {
          if (i % 2 === 0)
            bars.push(`M${x} ${y}h${w * line.moduleDots}v${line.height}h-${w * line.moduleDots}z`);
          x += w * line.moduleDots;
        });
        parts.push(`<path data-code="code128" d="${bars.join('')}" fill="#000"/>`);
        y += line.height + 4;
        break;
      }
      case 'qr': {
        const code = qr().create(line.value, { errorCorrectionLevel: 'M' });
        const size = code.modules.size;
        const m = line.moduleDots;
        const left = Math.floor((width - size * m) / 2);
        const cells: string[] = [];
        for (let r = 0; r < size; r++) {
          for (let c = 0; c < size; c++) {
            if (code.modules.get(r, c))
              cells.push(`M${left + c * m} ${y + r * m}h${m}v${m}h-${m}z`);
          }
        }
        parts.push(`<path data-code="qr" d="${cells.join('')}" fill="#000"/>`);
        y += size * m + 4;
        break;
      }
      case 'feed':
        y += CELL_H;
        break;
    }
  }
  const height = y + MARGIN;
  // The cut: a dashed line at the bottom.
  parts.push(
    `<line x1="0" y1="${height - 2}" x2="${width}" y2="${height - 2}" stroke="#999" stroke-dasharray="8 6"/>`,
  );
  const fullWidth = width + 2 * MARGIN;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fullWidth}" height="${height}" ` +
    `viewBox="${-MARGIN} 0 ${fullWidth} ${height}" font-family="'Noto Sans Mono CJK SC', 'Noto Sans CJK SC', 'Microsoft YaHei', monospace" ` +
    `data-paper-width="${doc.paperWidth}" data-codepage="${doc.codepage}">` +
    `<rect x="${-MARGIN}" y="0" width="${fullWidth}" height="${height}" fill="#fff"/>` +
    parts.join('') +
    `</svg>`
  );
}
