/**
 * Field checks of bizContent, as the gateway applies them: a missing or malformed field is
 * 102000 naming the field; a well-formed code that no wallet could have issued is 105000.
 */
import {
  isLinkWallet,
  LINK_WALLET_CURRENCY,
  LINK_WALLETS,
  type LinkWallet,
} from '../../shared/gateway/codeGrant.ts';
import { isRecord } from '../../shared/guards.ts';
import { isCurrency, minorDigits, parseGatewayAmount, type Currency } from '../../shared/money.ts';
import { isCodeOf } from '../../shared/paymentCode.ts';
import {
  isPaymentMethod,
  methodCurrency,
  PAYMENT_METHODS,
  type PaymentMethod,
} from '../../shared/paymentMethods.ts';
import { invalidParameter, replyOf, type Reply } from './protocol.ts';

/** Thrown by the checks below; carries the gateway's answer. */
export class Rejection extends Error {
  constructor(readonly reply: Reply) {
    super(reply.description);
  }
}

/** Wallets that take CodeGrant tokens in the simulator, and the currency each is charged in. */
export const TOKEN_METHOD_CURRENCY: Readonly<Record<LinkWallet, Currency>> = LINK_WALLET_CURRENCY;

/** CodeGrant wallets of other markets (codegrant.md): real, but not enabled for these stores. */
const OTHER_MARKET_WALLETS = new Set([
  'GCash',
  'TNG eWallet',
  'DANA',
  'Kakaopay',
  'True Money',
  'Boost',
  'Rabbit LINE Pay',
]);

function param(field: string, why: string): never {
  throw new Rejection(invalidParameter(field, why));
}

/** A required string of 1..max characters. */
export function requiredId(biz: Record<string, unknown>, field: string, max = 64): string {
  const value = biz[field];
  if (value === undefined || value === null || value === '') param(field, 'is missing');
  if (typeof value !== 'string') param(field, 'must be a string');
  if (value.length > max) param(field, `must be at most ${max} characters`);
  return value;
}

export function optionalText(
  biz: Record<string, unknown>,
  field: string,
  max: number,
): string | null {
  const value = biz[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') param(field, 'must be a string');
  if (value.length > max) param(field, `must be at most ${max} characters`);
  return value;
}

export function optionalUrl(
  biz: Record<string, unknown>,
  field: string,
  max = 2048,
): string | null {
  const value = optionalText(biz, field, max);
  if (value === null) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    param(field, 'must be an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') param(field, 'must be an http(s) URL');
  return value;
}

export function currencyOf(biz: Record<string, unknown>): Currency {
  const value = biz.currency;
  if (value === undefined || value === null || value === '') param('currency', 'is missing');
  if (!isCurrency(value)) param('currency', `${JSON.stringify(value)} is not a supported currency`);
  return value;
}

/** A positive decimal string in major units with at most the currency's minor digits. */
export function amountOf(biz: Record<string, unknown>, currency: Currency): number {
  const value = biz.amount;
  if (value === undefined || value === null || value === '') param('amount', 'is missing');
  if (typeof value !== 'string') param('amount', 'must be a decimal string');
  // Stricter than the terminal's reading: no spaces, at most 15 integer digits, and trailing
  // zeros beyond the currency's decimals count. The conversion itself is shared/money.ts's.
  const match = /^\d{1,15}(?:\.(\d+))?$/.exec(value);
  if (!match) param('amount', `"${value}" is not a decimal amount`);
  const digits = minorDigits(currency);
  if ((match[1] ?? '').length > digits) {
    param('amount', `"${value}" has more than ${digits} decimal places for ${currency}`);
  }
  const parsed = parseGatewayAmount(value, currency);
  if (!parsed.ok) param('amount', `"${value}" is too large`);
  if (parsed.minor <= 0) param('amount', 'must be more than zero');
  return parsed.minor;
}

export function captureDelayOf(biz: Record<string, unknown>): void {
  const value = biz.captureDelayHours;
  if (value === undefined || value === null || value === '') {
    param('captureDelayHours', 'is missing');
  }
  if (value !== 0 && value !== '0') {
    param('captureDelayHours', 'must be 0 for wallet payment codes');
  }
}

export interface OfflinePayment {
  method: PaymentMethod;
  scanCodeId: string;
}

/** paymentMethod {type, scanCodeId} of an offline code payment. */
export function offlineMethodOf(biz: Record<string, unknown>, currency: Currency): OfflinePayment {
  const pm = biz.paymentMethod;
  if (pm === undefined || pm === null) param('paymentMethod', 'is missing');
  if (!isRecord(pm)) param('paymentMethod', 'must be an object');
  const type = pm.type;
  if (type === undefined || type === null || type === '') param('paymentMethod.type', 'is missing');
  if (!isPaymentMethod(type)) {
    param('paymentMethod.type', `must be one of ${PAYMENT_METHODS.join(', ')}`);
  }
  const method = type;
  const expected = methodCurrency(method);
  if (currency !== expected) param('currency', `must be ${expected} for ${method}`);
  const code = pm.scanCodeId;
  if (code === undefined || code === null || code === '') {
    param('paymentMethod.scanCodeId', 'is missing');
  }
  if (typeof code !== 'string') param('paymentMethod.scanCodeId', 'must be a string of digits');
  if (!/^\d+$/.test(code)) param('paymentMethod.scanCodeId', 'must contain digits only');
  if (!isCodeOf(method, code)) {
    throw new Rejection(replyOf('105000', `scanCodeId is not a valid ${method} payment code`));
  }
  return { method, scanCodeId: code };
}

/** The wallet of `paymentMethod.type` for a CodeGrant call; WeChat Pay has no CodeGrant. */
function linkWalletOf(biz: Record<string, unknown>): LinkWallet {
  const pm = biz.paymentMethod;
  if (pm === undefined || pm === null) param('paymentMethod', 'is missing');
  if (!isRecord(pm)) param('paymentMethod', 'must be an object');
  const type = pm.type;
  if (type === undefined || type === null || type === '') param('paymentMethod.type', 'is missing');
  if (typeof type !== 'string') param('paymentMethod.type', 'must be a string');
  if (/^we ?chat/i.test(type)) {
    param(
      'paymentMethod.type',
      `${type}: WeChat Pay does not support CodeGrant (linked wallets); use ${LINK_WALLETS.join(' or ')}`,
    );
  }
  if (OTHER_MARKET_WALLETS.has(type)) {
    param(
      'paymentMethod.type',
      `${type} is not enabled for this store; use ${LINK_WALLETS.join(' or ')}`,
    );
  }
  if (!isLinkWallet(type)) {
    param('paymentMethod.type', `must be one of ${LINK_WALLETS.join(', ')} for CodeGrant`);
  }
  return type;
}

/** The member id of a CodeGrant call (≤ 256, codegrant.md). */
export function merchantUserIdOf(biz: Record<string, unknown>): string {
  return requiredId(biz, 'merchantUserId', 256);
}

export interface TokenPayment {
  methodType: LinkWallet;
  token: string;
  merchantUserId: string;
}

/** token, merchantUserId and the wallet (in its currency) of a linked-wallet payment. */
export function tokenMethodOf(biz: Record<string, unknown>, currency: Currency): TokenPayment {
  const token = requiredId(biz, 'token', 256);
  const merchantUserId = merchantUserIdOf(biz);
  const type = linkWalletOf(biz);
  const expected = TOKEN_METHOD_CURRENCY[type];
  if (currency !== expected) param('currency', `must be ${expected} for ${type}`);
  return { methodType: type, token, merchantUserId };
}

/** paymentMethod.type of a CodeGrant sign-up. */
export function bindMethodOf(biz: Record<string, unknown>): LinkWallet {
  return linkWalletOf(biz);
}

/** device.orderTerminal: `01` mobile browser, `02` PC, `03` iOS SDK, `04` Android SDK. */
export function orderTerminalOf(biz: Record<string, unknown>): string {
  const device = biz.device;
  if (device === undefined || device === null) param('device', 'is missing');
  if (!isRecord(device)) param('device', 'must be an object');
  const terminal = device.orderTerminal;
  if (terminal === undefined || terminal === null || terminal === '') {
    param('device.orderTerminal', 'is missing');
  }
  if (terminal !== '01' && terminal !== '02' && terminal !== '03' && terminal !== '04') {
    param('device.orderTerminal', 'must be 01, 02, 03 or 04');
  }
  return terminal;
}

/** bizType must be "CodeGrant" (sign-up, token and subscription calls). */
export function codeGrantBizType(biz: Record<string, unknown>): void {
  const value = biz.bizType;
  if (value === undefined || value === null || value === '') param('bizType', 'is missing');
  if (value !== 'CodeGrant') param('bizType', 'must be CodeGrant');
}

/** An optional nested object (`tokenDetail`, `recurringInfo`); a non-object is 102000. */
export function optionalObject(
  biz: Record<string, unknown>,
  field: string,
): Record<string, unknown> | null {
  const value = biz[field];
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) param(field, 'must be an object');
  return value;
}

/** 102000 naming the field (for checks outside this file). */
export function invalid(field: string, why: string): never {
  param(field, why);
}
