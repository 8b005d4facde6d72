/**
 * What a scan is (payment-codes.md): a WeChat Pay or Alipay payment code the terminal can
 * charge, or something else, with the reason it cannot be charged in words a cashier
 * understands. Codes are strings from end to end: 18–24 digit codes exceed 2^53.
 */
import {
  METHODS,
  methodCurrency,
  methodFor,
  type CodeCurrency,
  type PaymentMethod,
  type Region,
  type Wallet,
} from './paymentMethods.ts';

export type { CodeCurrency, PaymentMethod, Region } from './paymentMethods.ts';

export type CodeRejection =
  /** Nothing but whitespace (or only a symbology id) was read. */
  | 'empty'
  /** Letters in the scan: a QR code with text, a Code 128 label, a typed word. */
  | 'letters'
  /** Digits mixed with punctuation or other non-digit characters. */
  | 'symbols'
  | 'too-short'
  | 'too-long'
  /** `62…`: UnionPay QuickPass, which this gateway's offline methods do not accept. */
  | 'unionpay'
  /** An EAN-13 / EAN-8 / UPC-A product barcode scanned by mistake. */
  | 'product-barcode'
  /** A web link (or another `scheme://` link) read from a QR code. */
  | 'url'
  /** Digits of a plausible length whose prefix belongs to no accepted wallet. */
  | 'unknown-prefix'
  /** The per-sale method override names the other wallet. */
  | 'override-mismatch';

export interface ClassifyOptions {
  /** The store's region: decides which Alipay method an Alipay code is (paymentMethods.ts). */
  region: Region;
  /** The cashier's per-sale choice of method. */
  override?: PaymentMethod;
}

export type ClassifyResult =
  | {
      ok: true;
      /** The digits to send as `paymentMethod.scanCodeId`. */
      code: string;
      method: PaymentMethod;
      currency: CodeCurrency;
      /** The AIM symbology id the scanner sent in front of the data (e.g. `]Q1`). */
      symbology?: string;
    }
  | { ok: false; rejection: CodeRejection; message: string };

/**
 * The payment-code rules (payment-codes.md), tried in order, as Odoo's barcode rules: a scan
 * in the rule's `encoding` whose first two digits fall in `prefix` is a code of `wallet` and
 * must have `length` digits. The classifier below and the simulator's validation
 * (electron/simulator/validation.ts, through `isCodeOf`) both read them.
 */
export interface PaymentCodeRule {
  wallet: Wallet;
  /** What a cashier calls the wallet's code, bare and with its article. */
  name: string;
  a: string;
  /** ASCII digits only (the wallets' codes are digits; the only encoding so far). */
  encoding: 'digits';
  /** The first two digits, from–to inclusive. */
  prefix: { from: number; to: number };
  /** How many digits, min–max inclusive. */
  length: { min: number; max: number };
}

export const PAYMENT_CODE_RULES: readonly PaymentCodeRule[] = [
  {
    wallet: 'wechat',
    name: 'WeChat Pay',
    a: 'a WeChat Pay',
    encoding: 'digits',
    prefix: { from: 10, to: 15 },
    length: { min: 18, max: 18 },
  },
  {
    wallet: 'alipay',
    name: 'Alipay',
    a: 'an Alipay',
    encoding: 'digits',
    prefix: { from: 25, to: 30 },
    length: { min: 16, max: 24 },
  },
];

/** What each encoding of a rule allows, the whole code. */
const ENCODINGS: Readonly<Record<PaymentCodeRule['encoding'], RegExp>> = { digits: /^[0-9]+$/ };

/** Shortest and longest code of any accepted wallet. */
const CODE_MIN = Math.min(...PAYMENT_CODE_RULES.map((rule) => rule.length.min));
const CODE_MAX = Math.max(...PAYMENT_CODE_RULES.map((rule) => rule.length.max));

/** "18", "16–24". */
function range(from: number, to: number): string {
  return from === to ? String(from) : `${from}–${to}`;
}

/** The rule whose prefix `digits` (digits only) starts with, if any. */
function ruleByPrefix(digits: string): PaymentCodeRule | undefined {
  if (digits.length < 2) return undefined;
  const prefix = Number(digits.slice(0, 2));
  return PAYMENT_CODE_RULES.find((rule) => prefix >= rule.prefix.from && prefix <= rule.prefix.to);
}

/** Whether `code` (as sent, nothing stripped) is one the rules allow for `method`'s wallet. */
export function isCodeOf(method: PaymentMethod, code: string): boolean {
  const rule = ruleByPrefix(code);
  return (
    rule !== undefined &&
    rule.wallet === METHODS[method].wallet &&
    ENCODINGS[rule.encoding].test(code) &&
    code.length >= rule.length.min &&
    code.length <= rule.length.max
  );
}

/** "a payment code has 16–24 (WeChat Pay 18)": every rule's length that is not the span's. */
const ANY_CODE_LENGTH = ((): string => {
  const others = PAYMENT_CODE_RULES.filter(
    (r) => r.length.min !== CODE_MIN || r.length.max !== CODE_MAX,
  ).map((r) => `${r.name} ${range(r.length.min, r.length.max)}`);
  return `a payment code has ${range(CODE_MIN, CODE_MAX)}${others.length ? ` (${others.join(', ')})` : ''}`;
})();

const ASK_FOR_PAY_SCREEN =
  'Ask the customer to open the Pay screen in WeChat or Alipay and scan the code there.';

/** Leading/trailing whitespace, CR, LF, Tab and the NUL padding some HID scanners leave. */
const SURROUNDING = /^[\s\0]+|[\s\0]+$/g;
/** AIM symbology identifier: `]`, a code letter, a modifier character. */
const AIM_ID = /^\][A-Za-z][0-9A-Za-z]/;

/**
 * Removes surrounding whitespace and a leading AIM symbology id (`]Q1`, `]E0`, `]C0`…).
 * Scanner drivers reuse this so that every source hands the classifier the same text.
 */
export function stripAimId(raw: string): { text: string; symbology?: string } {
  const trimmed = raw.replace(SURROUNDING, '');
  const aim = AIM_ID.exec(trimmed);
  if (!aim) return { text: trimmed };
  return { text: trimmed.slice(aim[0].length).replace(SURROUNDING, ''), symbology: aim[0] };
}

/**
 * Masks a payment code for storage and logs: the first 6 and last 4 characters stay, the
 * rest become `*`. Shorter strings (below a real code's 16 digits) keep at most a fifth at
 * each end, so they stay mostly masked; the length is always preserved.
 */
export function maskCode(code: string): string {
  const chars = Array.from(code);
  const n = chars.length;
  const [head, tail] = n >= CODE_MIN ? [6, 4] : [Math.floor(n / 5), Math.floor(n / 5)];
  return (
    chars.slice(0, head).join('') + '*'.repeat(n - head - tail) + chars.slice(n - tail).join('')
  );
}

function reject(rejection: CodeRejection, message: string): ClassifyResult {
  return { ok: false, rejection, message };
}

/**
 * A scanned text quoted in a message: control characters shown as spaces, any long run of
 * digits (possibly a payment code) masked, and shortened so a long QR payload stays readable.
 */
function quote(text: string): string {
  // A run counts even when the wallet's groups are kept ("1301 2345 …", "1301-2345-…").
  const safe = text
    .replace(/\p{Cc}/gu, ' ')
    .replace(/[0-9](?:[ -]?[0-9]){11,}/g, (run) => maskCode(run));
  const chars = Array.from(safe);
  return chars.length <= 32 ? `"${chars.join('')}"` : `"${chars.slice(0, 29).join('')}…"`;
}

/** GS1 check digit (EAN-8, UPC-A, EAN-13): weights 3,1,3,… from the right, excluding it. */
function hasGs1CheckDigit(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 2, weight = 3; i >= 0; i -= 1, weight = 4 - weight) {
    sum += Number(digits[i]) * weight;
  }
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

function productBarcodeName(length: number): string {
  if (length === 8) return 'EAN-8';
  if (length === 12) return 'UPC-A';
  if (length === 13) return 'EAN-13';
  return 'EAN/UPC';
}

function isProductBarcode(digits: string, symbology: string | undefined): boolean {
  // `]E…` is the EAN/UPC family whatever the length (`]E0` EAN-13/UPC-A, `]E4` EAN-8).
  if (symbology !== undefined && symbology[1] === 'E') return true;
  const n = digits.length;
  return (n === 8 || n === 12 || n === 13) && hasGs1CheckDigit(digits);
}

function lengthMessage(kind: 'too-short' | 'too-long', digits: string, expected: string): string {
  const n = digits.length;
  const read = kind === 'too-short' ? `Only ${n} digits were read` : `${n} digits were read`;
  return `${read} (${maskCode(digits)}), but ${expected}. Scan the customer's code again.`;
}

/**
 * Classifies what a scanner (or the cashier) produced. `raw` may still carry the scanner's
 * AIM id and CR/LF suffix. A code the wallet shows with spaces ("1301 2345 …", typed by hand)
 * is accepted (tabs and line breaks inside are not); full-width digits from a Chinese IME are
 * read as digits.
 */
export function classifyPaymentCode(raw: string, options: ClassifyOptions): ClassifyResult {
  const { text, symbology } = stripAimId(raw.normalize('NFKC'));
  const withSymbology = symbology === undefined ? {} : { symbology };

  if (text === '') return reject('empty', `Nothing was scanned. ${ASK_FOR_PAY_SCREEN}`);

  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) {
    return reject(
      'url',
      `The QR code is a web link (${quote(text)}), not a payment code. ${ASK_FOR_PAY_SCREEN}`,
    );
  }

  // The wallet shows its code in groups of four; a cashier typing it may keep the spaces.
  const compact = text.replace(/ +/g, '');
  if (/\p{L}/u.test(compact)) {
    return reject(
      'letters',
      `The scan ${quote(text)} contains letters; a payment code is digits only. ${ASK_FOR_PAY_SCREEN}`,
    );
  }
  if (!/^[0-9]+$/.test(compact)) {
    return reject(
      'symbols',
      `The scan ${quote(text)} contains characters other than digits; a payment code is digits only. ${ASK_FOR_PAY_SCREEN}`,
    );
  }
  const digits = compact;
  const n = digits.length;

  if (isProductBarcode(digits, symbology)) {
    return reject(
      'product-barcode',
      `This is a product barcode (${productBarcodeName(n)} ${n <= 13 ? digits : maskCode(digits)}), not a payment code. Scan the code on the customer's phone instead.`,
    );
  }

  const rule = ruleByPrefix(digits);
  if (rule !== undefined) {
    const expected = `${rule.a} code has ${range(rule.length.min, rule.length.max)}`;
    if (n < rule.length.min) {
      return reject('too-short', lengthMessage('too-short', digits, expected));
    }
    if (n > rule.length.max) return reject('too-long', lengthMessage('too-long', digits, expected));
  } else if (n < CODE_MIN) {
    return reject('too-short', lengthMessage('too-short', digits, ANY_CODE_LENGTH));
  } else if (digits.startsWith('62')) {
    return reject(
      'unionpay',
      `This is a UnionPay QuickPass code (${maskCode(digits)}). This terminal takes only WeChat Pay and Alipay: ask the customer to pay another way.`,
    );
  } else if (n > CODE_MAX) {
    return reject('too-long', lengthMessage('too-long', digits, ANY_CODE_LENGTH));
  } else {
    const names = PAYMENT_CODE_RULES.map((r) => r.name).join(' or ');
    const prefixes = PAYMENT_CODE_RULES.map((r) => range(r.prefix.from, r.prefix.to)).join(' or ');
    return reject(
      'unknown-prefix',
      `The code ${maskCode(digits)} is not a ${names} payment code (those start with ${prefixes}). ${ASK_FOR_PAY_SCREEN}`,
    );
  }

  let method = methodFor(rule.wallet, options.region);
  const override = options.override;
  if (override !== undefined && override !== method) {
    if (METHODS[override].wallet !== rule.wallet) {
      return reject(
        'override-mismatch',
        `This is ${METHODS[method].a} code, but this sale was set to ${METHODS[override].name}. Ask the customer for ${METHODS[override].a} code, or change the payment method.`,
      );
    }
    method = override;
  }
  return { ok: true, code: digits, method, currency: methodCurrency(method), ...withSymbology };
}
