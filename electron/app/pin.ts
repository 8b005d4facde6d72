/**
 * The supervisor PIN: stored only as a scrypt hash, checked in constant time, and guarded
 * against guessing (after a few wrong PINs the till refuses every PIN for a while, growing).
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';

/** What a fresh install accepts until a supervisor changes it (the README says so). */
export const DEFAULT_PIN = '1234';

/**
 * hashPin(DEFAULT_PIN), computed once: a fresh install starts without spending a scrypt run
 * (the default PIN is public anyway, so a shared salt for it gives nothing away).
 */
export const DEFAULT_PIN_HASH =
  'scrypt$16384$8$1$w4FHdalpxW+W68K/A4iRbQ==$89cETVjJjZUoqPhfQMxem24FTwNRKKZ2BocisgaHmAg=';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scrypt(pin: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(pin, salt, KEY_LENGTH, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** `scrypt$N$r$p$<salt base64>$<hash base64>` */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(pin, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function isPinHash(value: string): boolean {
  return /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(value);
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText, hashText] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashText, 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const key = await scrypt(pin, Buffer.from(saltText, 'base64'), Number(n), Number(r), Number(p));
  return timingSafeEqual(key, expected);
}

export type PinCheck =
  | { ok: true }
  | { ok: false; reason: 'wrong'; attemptsLeft: number }
  | { ok: false; reason: 'locked'; retryAfterMs: number };

export interface PinGuardOptions {
  /** Wrong PINs allowed before the first lock-out. */
  freeAttempts?: number;
  /** First lock-out; each further wrong PIN doubles it, up to maxLockMs. */
  lockMs?: number;
  maxLockMs?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
}

/**
 * Throttles PIN attempts. While locked, every PIN (even the right one) is refused without
 * being checked, so guessing cannot go faster than the lock-out allows.
 */
export class PinGuard {
  private failures = 0;
  private lockedUntil = 0;
  private readonly freeAttempts: number;
  private readonly lockMs: number;
  private readonly maxLockMs: number;
  private readonly now: () => number;

  constructor(options: PinGuardOptions = {}) {
    this.freeAttempts = options.freeAttempts ?? 3;
    this.lockMs = options.lockMs ?? 30_000;
    this.maxLockMs = options.maxLockMs ?? 15 * 60_000;
    this.now = options.now ?? (() => performance.now());
  }

  async check(pin: string, storedHash: string): Promise<PinCheck> {
    const now = this.now();
    if (now < this.lockedUntil)
      return { ok: false, reason: 'locked', retryAfterMs: this.lockedUntil - now };
    if (await verifyPin(pin, storedHash)) {
      this.failures = 0;
      this.lockedUntil = 0;
      return { ok: true };
    }
    this.failures += 1;
    const over = this.failures - this.freeAttempts;
    if (over >= 0) {
      const lock = Math.min(this.maxLockMs, this.lockMs * 2 ** over);
      this.lockedUntil = this.now() + lock;
      return { ok: false, reason: 'locked', retryAfterMs: lock };
    }
    return { ok: false, reason: 'wrong', attemptsLeft: this.freeAttempts - this.failures };
  }
}
