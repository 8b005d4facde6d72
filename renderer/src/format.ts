import { formatForDisplay, type Currency } from '../../shared/money.ts';

export { localDay } from '../../shared/sale.ts';

export function money(minor: number, currency: Currency): string {
  return formatForDisplay(minor, currency);
}

export function time(epochMs: number, language: string): string {
  return new Date(epochMs).toLocaleTimeString(language, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** Whole seconds left, rounded up so "1 s" shows until the very end. */
export function secondsLeft(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}
