/**
 * scripts/before-pack.mjs: what a native binary is (read from the real prebuilds in
 * node_modules), and how the hook prepares better-sqlite3 for the target: the step's result must
 * be a binary the target loads, a failure of every step fails the build, a stamp makes the next
 * pack reuse it. Steps are stand-ins (the real ones download or compile).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assertBinaryFor,
  binaryTarget,
  createBeforePack,
  defaultSteps,
  prepareBetterSqliteForPack,
} from '../../../scripts/before-pack.mjs';
import type { NativeStep } from '../../../scripts/electron-native.mjs';
import { minimalPe32Plus } from '../../support/stubBeforePack.mjs';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const prebuild = (...parts: string[]): Buffer =>
  readFileSync(path.join(root, 'node_modules', ...parts));

describe('binaryTarget', () => {
  it('reads PE32+, PE32, ELF and Mach-O headers of real prebuilds', () => {
    expect(binaryTarget(prebuild('node-hid/prebuilds/HID-win32-x64/node-napi-v4.node'))).toEqual({
      platform: 'win32',
      arch: 'x64',
      pe32plus: true,
    });
    expect(binaryTarget(prebuild('node-hid/prebuilds/HID-win32-ia32/node-napi-v4.node'))).toEqual({
      platform: 'win32',
      arch: 'ia32',
      pe32plus: false,
    });
    expect(binaryTarget(prebuild('node-hid/prebuilds/HID-win32-arm64/node-napi-v4.node'))).toEqual({
      platform: 'win32',
      arch: 'arm64',
      pe32plus: true,
    });
    expect(
      binaryTarget(
        prebuild(
          '@serialport/bindings-cpp/prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node',
        ),
      ),
    ).toEqual({ platform: 'linux', arch: 'x64' });
    expect(binaryTarget(prebuild('node-hid/prebuilds/HID-darwin-arm64/node-napi-v4.node'))).toEqual(
      { platform: 'darwin', arch: 'arm64' },
    );
  });

  it('says null for what is not a binary (a text file, a truncated download)', () => {
    expect(binaryTarget(Buffer.from('Not Found'))).toBeNull();
    expect(binaryTarget(minimalPe32Plus().subarray(0, 100))).toBeNull();
    expect(binaryTarget(Buffer.alloc(0))).toBeNull();
  });

  it('assertBinaryFor refuses another platform, another arch, or PE32 for 64-bit Windows', () => {
    const dir = tempDataDir();
    try {
      const file = path.join(dir, 'x.node');
      writeFileSync(file, minimalPe32Plus());
      expect(() => assertBinaryFor(file, 'win32', 'x64')).not.toThrow();
      expect(() => assertBinaryFor(file, 'win32', 'arm64')).toThrow(/win32-x64, not a win32-arm64/);
      expect(() => assertBinaryFor(file, 'linux', 'x64')).toThrow(/not a linux-x64/);
      writeFileSync(file, minimalPe32Plus(0x8664, 0x10b));
      expect(() => assertBinaryFor(file, 'win32', 'x64')).toThrow(/not a win32-x64/);
    } finally {
      removeDir(dir);
    }
  });
});

describe('prepareBetterSqliteForPack', () => {
  const dirs: string[] = [];
  const out = (): string => {
    const d = tempDataDir();
    dirs.push(d);
    return path.join(d, 'win32-x64');
  };
  afterEach(() => {
    while (dirs.length) removeDir(dirs.pop() as string);
  });

  const writes = (bytes: Buffer, name = 'stand-in'): NativeStep => ({
    name,
    label: `${name} step`,
    run: async ({ moduleDir }) => {
      mkdirSync(path.join(moduleDir, 'build', 'Release'), { recursive: true });
      writeFileSync(path.join(moduleDir, 'build', 'Release', 'better_sqlite3.node'), bytes);
    },
  });
  const base = { electronVersion: '39.8.10', platform: 'win32', arch: 'x64', log: () => {} };

  it('keeps the first step whose result the target loads, with a stamp; the next pack reuses it', async () => {
    const dir = out();
    const linuxBuild = prebuild(
      '@serialport/bindings-cpp/prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node',
    );
    const result = await prepareBetterSqliteForPack({
      ...base,
      dir,
      steps: [writes(linuxBuild, 'wrong-platform'), writes(minimalPe32Plus(), 'right')],
    });
    expect(result).toEqual({ path: path.join(dir, 'better_sqlite3.node'), how: 'right' });
    expect(binaryTarget(readFileSync(result.path))?.platform).toBe('win32');
    const stamp = JSON.parse(readFileSync(path.join(dir, 'build-info.json'), 'utf8'));
    expect(stamp).toMatchObject({
      electron: '39.8.10',
      platform: 'win32',
      arch: 'x64',
      how: 'right',
    });

    const never: NativeStep = {
      name: 'never',
      label: 'never',
      run: async () => {
        throw new Error('should not run');
      },
    };
    await expect(prepareBetterSqliteForPack({ ...base, dir, steps: [never] })).resolves.toEqual({
      path: result.path,
      how: 'cached',
    });
    // Another Electron version is another build.
    await expect(
      prepareBetterSqliteForPack({ ...base, electronVersion: '40.0.0', dir, steps: [never] }),
    ).rejects.toThrow(/never: should not run/);
  });

  it('fails the build, naming every step, when none gives a usable binary', async () => {
    const dir = out();
    const offline: NativeStep = {
      name: 'prebuilt',
      label: "better-sqlite3's published Electron build",
      run: async () => {
        throw new Error('getaddrinfo ENOTFOUND github.com');
      },
    };
    await expect(
      prepareBetterSqliteForPack({
        ...base,
        dir,
        steps: [offline, writes(Buffer.from('<html>404</html>'), 'html')],
      }),
    ).rejects.toThrow(
      /could not be prepared for Electron 39\.8\.10 win32-x64:\n {2}- better-sqlite3's published Electron build: getaddrinfo ENOTFOUND github\.com\n {2}- html step: .*not a native binary/,
    );
    expect(existsSync(path.join(dir, 'better_sqlite3.node'))).toBe(false);
  });

  it('builds from source only where the build machine is the target', () => {
    expect(defaultSteps('win32', 'x64').map((s) => s.name)).toEqual(
      process.platform === 'win32' && process.arch === 'x64'
        ? ['prebuilt', 'rebuilt']
        : ['prebuilt'],
    );
    expect(defaultSteps(process.platform, process.arch).map((s) => s.name)).toEqual([
      'prebuilt',
      'rebuilt',
    ]);
  });

  it("the hook takes platform, arch and Electron version from electron-builder's context", async () => {
    const dir = out();
    const hook = createBeforePack({ dir, steps: [writes(minimalPe32Plus())], log: () => {} });
    await hook({
      electronPlatformName: 'win32',
      arch: 1, // builder-util Arch.x64
      packager: { projectDir: root, info: { framework: { version: '39.8.10' } } },
    });
    expect(JSON.parse(readFileSync(path.join(dir, 'build-info.json'), 'utf8'))).toMatchObject({
      electron: '39.8.10',
      platform: 'win32',
      arch: 'x64',
    });
    await expect(
      hook({ electronPlatformName: 'win32', arch: 9, packager: { projectDir: root } }),
    ).rejects.toThrow(/unsupported arch 9/);
  });
});
