/**
 * A real `electron-builder --win --dir` pack of electron-builder.yml (as electron-builder loads
 * it), on Linux, against a stub Electron folder (electronDist: an electron.exe placeholder), and
 * what it packed. Left out, since they need the real Electron binary or Windows: the fuses
 * (they patch electron.exe), resource editing (win.signAndEditExecutable: icon and version info
 * into the .exe; disableAsarIntegrity: the asar's hash into its resources) and signing. No step
 * of a --dir pack needs wine. Everything else is the shipped config: files, asar and asarUnpack,
 * extraMetadata, publish, and the beforePack hook (scripts/before-pack.mjs) with one stand-in
 * step for the download (test/support/stubBeforePack.mjs).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { extractAll, listPackage, statFile } from '@electron/asar';
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import { Arch, build, Platform, type Configuration } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryTarget } from '../../../scripts/before-pack.mjs';
import { ensureBundles } from '../../../scripts/build-electron.mjs';
import { packagedBindingPath } from '../../../electron/shell/nativeBinding.ts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const work = path.join(root, 'test-results', `win-pack-${process.pid}`);
const rel = (file: string): string => path.relative(root, file).split(path.sep).join('/');

let appOutDir = '';
let resources = '';
let asarFile = '';
let extracted = '';
let entries: string[] = [];

/** The packages main.cjs and core.cjs load at run time (require / import of a bare name). */
function bundleExternals(): string[] {
  const names = new Set<string>();
  for (const bundle of ['main.cjs', 'core.cjs']) {
    const text = readFileSync(path.join(root, 'dist', 'electron', bundle), 'utf8');
    for (const match of text.matchAll(/\b(?:require|import)\(\s*"([^"./][^"]*)"\s*\)/g)) {
      const name = match[1]!;
      if (!isBuiltin(name) && name !== 'electron') names.add(name);
    }
  }
  return [...names].sort();
}

function isUnpacked(entry: string): boolean {
  const stat = statFile(asarFile, entry.replace(/^[\\/]/, ''), false) as { unpacked?: boolean };
  return stat.unpacked === true;
}

beforeAll(async () => {
  // npm test builds these first; a run of this file alone builds what is missing or stale.
  await ensureBundles({ only: ['main', 'preload'] });
  if (!existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) {
    throw new Error('dist/renderer is not built: run "npx vite build" (npm test does)');
  }
  rmSync(work, { recursive: true, force: true });
  const electronDist = path.join(work, 'electron-dist');
  mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
  writeFileSync(path.join(electronDist, 'electron.exe'), 'MZ placeholder: not Electron');
  writeFileSync(path.join(electronDist, 'LICENSE'), 'placeholder');
  const nativeDir = path.join(work, 'native', 'win32-x64');

  const shipped = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
  // The hook's folder (files `from`, asarUnpack) is the test's own: the real one is left alone.
  const derived = JSON.parse(
    JSON.stringify(shipped).replaceAll('node_modules/.cache/pospay-pack/win32-x64', rel(nativeDir)),
  ) as Configuration;
  const { electronFuses: _fuses, ...rest } = derived;
  const config: Configuration = {
    ...rest,
    electronDist: rel(electronDist),
    electronVersion: JSON.parse(
      readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
    ).version,
    npmRebuild: false,
    beforePack: './test/support/stubBeforePack.mjs',
    directories: { ...derived.directories, output: rel(path.join(work, 'out')) },
    win: { ...derived.win, signAndEditExecutable: false },
    // The asar's hash goes into electron.exe's resources (resedit): there is no real exe here.
    disableAsarIntegrity: true,
  };
  const configFile = path.join(work, 'electron-builder.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  process.env.POSPAY_TEST_NATIVE_DIR = nativeDir;
  try {
    await build({
      projectDir: root,
      config: configFile,
      targets: Platform.WINDOWS.createTarget('dir', Arch.x64),
      publish: 'never',
    });
  } finally {
    delete process.env.POSPAY_TEST_NATIVE_DIR;
  }
  appOutDir = path.join(work, 'out', 'win-unpacked');
  resources = path.join(appOutDir, 'resources');
  asarFile = path.join(resources, 'app.asar');
  entries = listPackage(asarFile, { isPack: false }).map((entry) =>
    entry.split(path.sep).join('/'),
  );
  extracted = path.join(work, 'extracted');
  extractAll(asarFile, extracted);
}, 120_000);

afterAll(() => {
  if (process.env.KEEP_PACK) return;
  rmSync(work, { recursive: true, force: true });
});

describe('electron-builder --win --dir of electron-builder.yml', () => {
  it('makes PosPay.exe with the app in resources/app.asar, package.json naming the author', () => {
    expect(existsSync(path.join(appOutDir, 'PosPay.exe'))).toBe(true);
    expect(existsSync(path.join(resources, 'default_app.asar'))).toBe(false);
    const pkg = JSON.parse(readFileSync(path.join(extracted, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('dist/electron/main.cjs');
    expect(pkg.author?.name).toBe('PosPay');
    expect(pkg.devDependencies).toBeUndefined();
  });

  it('ships only the bundles, the screen, package.json and node_modules', () => {
    const top = new Set(entries.map((entry) => entry.split('/')[1]));
    expect([...top].sort()).toEqual(['dist', 'node_modules', 'package.json']);
    const dist = entries.filter((entry) => /^\/dist\/[^/]+$/.test(entry));
    expect(dist.sort()).toEqual(['/dist/electron', '/dist/renderer']);
    const electron = entries.filter((entry) => entry.startsWith('/dist/electron/'));
    expect(electron.sort()).toEqual([
      '/dist/electron/core.cjs',
      '/dist/electron/main.cjs',
      '/dist/electron/preload.cjs',
    ]);
    expect(entries).toContain('/dist/renderer/index.html');
  });

  it('packs the runtime externals of main.cjs and core.cjs and what they need, nothing else', () => {
    const externals = bundleExternals();
    // What scripts/build-electron.mjs keeps out of the bundles and the terminal loads.
    expect(externals).toEqual(expect.arrayContaining(['better-sqlite3', 'node-hid', 'serialport']));
    const packages = entries
      .map((entry) => /^\/node_modules\/(@[^/]+\/[^/]+|[^@/][^/]*)$/.exec(entry)?.[1])
      .filter((name): name is string => name !== undefined);
    for (const external of externals) expect(packages).toContain(external);
    expect(packages.sort()).toEqual([
      '@serialport/binding-mock',
      '@serialport/bindings-cpp',
      '@serialport/bindings-interface',
      '@serialport/parser-byte-length',
      '@serialport/parser-cctalk',
      '@serialport/parser-delimiter',
      '@serialport/parser-inter-byte-timeout',
      '@serialport/parser-packet-length',
      '@serialport/parser-readline',
      '@serialport/parser-ready',
      '@serialport/parser-regex',
      '@serialport/parser-slip-encoder',
      '@serialport/parser-spacepacket',
      '@serialport/stream',
      'better-sqlite3',
      'bindings',
      'debug',
      'file-uri-to-path',
      'ms',
      'node-gyp-build',
      'node-hid',
      'pkg-prebuilds',
      'serialport',
    ]);
    for (const tool of [
      'tsx',
      'esbuild',
      '@esbuild',
      'vite',
      'typescript',
      'vitest',
      'electron',
      'electron-builder',
      'react',
      'zod',
      'prebuild-install',
      'node-addon-api',
    ]) {
      expect(packages).not.toContain(tool);
    }
    expect(entries.some((entry) => entry.startsWith('/node_modules/@esbuild'))).toBe(false);
  });

  it('has every external resolve and load inside the package as on win32-x64', () => {
    const externals = bundleExternals();
    const probe = path.join(root, 'test', 'support', 'winLoadProbe.mjs');
    const out = execFileSync(process.execPath, [probe, extracted, ...externals], {
      encoding: 'utf8',
    });
    const { loaded, failures } = JSON.parse(out) as {
      loaded: string[];
      failures: { module: string; error: string }[];
    };
    expect(failures).toEqual([]);
    const inPackage = loaded.map((file) => rel(file).replace(rel(extracted) + '/', ''));
    expect(inPackage.sort()).toEqual([
      'node_modules/@serialport/bindings-cpp/prebuilds/win32-x64/@serialport+bindings-cpp.node',
      'node_modules/node-hid/prebuilds/HID-win32-x64/node-napi-v4.node',
    ]);
    // The asar entries of those binaries are unpacked (Windows cannot load a DLL from the asar).
    for (const file of inPackage) expect(isUnpacked(`/${file}`)).toBe(true);
  });

  it('unpacks every .node file, each a PE32+ x64 binary, and packs no other platform', () => {
    const binaries = entries.filter((entry) => entry.endsWith('.node'));
    expect(binaries.length).toBe(3);
    for (const entry of binaries) {
      expect(isUnpacked(entry), entry).toBe(true);
      const file = path.join(resources, 'app.asar.unpacked', ...entry.split('/').filter(Boolean));
      expect(binaryTarget(readFileSync(file)), entry).toEqual({
        platform: 'win32',
        arch: 'x64',
        pe32plus: true,
      });
    }
    const unpackedFiles = readdirSync(path.join(resources, 'app.asar.unpacked'), {
      recursive: true,
      encoding: 'utf8',
    })
      .map((name) => name.split(path.sep).join('/'))
      .filter((name) => name.endsWith('.node'));
    expect(unpackedFiles.sort()).toEqual(binaries.map((entry) => entry.slice(1)).sort());
    // Prebuilds folders: only the win32-x64 ones (bindings-cpp's darwin.js and linux.js are the
    // JavaScript its index requires on every platform, not binaries).
    const prebuilds = new Set(
      entries
        .map((entry) => /^(.*\/prebuilds\/[^/]+)(\/|$)/.exec(entry)?.[1])
        .filter((dir): dir is string => dir !== undefined),
    );
    expect([...prebuilds].sort()).toEqual([
      '/node_modules/@serialport/bindings-cpp/prebuilds/win32-x64',
      '/node_modules/node-hid/prebuilds/HID-win32-x64',
    ]);
  });

  it("puts better-sqlite3's Electron build where the installed app loads it", () => {
    expect(existsSync(packagedBindingPath(resources))).toBe(true);
    // The hook was handed the target by electron-builder (not the build machine's platform).
    const stamp = JSON.parse(
      readFileSync(path.join(work, 'native', 'win32-x64', 'build-info.json'), 'utf8'),
    );
    const electron = JSON.parse(
      readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
    ).version;
    expect(stamp).toMatchObject({ electron, platform: 'win32', arch: 'x64', how: 'stand-in' });
    expect(entries).toContain('/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    // Nothing else of its build folder (the Node build, test_extension.node, obj/).
    expect(
      entries.filter((entry) => entry.startsWith('/node_modules/better-sqlite3/build/')),
    ).toEqual([
      '/node_modules/better-sqlite3/build/Release',
      '/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    ]);
  });

  it('packs no sources, source maps, C/C++ build inputs or type declarations', () => {
    const forbidden = entries.filter(
      (entry) =>
        /\.(ts|tsx|mts|cts|map|c|cc|cpp|h|hpp|gyp|gypi|mk|o|obj|a|lib|pdb)$/.test(entry) ||
        /\/(deps|test|tests|hidapi)(\/|$)/.test(entry) ||
        /^\/node_modules\/(better-sqlite3|node-hid|@serialport\/bindings-cpp)\/src(\/|$)/.test(
          entry,
        ) ||
        /^\/(electron|renderer|shared|scripts|bench|bin|test)(\/|$)/.test(entry),
    );
    expect(forbidden).toEqual([]);
  });
});
