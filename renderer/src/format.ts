import { formatForDisplay, type Currency } from '../../shared/money.ts';

export function money(minor: number, currency: Currency): string {
  return formatForDisplay(minor, currency);
}

/** The local calendar day of an epoch-ms time, as YYYY-MM-DD. */
export function localDay(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
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
