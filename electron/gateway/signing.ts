import { createHash, timingSafeEqual } from 'node:crypto';
import {
  isSignType,
  signingString,
  type Envelope,
  type SignType,
} from '../../shared/gateway/envelope.ts';

export type VerifyResult =
  | { valid: true }
  | { valid: false; reason: 'missing-sign' | 'bad-sign-type' | 'mismatch'; detail: string };

/** Upper-case hex digest of salt + signing string, as the gateway computes it. */
export function computeSign(message: Envelope, salt: string, signType?: SignType): string {
  const type = signType ?? (isSignType(message.signType) ? message.signType : 'SHA256');
  const algorithm = type === 'MD5' ? 'md5' : 'sha256';
  return createHash(algorithm)
    .update(salt + signingString(message), 'utf8')
    .digest('hex')
    .toUpperCase();
}

/** Returns a copy of the message with `sign` set. */
export function signEnvelope<T extends Envelope>(message: T, salt: string): T & { sign: string } {
  const { sign: _ignored, ...rest } = message;
  return { ...(rest as T), sign: computeSign(rest as Envelope, salt) };
}

/** Verifies the signature over the message exactly as received (raw bizContent string). */
/**
 * `expected`: the sign type the answer must use — the one the request was signed with, so
 * that an answer "signed" with the weaker MD5 is refused when we sent SHA256 (no downgrade).
 */
export function verifyEnvelope(message: Envelope, salt: string, expected?: SignType): VerifyResult {
  const received = message.sign;
  if (typeof received !== 'string' || received === '') {
    return { valid: false, reason: 'missing-sign', detail: 'the message has no sign field' };
  }
  if (!isSignType(message.signType)) {
    return {
      valid: false,
      reason: 'bad-sign-type',
      detail: `signType must be SHA256 or MD5, got ${JSON.stringify(message.signType)}`,
    };
  }
  if (expected !== undefined && message.signType !== expected) {
    return {
      valid: false,
      reason: 'bad-sign-type',
      detail: `the answer is signed ${message.signType}, but the request was signed ${expected}`,
    };
  }
  const computed = computeSign(message, salt, message.signType);
  const a = Buffer.from(computed, 'utf8');
  const b = Buffer.from(received.toUpperCase(), 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return {
      valid: false,
      reason: 'mismatch',
      detail: `signature does not match (${message.signType}): the salt is wrong or the message was altered`,
    };
  }
  return { valid: true };
}
