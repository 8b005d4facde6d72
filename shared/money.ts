/**
 * Money in integer minor units. The cashier types major units ("12.5"); the gateway wants a
 * decimal string in major units with the currency's minor digits ("12.50"); the journal and
 * every calculation use integer minor units (1250).
 */

/** The currencies the terminal knows (the contract's zod enum derives from this list). */
export const CURRENCY_CODES = ['CNY', 'HKD', 'USD', 'JPY', 'KRW'] as const;
export type Currency = (typeof CURRENCY_CODES)[number];

export const CURRENCIES = {
  CNY: { minorDigits: 2, symbol: '¥' },
  HKD: { minorDigits: 2, symbol: 'HK$' },
  USD: { minorDigits: 2, symbol: 'US$' },
  JPY: { minorDigits: 0, symbol: 'JP¥' },
  KRW: { minorDigits: 0, symbol: '₩' },
} as const satisfies Record<Currency, { minorDigits: number; symbol: string }>;

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CURRENCIES, value);
}

export function minorDigits(currency: Currency): number {
  return CURRENCIES[currency].minorDigits;
}

export type AmountRejection =
  | 'empty'
  | 'not-a-number'
  | 'zero'
  | 'negative'
  | 'too-many-decimals'
  | 'above-ceiling'
  | 'unknown-currency';

export type AmountResult =
  { ok: true; minor: number } | { ok: false; rejection: AmountRejection; message: string };

/** Default ceiling when the store set none: 50,000.00 (2-digit) or 5,000,000 (0-digit). */
export function defaultCeilingMinor(_currency: Currency): number {
  return 5_000_000;
}

function reject(rejection: AmountRejection, message: string): AmountResult {
  return { ok: false, rejection, message };
}

/**
 * Parses what a cashier typed ("12.5", "12.50", "1,200", " 3 ") into minor units, with a
 * specific reason for every rejection. Never uses floating point.
 */
export function parseAmount(
  text: string,
  currency: Currency,
  options: { ceilingMinor?: number } = {},
): AmountResult {
  if (!isCurrency(currency))
    return reject('unknown-currency', `Unknown currency ${String(currency)}`);
  const digits = minorDigits(currency);
  // NFKC turns the full-width digits and "．" of a Chinese IME into ASCII.
  const trimmed = text.normalize('NFKC').trim();
  if (trimmed === '') return reject('empty', 'Enter an amount');
  if (trimmed.startsWith('-')) return reject('negative', 'The amount cannot be negative');
  // Commas only as thousands separators ("1,200"): "12,5" is not read as 125.
  const match = /^\+?(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/.exec(trimmed);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) {
    return reject('not-a-number', `"${text.trim()}" is not an amount: use digits and one "."`);
  }
  const whole = (match[1] ?? '').replace(/,/g, '') || '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) {
    return reject(
      'too-many-decimals',
      digits === 0
        ? `${currency} has no decimal places`
        : `${currency} has ${digits} decimal places at most`,
    );
  }
  if (whole.replace(/^0+/, '').length > 12) {
    return reject('above-ceiling', 'The amount is far too large');
  }
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  if (minor === 0) return reject('zero', 'The amount must be more than zero');
  const ceiling = options.ceilingMinor ?? defaultCeilingMinor(currency);
  if (minor > ceiling) {
    return reject(
      'above-ceiling',
      `The amount is above this till's limit of ${formatForDisplay(ceiling, currency)}`,
    );
  }
  return { ok: true, minor };
}

/** "12.50" for 1250 HKD, "1200" for 1200 JPY: the gateway's amount string. */
export function formatForGateway(minor: number, currency: Currency): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount ${minor} is not an integer`);
  const digits = minorDigits(currency);
  const negative = minor < 0;
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = digits === 0 ? abs : abs.slice(0, -digits);
  const fraction = digits === 0 ? '' : `.${abs.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** "HK$1,234.50": what the cashier and the customer see. */
export function formatForDisplay(minor: number, currency: Currency): string {
  const plain = formatForGateway(Math.abs(minor), currency);
  const [whole = '0', fraction] = plain.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = minor < 0 ? '-' : '';
  return `${sign}${CURRENCIES[currency].symbol}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

export type GatewayAmountResult = { ok: true; minor: number } | { ok: false; message: string };

/**
 * Reads an amount the gateway sent ("100.000000", "12.5", "1200") exactly. Extra zero
 * digits are fine; a non-zero digit beyond the currency's minor digits is an error.
 */
export function parseGatewayAmount(text: string, currency: Currency): GatewayAmountResult {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return { ok: false, message: `"${text}" is not a gateway amount` };
  const digits = minorDigits(currency);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) {
    return { ok: false, message: `"${text}" has more decimals than ${currency} allows` };
  }
  const minor = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(minor)) return { ok: false, message: `"${text}" is too large` };
  return { ok: true, minor };
}
