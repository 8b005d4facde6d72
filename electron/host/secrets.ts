/**
 * The salt across the port. Only main has Electron's safeStorage: it decrypts the salt when
 * the core asks (once at the core's start: `secret:get`) and encrypts what the settings
 * screen saves (`secret:set`). The core holds it in memory, like the store it stands in for;
 * the renderer never gets it, and no log line carries it (protocol.ts logs shapes only).
 */
import type { z } from 'zod';
import {
  SecretStoreError,
  type DataKeyStore,
  type SaltStorage,
  type SecretStore,
} from '../app/secretStore.ts';
import type {
  Handlers,
  SecretSnapshotSchema,
  SecretStateSchema,
  shellRequests,
} from './protocol.ts';
import { PeerRequestError } from './protocol.ts';

type SecretSnapshot = z.output<typeof SecretSnapshotSchema>;
type SecretState = z.output<typeof SecretStateSchema>;

/** A SecretStore that can also wait until the salt is stored for good (terminalApp uses it). */
export interface PersistingSecretStore extends SecretStore {
  persist(salt: string): Promise<void>;
}

export interface RemoteSecrets {
  set(salt: string): Promise<SecretState>;
  clear(): Promise<SecretState>;
}

/** The core's secret store: main's snapshot in memory, changes stored by main. */
export function createRemoteSecretStore(
  snapshot: SecretSnapshot,
  remote: RemoteSecrets,
  onError: (message: string) => void,
): PersistingSecretStore {
  let salt = snapshot.salt;
  let state: SecretState = {
    storage: snapshot.storage,
    isAvailable: snapshot.isAvailable,
    persistent: snapshot.persistent,
  };
  const unavailable = (): SecretStoreError =>
    new SecretStoreError(
      'This computer offers no encrypted storage (OS keychain) for the salt: it was not saved. ' +
        'Set POS_SALT in the environment instead, or enable the keychain.',
    );
  const fromRemote = (error: unknown): Error =>
    error instanceof PeerRequestError && error.code === 'secret-store-unavailable'
      ? new SecretStoreError(error.message)
      : error instanceof Error
        ? error
        : new Error(String(error));
  return {
    get isAvailable() {
      return state.isAvailable;
    },
    get persistent() {
      return state.persistent;
    },
    get: () => salt,
    set(next) {
      if (!state.isAvailable) throw unavailable();
      salt = next;
      remote.set(next).then(
        (s) => (state = s),
        (error: unknown) => onError(`the salt could not be stored: ${fromRemote(error).message}`),
      );
    },
    async persist(next) {
      try {
        state = await remote.set(next);
      } catch (error) {
        throw fromRemote(error);
      }
      salt = next;
    },
    clear() {
      salt = null;
      remote.clear().then(
        (s) => (state = s),
        (error: unknown) => onError(`the salt could not be removed: ${fromRemote(error).message}`),
      );
    },
    storage: (): SaltStorage => state.storage,
  };
}

/** Main's answers to the core's secret requests, from its safeStorage store. */
export function shellSecretHandlers(
  store: SecretStore,
  /** Told the salt main now knows (its log redaction uses it), or null. */
  known: (salt: string | null) => void,
  /** The data key (createSafeStorageDataKeyStore); without it the core gets null. */
  dataKeys?: DataKeyStore,
): Handlers<typeof shellRequests> {
  const state = (): SecretState => ({
    storage: store.storage(),
    isAvailable: store.isAvailable,
    persistent: store.persistent,
  });
  return {
    'secret:get': () => {
      const salt = store.get();
      known(salt);
      return { salt, ...state() };
    },
    'secret:set': ({ salt }) => {
      store.set(salt);
      known(salt);
      return state();
    },
    'secret:clear': () => {
      store.clear();
      known(null);
      return state();
    },
    'data-key:get': () => {
      let key: Buffer | null = null;
      try {
        key = dataKeys?.get() ?? null;
      } catch {
        key = null; // an unreadable key file: the core's members link again
      }
      return { key: key ? key.toString('base64') : null };
    },
  };
}

/**
 * The core's data key store: main's key, asked once (`data-key:get`) and held in memory.
 * A main that cannot answer (an older shell) gives none: members link again, nothing crashes.
 */
export async function fetchRemoteDataKeys(
  request: () => Promise<{ key: string | null }>,
): Promise<DataKeyStore> {
  let key: Buffer | null = null;
  try {
    const answer = await request();
    const bytes = answer.key ? Buffer.from(answer.key, 'base64') : null;
    key = bytes && bytes.length === 32 ? bytes : null;
  } catch {
    key = null;
  }
  return { get: () => key, storage: () => (key ? 'encrypted' : 'none') };
}
