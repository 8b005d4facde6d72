/**
 * Where the data key that seals payment tokens is kept (electron/app/secretStore.ts):
 * encrypted with safeStorage in the app (made once, then the same key), POS_DATA_KEY in
 * browser mode, a training-only key file for the embedded simulator; nothing usable (no
 * keychain, an unreadable file) gives no key — members link again, nothing crashes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createEnvDataKeyStore,
  createSafeStorageDataKeyStore,
  type SafeStorageLike,
} from '../../../electron/app/secretStore.ts';
import { fetchRemoteDataKeys } from '../../../electron/host/secrets.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
function dir(): string {
  const d = tempDataDir();
  dirs.push(d);
  return d;
}

function fakeSafeStorage(available = true, backend = 'gnome_libsecret'): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (text) => Buffer.from(`enc:${Buffer.from(text).toString('hex')}`),
    decryptString: (data) => {
      const text = data.toString();
      if (!text.startsWith('enc:')) throw new Error('cannot decrypt');
      return Buffer.from(text.slice(4), 'hex').toString();
    },
    getSelectedStorageBackend: () => backend,
  };
}

describe('the data key', () => {
  it('in the app: made once, encrypted in the data folder, the same key after a restart', () => {
    const file = path.join(dir(), 'data-key.enc');
    const first = createSafeStorageDataKeyStore(fakeSafeStorage(), file).get();
    expect(first?.length).toBe(32);
    expect(readFileSync(file).toString()).not.toContain(first?.toString('base64') ?? 'x');
    const again = createSafeStorageDataKeyStore(fakeSafeStorage(), file).get();
    expect(again?.equals(first as Buffer)).toBe(true);
  });

  it('no keychain (or Linux basic_text), or a file it cannot decrypt: no key, no throw', () => {
    const d = dir();
    expect(
      createSafeStorageDataKeyStore(fakeSafeStorage(false), path.join(d, 'a')).get(),
    ).toBeNull();
    expect(
      createSafeStorageDataKeyStore(fakeSafeStorage(true, 'basic_text'), path.join(d, 'b')).get(),
    ).toBeNull();
    const file = path.join(d, 'c');
    createSafeStorageDataKeyStore(fakeSafeStorage(), file).get();
    const other: SafeStorageLike = {
      ...fakeSafeStorage(),
      decryptString: () => {
        throw new Error('other user');
      },
    };
    expect(createSafeStorageDataKeyStore(other, file).get()).toBeNull();
  });

  it('browser mode: POS_DATA_KEY; none without it (outside training)', () => {
    const key = Buffer.alloc(32, 7);
    expect(
      createEnvDataKeyStore({ POS_DATA_KEY: key.toString('base64') })
        .get()
        ?.equals(key),
    ).toBe(true);
    expect(createEnvDataKeyStore({}).get()).toBeNull();
    expect(createEnvDataKeyStore({ POS_DATA_KEY: 'too short' }).get()).toBeNull();
  });

  it('training: a key file made once and shared by later runs', () => {
    const file = path.join(dir(), 'training-data-key');
    const a = createEnvDataKeyStore({}, file).get();
    const b = createEnvDataKeyStore({}, file).get();
    expect(a?.length).toBe(32);
    expect(b?.equals(a as Buffer)).toBe(true);
  });

  it("across the port: main's key, or none when main cannot answer", async () => {
    const key = Buffer.alloc(32, 3);
    expect(
      (await fetchRemoteDataKeys(async () => ({ key: key.toString('base64') }))).get()?.equals(key),
    ).toBe(true);
    expect((await fetchRemoteDataKeys(async () => ({ key: null }))).get()).toBeNull();
    expect(
      (await fetchRemoteDataKeys(async () => Promise.reject(new Error('no such channel')))).get(),
    ).toBeNull();
  });
});
