import { describe, expect, it } from 'vitest';
import {
  backspaceAmount,
  formatEntry,
  typeAmountChars,
} from '../../../renderer/src/state/amountEntry.ts';

const shown = (text: string, currency: Parameters<typeof formatEntry>[1]) => {
  const { typed, rest } = formatEntry(text, currency);
  return typed + rest;
};

describe('typing an amount', () => {
  it('takes digits and one decimal point, as the cashier types them', () => {
    expect(typeAmountChars('', '12.5', 'HKD')).toEqual({ text: '12.5', hint: null });
    expect(typeAmountChars('12.5', '.', 'HKD').text).toBe('12.5');
    expect(typeAmountChars('', '.5', 'CNY').text).toBe('0.5');
    expect(typeAmountChars('', '007', 'CNY').text).toBe('7');
  });

  it('reads a numpad comma as the decimal point and ignores letters', () => {
    expect(typeAmountChars('', '3,2a', 'CNY').text).toBe('3.2');
  });

  it('refuses a third decimal and says why', () => {
    const result = typeAmountChars('12.34', '5', 'HKD');
    expect(result.text).toBe('12.34');
    expect(result.hint).toEqual({
      key: 'amount.hintDecimals',
      params: { currency: 'HKD', count: 2 },
    });
  });

  it('refuses a decimal point for a currency without minor units', () => {
    const result = typeAmountChars('1200', '.5', 'JPY');
    expect(result.text).toBe('12005');
    expect(result.hint?.key).toBe('amount.hintNoDecimals');
  });

  it('stops at a sane number of digits', () => {
    const result = typeAmountChars('', '12345678901', 'CNY');
    expect(result.text).toBe('123456789');
    expect(result.hint?.key).toBe('amount.hintTooLong');
  });

  it('deletes the last character, and "0." as a whole', () => {
    expect(backspaceAmount('12.5')).toBe('12.');
    expect(backspaceAmount('0.')).toBe('');
    expect(backspaceAmount('')).toBe('');
  });
});

describe('showing the amount being typed', () => {
  it('formats it for the currency with the decimals still to come', () => {
    expect(shown('', 'CNY')).toBe('¥0.00');
    expect(shown('12', 'HKD')).toBe('HK$12.00');
    expect(shown('12.', 'HKD')).toBe('HK$12.00');
    expect(shown('12.5', 'HKD')).toBe('HK$12.50');
    expect(shown('1234567.89', 'CNY')).toBe('¥1,234,567.89');
    expect(shown('1200', 'JPY')).toBe('JP¥1,200');
  });

  it('keeps what was typed apart from the dimmed completion', () => {
    expect(formatEntry('12.5', 'HKD')).toEqual({ typed: 'HK$12.5', rest: '0' });
    expect(formatEntry('12', 'CNY')).toEqual({ typed: '¥12', rest: '.00' });
  });
});
