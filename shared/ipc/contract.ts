/**
 * The one contract between the main process and the cashier's screen. Every channel and
 * payload is defined here once, as a zod schema; both sides validate at the boundary.
 * Electron carries it over ipcMain/ipcRenderer (preload), browser mode over HTTP + SSE.
 * Nothing in here may carry the salt.
 */
import { z } from 'zod';
import { LANGUAGE_CODES } from '../languages.ts';
import { CURRENCY_CODES } from '../money.ts';
import { PAYMENT_METHODS, REGIONS, SALE_METHODS } from '../paymentMethods.ts';
import { REFUND_STATUSES, SALE_STATUSES, TENDERS } from '../sale.ts';
import { memberEventChannels, memberInvokeChannels } from './memberChannels.ts';
import { receiptEventChannels, receiptInvokeChannels } from './receiptChannels.ts';
import { ReceiptSettingsSchema } from './receiptSettings.ts';
import { ScreenSettingsSchema } from './screenSettings.ts';

export const CurrencySchema = z.enum(CURRENCY_CODES);
export const RegionSchema = z.enum(REGIONS);
export const MethodSchema = z.enum(PAYMENT_METHODS);
export const SaleStatusSchema = z.enum(SALE_STATUSES);
export const LanguageSchema = z.enum(LANGUAGE_CODES);
export const ScanSourceSchema = z.enum(['serial', 'hid', 'wedge', 'manual']);

export const RefundViewSchema = z.object({
  refundId: z.string(),
  orderId: z.string(),
  amountMinor: z.number().int(),
  currency: CurrencySchema,
  status: z.enum(REFUND_STATUSES),
  reason: z.string().nullable(),
  automatic: z.boolean(),
  createdAt: z.number(),
});

export const SaleViewSchema = z.object({
  orderId: z.string(),
  status: SaleStatusSchema,
  amountMinor: z.number().int(),
  currency: CurrencySchema,
  /** A code method, a linked wallet (AlipayHK, Alipay) or a checkout brand (ApplePay, GooglePay, Card). */
  method: z.enum(SALE_METHODS).nullable(),
  /** Masked payment code, e.g. 134567********1234. */
  maskedCode: z.string().nullable(),
  /** Why the sale was not paid, in words a cashier understands (already translated key). */
  reason: z.string().nullable(),
  reasonCode: z.string().nullable(),
  /** Milliseconds left before "customer did not confirm" (only while waiting). */
  remainingMs: z.number().nullable(),
  /** True when the cashier stopped waiting and the engine still resolves it. */
  abandoned: z.boolean(),
  /** True when the final state was found by the recovery sweeper after a restart. */
  recovered: z.boolean(),
  refundedMinor: z.number().int(),
  refunds: z.array(RefundViewSchema),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** True for a training-mode sale (embedded simulator): nothing was really charged. */
  training: z.boolean().optional(),
  /** How it is paid: a scanned code, a linked wallet, the customer's phone, a renewal. */
  tender: z.enum(TENDERS).optional(),
  /** The member charged (linked wallet, membership); never a phone number. */
  memberId: z.string().nullable().optional(),
  /** Pay on phone: the page the customer opens, shown as a QR code (not a secret). */
  paymentUrl: z.string().nullable().optional(),
  /** Pay on phone: when the page closes (epoch ms), for the countdown. */
  paymentExpiresAt: z.number().nullable().optional(),
  transactionId: z.string().nullable().optional(),
});

export const ScannerStateSchema = z.object({
  spec: z.string().nullable(),
  connected: z.boolean(),
  detail: z.string().nullable(),
});

export const SettingsViewSchema = z.object({
  region: RegionSchema,
  currency: CurrencySchema,
  gatewayUrl: z.string(),
  trainingMode: z.boolean(),
  accId: z.string(),
  saltConfigured: z.boolean(),
  scanner: z.string().nullable(),
  amountCeilingMinor: z.number().int().positive(),
  customerDeadlineMs: z.number().int().positive(),
  language: LanguageSchema,
  /**
   * Where the salt is kept (never the salt itself). `memory-only`: set through the settings
   * screen in browser mode, lost when the terminal stops; `environment`: POS_SALT.
   */
  saltStorage: z.enum(['none', 'encrypted', 'memory-only', 'environment']).optional(),
  /** True while the supervisor PIN is still the fresh-install default (1234). */
  supervisorPinIsDefault: z.boolean().optional(),
  /** The cashier screen's preferences (shared/ipc/screenSettings.ts). */
  screen: ScreenSettingsSchema,
  /** Receipt printing (shared/ipc/receiptSettings.ts). */
  receipts: ReceiptSettingsSchema,
});

export const ZReportSchema = z.object({
  day: z.string(),
  rows: z.array(
    z.object({
      method: z.string(),
      currency: CurrencySchema,
      salesCount: z.number().int(),
      salesMinor: z.number().int(),
      refundsCount: z.number().int(),
      refundsMinor: z.number().int(),
      netMinor: z.number().int(),
    }),
  ),
});

const HistoryFilterSchema = z.object({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  status: SaleStatusSchema.optional(),
  method: MethodSchema.optional(),
  search: z.string().max(64).optional(),
  limit: z.number().int().positive().max(1000).optional(),
  /** Training sales (true) or live sales (false); default: those of the current mode. */
  training: z.boolean().optional(),
});

/** Request/response channels: renderer invokes, main answers. */
export const invokeChannels = {
  'sale:start': {
    request: z.object({
      amountText: z.string().max(32),
      currency: CurrencySchema.optional(),
      methodOverride: MethodSchema.optional(),
    }),
    response: SaleViewSchema,
  },
  'sale:submit-code': {
    request: z.object({ orderId: z.string(), code: z.string().max(512), source: ScanSourceSchema }),
    response: SaleViewSchema,
  },
  'sale:cancel': { request: z.object({ orderId: z.string() }), response: SaleViewSchema },
  'sale:current': { request: z.object({}), response: SaleViewSchema.nullable() },
  'history:list': { request: HistoryFilterSchema, response: z.array(SaleViewSchema) },
  'history:report': {
    request: z.object({
      day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      /** Training sales (true) or live sales (false); default: those of the current mode. */
      training: z.boolean().optional(),
    }),
    response: ZReportSchema,
  },
  'history:export-csv': {
    request: z.object({
      day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      /** Training sales (true) or live sales (false); default: those of the current mode. */
      training: z.boolean().optional(),
    }),
    response: z.object({ filename: z.string(), csv: z.string() }),
  },
  'refund:create': {
    request: z.object({
      orderId: z.string(),
      amountText: z.string().max(32),
      pin: z.string().max(16),
    }),
    response: SaleViewSchema,
  },
  'settings:get': { request: z.object({}), response: SettingsViewSchema },
  'settings:save': {
    request: SettingsViewSchema.omit({
      saltConfigured: true,
      trainingMode: true,
      saltStorage: true,
      supervisorPinIsDefault: true,
    })
      .partial()
      .extend({
        /**
         * The current supervisor PIN: required for every save except one that changes only
         * `language`.
         */
        pin: z.string().max(16).optional(),
        /** Write-only: the salt goes in, never comes back out. */
        salt: z.string().min(8).max(128).optional(),
        supervisorPin: z
          .string()
          .regex(/^\d{4,8}$/)
          .optional(),
        /** Only the fields named change; the others keep their values. */
        screen: ScreenSettingsSchema.partial().optional(),
        receipts: ReceiptSettingsSchema.partial().optional(),
      }),
    response: SettingsViewSchema,
  },
  'scanner:state': { request: z.object({}), response: ScannerStateSchema },
  /**
   * Checks the supervisor PIN without changing anything (unlocking the settings screen).
   * Refused as IpcError 'pin-required', 'pin-wrong' or 'pin-locked', throttled exactly like
   * the PIN of refund:create and settings:save (the settings' count of wrong PINs: each purpose — refund, settings, members — has its own, electron/app/pin.ts).
   */
  /**
   * The cashier began a sale (typed the first digit of an amount): the terminal opens its
   * verified connection to the gateway now, so that the payment code finds it open. Nothing
   * about any payment is sent.
   */
  'gateway:warm': { request: z.object({}), response: z.object({ ok: z.literal(true) }) },
  'pin:check': {
    request: z.object({ pin: z.string().max(16) }),
    response: z.object({ ok: z.literal(true) }),
  },
  ...memberInvokeChannels,
  ...receiptInvokeChannels,
} as const;

/** Events: main pushes, renderer listens. */
export const eventChannels = {
  'sale:updated': SaleViewSchema,
  'scanner:state': ScannerStateSchema,
  /** A scan from a hardware scanner that could not be used, with the reason. */
  'scan:rejected': z.object({ reason: z.string(), text: z.string() }),
  ...memberEventChannels,
  ...receiptEventChannels,
} as const;

export type InvokeChannel = keyof typeof invokeChannels;
export type EventChannel = keyof typeof eventChannels;
export type InvokeRequest<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = z.output<
  (typeof invokeChannels)[C]['response']
>;
export type EventPayload<C extends EventChannel> = z.output<(typeof eventChannels)[C]>;
export type SaleView = z.output<typeof SaleViewSchema>;
export type { RefundStatus, SaleStatus } from '../sale.ts';
export type ScanSource = z.output<typeof ScanSourceSchema>;
export type SettingsView = z.output<typeof SettingsViewSchema>;
export type ScannerState = z.output<typeof ScannerStateSchema>;
export type ZReport = z.output<typeof ZReportSchema>;
export type RefundView = z.output<typeof RefundViewSchema>;

/** Errors cross the boundary as this shape (never a stack trace). */
export const IpcErrorSchema = z.object({
  error: z.string(),
  code: z.string(),
  /** A refusal before anything was sent, as a ReasonCode the screen translates with its facts. */
  reasonCode: z.string().optional(),
});
export type IpcError = z.output<typeof IpcErrorSchema>;

export function isInvokeChannel(value: string): value is InvokeChannel {
  return Object.prototype.hasOwnProperty.call(invokeChannels, value);
}

/** The API the preload exposes as `window.pospay` (and browser mode reproduces). */
export interface PosApi {
  invoke<C extends InvokeChannel>(
    channel: C,
    request: InvokeRequest<C>,
  ): Promise<InvokeResponse<C>>;
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
}
