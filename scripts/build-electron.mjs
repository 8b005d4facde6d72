#!/usr/bin/env node
// The JavaScript bundles the project ships under dist/, built with esbuild. One entry of
// BUNDLES per bundle; to ship another, add an entry there (nothing else to change):
//
//   main     electron/main.ts       -> dist/electron/main.cjs     the Electron shell
//   preload  electron/preload.ts    -> dist/electron/preload.cjs  its sandboxed preload
//   pospay   electron/cli/pospay.ts -> dist/cli/pospay.mjs        the `pospay` command and the
//            browser-mode host (bin/pospay.mjs runs it), split in chunks so that a command
//            loads only its own code; plus dist/cli/launch.mjs and rendererBuild.mjs, what
//            `npm start` (scripts/start.mjs) needs
//
// Native modules stay external (rebuilt for Electron's ABI by electron-builder, loaded from
// node_modules at run time). Each bundle gets a manifest, <outdir>/<name>.build.json, listing
// every file the build read with its size and mtime: bin/bundleState.mjs tells from it
// whether the bundle is still the code of the sources (no tsx at run time, and never an old
// bundle after an edit). Outputs are written to temporary names and renamed into place,
// chunks before the entries that import them and the manifest last, so that a process
// starting during a build never loads a half-written or mismatched file.
//
//   node scripts/build-electron.mjs                  build every bundle
//   node scripts/build-electron.mjs --if-stale       only those whose sources changed
//   node scripts/build-electron.mjs --only pospay    only these (comma-separated names)
//   --no-fail    report a failed build but exit 0 (npm's `prepare`: `npm install` is not
//                failed by a source being edited; bin/pospay.mjs then runs the sources)
import { build, stop } from 'esbuild';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleState, fingerprint, isUsable, MANIFEST_VERSION } from '../bin/bundleState.mjs';

export const root = fileURLToPath(new URL('..', import.meta.url));

const external = [
  'electron',
  'better-sqlite3',
  'node-hid',
  'serialport',
  '@serialport/*',
  'usb',
  'bindings',
  'node-gyp-build',
  '*.node',
];

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  logLevel: 'warning',
  external,
};

// Electron 39 runs Node 22.
const electronCjs = {
  ...common,
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  outdir: 'dist/electron',
  outExtension: { '.js': '.cjs' },
};

/**
 * name: the manifest is <outdir>/<name>.build.json. owned: the outdir holds this bundle only
 * (outputs of older builds are removed). options: esbuild's; outdir is two levels deep
 * (dist/<folder>), like the sources (electron/<folder>/): the code finds the app root two
 * levels above itself (electron/app/paths.ts).
 */
export const BUNDLES = [
  {
    name: 'main',
    options: {
      ...electronCjs,
      entryPoints: { main: 'electron/main.ts', core: 'electron/host/coreEntry.ts' },
      // The sources are ES modules; in the CommonJS bundle import.meta.url is this file's URL.
      define: { 'import.meta.url': '__pospayImportMetaUrl' },
      banner: {
        js: "const __pospayImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
      },
    },
  },
  // The preload runs sandboxed: a single file that requires nothing but `electron`.
  {
    name: 'preload',
    options: {
      ...electronCjs,
      entryPoints: { preload: 'electron/preload.ts' },
      external: ['electron'],
    },
  },
  {
    name: 'pospay',
    owned: true,
    options: {
      ...common,
      entryPoints: {
        pospay: 'electron/cli/pospay.ts',
        launch: 'electron/shell/launch.ts',
        rendererBuild: 'electron/app/rendererBuild.ts',
      },
      format: 'esm',
      splitting: true,
      // CommonJS packages that require() Node modules: loaded from node_modules at run time
      // (an ES module bundle cannot require()).
      external: [...external, 'iconv-lite', '@point-of-sale/receipt-printer-encoder', 'qrcode'],
      // The oldest Node the package supports (package.json engines).
      target: 'node20',
      outdir: 'dist/cli',
      outExtension: { '.js': '.mjs' },
      chunkNames: '[name]-[hash]',
    },
  },
];

/** Files every bundle depends on besides what esbuild reads. */
const BUILD_INPUTS = [
  'scripts/build-electron.mjs',
  'bin/bundleState.mjs',
  'package.json',
  'tsconfig.json',
];

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'release', 'coverage', 'test-results']);

export function manifestFile(bundle) {
  return path.join(bundle.options.outdir, `${bundle.name}.build.json`);
}

export function findBundles(names) {
  if (!names || names.length === 0) return BUNDLES;
  return names.map((name) => {
    const bundle = BUNDLES.find((b) => b.name === name);
    if (!bundle) {
      throw new Error(`no bundle "${name}" (known: ${BUNDLES.map((b) => b.name).join(', ')})`);
    }
    return bundle;
  });
}

/** The project's own files (not node_modules, dist, dot folders) and their fingerprints. */
function snapshotSources(dir = root, out = new Map()) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) snapshotSources(full, out);
    else if (entry.isFile()) out.set(full, fingerprint(full));
  }
  return out;
}

const posix = (p) => p.split(path.sep).join('/');

const sameFingerprint = (a, b) => a !== null && b !== null && a[0] === b[0] && a[1] === b[1];

/** Writes `contents` to `file` atomically (a temporary name, then a rename). */
function writeAtomically(file, contents) {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, contents);
  for (let attempt = 0; ; attempt += 1) {
    try {
      renameSync(partial, file);
      return;
    } catch (error) {
      // Windows: the target may be open in another process for a moment.
      if (attempt >= 20 || !['EPERM', 'EACCES', 'EBUSY'].includes(error.code)) {
        rmSync(partial, { force: true });
        throw error;
      }
      const until = Date.now() + 25;
      while (Date.now() < until);
    }
  }
}

/**
 * Builds one bundle and its manifest. `before` (snapshotSources() taken before the build):
 * a project file that changed while esbuild read it is recorded as unknown, so that the
 * next start sees the bundle stale rather than trusting a build of half-saved sources.
 */
export async function buildBundle(bundle, before = snapshotSources(), keepOldMs = 60_000) {
  if (bundle.options.outdir.split('/').length !== 2) {
    throw new Error(`${bundle.name}: outdir ${bundle.options.outdir} is not two levels deep`);
  }
  const result = await build({ ...bundle.options, write: false, metafile: true });
  const outdir = path.resolve(root, bundle.options.outdir);
  const outputs = result.outputFiles.map((file) => {
    const relative = posix(path.relative(root, file.path));
    const meta = result.metafile.outputs[relative];
    return { file, entry: Boolean(meta?.entryPoint) };
  });
  if (bundle.options.format === 'esm') {
    // esbuild's stand-in for a bundled package's require() of a Node module throws at run
    // time in an ES module: give the bundle a require (banner) before shipping that.
    const shim = outputs.find(({ file }) => file.text.includes('Dynamic require of'));
    if (shim) throw new Error(`${path.relative(root, shim.file.path)} would call require()`);
  }
  mkdirSync(outdir, { recursive: true });
  for (const { file } of outputs.filter((o) => !o.entry)) writeAtomically(file.path, file.contents);
  for (const { file } of outputs.filter((o) => o.entry)) writeAtomically(file.path, file.contents);

  const inputs = {};
  const read = [...Object.keys(result.metafile.inputs), ...BUILD_INPUTS].filter(
    (input) => !/^[a-z-]+:/i.test(input) || /^[a-z]:[\\/]/i.test(input),
  );
  for (const input of read) {
    const full = path.resolve(root, input);
    const now = fingerprint(full);
    const earlier = before.get(full);
    inputs[posix(path.relative(root, full))] =
      earlier === undefined || sameFingerprint(earlier, now) ? now : null;
  }
  const entry = Object.values(bundle.options.entryPoints)[0];
  const manifest = {
    version: MANIFEST_VERSION,
    name: bundle.name,
    entry,
    outputs: outputs.map(({ file }) => posix(path.relative(outdir, file.path))),
    inputs,
  };
  const manifestPath = path.resolve(root, manifestFile(bundle));
  writeAtomically(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);

  if (bundle.owned) {
    // Outputs of earlier builds, older than keepOldMs: a process started from an earlier build
    // (a `pospay serve` left running) may still load one of its chunks lazily.
    const keep = new Set([...manifest.outputs, path.basename(manifestPath)]);
    for (const name of readdirSync(outdir)) {
      const full = path.join(outdir, name);
      if (keep.has(name)) continue;
      try {
        if (Date.now() - statSync(full).mtimeMs > keepOldMs) rmSync(full, { force: true });
      } catch {
        // gone already
      }
    }
  }
  return manifest;
}

/**
 * Builds the bundles named (all by default); with `ifStale`, only those whose manifest says
 * they are not the code of the sources. Returns the names built. Throws on a failed build.
 */
export async function ensureBundles({ only, ifStale = true } = {}) {
  const wanted = findBundles(only).filter(
    (bundle) => !ifStale || !isUsable(bundleState(root, manifestFile(bundle))),
  );
  if (wanted.length === 0) return [];
  const before = snapshotSources();
  try {
    // A rebuild after an edit keeps a day of older chunks; a full build (npm run build,
    // what is packaged) keeps only the last minute's.
    const keepOldMs = ifStale ? 86_400_000 : 60_000;
    await Promise.all(wanted.map((bundle) => buildBundle(bundle, before, keepOldMs)));
  } finally {
    // esbuild's service process is not needed any more (start.mjs keeps running).
    await stop();
  }
  return wanted.map((bundle) => bundle.name);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : [];
  try {
    const built = await ensureBundles({ only, ifStale: args.includes('--if-stale') });
    const names = (built.length ? findBundles(built) : []).flatMap(({ options }) =>
      Object.keys(options.entryPoints).map(
        (entry) => `${options.outdir}/${entry}${options.outExtension['.js']}`,
      ),
    );
    process.stdout.write(names.length ? `built ${names.join(', ')}\n` : 'bundles up to date\n');
  } catch (error) {
    process.stderr.write(
      `build-electron: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (!args.includes('--no-fail')) process.exit(1);
    process.stderr.write(
      'build-electron: not built; bin/pospay.mjs runs the TypeScript sources until it is\n',
    );
  }
}
