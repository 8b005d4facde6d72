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

/**
 * What a PIN unlocks: each purpose keeps its own count of wrong PINs and its own lock-out
 * (a supervisor locked out of refunds can still open the settings). 'refund', 'settings',
 * 'members' (member unbind), and any later purpose.
 */
export type PinPurpose = string;

export interface PinGuardOptions {
  /** Wrong PINs allowed before a lock-out (and again after each lock-out has ended). */
  freeAttempts?: number;
  /** First lock-out; each further lock-out of the same purpose doubles it, up to maxLockMs. */
  lockMs?: number;
  maxLockMs?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
}

interface PurposeState {
  /** Wrong PINs since the last lock-out ended (or the last right PIN). */
  failures: number;
  lockedUntil: number;
  /** Lock-outs since the last right PIN: the next one lasts lockMs × 2^lockouts. */
  lockouts: number;
}

/**
 * Throttles PIN attempts, per purpose. While locked, every PIN (even the right one) is
 * refused without being checked, so guessing cannot go faster than the lock-out allows.
 * After a lock-out ends the supervisor has the full set of attempts again; only using them
 * all up again locks for longer (30 s, 60 s, 120 s…). A right PIN forgets the purpose's
 * wrong PINs and lock-outs.
 */
export class PinGuard {
  private readonly purposes = new Map<PinPurpose, PurposeState>();
  private readonly freeAttempts: number;
  private readonly lockMs: number;
  private readonly maxLockMs: number;
  private readonly now: () => number;

  constructor(options: PinGuardOptions = {}) {
    this.freeAttempts = Math.max(1, options.freeAttempts ?? 3);
    this.lockMs = options.lockMs ?? 30_000;
    this.maxLockMs = options.maxLockMs ?? 15 * 60_000;
    this.now = options.now ?? (() => performance.now());
  }

  async check(pin: string, storedHash: string, purpose: PinPurpose): Promise<PinCheck> {
    const state = this.purposes.get(purpose) ?? { failures: 0, lockedUntil: 0, lockouts: 0 };
    const now = this.now();
    if (now < state.lockedUntil)
      return { ok: false, reason: 'locked', retryAfterMs: state.lockedUntil - now };
    if (await verifyPin(pin, storedHash)) {
      this.purposes.delete(purpose);
      return { ok: true };
    }
    state.failures += 1;
    this.purposes.set(purpose, state);
    if (state.failures >= this.freeAttempts) {
      const lock = Math.min(this.maxLockMs, this.lockMs * 2 ** state.lockouts);
      state.lockouts += 1;
      state.failures = 0; // once this lock-out ends: the full set of attempts again
      state.lockedUntil = this.now() + lock;
      return { ok: false, reason: 'locked', retryAfterMs: lock };
    }
    return { ok: false, reason: 'wrong', attemptsLeft: this.freeAttempts - state.failures };
  }
}
