/**
 * The amount as the cashier types it: digits and one '.', never more decimals than the
 * currency has. Pure string logic (no floating point); the terminal parses the final text.
 */
import { CURRENCIES, minorDigits, type Currency } from '../../../shared/money.ts';

/** Why a keystroke was refused: a translation key and its parameters. */
export interface EntryHint {
  key: 'amount.hintDecimals' | 'amount.hintNoDecimals' | 'amount.hintTooLong';
  params: Record<string, string | number>;
}

export interface EntryResult {
  text: string;
  /** Why a keystroke was refused (shown under the amount), else null. */
  hint: EntryHint | null;
}

/** Whole-number digits an amount may have (far above any till's ceiling). */
export const MAX_WHOLE_DIGITS = 9;

/** Types `chars` into `text`: digits and '.' (a numpad ',' counts as '.'); others ignored. */
export function typeAmountChars(text: string, chars: string, currency: Currency): EntryResult {
  let current = text;
  let hint: EntryHint | null = null;
  const digits = minorDigits(currency);
  for (const raw of chars) {
    const char = raw === ',' ? '.' : raw;
    const dot = current.indexOf('.');
    if (char === '.') {
      if (digits === 0) hint = { key: 'amount.hintNoDecimals', params: { currency } };
      else if (dot === -1) current = current === '' ? '0.' : `${current}.`;
      continue;
    }
    if (!/^[0-9]$/.test(char)) continue;
    if (dot !== -1) {
      if (current.length - dot - 1 >= digits) {
        hint = { key: 'amount.hintDecimals', params: { currency, count: digits } };
        continue;
      }
      current += char;
      continue;
    }
    if (current === '0') {
      current = char;
      continue;
    }
    if (current.length >= MAX_WHOLE_DIGITS) {
      hint = { key: 'amount.hintTooLong', params: {} };
      continue;
    }
    current += char;
  }
  return { text: current, hint };
}

export function backspaceAmount(text: string): string {
  const shorter = text.slice(0, -1);
  return shorter === '0' && text === '0.' ? '' : shorter;
}

/**
 * The entry as shown: what was typed, grouped and with the currency symbol (`typed`), and
 * the decimals still to come, shown dimmed (`rest`): "12.5" in HKD → "HK$12.5" + "0".
 * Together they read as the amount that will be charged: "HK$12.50".
 */
export function formatEntry(text: string, currency: Currency): { typed: string; rest: string } {
  const digits = minorDigits(currency);
  const symbol = CURRENCIES[currency].symbol;
  const [whole = '', fraction] = text.split('.');
  const grouped = (whole === '' ? '0' : whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (text === '') return { typed: symbol, rest: digits ? `0.${'0'.repeat(digits)}` : '0' };
  if (fraction === undefined) {
    return { typed: `${symbol}${grouped}`, rest: digits ? `.${'0'.repeat(digits)}` : '' };
  }
  return {
    typed: `${symbol}${grouped}.${fraction}`,
    rest: '0'.repeat(Math.max(0, digits - fraction.length)),
  };
}
