/**
 * Identifiers sent to the gateway. merchantTransactionId is unique per store and ≤ 64 chars:
 * terminal id + UTC timestamp + random, so two tills of a store, a reinstalled journal or a
 * clock set back never reuse one. requestId names one attempt; merchantRefundId one refund.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % 32];
  return out;
}

/** Terminal ids become part of order ids: letters, digits, `-` and `_`, at most 24. */
export function normaliseTerminalId(terminalId: string): string {
  const cleaned = terminalId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24);
  return cleaned === '' ? 'POS' : cleaned;
}

function utcStamp(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  );
}

export function newOrderId(terminalId: string, epochMs: number): string {
  return `${normaliseTerminalId(terminalId)}-${utcStamp(epochMs)}-${randomToken(8)}`;
}

export function requestIdFor(orderId: string, attempt: number): string {
  return `${orderId}-A${attempt}`;
}

export function refundIdFor(orderId: string, index: number): string {
  return `${orderId}-R${index}`;
}
