/**
 * Field checks of bizContent, as the gateway applies them: a missing or malformed field is
 * 102000 naming the field; a well-formed code that no wallet could have issued is 105000.
 */
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

/** Wallets that take CodeGrant tokens in the simulator. */
export const TOKEN_METHOD_CURRENCY: Readonly<Record<string, Currency>> = {
  AlipayHK: 'HKD',
  AlipayCN: 'CNY',
};

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

export function optionalUrl(biz: Record<string, unknown>, field: string): string | null {
  const value = optionalText(biz, field, 2048);
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

export interface TokenPayment {
  methodType: string;
  token: string;
  merchantUserId: string;
}

export function tokenMethodOf(biz: Record<string, unknown>, currency: Currency): TokenPayment {
  const token = requiredId(biz, 'token', 256);
  const merchantUserId = requiredId(biz, 'merchantUserId', 64);
  const pm = biz.paymentMethod;
  if (!isRecord(pm)) param('paymentMethod', 'is missing');
  const type = pm.type;
  if (typeof type !== 'string' || !Object.hasOwn(TOKEN_METHOD_CURRENCY, type)) {
    param('paymentMethod.type', `must be one of ${Object.keys(TOKEN_METHOD_CURRENCY).join(', ')}`);
  }
  const expected = TOKEN_METHOD_CURRENCY[type];
  if (currency !== expected) param('currency', `must be ${String(expected)} for ${type}`);
  return { methodType: type, token, merchantUserId };
}

/** paymentMethod.type of a CodeGrant sign-up. */
export function bindMethodOf(biz: Record<string, unknown>): string {
  const pm = biz.paymentMethod;
  if (!isRecord(pm)) param('paymentMethod', 'is missing');
  const type = pm.type;
  if (typeof type !== 'string' || !Object.hasOwn(TOKEN_METHOD_CURRENCY, type)) {
    param('paymentMethod.type', `must be one of ${Object.keys(TOKEN_METHOD_CURRENCY).join(', ')}`);
  }
  return type;
}
