#!/usr/bin/env node
// better-sqlite3 for Electron's ABI, kept apart from the Node build the CLI and the tests load.
//
// `npm start` calls ensureElectronNativeModules() before it launches Electron. The first time
// for an Electron version (or after better-sqlite3 changed) it prepares
//   node_modules/.cache/pospay-electron-abi/<electron version>/better_sqlite3.node
// in a staging copy of the package (node_modules/better-sqlite3 itself is never touched):
//   1. the Electron build better-sqlite3 publishes (prebuild-install --runtime electron
//      --target <version>; uses the npm cache, needs network the first time), else
//   2. a build from source with @electron/rebuild (Electron's headers + a C++ toolchain);
// then loads it once in Electron's own Node (ELECTRON_RUN_AS_NODE=1) to check it, and keeps
// it. Later starts find it and do nothing. Electron's main process picks it with
// electron/shell/nativeBinding.ts (same layout). node-hid and @serialport/bindings-cpp are
// N-API: their builds load in Electron as they are.
//
// By hand: `node scripts/electron-native.mjs` (for the installed Electron).
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Relative to the app root; electron/shell/nativeBinding.ts has the same layout. */
export const ELECTRON_ABI_CACHE_DIR = path.join('node_modules', '.cache', 'pospay-electron-abi');
export const BETTER_SQLITE_ADDON = 'better_sqlite3.node';
const STAMP = 'build-info.json';
const MODULE = 'better-sqlite3';

/** Where the Electron-ABI build for `electronVersion` is kept. */
export function electronAbiBinaryPath(root, electronVersion) {
  return path.join(root, ELECTRON_ABI_CACHE_DIR, electronVersion, BETTER_SQLITE_ADDON);
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else {
        const last = output.trim().split('\n').filter(Boolean).slice(-3).join(' / ');
        reject(
          new Error(
            `${path.basename(command)} ${signal ?? `exited ${code}`}${last ? `: ${last}` : ''}`,
          ),
        );
      }
    });
  });
}

/** Step 1: the published Electron build (GitHub release of better-sqlite3, npm cache). */
export async function downloadPrebuilt({ root, moduleDir, electronVersion, platform, arch, env }) {
  // better-sqlite3's own dependency, as installed next to it.
  let bin;
  try {
    bin = createRequire(path.join(root, 'node_modules', MODULE, 'package.json')).resolve(
      'prebuild-install/bin.js',
    );
  } catch {
    bin = createRequire(import.meta.url).resolve('prebuild-install/bin.js');
  }
  const childEnv = { ...env };
  // npm describes the project being run (not better-sqlite3) in these; prebuild-install
  // would take a git origin there as "installing from git: no download".
  delete childEnv.npm_package_from;
  delete childEnv.npm_package_resolved;
  await run(
    process.execPath,
    [
      bin,
      '--runtime',
      'electron',
      '--target',
      electronVersion,
      '--platform',
      platform,
      '--arch',
      arch,
    ],
    { cwd: moduleDir, env: childEnv },
  );
}

/** Step 2: a build from source against Electron's headers (@electron/rebuild, node-gyp). */
export async function rebuildFromSource({ staging, electronVersion, arch }) {
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({
    buildPath: staging,
    // Never walk up to the project's own node_modules: only the staging copy is rebuilt.
    projectRootPath: staging,
    electronVersion,
    arch,
    onlyModules: [MODULE],
    force: true,
    buildFromSource: true,
    mode: 'sequential',
  });
}

/** Loads `addon` in Electron's Node (ELECTRON_RUN_AS_NODE) and runs one query with it. */
export async function verifyInElectron({ electronPath, addon, root, env }) {
  const lib = path.join(root, 'node_modules', MODULE);
  const script =
    `const Database = require(${JSON.stringify(lib)});` +
    `const db = new Database(':memory:', { nativeBinding: ${JSON.stringify(addon)} });` +
    `const row = db.prepare('select 41 + 1 as x').get(); db.close();` +
    `if (row.x !== 42) { console.error('unexpected answer'); process.exit(2); }`;
  await run(electronPath, ['-e', script], { env: { ...env, ELECTRON_RUN_AS_NODE: '1' } });
}

const DEFAULT_STEPS = [
  { name: 'prebuilt', label: "better-sqlite3's published Electron build", run: downloadPrebuilt },
  { name: 'rebuilt', label: 'a build from source (@electron/rebuild)', run: rebuildFromSource },
];

export function stageCopy(root, staging) {
  const source = path.join(root, 'node_modules', MODULE);
  const moduleDir = path.join(staging, 'node_modules', MODULE);
  rmSync(staging, { recursive: true, force: true });
  // Everything but the Node build (build/): sources, deps (SQLite), lib, package.json.
  cpSync(source, moduleDir, {
    recursive: true,
    filter: (file) => path.relative(source, file).split(path.sep)[0] !== 'build',
  });
  const version = readJson(path.join(source, 'package.json'))?.version;
  writeFileSync(
    path.join(staging, 'package.json'),
    JSON.stringify({
      name: 'pospay-electron-abi-staging',
      private: true,
      dependencies: { [MODULE]: version },
    }),
  );
  return moduleDir;
}

/**
 * Makes sure the Electron-ABI better-sqlite3 for `electronVersion` is in the cache; returns
 * `{ path, how: 'cached' | 'prebuilt' | 'rebuilt' }`. Throws, saying what was tried and what
 * to do, when it cannot be had (e.g. offline on the first start).
 *
 * options: electronPath (check the build in Electron before keeping it), log(line), env,
 * platform, arch, steps (tests).
 */
export async function ensureElectronNativeModules(root, electronVersion, options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const steps = options.steps ?? DEFAULT_STEPS;
  const target = electronAbiBinaryPath(root, electronVersion);
  const dir = path.dirname(target);
  const sqliteVersion = readJson(path.join(root, 'node_modules', MODULE, 'package.json'))?.version;
  if (!sqliteVersion) throw new Error(`${MODULE} is not installed: run "npm install" first.`);
  const wanted = { electron: electronVersion, [MODULE]: sqliteVersion, platform, arch };
  const stamp = readJson(path.join(dir, STAMP));
  if (
    existsSync(target) &&
    stamp &&
    Object.entries(wanted).every(([key, value]) => stamp[key] === value)
  ) {
    return { path: target, how: 'cached' };
  }

  log(
    `First start with Electron ${electronVersion}: preparing ${MODULE} ${sqliteVersion} for ` +
      `Electron's ABI in ${path.relative(root, dir) || dir} (the Node build stays for the CLI and tests)…`,
  );
  const staging = path.join(root, ELECTRON_ABI_CACHE_DIR, `.staging-${process.pid}`);
  const failures = [];
  try {
    const moduleDir = stageCopy(root, staging);
    const built = path.join(moduleDir, 'build', 'Release', BETTER_SQLITE_ADDON);
    for (const step of steps) {
      try {
        rmSync(path.join(moduleDir, 'build'), { recursive: true, force: true });
        log(`  trying ${step.label}…`);
        await step.run({ root, staging, moduleDir, electronVersion, platform, arch, env, log });
        if (!existsSync(built)) throw new Error(`it left no ${path.relative(staging, built)}`);
        if (options.electronPath) {
          await verifyInElectron({ electronPath: options.electronPath, addon: built, root, env });
        }
        mkdirSync(dir, { recursive: true });
        const partial = `${target}.${process.pid}.tmp`;
        copyFileSync(built, partial);
        renameSync(partial, target);
        writeFileSync(
          path.join(dir, STAMP),
          `${JSON.stringify({ ...wanted, how: step.name }, null, 2)}\n`,
        );
        log(`  ready: ${path.relative(root, target)} (${step.label})`);
        return { path: target, how: step.name };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`${step.label}: ${message.split('\n')[0]}`);
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  throw new Error(
    [
      `${MODULE} could not be prepared for Electron ${electronVersion} (its Node build would crash Electron):`,
      ...failures.map((failure) => `  - ${failure}`),
      'Run "npm start" again with network access (the first start downloads the published ' +
        'Electron build, or builds it with a C++ toolchain), or "node scripts/electron-native.mjs".',
      'Meanwhile "POS_BROWSER_MODE=1 npm start" runs the terminal in browser mode.',
    ].join('\n'),
  );
}

// `node scripts/electron-native.mjs`: for the Electron installed in node_modules.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const require = createRequire(import.meta.url);
  const version = readJson(path.join(root, 'node_modules', 'electron', 'package.json'))?.version;
  if (!version) {
    process.stderr.write('electron is not installed in node_modules: nothing to prepare.\n');
    process.exit(1);
  }
  let electronPath;
  try {
    electronPath = require('electron');
  } catch {
    process.stderr.write(
      '(the Electron runtime is not downloaded: the build is not checked in Electron)\n',
    );
  }
  try {
    const result = await ensureElectronNativeModules(root, version, { electronPath });
    process.stdout.write(`${result.path}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
