/**
 * What a scan is (payment-codes.md): a WeChat Pay or Alipay payment code the terminal can
 * charge, or something else, with the reason it cannot be charged in words a cashier
 * understands. Codes are strings from end to end: 18–24 digit codes exceed 2^53.
 */

export type Region = 'CN' | 'HK';
export type PaymentMethod = 'Wechat-Offline' | 'AlipayCN-Offline' | 'AlipayHK-Offline';
export type CodeCurrency = 'CNY' | 'HKD';

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
  /** The store's region: decides AlipayCN-Offline (CN) or AlipayHK-Offline (HK). */
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

/** The gateway's method table: each offline method takes exactly one currency. */
export const METHOD_CURRENCY: Readonly<Record<PaymentMethod, CodeCurrency>> = {
  'Wechat-Offline': 'CNY',
  'AlipayCN-Offline': 'CNY',
  'AlipayHK-Offline': 'HKD',
};

/** How a cashier names each method, with its article. */
const METHOD_LABEL: Record<PaymentMethod, { name: string; a: string }> = {
  'Wechat-Offline': { name: 'WeChat Pay', a: 'a WeChat Pay' },
  'AlipayCN-Offline': { name: 'Alipay (mainland)', a: 'an Alipay (mainland)' },
  'AlipayHK-Offline': { name: 'AlipayHK', a: 'an AlipayHK' },
};

const WECHAT_LENGTH = 18;
const ALIPAY_MIN = 16;
const ALIPAY_MAX = 24;
/** Shortest and longest code of any accepted wallet. */
const CODE_MIN = ALIPAY_MIN;
const CODE_MAX = ALIPAY_MAX;

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

  const prefix = Number(digits.slice(0, 2));
  let detected: 'wechat' | 'alipay';
  if (n >= 2 && prefix >= 10 && prefix <= 15) {
    if (n < WECHAT_LENGTH) {
      return reject('too-short', lengthMessage('too-short', digits, 'a WeChat Pay code has 18'));
    }
    if (n > WECHAT_LENGTH) {
      return reject('too-long', lengthMessage('too-long', digits, 'a WeChat Pay code has 18'));
    }
    detected = 'wechat';
  } else if (n >= 2 && prefix >= 25 && prefix <= 30) {
    if (n < ALIPAY_MIN) {
      return reject('too-short', lengthMessage('too-short', digits, 'an Alipay code has 16–24'));
    }
    if (n > ALIPAY_MAX) {
      return reject('too-long', lengthMessage('too-long', digits, 'an Alipay code has 16–24'));
    }
    detected = 'alipay';
  } else if (n < CODE_MIN) {
    return reject(
      'too-short',
      lengthMessage('too-short', digits, 'a payment code has 16–24 (WeChat Pay 18)'),
    );
  } else if (digits.startsWith('62')) {
    return reject(
      'unionpay',
      `This is a UnionPay QuickPass code (${maskCode(digits)}). This terminal takes only WeChat Pay and Alipay: ask the customer to pay another way.`,
    );
  } else if (n > CODE_MAX) {
    return reject(
      'too-long',
      lengthMessage('too-long', digits, 'a payment code has 16–24 (WeChat Pay 18)'),
    );
  } else {
    return reject(
      'unknown-prefix',
      `The code ${maskCode(digits)} is not a WeChat Pay or Alipay payment code (those start with 10–15 or 25–30). ${ASK_FOR_PAY_SCREEN}`,
    );
  }

  const regional: PaymentMethod = options.region === 'HK' ? 'AlipayHK-Offline' : 'AlipayCN-Offline';
  let method: PaymentMethod = detected === 'wechat' ? 'Wechat-Offline' : regional;
  const override = options.override;
  if (override !== undefined && override !== method) {
    const overrideIsWechat = override === 'Wechat-Offline';
    if (overrideIsWechat !== (detected === 'wechat')) {
      return reject(
        'override-mismatch',
        `This is ${METHOD_LABEL[method].a} code, but this sale was set to ${METHOD_LABEL[override].name}. Ask the customer for ${METHOD_LABEL[override].a} code, or change the payment method.`,
      );
    }
    method = override;
  }
  return { ok: true, code: digits, method, currency: METHOD_CURRENCY[method], ...withSymbology };
}
