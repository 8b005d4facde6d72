/**
 * The tokens a call sends (a linked wallet's CodeGrant token, a subscription's payment token)
 * are secrets: no text that comes back may repeat them. A gateway (or a stand-in for one) may
 * write the token into its description ("token … does not exist"), a status or an id; the
 * engine journals such text (electron/engine/answers.ts outcomeDetail), so the client passes
 * every outcome through scrubSecrets before it leaves (electron/gateway/client.ts). Pure.
 */

/** What stands where a token was. */
export const TOKEN_MARKER = '[token]';

/**
 * Fields that carry a token as data, not as text: the token a sign-up got or a status names,
 * a subscription's payment token, a checkout session. They are the caller's to seal; every
 * other string in the outcome is text and is scrubbed.
 */
const TOKEN_FIELDS: ReadonlySet<string> = new Set(['token', 'paymentToken', 'sessionToken']);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` with every occurrence of the secrets (in any letter case) replaced by the marker. */
export function scrubText(text: string, secrets: readonly string[]): string {
  const present = secrets.filter((secret) => secret !== '');
  if (present.length === 0) return text;
  // Longest first, so a token containing another is replaced whole.
  const pattern = new RegExp(
    [...present]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'gi',
  );
  return text.replace(pattern, TOKEN_MARKER);
}

function scrubValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, secrets));
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = TOKEN_FIELDS.has(key) ? item : scrubValue(item, secrets);
    }
    return copy;
  }
  return value;
}

/**
 * A copy of `outcome` in which no text (reason, description, detail, status, ids, the nested
 * answer) contains any of the secrets; the token fields (TOKEN_FIELDS) are kept as they are.
 */
export function scrubSecrets<T>(outcome: T, secrets: readonly string[]): T {
  if (secrets.every((secret) => secret === '')) return outcome;
  return scrubValue(outcome, secrets) as T;
}
