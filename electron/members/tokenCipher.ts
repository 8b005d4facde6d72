/**
 * Payment tokens (a linked wallet's CodeGrant token, a subscription's payment token) sealed
 * at rest: AES-256-GCM under the terminal's random 32-byte data key. The data key is kept
 * like the salt (electron/app/secretStore.ts DataKeyStore: Electron safeStorage in the app,
 * POS_DATA_KEY in browser mode / headless runs, a training-only key file for the embedded
 * simulator); the journal only ever holds `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url).
 *
 * A token sealed under another key (or with no key at all) cannot be opened: `open` returns
 * null, never throws, and the member is asked to link again.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

export const DATA_KEY_BYTES = 32;

/** The key's id: the first 8 hex digits of SHA-256 over it (tells keys apart, reveals nothing). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('pos-data-key-id').update(key).digest('hex').slice(0, 8);
}

export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

/** A data key from its text form (base64 or hex of 32 bytes); null when it is not one. */
export function parseDataKey(text: string | null | undefined): Buffer | null {
  if (!text) return null;
  const trimmed = text.trim();
  const hex = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : null;
  const key = hex ?? Buffer.from(trimmed, 'base64');
  return key.length === DATA_KEY_BYTES ? key : null;
}

export interface TokenCipher {
  /** The current key's id, or null when the terminal has no data key. */
  readonly keyId: string | null;
  /** Seals `token`; throws when there is no data key (nothing is stored in clear). */
  seal(token: string, context: string): string;
  /** The token, or null when it cannot be opened (another key, no key, damaged). */
  open(sealed: string, context: string): string | null;
  /**
   * A keyed hash (HMAC-SHA256 under the data key): a member id derived from a phone number,
   * the same on every run with this key; null without a key.
   */
  keyedHash(text: string): string | null;
}

const B64 = 'base64url';

/**
 * `context` (e.g. the member id and wallet) is bound as GCM additional data: a sealed token
 * copied to another member's row does not open there.
 */
export function createTokenCipher(key: Buffer | null): TokenCipher {
  const keyId = key ? keyIdOf(key) : null;
  return {
    keyId,
    seal(token, context) {
      if (!key || !keyId) {
        throw new Error(
          'This terminal has no data key to encrypt payment tokens: the token was not stored',
        );
      }
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ['v1', keyId, iv.toString(B64), tag.toString(B64), body.toString(B64)].join('.');
    },
    open(sealed, context) {
      if (!key || !keyId) return null;
      const parts = sealed.split('.');
      if (parts.length !== 5 || parts[0] !== 'v1' || parts[1] !== keyId) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[2] ?? '', B64));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(parts[3] ?? '', B64));
        return Buffer.concat([
          decipher.update(Buffer.from(parts[4] ?? '', B64)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return null;
      }
    },
    keyedHash(text) {
      if (!key) return null;
      return createHmac('sha256', key).update('member-phone:').update(text).digest('hex');
    },
  };
}
