/**
 * Where the store's signing secret ("salt") lives. Only the main process ever holds it: it
 * never goes to the renderer, a log or the journal.
 *
 * - Electron: encrypted with the OS keychain through `safeStorage` (the shell injects it);
 *   the ciphertext is a file in the data dir. Refuses to store when encryption is not
 *   available rather than writing the salt in clear.
 * - Browser mode / headless: POS_SALT from the environment; a salt typed in the settings
 *   screen is kept in memory only and is lost when the process stops.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFileAtomic } from './atomicFile.ts';

/** Where the salt currently comes from (shown to the user, never the salt itself). */
export type SaltStorage = 'none' | 'encrypted' | 'memory-only' | 'environment';

export interface SecretStore {
  /** True when set() can keep a salt (persistently or, for the Node store, in memory). */
  readonly isAvailable: boolean;
  /** True when a salt set() survives a restart. */
  readonly persistent: boolean;
  get(): string | null;
  /** Throws SecretStoreError when the store cannot keep it. */
  set(salt: string): void;
  clear(): void;
  storage(): SaltStorage;
}

export class SecretStoreError extends Error {
  readonly code = 'secret-store-unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

/** The part of Electron's `safeStorage` this store uses (so it can be tested under Node). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

export function createSafeStorageSecretStore(
  safeStorage: SafeStorageLike,
  file: string,
): SecretStore {
  const usable = (): boolean => {
    if (!safeStorage.isEncryptionAvailable()) return false;
    // On Linux without a keyring Chromium falls back to a hard-coded key: not a secret store.
    const backend = safeStorage.getSelectedStorageBackend?.();
    return backend !== 'basic_text';
  };
  /** Decrypted once, then held in memory (redaction asks for it on every message). */
  let cached: string | null | undefined;
  return {
    get isAvailable() {
      return usable();
    },
    persistent: true,
    get() {
      if (cached !== undefined) return cached;
      if (!existsSync(file) || !usable()) return null;
      const salt = safeStorage.decryptString(readFileSync(file));
      cached = salt === '' ? null : salt;
      return cached;
    },
    set(salt: string) {
      if (!usable()) {
        throw new SecretStoreError(
          'This computer offers no encrypted storage (OS keychain) for the salt: it was not saved. ' +
            'Set POS_SALT in the environment instead, or enable the keychain.',
        );
      }
      writeFileAtomic(file, safeStorage.encryptString(salt), 0o600);
      cached = salt;
    },
    clear() {
      rmSync(file, { force: true });
      cached = null;
    },
    storage() {
      return existsSync(file) ? 'encrypted' : 'none';
    },
  };
}

/**
 * The store for browser mode and headless runs: POS_SALT from the environment, or a salt set
 * through the settings screen held in this process's memory only.
 */
export function createMemorySecretStore(
  env: Record<string, string | undefined> = process.env,
): SecretStore {
  let memory: string | null = null;
  const fromEnv = (): string | null => {
    const value = env.POS_SALT;
    return value !== undefined && value !== '' ? value : null;
  };
  return {
    isAvailable: true,
    persistent: false,
    get() {
      return memory ?? fromEnv();
    },
    set(salt: string) {
      memory = salt;
    },
    clear() {
      memory = null;
    },
    storage() {
      if (memory !== null) return 'memory-only';
      return fromEnv() !== null ? 'environment' : 'none';
    },
  };
}

/**
 * The terminal's data key: 32 random bytes that seal payment tokens at rest (linked
 * wallets' CodeGrant tokens, memberships' payment tokens; electron/members/tokenCipher.ts).
 * Kept like the salt: in the app, encrypted with safeStorage in the data folder (made on
 * first use); in browser mode / headless, POS_DATA_KEY (base64 or hex of 32 bytes) from the
 * environment; for the embedded simulator only (training, nothing real to protect), a key
 * file in the data folder so that `pospay` runs share their training links. A missing key
 * never crashes anything: tokens cannot be read, and members are asked to link again.
 */
export interface DataKeyStore {
  /** The key, made (and kept) now when the store can keep one; null when there is none. */
  get(): Buffer | null;
  /** Where it comes from (shown, never the key): 'encrypted', 'environment', 'training-file', 'none'. */
  storage(): 'encrypted' | 'environment' | 'training-file' | 'none';
}

const DATA_KEY_BYTES = 32;

function parseKey(text: string | undefined | null): Buffer | null {
  if (!text) return null;
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  return key.length === DATA_KEY_BYTES ? key : null;
}

/** The app's data key: safeStorage-encrypted in `file`, made on first use. */
export function createSafeStorageDataKeyStore(
  safeStorage: SafeStorageLike,
  file: string,
): DataKeyStore {
  let cached: Buffer | null | undefined;
  const usable = (): boolean =>
    safeStorage.isEncryptionAvailable() &&
    safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
  return {
    get() {
      if (cached) return cached;
      if (!usable()) return null;
      if (existsSync(file)) {
        try {
          cached = parseKey(safeStorage.decryptString(readFileSync(file)));
        } catch {
          cached = null; // unreadable (another user, another machine): members link again
        }
        return cached;
      }
      const key = randomBytes(DATA_KEY_BYTES);
      writeFileAtomic(file, safeStorage.encryptString(key.toString('base64')), 0o600);
      cached = key;
      return key;
    },
    storage: () => (existsSync(file) ? 'encrypted' : 'none'),
  };
}

/**
 * Browser mode / headless: POS_DATA_KEY; with `trainingFile` (the embedded simulator only),
 * a key kept in that file, made on first use.
 */
export function createEnvDataKeyStore(
  env: Record<string, string | undefined> = process.env,
  trainingFile?: string,
): DataKeyStore {
  let cached: Buffer | null | undefined;
  return {
    get() {
      const fromEnv = parseKey(env.POS_DATA_KEY);
      if (fromEnv) return fromEnv;
      if (!trainingFile) return null;
      if (cached) return cached;
      if (existsSync(trainingFile)) {
        cached = parseKey(readFileSync(trainingFile, 'utf8'));
        if (cached) return cached;
      }
      const key = randomBytes(DATA_KEY_BYTES);
      try {
        // Exclusive: two `pospay` runs starting at once end up with the same key.
        writeFileSync(trainingFile, key.toString('base64'), { flag: 'wx', mode: 0o600 });
        cached = key;
      } catch {
        cached = parseKey(readFileSync(trainingFile, 'utf8'));
      }
      return cached;
    },
    storage() {
      if (parseKey(env.POS_DATA_KEY)) return 'environment';
      return trainingFile && existsSync(trainingFile) ? 'training-file' : 'none';
    },
  };
}
