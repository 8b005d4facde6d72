/**
 * better-sqlite3 under Electron's ABI: which addon the journal loads (electron/shell/
 * nativeBinding.ts), and how `npm start` prepares it (scripts/electron-native.mjs) without
 * touching the Node build the CLI and the tests load.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ELECTRON_ABI_CACHE_DIR,
  electronAbiBinaryPath,
  ensureElectronNativeModules,
  type NativeStep,
} from '../../../scripts/electron-native.mjs';
import {
  betterSqliteBinding,
  cachedBindingPath,
  ELECTRON_ABI_CACHE_DIR as SHELL_CACHE_DIR,
  NativeBindingMissingError,
  packagedBindingPath,
} from '../../../electron/shell/nativeBinding.ts';
import { openTerminal } from '../../../electron/app/runtime.ts';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');
const nodeAddon = path.join(repo, 'node_modules', 'better-sqlite3', 'build', 'Release');
const ELECTRON = '39.8.10';
const cleanups: string[] = [];

afterEach(() => {
  for (const dir of cleanups.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanups.push(dir);
  return dir;
}

describe('betterSqliteBinding: the addon the journal opens with', () => {
  const cacheDir = path.join('/app', SHELL_CACHE_DIR);
  const nodeVersions = { node: '20.19.0', modules: '115' };
  const electronVersions = { node: '22.20.0', modules: '140', electron: ELECTRON };

  it('under plain Node: undefined, the package default', () => {
    expect(
      betterSqliteBinding({
        versions: nodeVersions,
        cacheDir,
        exists: () => true,
        packaged: false,
      }),
    ).toBeUndefined();
  });

  it('under Electron from a checkout: the cached Electron-ABI build', () => {
    const file = path.join(cacheDir, ELECTRON, 'better_sqlite3.node');
    const seen: string[] = [];
    const exists = (f: string) => (seen.push(f), f === file);
    expect(
      betterSqliteBinding({ versions: electronVersions, cacheDir, exists, packaged: false }),
    ).toBe(file);
    expect(seen).toEqual([file]);
  });

  it('under Electron without that build: an error saying how to make it', () => {
    const call = () =>
      betterSqliteBinding({
        versions: electronVersions,
        cacheDir,
        exists: () => false,
        packaged: false,
      });
    expect(call).toThrow(NativeBindingMissingError);
    expect(call).toThrow(/Electron 39\.8\.10 \(ABI 140\)/);
    expect(call).toThrow(/npm start" once with network access/);
    expect(call).toThrow(/node scripts\/electron-native\.mjs/);
  });

  it('in the installed app: the build electron-builder unpacked next to the asar', () => {
    const resourcesPath = path.join('/opt', 'PosPay', 'resources');
    const file = path.join(
      resourcesPath,
      'app.asar.unpacked',
      'node_modules',
      'better-sqlite3',
      'build',
      'Release',
      'better_sqlite3.node',
    );
    expect(packagedBindingPath(resourcesPath)).toBe(file);
    const inputs = { versions: electronVersions, cacheDir, packaged: true, resourcesPath };
    expect(betterSqliteBinding({ ...inputs, exists: (f) => f === file })).toBe(file);
    expect(() => betterSqliteBinding({ ...inputs, exists: () => false })).toThrow(
      /installation is incomplete.*Reinstall/,
    );
  });

  it('names the same file as the script npm start prepares it with', () => {
    expect(SHELL_CACHE_DIR).toBe(ELECTRON_ABI_CACHE_DIR);
    expect(cachedBindingPath(path.join('/app', SHELL_CACHE_DIR), ELECTRON)).toBe(
      electronAbiBinaryPath('/app', ELECTRON),
    );
  });
});

describe('the journal opens with the chosen addon', () => {
  const base = {
    region: 'CN' as const,
    currency: 'CNY' as const,
    customerDeadlineMs: 60_000,
    amountCeilingMinor: 5_000_000,
    terminalId: 'T1',
    embeddedSimulator: { timeScale: 0.05 },
    recovery: 'off' as const,
  };

  it('loads the addon it is given (here the Node build, by its path)', async () => {
    const dataDir = tempDir('pospay-binding-');
    const terminal = await openTerminal({
      ...base,
      dataDir,
      nativeBinding: path.join(nodeAddon, 'better_sqlite3.node'),
    });
    try {
      expect(terminal.engine.history({})).toEqual([]);
    } finally {
      await terminal.close();
    }
  });

  it('fails to open, saying so, with an addon that is not there', async () => {
    const dataDir = tempDir('pospay-binding-');
    await expect(
      openTerminal({ ...base, dataDir, nativeBinding: path.join(dataDir, 'missing.node') }),
    ).rejects.toThrow(/missing/);
  });
});

/** A project root with a copy of better-sqlite3 (its Node build marked), for the script. */
function fakeRoot(): { root: string; nodeBuild: string } {
  const root = tempDir('pospay-native-');
  const pkg = path.join(root, 'node_modules', 'better-sqlite3');
  mkdirSync(path.join(pkg, 'build', 'Release'), { recursive: true });
  mkdirSync(path.join(pkg, 'src'), { recursive: true });
  writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'better-sqlite3', version: '12.11.1' }),
  );
  writeFileSync(path.join(pkg, 'src', 'better_sqlite3.cpp'), '// source');
  const nodeBuild = path.join(pkg, 'build', 'Release', 'better_sqlite3.node');
  writeFileSync(nodeBuild, 'NODE-ABI BUILD');
  return { root, nodeBuild };
}

/** A step that "builds" `content` where a real one leaves its addon. */
function step(
  name: string,
  content: string | Error,
  calls: string[],
  version = '12.11.1',
): NativeStep {
  return {
    name,
    label: `the ${name} step`,
    async run({ moduleDir, electronVersion, staging }) {
      calls.push(`${name}:${electronVersion}`);
      // The staging copy has the sources, never the Node build.
      expect(existsSync(path.join(moduleDir, 'src', 'better_sqlite3.cpp'))).toBe(true);
      expect(existsSync(path.join(moduleDir, 'build'))).toBe(false);
      expect(JSON.parse(readFileSync(path.join(staging, 'package.json'), 'utf8'))).toMatchObject({
        dependencies: { 'better-sqlite3': version },
      });
      if (content instanceof Error) throw content;
      mkdirSync(path.join(moduleDir, 'build', 'Release'), { recursive: true });
      writeFileSync(path.join(moduleDir, 'build', 'Release', 'better_sqlite3.node'), content);
    },
  };
}

describe('ensureElectronNativeModules (npm start, before Electron)', () => {
  const quiet = { log: () => {} };

  it('prepares the build once, apart from the Node one, then finds it', async () => {
    const { root, nodeBuild } = fakeRoot();
    const calls: string[] = [];
    const lines: string[] = [];
    const steps = [step('prebuilt', 'ELECTRON-ABI BUILD', calls), step('rebuilt', 'X', calls)];
    const first = await ensureElectronNativeModules(root, ELECTRON, {
      steps,
      log: (l) => lines.push(l),
    });
    const target = path.join(root, ELECTRON_ABI_CACHE_DIR, ELECTRON, 'better_sqlite3.node');
    expect(first).toEqual({ path: target, how: 'prebuilt' });
    expect(readFileSync(target, 'utf8')).toBe('ELECTRON-ABI BUILD');
    expect(readFileSync(nodeBuild, 'utf8')).toBe('NODE-ABI BUILD');
    expect(calls).toEqual([`prebuilt:${ELECTRON}`]);
    expect(lines[0]).toMatch(/First start with Electron 39\.8\.10/);
    // The staging copy is gone; only the version folder is left.
    expect(readdirSync(path.join(root, ELECTRON_ABI_CACHE_DIR))).toEqual([ELECTRON]);

    const again = await ensureElectronNativeModules(root, ELECTRON, { steps, ...quiet });
    expect(again).toEqual({ path: target, how: 'cached' });
    expect(calls).toHaveLength(1);
  });

  it('builds from source when no published build can be had', async () => {
    const { root } = fakeRoot();
    const calls: string[] = [];
    const result = await ensureElectronNativeModules(root, ELECTRON, {
      ...quiet,
      steps: [
        step('prebuilt', new Error('404 no prebuilt for electron-v140'), calls),
        step('rebuilt', 'BUILT FROM SOURCE', calls),
      ],
    });
    expect(result.how).toBe('rebuilt');
    expect(readFileSync(result.path, 'utf8')).toBe('BUILT FROM SOURCE');
    expect(calls).toEqual([`prebuilt:${ELECTRON}`, `rebuilt:${ELECTRON}`]);
  });

  it('says what failed and what to do when neither works (offline), keeping nothing', async () => {
    const { root } = fakeRoot();
    const attempt = ensureElectronNativeModules(root, ELECTRON, {
      ...quiet,
      steps: [
        step('prebuilt', new Error('getaddrinfo ENOTFOUND github.com'), []),
        step('rebuilt', new Error('node-gyp failed: no network for the headers'), []),
      ],
    });
    await expect(attempt).rejects.toThrow(/could not be prepared for Electron 39\.8\.10/);
    await attempt.catch((error: Error) => {
      expect(error.message).toContain('ENOTFOUND github.com');
      expect(error.message).toContain('no network for the headers');
      expect(error.message).toMatch(/npm start" again with network access/);
      expect(error.message).toMatch(/POS_BROWSER_MODE=1 npm start/);
    });
    expect(existsSync(electronAbiBinaryPath(root, ELECTRON))).toBe(false);
  });

  it('prepares it again when better-sqlite3 changed since', async () => {
    const { root } = fakeRoot();
    const calls: string[] = [];
    const steps = [step('prebuilt', 'FOR 12.11.1', calls)];
    await ensureElectronNativeModules(root, ELECTRON, { steps, ...quiet });
    writeFileSync(
      path.join(root, 'node_modules', 'better-sqlite3', 'package.json'),
      JSON.stringify({ name: 'better-sqlite3', version: '12.12.0' }),
    );
    const upgraded = [step('prebuilt', 'FOR 12.12.0', calls, '12.12.0')];
    const result = await ensureElectronNativeModules(root, ELECTRON, {
      steps: upgraded,
      ...quiet,
    });
    expect(result.how).toBe('prebuilt');
    expect(readFileSync(result.path, 'utf8')).toBe('FOR 12.12.0');
    expect(calls).toEqual([`prebuilt:${ELECTRON}`, `prebuilt:${ELECTRON}`]);
  });

  it('fetches the published Electron build with prebuild-install and checks it loads', async () => {
    // A local prebuild folder stands in for GitHub: the real prebuild-install picks the
    // better-sqlite3-v12.11.1-electron-v140-<platform>-<arch> file for Electron 39, unpacks
    // it, and the check loads it in the "Electron" given (here this Node, on its own build).
    const root = tempDir('pospay-native-real-');
    cpSync(
      path.join(repo, 'node_modules', 'better-sqlite3'),
      path.join(root, 'node_modules', 'better-sqlite3'),
      {
        recursive: true,
        filter: (f) => !/[\\/](deps|build)([\\/]|$)/.test(f),
      },
    );
    const prebuilds = tempDir('pospay-prebuilds-');
    const name = `better-sqlite3-v12.11.1-electron-v140-${process.platform}-${process.arch}.tar.gz`;
    const packed = spawnSync('tar', [
      '-czf',
      path.join(prebuilds, name),
      '-C',
      path.join(nodeAddon, '..', '..'),
      'build/Release/better_sqlite3.node',
    ]);
    expect(packed.status, String(packed.stderr)).toBe(0);
    const env = {
      ...process.env,
      npm_config_better_sqlite3_local_prebuilds: prebuilds,
      npm_config_cache: tempDir('pospay-npm-cache-'),
    };
    const result = await ensureElectronNativeModules(root, ELECTRON, {
      ...quiet,
      env,
      electronPath: process.execPath,
    });
    expect(result.how).toBe('prebuilt');
    expect(readFileSync(result.path)).toEqual(
      readFileSync(path.join(nodeAddon, 'better_sqlite3.node')),
    );
    const stamp = JSON.parse(
      readFileSync(path.join(path.dirname(result.path), 'build-info.json'), 'utf8'),
    );
    expect(stamp).toMatchObject({
      electron: ELECTRON,
      'better-sqlite3': '12.11.1',
      how: 'prebuilt',
    });
  });

  it('keeps nothing that does not load in Electron', async () => {
    const { root } = fakeRoot();
    // The check needs the real package's JavaScript next to the addon.
    rmSync(path.join(root, 'node_modules', 'better-sqlite3'), { recursive: true });
    cpSync(
      path.join(repo, 'node_modules', 'better-sqlite3'),
      path.join(root, 'node_modules', 'better-sqlite3'),
      {
        recursive: true,
        filter: (f) => !/[\\/](deps|build)([\\/]|$)/.test(f),
      },
    );
    const attempt = ensureElectronNativeModules(root, ELECTRON, {
      ...quiet,
      electronPath: process.execPath,
      steps: [
        {
          name: 'prebuilt',
          label: 'a broken download',
          async run({ moduleDir }) {
            mkdirSync(path.join(moduleDir, 'build', 'Release'), { recursive: true });
            writeFileSync(
              path.join(moduleDir, 'build', 'Release', 'better_sqlite3.node'),
              'not an addon',
            );
          },
        },
      ],
    });
    await expect(attempt).rejects.toThrow(/a broken download: .*exited 1/);
    expect(existsSync(electronAbiBinaryPath(root, ELECTRON))).toBe(false);
  });
});
