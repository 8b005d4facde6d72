/**
 * The terminal's settings: one JSON file (`settings.json`) in the data dir, validated with
 * zod, written atomically. A file that cannot be read is never silently replaced: it is
 * moved aside (`settings.json.corrupt-<time>`) and the caller gets a SettingsCorruptError
 * that names both paths. The salt is not a setting: it lives in the secret store.
 *
 * Environment overrides (interfaces.md): POS_GATEWAY_URL, POS_ACC_ID, POS_CLIENT_ID,
 * POS_SCANNER. They apply to this run only and are never written back to the file.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { CurrencySchema, LanguageSchema, RegionSchema } from '../../shared/ipc/contract.ts';
import type { SettingsView } from '../../shared/ipc/contract.ts';
import {
  DEFAULT_RECEIPT_SETTINGS,
  ReceiptSettingsSchema,
  type ReceiptSettings,
} from '../../shared/ipc/receiptSettings.ts';
import {
  DEFAULT_SCREEN_SETTINGS,
  ScreenSettingsSchema,
  type ScreenSettings,
} from '../../shared/ipc/screenSettings.ts';
import { clientIdFor } from '../../shared/gateway/envelope.ts';
import { defaultCeilingMinor } from '../../shared/money.ts';
import { parseScannerSpec } from '../scanners/spec.ts';
import { writeFileAtomic } from './atomicFile.ts';
import { isLoopbackHost } from './loopback.ts';
import { DEFAULT_PIN_HASH, hashPin, isPinHash } from './pin.ts';
import type { SaltStorage } from './secretStore.ts';

export const SETTINGS_FILE = 'settings.json';

/** The gateway hosts of gateway.md; `simulator` is the embedded simulator (training mode). */
export const GATEWAY_HOSTS = {
  sandbox: 'https://sandbox-acquirer-payment.pingpongx.com',
  production: 'https://acquirer-payment.pingpongx.com',
} as const;
export const SIMULATOR = 'simulator';

/** `simulator`, or an http(s) base URL (sandbox, production or a custom host). */
export const GatewayUrlSchema = z.union([
  z.literal(SIMULATOR),
  z
    .string()
    .max(512)
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '';
      } catch {
        return false;
      }
    }, 'must be "simulator" or an http(s) URL'),
]);

/** Scanner spec strings of interfaces.md: serial:PATH[@BAUD], hid:VID:PID, hid:PATH, wedge. */
export const ScannerSpecSchema = z
  .string()
  .max(256)
  .superRefine((value, ctx) => {
    try {
      parseScannerSpec(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'invalid' });
    }
  });

export const StoredSettingsSchema = z.object({
  version: z.literal(1),
  terminalId: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
  region: RegionSchema,
  currency: CurrencySchema,
  gatewayUrl: GatewayUrlSchema,
  accId: z.string().max(32).regex(/^\d*$/, 'digits only'),
  clientId: z.string().max(32).regex(/^\d*$/, 'digits only').nullable(),
  signType: z.enum(['SHA256', 'MD5']),
  gatewayTimeoutMs: z.number().int().min(1000).max(120_000),
  scanner: ScannerSpecSchema.nullable(),
  amountCeilingMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  customerDeadlineMs: z.number().int().min(10_000).max(600_000),
  language: LanguageSchema,
  supervisorPinHash: z.string().refine(isPinHash, 'not a scrypt PIN hash'),
  /** True until a supervisor sets a PIN of their own (the default is 1234). */
  supervisorPinIsDefault: z.boolean(),
  /** The cashier screen's preferences (added after version 1: defaults when absent). */
  screen: ScreenSettingsSchema.default(DEFAULT_SCREEN_SETTINGS),
  /** Receipt printing (added after version 1: defaults when absent). */
  receipts: ReceiptSettingsSchema.default(DEFAULT_RECEIPT_SETTINGS),
});
export type StoredSettings = z.output<typeof StoredSettingsSchema>;

export function defaultSettings(): StoredSettings {
  return {
    version: 1,
    terminalId: `T${randomBytes(4).toString('hex').toUpperCase()}`,
    region: 'CN',
    currency: 'CNY',
    gatewayUrl: SIMULATOR,
    accId: '',
    clientId: null,
    signType: 'SHA256',
    gatewayTimeoutMs: 10_000,
    scanner: null,
    amountCeilingMinor: defaultCeilingMinor('CNY'),
    customerDeadlineMs: 60_000,
    language: 'en',
    supervisorPinHash: DEFAULT_PIN_HASH,
    supervisorPinIsDefault: true,
    screen: DEFAULT_SCREEN_SETTINGS,
    receipts: DEFAULT_RECEIPT_SETTINGS,
  };
}

export class SettingsCorruptError extends Error {
  readonly code = 'settings-corrupt';
  constructor(
    readonly file: string,
    readonly keptAs: string,
    readonly reason: string,
  ) {
    super(
      `The settings file ${file} could not be read (${reason}). It was kept as ${keptAs}; ` +
        'the terminal starts with default settings (training mode). Fix that file and copy it ' +
        'back, or enter the settings again.',
    );
    this.name = 'SettingsCorruptError';
  }
}

export function settingsPath(dataDir: string): string {
  return path.join(dataDir, SETTINGS_FILE);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`)
    .join('; ');
}

function keepAside(file: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let keptAs = `${file}.corrupt-${stamp}`;
  for (let n = 1; existsSync(keptAs); n += 1) keptAs = `${file}.corrupt-${stamp}-${n}`;
  renameSync(file, keptAs);
  return keptAs;
}

/**
 * Reads settings.json from the data dir, creating it with defaults on a fresh install.
 * Throws SettingsCorruptError (after moving the bad file aside) when it is unreadable.
 */
export async function loadSettings(dataDir: string): Promise<StoredSettings> {
  const file = settingsPath(dataDir);
  if (!existsSync(file)) {
    const fresh = defaultSettings();
    saveSettings(dataDir, fresh);
    return fresh;
  }
  const text = readFileSync(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = `not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    throw new SettingsCorruptError(file, keepAside(file), reason);
  }
  const parsed = StoredSettingsSchema.safeParse(json);
  if (!parsed.success) {
    throw new SettingsCorruptError(file, keepAside(file), describeIssues(parsed.error));
  }
  return parsed.data;
}

export function saveSettings(dataDir: string, settings: StoredSettings): void {
  const valid = StoredSettingsSchema.parse(settings);
  writeFileAtomic(settingsPath(dataDir), `${JSON.stringify(valid, null, 2)}\n`, 0o600);
}

/** Settings in force for this run: the file's, with the environment's overrides on top. */
export interface EffectiveSettings extends StoredSettings {
  /** Which fields the environment overrode (they are not saved). */
  overridden: Array<'gatewayUrl' | 'accId' | 'clientId' | 'scanner'>;
}

export function applyEnvOverrides(
  stored: StoredSettings,
  env: Record<string, string | undefined>,
): EffectiveSettings {
  const result: EffectiveSettings = { ...stored, overridden: [] };
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const url = value('POS_GATEWAY_URL');
  if (url !== undefined) {
    const parsed = GatewayUrlSchema.safeParse(normaliseGatewayUrl(url));
    if (!parsed.success) {
      throw new SettingsInvalidError(
        `POS_GATEWAY_URL must be "simulator", "sandbox", "production" or an http(s) URL, not "${url}"`,
      );
    }
    result.gatewayUrl = parsed.data;
    result.overridden.push('gatewayUrl');
  }
  const accId = value('POS_ACC_ID');
  if (accId !== undefined) {
    result.accId = accId;
    result.overridden.push('accId');
  }
  const clientId = value('POS_CLIENT_ID');
  if (clientId !== undefined) {
    result.clientId = clientId;
    result.overridden.push('clientId');
  }
  const scanner = value('POS_SCANNER');
  if (scanner !== undefined) {
    const parsed = ScannerSpecSchema.safeParse(scanner);
    if (!parsed.success) {
      throw new SettingsInvalidError(
        `POS_SCANNER: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    result.scanner = parsed.data;
    result.overridden.push('scanner');
  }
  return result;
}

/** `sandbox` / `production` name the gateway.md hosts; anything else is taken as given. */
export function normaliseGatewayUrl(value: string): string {
  const trimmed = value.trim();
  if (trimmed === 'sandbox') return GATEWAY_HOSTS.sandbox;
  if (trimmed === 'production') return GATEWAY_HOSTS.production;
  return trimmed.replace(/\/+$/, '');
}

/** clientId = accId without its last 3 digits (gateway.md), unless configured. */
export function effectiveClientId(settings: Pick<StoredSettings, 'accId' | 'clientId'>): string {
  if (settings.clientId) return settings.clientId;
  return settings.accId.length > 3 ? clientIdFor(settings.accId) : settings.accId;
}

/** A loopback gateway is a simulator (the real gateway is never on this machine). */
export function isLoopbackUrl(value: string): boolean {
  try {
    return isLoopbackHost(new URL(value).hostname);
  } catch {
    return false;
  }
}

export interface SettingsViewExtras {
  trainingMode: boolean;
  saltConfigured: boolean;
  saltStorage: SaltStorage;
}

export function toSettingsView(
  settings: EffectiveSettings,
  extras: SettingsViewExtras,
): SettingsView {
  return {
    region: settings.region,
    currency: settings.currency,
    gatewayUrl: settings.gatewayUrl,
    trainingMode: extras.trainingMode,
    accId: settings.accId,
    saltConfigured: extras.saltConfigured,
    scanner: settings.scanner,
    amountCeilingMinor: settings.amountCeilingMinor,
    customerDeadlineMs: settings.customerDeadlineMs,
    language: settings.language,
    saltStorage: extras.saltStorage,
    supervisorPinIsDefault: settings.supervisorPinIsDefault,
    screen: settings.screen,
    receipts: settings.receipts,
  };
}

/** The editable part of a settings:save request (PIN and salt are handled by the caller). */
export interface SettingsChanges {
  region?: StoredSettings['region'];
  currency?: StoredSettings['currency'];
  gatewayUrl?: string;
  accId?: string;
  scanner?: string | null;
  amountCeilingMinor?: number;
  customerDeadlineMs?: number;
  language?: StoredSettings['language'];
  supervisorPin?: string;
  screen?: Partial<ScreenSettings>;
  receipts?: Partial<ReceiptSettings>;
}

export class SettingsInvalidError extends Error {
  readonly code = 'settings-invalid';
  constructor(message: string) {
    super(message);
    this.name = 'SettingsInvalidError';
  }
}

/** Merges a save request into the stored settings; throws SettingsInvalidError. */
export async function mergeSettings(
  current: StoredSettings,
  changes: SettingsChanges,
): Promise<StoredSettings> {
  const next: StoredSettings = { ...current };
  if (changes.region !== undefined) next.region = changes.region;
  if (changes.currency !== undefined) next.currency = changes.currency;
  if (changes.gatewayUrl !== undefined) next.gatewayUrl = normaliseGatewayUrl(changes.gatewayUrl);
  if (changes.accId !== undefined) {
    next.accId = changes.accId.trim();
    next.clientId = null;
  }
  if (changes.scanner !== undefined) next.scanner = changes.scanner?.trim() || null;
  if (changes.amountCeilingMinor !== undefined)
    next.amountCeilingMinor = changes.amountCeilingMinor;
  if (changes.customerDeadlineMs !== undefined)
    next.customerDeadlineMs = changes.customerDeadlineMs;
  if (changes.language !== undefined) next.language = changes.language;
  if (changes.screen !== undefined) next.screen = Object.assign({}, current.screen, changes.screen);
  if (changes.receipts !== undefined)
    next.receipts = Object.assign({}, current.receipts, changes.receipts);
  if (changes.supervisorPin !== undefined) {
    next.supervisorPinHash = await hashPin(changes.supervisorPin);
    next.supervisorPinIsDefault = false;
  }
  const parsed = StoredSettingsSchema.safeParse(next);
  if (!parsed.success)
    throw new SettingsInvalidError(`Settings not saved: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
