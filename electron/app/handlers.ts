/**
 * The contract's invoke channels, one handler each. Every request is validated with the
 * contract's zod schema at the boundary and every response on its way out (zod drops any
 * field the contract does not name); errors leave as IpcError `{error, code}`; any string
 * that would carry the salt is redacted as a last line of defence.
 */
import type { z } from 'zod';
import {
  invokeChannels,
  isInvokeChannel,
  type InvokeChannel,
  type InvokeResponse,
  type IpcError,
  type ScannerState,
  type SettingsView,
} from '../../shared/ipc/contract.ts';
import { parseAmount, type Currency } from '../../shared/money.ts';
import {
  AppError,
  errorFor,
  INTERNAL_MESSAGE,
  mapError,
  type ErrorStatus,
  type MappedError,
} from './errors.ts';
import { createMemberHandlers, type MemberHandlerContext } from './memberHandlers.ts';
import type { PinGuard, PinPurpose } from './pin.ts';
import { createReceiptHandlers, type ReceiptHandlerContext } from './receiptHandlers.ts';
import type { CsvOptions } from '../engine/reports.ts';
import type { ModeOption } from '../engine/types.ts';
import type { EngineLike } from './ports.ts';
import { redactDeep } from './redact.ts';
import type { EffectiveSettings } from './settings.ts';

export type InvokeRequestParsed<C extends InvokeChannel> = z.output<
  (typeof invokeChannels)[C]['request']
>;
export type SettingsSaveRequest = InvokeRequestParsed<'settings:save'>;

export type Handlers = {
  [C in InvokeChannel]: (request: InvokeRequestParsed<C>) => Promise<InvokeResponse<C>>;
};

export interface HandlerContext extends ReceiptHandlerContext, Partial<MemberHandlerContext> {
  /** The engine in force (throws an AppError while the terminal is not ready). */
  engine(): EngineLike;
  settings(): EffectiveSettings;
  settingsView(): SettingsView;
  /** Saves (PIN already checked): merges, stores the salt, restarts what changed. */
  applySettings(request: SettingsSaveRequest): Promise<SettingsView>;
  pinGuard: PinGuard;
  scannerState(): ScannerState;
}

/**
 * Checks the supervisor PIN for one purpose ('refund', 'settings', 'members', …): each
 * purpose has its own count of wrong PINs and its own lock-out (electron/app/pin.ts).
 */
export async function requirePin(
  ctx: HandlerContext,
  pin: string | undefined,
  purpose: PinPurpose,
): Promise<void> {
  if (pin === undefined || pin === '') {
    throw new AppError('pin-required', 'Enter the supervisor PIN.');
  }
  const result = await ctx.pinGuard.check(pin, ctx.settings().supervisorPinHash, purpose);
  if (result.ok) return;
  if (result.reason === 'locked') {
    const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    throw new AppError(
      'pin-locked',
      `Too many wrong PINs: the supervisor PIN is locked for ${seconds} s.`,
    );
  }
  throw new AppError(
    'pin-wrong',
    `Wrong supervisor PIN (${result.attemptsLeft} ${result.attemptsLeft === 1 ? 'try' : 'tries'} left before a pause).`,
  );
}

function parseAmountOrThrow(text: string, currency: Currency, ceilingMinor: number): number {
  const result = parseAmount(text, currency, { ceilingMinor });
  if (!result.ok) throw new AppError(`amount-${result.rejection}`, result.message);
  return result.minor;
}

/** The report's mode option: only when the screen asked for the other mode's sales. */
function modeOf(req: { training?: boolean | undefined }): { training?: boolean } {
  return req.training === undefined ? {} : { training: req.training };
}

/**
 * Fields of a settings:save that a cashier may change without the supervisor PIN: the
 * language and this screen's own preferences (tones, quick amounts, customer display).
 */
const FREE_SETTINGS = new Set(['language', 'pin', 'screen']);

export function createHandlers(ctx: HandlerContext): Handlers {
  return {
    'sale:start': async (req) => {
      const settings = ctx.settings();
      const currency = req.currency ?? settings.currency;
      const amountMinor = parseAmountOrThrow(req.amountText, currency, settings.amountCeilingMinor);
      return ctx.engine().startSale({
        amountMinor,
        currency,
        ...(req.methodOverride ? { methodOverride: req.methodOverride } : {}),
      });
    },
    'sale:submit-code': async (req) => ctx.engine().submitCode(req.orderId, req.code, req.source),
    'sale:cancel': async (req) => ctx.engine().cancel(req.orderId),
    'sale:current': async () => ctx.engine().current(),
    'history:list': async (req) => ctx.engine().history(req),
    'history:report': async (req) => ctx.engine().report(req.day, modeOf(req)),
    'history:export-csv': async (req) => {
      // The reasons in the screen's language, as the screen says them (engine: CsvOptions).
      const options: ModeOption & CsvOptions = {
        ...modeOf(req),
        language: ctx.settings().language,
      };
      return ctx.engine().exportCsv(req.day, options);
    },
    'refund:create': async (req) => {
      const engine = ctx.engine();
      const sale = engine.sale(req.orderId);
      if (!sale) throw new AppError('sale-not-found', `There is no sale ${req.orderId}.`);
      const amountMinor = parseAmountOrThrow(
        req.amountText,
        sale.currency,
        ctx.settings().amountCeilingMinor,
      );
      await requirePin(ctx, req.pin, 'refund');
      return engine.refund(req.orderId, amountMinor);
    },
    'settings:get': async () => ctx.settingsView(),
    'settings:save': async (req) => {
      const needsPin = Object.entries(req).some(
        ([key, value]) => value !== undefined && !FREE_SETTINGS.has(key),
      );
      if (needsPin) await requirePin(ctx, req.pin, 'settings');
      return ctx.applySettings(req);
    },
    'scanner:state': async () => ctx.scannerState(),
    'gateway:warm': async () => {
      ctx.engine().warm?.();
      return { ok: true as const };
    },
    // Unlocks the settings screen: the settings' count of wrong PINs.
    'pin:check': async (req) => {
      await requirePin(ctx, req.pin, 'settings');
      return { ok: true as const };
    },
    ...createMemberHandlers(ctx),
    ...createReceiptHandlers(ctx),
  };
}

export type InvokeResult =
  { ok: true; value: unknown } | { ok: false; status: ErrorStatus; error: IpcError };

export interface DispatchOptions {
  /** Secrets that must never leave (the salt). */
  secrets(): readonly (string | null | undefined)[];
  /** Sees errors that were not typed (they reach the screen as a generic message). */
  onUnexpected?(error: unknown, channel: string): void;
}

function describeZod(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'request'}: ${issue.message}`)
    .join('; ');
}

/** Validates, runs one handler, validates the answer, maps errors. Never throws. */
export async function dispatchInvoke(
  handlers: Handlers,
  channel: string,
  raw: unknown,
  options: DispatchOptions,
): Promise<InvokeResult> {
  const fail = ({ status, body }: MappedError): InvokeResult => ({
    ok: false,
    status,
    error: redactDeep(body, options.secrets()),
  });
  if (!isInvokeChannel(channel)) {
    return fail(errorFor('unknown-channel', `No channel "${channel}".`));
  }
  const spec = invokeChannels[channel];
  const parsed = spec.request.safeParse(raw ?? {});
  if (!parsed.success) {
    return fail(
      errorFor('invalid-request', `Invalid ${channel} request: ${describeZod(parsed.error)}`),
    );
  }
  let value: unknown;
  try {
    const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
    value = await handler(parsed.data);
  } catch (error) {
    return fail(mapError(error, (e) => options.onUnexpected?.(e, channel)));
  }
  const checked = spec.response.safeParse(value);
  if (!checked.success) {
    options.onUnexpected?.(
      new Error(`${channel} answered outside the contract: ${describeZod(checked.error)}`),
      channel,
    );
    return fail(errorFor('internal', INTERNAL_MESSAGE));
  }
  return { ok: true, value: redactDeep(checked.data, options.secrets()) };
}
