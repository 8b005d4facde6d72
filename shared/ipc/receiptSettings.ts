/**
 * Receipt printing preferences (kept in settings.json under `receipts`, shown and saved
 * through settings:get / settings:save). Every field has a default, so a settings file written
 * before a field existed still loads. No secret may ever be added here.
 *
 * The defaults are filled by a transform (`optional().transform(v => v ?? default)`) rather
 * than zod's `.default()`: settings:save takes `ReceiptSettingsSchema.partial()`, and zod 4
 * fills `.default()` fields even in a partial object, which would reset every field the save
 * did not name. A transform runs only for a key that is there.
 *
 * Printer specs (interfaces.md "Linked wallets, pay-on-phone, receipts"): `serial:PATH[@BAUD]`,
 * `tcp:HOST[:PORT]` (default 9100), `usb:VID:PID`, `file:PATH`. The parser is PURE and lives
 * here so that settings, the screen and electron/printing read a spec the same way.
 */
import { z } from 'zod';

export type PrinterSpec =
  | { kind: 'serial'; path: string; baudRate: number }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'usb'; vendorId: number; productId: number }
  | { kind: 'file'; path: string };

export type ParsedPrinterSpec = { ok: true; spec: PrinterSpec } | { ok: false; message: string };

export const DEFAULT_BAUD = 9600;
export const DEFAULT_TCP_PORT = 9100;

export function parsePrinterSpec(text: string): ParsedPrinterSpec {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? '' : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  const bad = (why: string): ParsedPrinterSpec => ({
    ok: false,
    message: `printer spec "${text}": ${why}`,
  });
  switch (kind) {
    case 'serial': {
      const at = rest.lastIndexOf('@');
      const path = at < 0 ? rest : rest.slice(0, at);
      const baudText = at < 0 ? null : rest.slice(at + 1);
      if (path === '') return bad('serial needs a port path (serial:/dev/ttyUSB0 or serial:COM3)');
      const baudRate = baudText === null ? DEFAULT_BAUD : Number(baudText);
      if (baudText !== null && (!/^\d+$/.test(baudText) || baudRate <= 0)) {
        return bad('the baud rate must be a positive whole number');
      }
      return { ok: true, spec: { kind: 'serial', path, baudRate } };
    }
    case 'tcp': {
      const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(rest);
      if (!match?.[1]) return bad('tcp needs a host (tcp:192.168.1.50 or tcp:HOST:9100)');
      const port = match[2] === undefined ? DEFAULT_TCP_PORT : Number(match[2]);
      if (port < 1 || port > 65535) return bad('the port must be 1..65535');
      return { ok: true, spec: { kind: 'tcp', host: match[1].replace(/^\[|\]$/g, ''), port } };
    }
    case 'usb': {
      const match = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})$/.exec(rest);
      if (!match?.[1] || !match[2]) return bad('usb needs VID:PID in hex (usb:04b8:0202)');
      return {
        ok: true,
        spec: {
          kind: 'usb',
          vendorId: Number.parseInt(match[1], 16),
          productId: Number.parseInt(match[2], 16),
        },
      };
    }
    case 'file':
      if (rest === '') return bad('file needs a path (file:/tmp/receipt.bin)');
      return { ok: true, spec: { kind: 'file', path: rest } };
    default:
      return bad('use serial:PATH[@BAUD], tcp:HOST[:9100], usb:VID:PID or file:PATH');
  }
}

export function describeSpec(spec: PrinterSpec): string {
  switch (spec.kind) {
    case 'serial':
      return `serial:${spec.path}@${spec.baudRate}`;
    case 'tcp':
      return `tcp:${spec.host}:${spec.port}`;
    case 'usb':
      return `usb:${hex4(spec.vendorId)}:${hex4(spec.productId)}`;
    case 'file':
      return `file:${spec.path}`;
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

export const RECEIPT_CODEPAGES = ['gb18030', 'big5'] as const;
export type ReceiptCodepage = (typeof RECEIPT_CODEPAGES)[number];
export const PAPER_WIDTHS = [58, 80] as const;
export type PaperWidth = (typeof PAPER_WIDTHS)[number];
/** When a receipt prints after a paid sale or a refund. */
export const RECEIPT_WHEN = ['always', 'ask', 'never'] as const;
export type ReceiptWhen = (typeof RECEIPT_WHEN)[number];

export const PrinterSpecSchema = z
  .string()
  .trim()
  .max(256)
  .superRefine((value, ctx) => {
    const parsed = parsePrinterSpec(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  });

/** `optional()` + a default filled only when the key is there (see the file's comment). */
function withDefault<T extends z.ZodType>(schema: T, fallback: z.output<T>) {
  return schema.optional().transform((value): z.output<T> => value ?? fallback);
}

/** Text for the paper: no control characters (they would be printer commands). */
export const PaperText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'no control characters (tabs, line breaks…)');

export const ReceiptSettingsSchema = z.object({
  /** Printed at the top of every receipt. */
  storeName: withDefault(PaperText(64), ''),
  storeAddress: withDefault(PaperText(160), ''),
  /** A printer spec, or null: no printer (POS_PRINTER, when set, is used instead). */
  printer: withDefault(PrinterSpecSchema.nullable(), null),
  paperWidth: withDefault(z.union([z.literal(58), z.literal(80)]), 80),
  /** null: by the store's region (big5 for Hong Kong, gb18030 otherwise). */
  codepage: withDefault(z.enum(RECEIPT_CODEPAGES).nullable(), null),
  /** After each paid sale and each refund. */
  when: withDefault(z.enum(RECEIPT_WHEN), 'always'),
});

export type ReceiptSettings = z.output<typeof ReceiptSettingsSchema>;

export const DEFAULT_RECEIPT_SETTINGS: ReceiptSettings = ReceiptSettingsSchema.parse({});

/** The codepage of a store: the one chosen, else Big5 in Hong Kong and GB18030 elsewhere. */
export function codepageFor(chosen: ReceiptCodepage | null, region: string): ReceiptCodepage {
  return chosen ?? (region === 'HK' ? 'big5' : 'gb18030');
}
