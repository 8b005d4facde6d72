import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../electron/app/paths.ts';
import { hashPin, verifyPin } from '../../../electron/app/pin.ts';
import {
  createMemorySecretStore,
  createSafeStorageSecretStore,
  SecretStoreError,
  type SafeStorageLike,
} from '../../../electron/app/secretStore.ts';
import {
  applyEnvOverrides,
  loadSettings,
  mergeSettings,
  saveSettings,
  SettingsCorruptError,
  SettingsInvalidError,
} from '../../../electron/app/settings.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pospay-settings-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('settings file', () => {
  it('is created on a fresh install: training mode, 60 s deadline, supervisor PIN 1234', async () => {
    const dir = tempDir();
    const settings = await loadSettings(dir);
    expect(settings).toMatchObject({
      gatewayUrl: 'simulator',
      accId: '',
      customerDeadlineMs: 60_000,
      language: 'en',
      supervisorPinIsDefault: true,
    });
    expect(await verifyPin('1234', settings.supervisorPinHash)).toBe(true);
    expect(await verifyPin('1235', settings.supervisorPinHash)).toBe(false);
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8'));
    expect(onDisk.supervisorPinHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(onDisk)).not.toContain('"1234"');
    expect((await loadSettings(dir)).terminalId).toBe(settings.terminalId);
  });

  it('keeps a corrupt file aside, says where, and starts again from defaults', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'settings.json');
    const garbage = '{"version": 1, "region": "CN", "gatewayUrl": "https://acq';
    writeFileSync(file, garbage);
    const error = await loadSettings(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingsCorruptError);
    const corrupt = error as SettingsCorruptError;
    expect(corrupt.message).toContain(file);
    expect(corrupt.message).toContain(corrupt.keptAs);
    expect(corrupt.message).toMatch(/not valid JSON/);
    expect(readFileSync(corrupt.keptAs, 'utf8')).toBe(garbage);
    const fresh = await loadSettings(dir);
    expect(fresh.gatewayUrl).toBe('simulator');
    expect(readFileSync(corrupt.keptAs, 'utf8')).toBe(garbage);
  });

  it('treats a field outside its rules as corrupt and names the field', async () => {
    const dir = tempDir();
    const good = await loadSettings(dir);
    saveSettings(dir, good);
    const file = path.join(dir, 'settings.json');
    const text = readFileSync(file, 'utf8').replace(
      '"customerDeadlineMs": 60000',
      '"customerDeadlineMs": -5',
    );
    writeFileSync(file, text);
    const error = (await loadSettings(dir).catch((e: unknown) => e)) as SettingsCorruptError;
    expect(error).toBeInstanceOf(SettingsCorruptError);
    expect(error.reason).toContain('customerDeadlineMs');
    expect(readFileSync(error.keptAs, 'utf8')).toBe(text);
  });

  it('writes atomically: no temporary file is left and the file is private', async () => {
    const dir = tempDir();
    const settings = await loadSettings(dir);
    for (let i = 0; i < 5; i += 1)
      saveSettings(dir, { ...settings, customerDeadlineMs: 30_000 + i });
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(
      JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')).customerDeadlineMs,
    ).toBe(30_004);
    if (process.platform !== 'win32') {
      expect(statSync(path.join(dir, 'settings.json')).mode & 0o077).toBe(0);
    }
  });

  it('merges a save: gateway names map to their hosts, a new PIN replaces the default', async () => {
    const current = await loadSettings(tempDir());
    const next = await mergeSettings(current, {
      gatewayUrl: 'production',
      accId: '2018092714313010016291',
      supervisorPin: '8642',
    });
    expect(next.gatewayUrl).toBe('https://acquirer-payment.pingpongx.com');
    expect(next.supervisorPinIsDefault).toBe(false);
    expect(await verifyPin('8642', next.supervisorPinHash)).toBe(true);
    expect(await verifyPin('1234', next.supervisorPinHash)).toBe(false);
    await expect(mergeSettings(current, { scanner: 'usb:thing' })).rejects.toThrow(
      SettingsInvalidError,
    );
    await expect(mergeSettings(current, { accId: 'abc' })).rejects.toThrow(/accId/);
  });
});

describe('environment overrides', () => {
  it('apply POS_GATEWAY_URL, POS_ACC_ID, POS_CLIENT_ID and POS_SCANNER for this run only', async () => {
    const dir = tempDir();
    const stored = await loadSettings(dir);
    const effective = applyEnvOverrides(stored, {
      POS_GATEWAY_URL: 'sandbox',
      POS_ACC_ID: '2018092714313010016289',
      POS_CLIENT_ID: '2018092714313010016',
      POS_SCANNER: 'serial:COM3@9600',
    });
    expect(effective).toMatchObject({
      gatewayUrl: 'https://sandbox-acquirer-payment.pingpongx.com',
      accId: '2018092714313010016289',
      clientId: '2018092714313010016',
      scanner: 'serial:COM3@9600',
    });
    expect(effective.overridden.sort()).toEqual(['accId', 'clientId', 'gatewayUrl', 'scanner']);
    expect((await loadSettings(dir)).gatewayUrl).toBe('simulator');
  });

  it('refuse a malformed POS_SCANNER or POS_GATEWAY_URL with the variable named', async () => {
    const stored = await loadSettings(tempDir());
    expect(() => applyEnvOverrides(stored, { POS_SCANNER: 'bluetooth:x' })).toThrow(/POS_SCANNER/);
    expect(() => applyEnvOverrides(stored, { POS_GATEWAY_URL: 'gopher://x' })).toThrow(
      /POS_GATEWAY_URL/,
    );
  });
});

describe('data folder', () => {
  it('is POS_DATA_DIR, else %ProgramData%\\PosPay on Windows, else ~/.config/pospay', () => {
    expect(
      defaultDataDir({ env: { POS_DATA_DIR: '/srv/till' }, platform: 'linux', home: '/h' }),
    ).toBe('/srv/till');
    expect(
      defaultDataDir({
        env: { APPDATA: 'C:\\Users\\cashier\\AppData\\Roaming', ProgramData: 'C:\\ProgramData' },
        platform: 'win32',
        home: 'C:\\Users\\cashier',
      }),
    ).toBe('C:\\ProgramData\\PosPay');
    expect(defaultDataDir({ env: {}, platform: 'linux', home: '/home/till' })).toBe(
      '/home/till/.config/pospay',
    );
  });
});

describe('PIN hash', () => {
  it('salts every hash: the same PIN hashes differently, both verify', async () => {
    const a = await hashPin('2468');
    const b = await hashPin('2468');
    expect(a).not.toBe(b);
    expect(await verifyPin('2468', a)).toBe(true);
    expect(await verifyPin('2468', b)).toBe(true);
    expect(await verifyPin('2468', 'plain-text')).toBe(false);
  });
});

/** A stand-in for Electron's safeStorage: reversible, but the bytes are not the salt. */
function fakeSafeStorage(available = true, backend = 'gnome_libsecret'): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (text) => Buffer.from(Buffer.from(text, 'utf8').map((b) => b ^ 0x5a)),
    decryptString: (data) => Buffer.from(data.map((b) => b ^ 0x5a)).toString('utf8'),
  };
}

describe('secret store', () => {
  const SALT = 'F78BC96A55548B2319EE68E0';

  it('keeps the salt encrypted in the data folder across restarts (Electron)', () => {
    const file = path.join(tempDir(), 'salt.enc');
    const store = createSafeStorageSecretStore(fakeSafeStorage(), file);
    expect(store.get()).toBeNull();
    store.set(SALT);
    expect(readFileSync(file).toString('utf8')).not.toContain(SALT);
    expect(createSafeStorageSecretStore(fakeSafeStorage(), file).get()).toBe(SALT);
    expect(store.storage()).toBe('encrypted');
    store.clear();
    expect(store.get()).toBeNull();
  });

  it('refuses to store the salt when the OS offers no real encryption', () => {
    for (const safe of [fakeSafeStorage(false), fakeSafeStorage(true, 'basic_text')]) {
      const file = path.join(tempDir(), 'salt.enc');
      const store = createSafeStorageSecretStore(safe, file);
      expect(store.isAvailable).toBe(false);
      expect(() => store.set(SALT)).toThrow(SecretStoreError);
      expect(readdirSync(path.dirname(file))).toEqual([]);
    }
  });

  it('in browser mode takes POS_SALT and keeps a salt typed on screen in memory only', () => {
    const fromEnv = createMemorySecretStore({ POS_SALT: SALT });
    expect(fromEnv.get()).toBe(SALT);
    expect(fromEnv.storage()).toBe('environment');
    const typed = createMemorySecretStore({});
    expect(typed.get()).toBeNull();
    typed.set('ANOTHERSALT123');
    expect(typed).toMatchObject({ persistent: false });
    expect(typed.get()).toBe('ANOTHERSALT123');
    expect(typed.storage()).toBe('memory-only');
    expect(createMemorySecretStore({}).get()).toBeNull();
  });
});
