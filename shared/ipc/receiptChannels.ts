/**
 * The contract's channels for receipts and printers. Spread into invokeChannels /
 * eventChannels of contract.ts: defined here once.
 *
 * Printing needs no PIN (a receipt changes nothing); changing the printer goes through
 * settings:save (PIN). A test page on a printer that is not saved yet names it, and so needs
 * the supervisor PIN (it can write to a file: path).
 */
import { z } from 'zod';
import {
  PaperText,
  PrinterSpecSchema,
  RECEIPT_CODEPAGES,
  RECEIPT_WHEN,
} from './receiptSettings.ts';

const DaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const IdSchema = z.string().min(1).max(128);

/** `{ printed: true }`, or why not ("receipt not printed: <reason>" on the screen). */
export const PrintResultSchema = z.union([
  z.object({ printed: z.literal(true) }),
  z.object({ printed: z.literal(false), reason: z.string() }),
]);

/**
 * What happened to one receipt (a sale's, or a refund's slip):
 *   printing     sent to the printer, not answered yet
 *   printed      the printer took it
 *   not-printed  it did not print: `reason`; reprint is offered
 *   ask          printing is set to "ask": the cashier is asked "Print receipt?"
 *   declined     the cashier answered no to "Print receipt?"
 */
export const RECEIPT_STATES = ['printing', 'printed', 'not-printed', 'ask', 'declined'] as const;

export const ReceiptStatusSchema = z.object({
  orderId: z.string(),
  /** null: the sale's receipt; else the refund slip of this refund. */
  refundId: z.string().nullable(),
  state: z.enum(RECEIPT_STATES),
  printed: z.boolean(),
  reason: z.string().nullable(),
  at: z.number(),
});

export const PrinterDeviceSchema = z.object({
  kind: z.enum(['serial', 'hid']),
  path: z.string(),
  name: z.string().optional(),
  vendorId: z.string().optional(),
  productId: z.string().optional(),
  /** The printer spec that prints to it (serial:PATH, usb:VID:PID). */
  spec: z.string(),
});

/** Environment variables that set a receipt field for this run instead of the settings. */
export const RECEIPT_ENV_VARS = [
  'POS_PRINTER',
  'POS_PRINTER_WIDTH',
  'POS_PRINTER_CODEPAGE',
  'POS_STORE_NAME',
  'POS_STORE_ADDRESS',
] as const;

export const ReceiptStateSchema = z.object({
  /** The printer in force (POS_PRINTER wins over the saved one), or null: none. */
  printer: z.string().nullable(),
  printerSource: z.enum(['environment', 'settings', 'none']),
  when: z.enum(RECEIPT_WHEN),
  paperWidth: z.union([z.literal(58), z.literal(80)]),
  codepage: z.enum(RECEIPT_CODEPAGES),
  /** Which environment variables are in force for this run (they are never saved). */
  environment: z.array(z.enum(RECEIPT_ENV_VARS)),
  /** Environment values refused, in words. */
  problems: z.array(z.string()),
  /** The receipts of the sale asked about (its own, then its refunds'), oldest first. */
  receipts: z.array(ReceiptStatusSchema),
});

const TargetSchema = z.object({
  orderId: IdSchema,
  /** The refund slip of this refund of the sale (default: the sale's receipt). */
  refundId: IdSchema.optional(),
});

export const receiptInvokeChannels = {
  /** Prints (or reprints) a sale's receipt or a refund's slip now. */
  'receipt:print': { request: TargetSchema, response: PrintResultSchema },
  /** The cashier answered no to "Print receipt?". */
  'receipt:decline': { request: TargetSchema, response: ReceiptStatusSchema },
  'receipt:print-report': {
    request: z.object({ day: DaySchema, training: z.boolean().optional() }),
    response: PrintResultSchema,
  },
  /**
   * A test page on the printer in force, or on the one named (with its width and codepage),
   * before it is saved: naming one needs the supervisor PIN.
   */
  'receipt:test-page': {
    request: z.object({
      printer: PrinterSpecSchema.optional(),
      paperWidth: z.union([z.literal(58), z.literal(80)]).optional(),
      codepage: z.enum(RECEIPT_CODEPAGES).optional(),
      storeName: PaperText(64).optional(),
      storeAddress: PaperText(160).optional(),
      pin: z.string().max(16).optional(),
    }),
    response: PrintResultSchema,
  },
  /** The receipt as the printer would print it, as SVG text (same layout as the bytes). */
  'receipt:preview': {
    request: TargetSchema,
    response: z.object({ svg: z.string(), paperWidth: z.union([z.literal(58), z.literal(80)]) }),
  },
  /** The printer in force and, given a sale, what happened to its receipts. */
  'receipt:state': {
    request: z.object({ orderId: IdSchema.optional() }),
    response: ReceiptStateSchema,
  },
  /** Serial ports and HID devices a printer may be on, each with its printer spec. */
  'printer:list': {
    request: z.object({}),
    response: z.object({ devices: z.array(PrinterDeviceSchema), errors: z.array(z.string()) }),
  },
} as const;

export const receiptEventChannels = {
  /** A receipt's state changed (printing, printed, not printed: why, asked). */
  'receipt:status': ReceiptStatusSchema,
} as const;

export type PrintResultView = z.output<typeof PrintResultSchema>;
export type ReceiptStatus = z.output<typeof ReceiptStatusSchema>;
export type ReceiptState = z.output<typeof ReceiptStateSchema>;
export type ReceiptStateName = (typeof RECEIPT_STATES)[number];
export type PrinterDevice = z.output<typeof PrinterDeviceSchema>;
export type ReceiptEnvVar = (typeof RECEIPT_ENV_VARS)[number];
