import { describe, expect, it } from 'vitest';
import {
  CURRENCIES,
  defaultCeilingMinor,
  formatForDisplay,
  formatForGateway,
  isCurrency,
  minorDigits,
  parseAmount,
  parseGatewayAmount,
  type AmountRejection,
  type Currency,
} from '../../shared/money.ts';

describe('currencies', () => {
  it('knows the minor digits of each currency', () => {
    expect(minorDigits('CNY')).toBe(2);
    expect(minorDigits('HKD')).toBe(2);
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KRW')).toBe(0);
  });

  it('recognises currency codes and nothing else', () => {
    for (const code of Object.keys(CURRENCIES)) expect(isCurrency(code)).toBe(true);
    for (const other of ['EUR', 'cny', '', 'toString', 'constructor', 42, null, undefined]) {
      expect(isCurrency(other)).toBe(false);
    }
  });
});

describe('parseAmount: what the cashier types', () => {
  const cases: [typed: string, currency: Currency, minor: number][] = [
    ['12.50', 'CNY', 1250],
    ['12.5', 'HKD', 1250],
    ['12', 'USD', 1200],
    ['0.02', 'CNY', 2],
    ['.5', 'CNY', 50],
    ['7.', 'HKD', 700],
    [' 3 ', 'CNY', 300],
    ['1,200', 'HKD', 120000],
    ['12,345.67', 'USD', 1234567],
    ['12.500', 'CNY', 1250],
    ['007.10', 'CNY', 710],
    ['+5', 'HKD', 500],
    ['１２．５', 'CNY', 1250],
    ['1200', 'JPY', 1200],
    ['1,200', 'JPY', 1200],
    ['5000', 'KRW', 5000],
    ['3.0', 'JPY', 3],
  ];
  it.each(cases)('%j %s -> %i', (typed, currency, minor) => {
    expect(parseAmount(typed, currency)).toEqual({ ok: true, minor });
  });
});

describe('parseAmount: every rejection has its own reason', () => {
  const cases: [typed: string, currency: Currency, rejection: AmountRejection][] = [
    ['', 'CNY', 'empty'],
    ['   ', 'HKD', 'empty'],
    ['abc', 'CNY', 'not-a-number'],
    ['12a', 'CNY', 'not-a-number'],
    ['.', 'CNY', 'not-a-number'],
    ['1.2.3', 'CNY', 'not-a-number'],
    ['1e3', 'USD', 'not-a-number'],
    ['12,5', 'HKD', 'not-a-number'],
    ['1,20', 'HKD', 'not-a-number'],
    ['12 50', 'CNY', 'not-a-number'],
    ['0', 'CNY', 'zero'],
    ['0.00', 'HKD', 'zero'],
    ['0', 'JPY', 'zero'],
    ['-5', 'CNY', 'negative'],
    ['-0.01', 'HKD', 'negative'],
    ['1.234', 'CNY', 'too-many-decimals'],
    ['0.001', 'USD', 'too-many-decimals'],
    ['1.5', 'JPY', 'too-many-decimals'],
    ['100.1', 'KRW', 'too-many-decimals'],
    ['50000.01', 'CNY', 'above-ceiling'],
    ['5000001', 'JPY', 'above-ceiling'],
    ['9999999999999999', 'HKD', 'above-ceiling'],
  ];
  it.each(cases)('%j %s -> %s', (typed, currency, rejection) => {
    const result = parseAmount(typed, currency);
    expect(result).toMatchObject({ ok: false, rejection });
    expect(result.ok || result.message.length > 0).toBe(true);
  });

  it('rejects a currency it does not know', () => {
    expect(parseAmount('1', 'EUR' as Currency)).toMatchObject({
      ok: false,
      rejection: 'unknown-currency',
    });
  });

  it('says how many decimals the currency allows', () => {
    const cny = parseAmount('1.234', 'CNY');
    const jpy = parseAmount('1.5', 'JPY');
    expect(cny.ok || cny.message).toMatch(/2 decimal/);
    expect(jpy.ok || jpy.message).toMatch(/no decimal/);
  });
});

describe('parseAmount: ceiling', () => {
  it('accepts exactly the default ceiling and refuses one minor unit more', () => {
    for (const currency of ['CNY', 'HKD', 'USD', 'JPY', 'KRW'] as const) {
      const ceiling = defaultCeilingMinor(currency);
      const atCeiling = formatForGateway(ceiling, currency);
      const above = formatForGateway(ceiling + 1, currency);
      expect(parseAmount(atCeiling, currency)).toEqual({ ok: true, minor: ceiling });
      expect(parseAmount(above, currency)).toMatchObject({ ok: false, rejection: 'above-ceiling' });
    }
  });

  it('follows a ceiling the store configured, and names it in the message', () => {
    const options = { ceilingMinor: 100_00 };
    expect(parseAmount('100', 'HKD', options)).toEqual({ ok: true, minor: 10000 });
    const over = parseAmount('100.01', 'HKD', options);
    expect(over).toMatchObject({ ok: false, rejection: 'above-ceiling' });
    expect(over.ok || over.message).toContain('HK$100.00');
    expect(parseAmount('300', 'JPY', { ceilingMinor: 200 })).toMatchObject({
      ok: false,
      rejection: 'above-ceiling',
    });
  });
});

describe('formatting', () => {
  const cases: [minor: number, currency: Currency, gateway: string, display: string][] = [
    [1250, 'HKD', '12.50', 'HK$12.50'],
    [2, 'CNY', '0.02', '¥0.02'],
    [0, 'CNY', '0.00', '¥0.00'],
    [123450, 'HKD', '1234.50', 'HK$1,234.50'],
    [100, 'USD', '1.00', 'US$1.00'],
    [123456789, 'USD', '1234567.89', 'US$1,234,567.89'],
    [1200, 'JPY', '1200', 'JP¥1,200'],
    [7, 'JPY', '7', 'JP¥7'],
    [5000000, 'KRW', '5000000', '₩5,000,000'],
    [-1250, 'CNY', '-12.50', '-¥12.50'],
  ];
  it.each(cases)('%i %s -> %s / %s', (minor, currency, gateway, display) => {
    expect(formatForGateway(minor, currency)).toBe(gateway);
    expect(formatForDisplay(minor, currency)).toBe(display);
  });

  it('refuses a fractional or unsafe minor amount instead of sending a wrong one', () => {
    expect(() => formatForGateway(12.5, 'CNY')).toThrow(RangeError);
    expect(() => formatForGateway(Number.MAX_SAFE_INTEGER + 1, 'JPY')).toThrow(RangeError);
  });
});

describe('round trips', () => {
  const samples = [1, 2, 9, 10, 99, 100, 101, 1250, 99999, 100000, 4_999_999, 5_000_000];
  for (const currency of ['CNY', 'HKD', 'USD', 'JPY', 'KRW'] as const) {
    it(`${currency}: minor -> gateway string -> minor, and typed -> minor -> gateway`, () => {
      for (const minor of samples) {
        const text = formatForGateway(minor, currency);
        expect(parseAmount(text, currency)).toEqual({ ok: true, minor });
        expect(parseGatewayAmount(text, currency)).toEqual({ ok: true, minor });
        const shown = formatForDisplay(minor, currency);
        const typed = shown.replace(CURRENCIES[currency].symbol, '');
        expect(parseAmount(typed, currency)).toEqual({ ok: true, minor });
      }
    });
  }
});

describe('parseGatewayAmount: amounts the gateway sends back', () => {
  const accepted: [text: string, currency: Currency, minor: number][] = [
    ['100.000000', 'CNY', 10000],
    ['0.020000', 'CNY', 2],
    ['12.5', 'HKD', 1250],
    ['1200', 'JPY', 1200],
    ['1200.000000', 'JPY', 1200],
    ['5000', 'KRW', 5000],
    ['0', 'USD', 0],
  ];
  it.each(accepted)('%j %s -> %i', (text, currency, minor) => {
    expect(parseGatewayAmount(text, currency)).toEqual({ ok: true, minor });
  });

  const refused: [text: string, currency: Currency][] = [
    ['100.001000', 'CNY'],
    ['1200.5', 'JPY'],
    ['', 'CNY'],
    ['abc', 'HKD'],
    ['-1.00', 'CNY'],
    ['1,200.00', 'USD'],
    ['1e3', 'USD'],
    ['99999999999999999999.00', 'CNY'],
    ['9007199254740993', 'JPY'],
  ];
  it.each(refused)('refuses %j %s', (text, currency) => {
    const result = parseGatewayAmount(text, currency);
    expect(result.ok).toBe(false);
    expect(result.ok || result.message).toContain(text === '' ? '""' : text);
  });
});
