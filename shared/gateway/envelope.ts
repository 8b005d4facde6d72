/**
 * The PingPong Checkout v4 envelope and its signing string (gateway.md, "Signing").
 * Pure: the hash itself is computed by the main process (electron/gateway/signing.ts).
 */

export type SignType = 'SHA256' | 'MD5';

/** One flat message as it travels on the wire. `bizContent` is a JSON *string*. */
export type Envelope = Record<string, unknown> & {
  accId?: string;
  clientId?: string;
  signType?: string;
  sign?: string;
  version?: string;
  bizContent?: string;
  code?: string;
  description?: string;
};

/** Renders a top-level value exactly as the gateway joins it: raw, no URL encoding. */
function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  // Nested objects never appear at the top level of a v4 envelope; if one does, sign its
  // compact JSON so that a tampered nested value still changes the signature.
  return JSON.stringify(value);
}

/**
 * The string that is hashed, without the salt: every field except `sign`, null/undefined and
 * empty-string values dropped, keys in ASCII order, `key=value` joined by `&`.
 */
export function signingString(message: Envelope): string {
  return Object.keys(message)
    .filter((key) => key !== 'sign')
    .filter((key) => {
      const value = message[key];
      return value !== null && value !== undefined && value !== '';
    })
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${key}=${renderValue(message[key])}`)
    .join('&');
}

export function isSignType(value: unknown): value is SignType {
  return value === 'SHA256' || value === 'MD5';
}

/** clientId is the accId without its last three digits (gateway.md, "Envelope"). */
export function clientIdFor(accId: string): string {
  return accId.slice(0, -3);
}
