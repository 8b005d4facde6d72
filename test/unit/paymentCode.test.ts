import { describe, expect, it } from 'vitest';
import {
  classifyPaymentCode,
  maskCode,
  stripAimId,
  type ClassifyOptions,
  type CodeRejection,
  type PaymentMethod,
} from '../../shared/paymentCode.ts';

/** A digit string of `length` starting with `prefix` (filler chosen to look like a real code). */
function code(prefix: string, length: number): string {
  return (prefix + '7340918265'.repeat(4)).slice(0, length);
}

const CN: ClassifyOptions = { region: 'CN' };
const HK: ClassifyOptions = { region: 'HK' };

type Accepted = [label: string, raw: string, method: PaymentMethod, currency: 'CNY' | 'HKD'];
type Rejected = [label: string, raw: string, rejection: CodeRejection];

describe('classifyPaymentCode: accepted codes (region CN)', () => {
  const cases: Accepted[] = [
    ...['10', '11', '12', '13', '14', '15'].map((p): Accepted => [
      `WeChat prefix ${p}, 18 digits`,
      code(p, 18),
      'Wechat-Offline',
      'CNY',
    ]),
    ...['25', '26', '27', '28', '29', '30'].map((p): Accepted => [
      `Alipay prefix ${p}, 18 digits`,
      code(p, 18),
      'AlipayCN-Offline',
      'CNY',
    ]),
    ...[16, 17, 19, 20, 23, 24].map((n): Accepted => [
      `Alipay ${n} digits`,
      code('28', n),
      'AlipayCN-Offline',
      'CNY',
    ]),
  ];
  it.each(cases)('%s', (_label, raw, method, currency) => {
    expect(classifyPaymentCode(raw, CN)).toEqual({ ok: true, code: raw, method, currency });
  });
});

describe('classifyPaymentCode: rejected scans (region CN)', () => {
  const cases: Rejected[] = [
    // WeChat is exactly 18 digits.
    ['WeChat prefix, 15 digits', code('13', 15), 'too-short'],
    ['WeChat prefix, 16 digits', code('13', 16), 'too-short'],
    ['WeChat prefix, 17 digits', code('13', 17), 'too-short'],
    ['WeChat prefix, 19 digits', code('13', 19), 'too-long'],
    ['WeChat prefix, 24 digits', code('10', 24), 'too-long'],
    // Alipay is 16–24 digits.
    ['Alipay prefix, 15 digits', code('25', 15), 'too-short'],
    ['Alipay prefix, 25 digits', code('30', 25), 'too-long'],
    // Prefix edges just outside the accepted ranges.
    ['prefix 09, 18 digits', code('09', 18), 'unknown-prefix'],
    ['prefix 16, 18 digits', code('16', 18), 'unknown-prefix'],
    ['prefix 24, 18 digits', code('24', 18), 'unknown-prefix'],
    ['prefix 24, 16 digits', code('24', 16), 'unknown-prefix'],
    ['prefix 31, 18 digits', code('31', 18), 'unknown-prefix'],
    ['prefix 31, 24 digits', code('31', 24), 'unknown-prefix'],
    ['prefix 09, 15 digits', code('09', 15), 'too-short'],
    ['prefix 31, 25 digits', code('31', 25), 'too-long'],
    ['a single digit', '1', 'too-short'],
    // UnionPay QuickPass.
    ['UnionPay 19 digits', code('62', 19), 'unionpay'],
    ['UnionPay 16 digits', code('62', 16), 'unionpay'],
    // Product barcodes.
    ['EAN-13', '6901234567892', 'product-barcode'],
    ['EAN-13 starting 62', '6291041500213', 'product-barcode'],
    ['UPC-A', '036000291452', 'product-barcode'],
    ['EAN-8', '96385074', 'product-barcode'],
    ['EAN-13 with its AIM id', ']E06901234567892', 'product-barcode'],
    ['EAN-8 with its AIM id', ']E496385074', 'product-barcode'],
    ['13 digits with a wrong check digit', '6901234567891', 'too-short'],
    // Text from a QR code.
    ['https URL', 'https://qr.alipay.com/fkx12345abc', 'url'],
    ['http URL in capitals', 'HTTP://EXAMPLE.COM/PAY', 'url'],
    ['WeChat payee link', 'weixin://wxpay/bizpayurl?pr=abc123', 'url'],
    ['URL after a QR AIM id', ']Q1https://example.com/', 'url'],
    ['letters only', 'HELLO', 'letters'],
    ['a code with one letter', `${code('13', 17)}X`, 'letters'],
    ['Code 128 label', ']C0AB-12345', 'letters'],
    ['digits and a dash', '1345-6789-0123-4567', 'symbols'],
    ['digits and a decimal point', '13456789012345.678', 'symbols'],
    ['two codes on two lines', `${code('13', 18)}\n${code('13', 18)}`, 'symbols'],
    ['a tab inside the digits', `${code('13', 9)}\t${code('01', 9)}`, 'symbols'],
    // Nothing at all.
    ['empty', '', 'empty'],
    ['spaces only', '   ', 'empty'],
    ['line break only', '\r\n', 'empty'],
    ['an AIM id and nothing else', ']Q1\r\n', 'empty'],
  ];
  it.each(cases)('%s', (_label, raw, rejection) => {
    const result = classifyPaymentCode(raw, CN);
    expect(result).toMatchObject({ ok: false, rejection });
  });
});

describe('classifyPaymentCode: scanner framing', () => {
  const wechat = code('13', 18);
  const cases: [label: string, raw: string, symbology?: string][] = [
    ['leading and trailing spaces', `  ${wechat}  `],
    ['CR LF suffix', `${wechat}\r\n`],
    ['Tab suffix', `${wechat}\t`],
    ['NUL padding from a HID report', `${wechat}\0\0\0`],
    ['QR AIM id', `]Q1${wechat}`, ']Q1'],
    ['Code 128 AIM id with CR', `]C0${wechat}\r`, ']C0'],
    ['AIM id after leading whitespace', ` \t]Q1${wechat}\n`, ']Q1'],
    ['typed with the spaces the wallet shows', '1373 4091 8265 7340 91'],
    ['full-width digits from a Chinese IME', '１３７３４０９１８２６５７３４０９１'],
  ];
  it.each(cases)('%s', (_label, raw, symbology) => {
    const result = classifyPaymentCode(raw, CN);
    const expected = {
      ok: true,
      code: '137340918265734091',
      method: 'Wechat-Offline',
      currency: 'CNY',
      ...(symbology === undefined ? {} : { symbology }),
    };
    expect(result).toEqual(expected);
  });
});

describe('classifyPaymentCode: region and per-sale override', () => {
  const alipay = code('28', 18);
  const wechat = code('15', 18);
  const cases: [
    label: string,
    raw: string,
    options: ClassifyOptions,
    method: PaymentMethod,
    currency: 'CNY' | 'HKD',
  ][] = [
    ['Alipay in an HK store is AlipayHK in HKD', alipay, HK, 'AlipayHK-Offline', 'HKD'],
    ['Alipay 24 digits in an HK store', code('25', 24), HK, 'AlipayHK-Offline', 'HKD'],
    ['WeChat in an HK store stays Wechat-Offline CNY', wechat, HK, 'Wechat-Offline', 'CNY'],
    [
      'CN store, cashier switches the sale to AlipayHK',
      alipay,
      { region: 'CN', override: 'AlipayHK-Offline' },
      'AlipayHK-Offline',
      'HKD',
    ],
    [
      'HK store, cashier switches the sale to mainland Alipay',
      alipay,
      { region: 'HK', override: 'AlipayCN-Offline' },
      'AlipayCN-Offline',
      'CNY',
    ],
    [
      'override that agrees with the code',
      wechat,
      { region: 'HK', override: 'Wechat-Offline' },
      'Wechat-Offline',
      'CNY',
    ],
  ];
  it.each(cases)('%s', (_label, raw, options, method, currency) => {
    expect(classifyPaymentCode(raw, options)).toEqual({ ok: true, code: raw, method, currency });
  });

  it('refuses an Alipay code when the sale was set to WeChat Pay, and says so', () => {
    const result = classifyPaymentCode(alipay, { region: 'CN', override: 'Wechat-Offline' });
    expect(result).toMatchObject({ ok: false, rejection: 'override-mismatch' });
    if (result.ok) return;
    expect(result.message).toContain('Alipay');
    expect(result.message).toContain('WeChat Pay');
  });

  it('refuses a WeChat code when the sale was set to Alipay, whichever Alipay', () => {
    for (const override of ['AlipayCN-Offline', 'AlipayHK-Offline'] as const) {
      const result = classifyPaymentCode(wechat, { region: 'HK', override });
      expect(result).toMatchObject({ ok: false, rejection: 'override-mismatch' });
    }
  });
});

describe('classifyPaymentCode: codes stay exact strings', () => {
  it('keeps an 18-digit Alipay code beyond 2^53 digit for digit', () => {
    const raw = '289007199254740993'; // > Number.MAX_SAFE_INTEGER, not representable
    expect(String(Number(raw))).not.toBe(raw);
    const result = classifyPaymentCode(raw, CN);
    expect(result).toMatchObject({ ok: true, code: raw, method: 'AlipayCN-Offline' });
  });

  it('keeps a 24-digit code exact and returns it as a string', () => {
    const raw = '301234567890123456789019';
    const result = classifyPaymentCode(`]Q1${raw}\r\n`, HK);
    expect(result.ok && result.code).toBe(raw);
    expect(result.ok && typeof result.code).toBe('string');
  });

  it('keeps leading zeros after the prefix', () => {
    const raw = '130000000000000001';
    expect(classifyPaymentCode(raw, CN)).toMatchObject({ ok: true, code: raw });
  });
});

describe('classifyPaymentCode: messages a cashier can act on', () => {
  it('names a UnionPay code and hides most of its digits', () => {
    const raw = '6212345678901234567';
    const result = classifyPaymentCode(raw, CN);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toMatch(/UnionPay/);
    expect(result.message).not.toContain(raw);
    expect(result.message).toContain(maskCode(raw));
  });

  it('says a product barcode is a product barcode and shows its number', () => {
    const result = classifyPaymentCode(']E06901234567892', CN);
    if (result.ok) throw new Error('accepted a product barcode');
    expect(result.message).toMatch(/product barcode/i);
    expect(result.message).toContain('6901234567892');
  });

  it('says how many digits were read and how many a WeChat code has', () => {
    const result = classifyPaymentCode(code('13', 17), CN);
    if (result.ok) throw new Error('accepted a 17-digit WeChat code');
    expect(result.message).toContain('17 digits');
    expect(result.message).toContain('18');
  });

  it('says a URL is a web link and quotes it', () => {
    const result = classifyPaymentCode('https://qr.alipay.com/fkx1', CN);
    if (result.ok) throw new Error('accepted a URL');
    expect(result.message).toMatch(/web link/);
    expect(result.message).toContain('https://qr.alipay.com/fkx1');
  });

  it('does not spell out the digits of a code that was refused for a stray letter', () => {
    const raw = `${code('13', 18)}X`;
    const result = classifyPaymentCode(raw, CN);
    if (result.ok) throw new Error('accepted a code with a letter');
    expect(result.rejection).toBe('letters');
    expect(result.message).not.toContain(code('13', 18));
    expect(result.message).toContain(`${maskCode(code('13', 18))}X`);
  });

  it('does not spell out a code typed in groups or read as EAN when it is refused', () => {
    const full = code('13', 18);
    const grouped = full.replace(/(\d{4})(?=\d)/g, '$1 ');
    for (const raw of [`${grouped}X`, full.replace(/(\d{4})(?=\d)/g, '$1-'), `]E0${full}`]) {
      const result = classifyPaymentCode(raw, CN);
      if (result.ok) throw new Error(`accepted ${raw}`);
      const shownDigits = (result.message.match(/\d/g) ?? []).length;
      expect(shownDigits, result.message).toBeLessThanOrEqual(10);
    }
  });

  it('shortens a long QR payload in the message', () => {
    const long = `https://example.com/${'a'.repeat(500)}`;
    const result = classifyPaymentCode(long, CN);
    if (result.ok) throw new Error('accepted a URL');
    expect(result.message.length).toBeLessThan(250);
  });

  it('gives every rejection its own explanation', () => {
    const samples = [
      '',
      'HELLO',
      '12-34',
      code('13', 17),
      code('13', 19),
      code('62', 19),
      '6901234567892',
      'https://x.example/',
      code('31', 18),
    ];
    const messages = samples.map((raw) => {
      const result = classifyPaymentCode(raw, CN);
      if (result.ok) throw new Error(`accepted ${raw}`);
      expect(result.message.length).toBeGreaterThan(20);
      return result.message;
    });
    expect(new Set(messages).size).toBe(samples.length);
  });
});

describe('stripAimId', () => {
  const cases: [raw: string, expected: { text: string; symbology?: string }][] = [
    [']Q1123', { text: '123', symbology: ']Q1' }],
    ['  ]d2ABC\r\n', { text: 'ABC', symbology: ']d2' }],
    [']E0 6901234567892', { text: '6901234567892', symbology: ']E0' }],
    ['\t123 456\r\n', { text: '123 456' }],
    ['123', { text: '123' }],
    [']', { text: ']' }],
    [']1Q123', { text: ']1Q123' }],
    ['12]Q3', { text: '12]Q3' }],
    ['', { text: '' }],
  ];
  it.each(cases)('%j', (raw, expected) => {
    expect(stripAimId(raw)).toEqual(expected);
  });
});

describe('maskCode', () => {
  const cases: [input: string, masked: string][] = [
    ['134567890123456789', '134567********6789'],
    ['2812345678901234', '281234******1234'],
    ['301234567890123456789019', '301234**************9019'],
    ['123456789012345', '123*********345'],
    ['1234567890', '12******90'],
    ['12345', '1***5'],
    ['1234', '****'],
    ['', ''],
  ];
  it.each(cases)('%s -> %s', (input, masked) => {
    expect(maskCode(input)).toBe(masked);
    expect(maskCode(input)).toHaveLength(input.length);
  });

  it('leaves strings shorter than a real code mostly masked', () => {
    for (let n = 1; n < 16; n += 1) {
      const hidden = maskCode('9'.repeat(n)).split('*').length - 1;
      expect(hidden).toBeGreaterThanOrEqual(0.6 * n);
    }
  });
});
