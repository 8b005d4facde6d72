// electron-builder's beforePack hook (electron-builder.yml: beforePack): better-sqlite3 for the
// Electron being packed and the platform/arch of the target, never for the build machine.
//
// electron-builder's own rebuild is off (npmRebuild: false): node-hid and
// @serialport/bindings-cpp ship N-API prebuilds for win32-x64 that load in Electron as they are,
// and only better-sqlite3 needs Electron's ABI. This hook prepares it, like
// scripts/electron-native.mjs does for `npm start` (same steps: the published Electron build,
// else a build from source when the build machine is the target), in
//   node_modules/.cache/pospay-pack/<platform>-<arch>/better_sqlite3.node
// which electron-builder.yml's `files` maps to node_modules/better-sqlite3/build/Release/ in the
// package (unpacked from the asar). node_modules/better-sqlite3 itself is never touched: the CLI
// and the tests keep its Node build. The binary must be one the target loads (PE32+ x64 for
// win32-x64, checked from its header); where the build machine is the target and the Electron
// runtime is installed, it is also loaded there once. Any failure throws: the build fails
// rather than ship an installer whose journal cannot open.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BETTER_SQLITE_ADDON,
  downloadPrebuilt,
  rebuildFromSource,
  stageCopy,
  verifyInElectron,
} from './electron-native.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MODULE = 'better-sqlite3';
const STAMP = 'build-info.json';

/** Relative to the project root; electron-builder.yml's `files` names the win32-x64 one. */
export const PACK_NATIVE_DIR = path.join('node_modules', '.cache', 'pospay-pack');

/** Where the hook leaves better_sqlite3.node for `platform`-`arch`. */
export function packNativeDir(projectRoot, platform, arch) {
  return path.join(projectRoot, PACK_NATIVE_DIR, `${platform}-${arch}`);
}

const PE_MACHINES = { 0x8664: 'x64', 0x014c: 'ia32', 0xaa64: 'arm64' };
const ELF_MACHINES = { 0x3e: 'x64', 0x03: 'ia32', 0xb7: 'arm64', 0x28: 'arm' };
const MACHO_CPUS = { 0x01000007: 'x64', 0x0100000c: 'arm64' };

/**
 * What a native binary is, from its header: `{ platform, arch, pe32plus? }` (platform as
 * process.platform names it), or null for anything else (a text file, a truncated download).
 */
export function binaryTarget(bytes) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 64 && buf.readUInt16LE(0) === 0x5a4d) {
    const pe = buf.readUInt32LE(0x3c);
    if (pe + 26 > buf.length || buf.readUInt32LE(pe) !== 0x00004550) return null;
    const arch = PE_MACHINES[buf.readUInt16LE(pe + 4)];
    const magic = buf.readUInt16LE(pe + 24);
    if (!arch || (magic !== 0x20b && magic !== 0x10b)) return null;
    return { platform: 'win32', arch, pe32plus: magic === 0x20b };
  }
  if (buf.length >= 20 && buf.readUInt32BE(0) === 0x7f454c46) {
    const arch = ELF_MACHINES[buf[5] === 2 ? buf.readUInt16BE(18) : buf.readUInt16LE(18)];
    return arch ? { platform: 'linux', arch } : null;
  }
  if (buf.length >= 8 && buf.readUInt32LE(0) === 0xfeedfacf) {
    const arch = MACHO_CPUS[buf.readUInt32LE(4)];
    return arch ? { platform: 'darwin', arch } : null;
  }
  return null;
}

/** Throws unless `file` is a binary `platform`-`arch` loads (PE32+ for 64-bit Windows). */
export function assertBinaryFor(file, platform, arch) {
  const found = binaryTarget(readFileSync(file));
  const wantsPe32Plus = platform === 'win32' && arch !== 'ia32';
  if (
    !found ||
    found.platform !== platform ||
    found.arch !== arch ||
    (wantsPe32Plus && !found.pe32plus)
  ) {
    const what = found ? `${found.platform}-${found.arch}` : 'not a native binary';
    throw new Error(`${file} is ${what}, not a ${platform}-${arch} binary`);
  }
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** better-sqlite3's published Electron build; a build from source only where it can run. */
export function defaultSteps(platform, arch) {
  const steps = [
    { name: 'prebuilt', label: "better-sqlite3's published Electron build", run: downloadPrebuilt },
  ];
  if (platform === process.platform && arch === process.arch) {
    steps.push({
      name: 'rebuilt',
      label: 'a build from source (@electron/rebuild)',
      run: rebuildFromSource,
    });
  }
  return steps;
}

/**
 * Prepares better_sqlite3.node for Electron `electronVersion` on `platform`-`arch` in
 * packNativeDir(); returns `{ path, how }` ('cached' when the stamp says it is there already).
 * Throws, naming every step tried, when it cannot. options: dir (instead of packNativeDir()),
 * steps, log, env, electronPath.
 */
export async function prepareBetterSqliteForPack({
  projectRoot = root,
  electronVersion,
  platform,
  arch,
  steps = defaultSteps(platform, arch),
  log = (line) => process.stderr.write(`${line}\n`),
  env = process.env,
  electronPath,
  dir = packNativeDir(projectRoot, platform, arch),
}) {
  if (!electronVersion) throw new Error('beforePack: the Electron version being packed is unknown');
  const sqliteVersion = readJson(
    path.join(projectRoot, 'node_modules', MODULE, 'package.json'),
  )?.version;
  if (!sqliteVersion) throw new Error(`${MODULE} is not installed: run "npm ci" first.`);
  const target = path.join(dir, BETTER_SQLITE_ADDON);
  const wanted = { electron: electronVersion, [MODULE]: sqliteVersion, platform, arch };
  const stamp = readJson(path.join(dir, STAMP));
  if (
    existsSync(target) &&
    stamp &&
    Object.entries(wanted).every(([key, value]) => stamp[key] === value)
  ) {
    assertBinaryFor(target, platform, arch);
    log(`beforePack: ${MODULE} for Electron ${electronVersion} ${platform}-${arch} (cached)`);
    return { path: target, how: 'cached' };
  }

  const staging = path.join(dir, '..', `.staging-${path.basename(dir)}-${process.pid}`);
  const failures = [];
  try {
    const moduleDir = stageCopy(projectRoot, staging);
    const built = path.join(moduleDir, 'build', 'Release', BETTER_SQLITE_ADDON);
    for (const step of steps) {
      try {
        rmSync(path.join(moduleDir, 'build'), { recursive: true, force: true });
        log(
          `beforePack: ${MODULE} for Electron ${electronVersion} ${platform}-${arch}: ${step.label}…`,
        );
        await step.run({
          root: projectRoot,
          staging,
          moduleDir,
          electronVersion,
          platform,
          arch,
          env,
          log,
        });
        if (!existsSync(built)) throw new Error(`it left no ${path.relative(staging, built)}`);
        assertBinaryFor(built, platform, arch);
        if (electronPath && platform === process.platform && arch === process.arch) {
          await verifyInElectron({ electronPath, addon: built, root: projectRoot, env });
        }
        mkdirSync(dir, { recursive: true });
        rmSync(path.join(dir, STAMP), { force: true });
        const partial = `${target}.${process.pid}.tmp`;
        writeFileSync(partial, readFileSync(built));
        renameSync(partial, target);
        writeFileSync(
          path.join(dir, STAMP),
          `${JSON.stringify({ ...wanted, how: step.name }, null, 2)}\n`,
        );
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
      `beforePack: ${MODULE} could not be prepared for Electron ${electronVersion} ${platform}-${arch}:`,
      ...failures.map((failure) => `  - ${failure}`),
    ].join('\n'),
  );
}

/** builder-util's Arch enum (context.arch) as Node names it. */
const ARCH_NAMES = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64' };

/**
 * An electron-builder beforePack hook; `options` (dir, steps, log, env) are handed to
 * prepareBetterSqliteForPack (tests pack with a stand-in step). The platform and arch come from
 * electron-builder's context, the Electron version from the packager (electronVersion).
 */
export function createBeforePack(options = {}) {
  return async function beforePack(context) {
    const platform = context.electronPlatformName;
    const arch = ARCH_NAMES[context.arch];
    if (!arch) throw new Error(`beforePack: unsupported arch ${String(context.arch)}`);
    const projectRoot = context.packager?.projectDir ?? root;
    const electronVersion =
      context.packager?.info?.framework?.version ??
      readJson(path.join(projectRoot, 'node_modules', 'electron', 'package.json'))?.version;
    let electronPath;
    try {
      electronPath = createRequire(path.join(projectRoot, 'package.json'))('electron');
    } catch {
      electronPath = undefined; // runtime not downloaded: the header check still applies
    }
    if (typeof electronPath !== 'string' || !existsSync(electronPath)) electronPath = undefined;
    const result = await prepareBetterSqliteForPack({
      projectRoot,
      electronVersion,
      platform,
      arch,
      electronPath,
      ...options,
    });
    (options.log ?? ((line) => process.stderr.write(`${line}\n`)))(
      `beforePack: ${path.relative(projectRoot, result.path)} (${result.how})`,
    );
  };
}

/** The hook electron-builder.yml names. */
export default createBeforePack();
