/**
 * Who may use browser mode's /api: same-origin requests only (the Host header names this
 * server, a cross-origin Origin is refused: the DNS-rebinding guard), carrying this launch's
 * secret token, compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from './loopback.ts';

/** The header the page sends the launch token in. */
export const TOKEN_HEADER = 'x-pospay-token';
export const TOKEN_PATTERN = /^[A-Za-z0-9._~+/=-]{16,512}$/;

/** A new launch token: 24 random bytes, base64url (32 characters). */
export function generateLaunchToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The text a page (or program) without this launch's token is answered with. */
export const TOKEN_REQUIRED_MESSAGE =
  'This page needs the address printed by the terminal (with ?token=…): ' +
  'open the address printed by npm start / pospay serve.';

export const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether `given` is the launch token, in constant time: both sides are hashed to 32 bytes
 * first, so neither the content nor the length of the token leaks through timing.
 */
export function tokenMatches(
  given: string | string[] | null | undefined,
  expected: Buffer,
): boolean {
  if (typeof given !== 'string' || given === '') return false;
  return timingSafeEqual(sha256(given), expected);
}

/**
 * What a request's token lets it do: `full` (this launch's token: the till's screen), or
 * `customer-display` (the customer display's own token, handed out by the till's screen: it
 * may only read — shared/ipc/customerDisplay.ts), or nothing.
 */
export type Access = 'full' | 'customer-display' | null;

export function accessOf(
  given: string | string[] | null | undefined,
  launch: Buffer,
  customerDisplay: Buffer,
): Access {
  // Both compared, in constant time, whichever matches.
  const full = tokenMatches(given, launch);
  const customer = tokenMatches(given, customerDisplay);
  if (full) return 'full';
  return customer ? 'customer-display' : null;
}

/** Same-origin check: Host must be this server; Origin, when sent, must be this server. */
export function checkOrigin(
  headers: IncomingMessage['headers'],
  port: number,
): { ok: true } | { ok: false; reason: string } {
  const host = headers.host ?? '';
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!match || !isLoopbackHost(match[1] ?? '') || Number(match[2] ?? 80) !== port) {
    return { ok: false, reason: `Host "${host}" is not this terminal` };
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return { ok: false, reason: `Origin "${origin}" is not this terminal` };
    }
    const originPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname) || originPort !== port) {
      return { ok: false, reason: `Origin "${origin}" is not this terminal` };
    }
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { ok: false, reason: `cross-site request (${String(site)})` };
  }
  return { ok: true };
}
