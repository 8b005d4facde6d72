#!/usr/bin/env node
// Bundles the Electron shell with esbuild: electron/main.ts -> dist/electron/main.cjs and
// electron/preload.ts -> dist/electron/preload.cjs. Native modules stay external (they are
// rebuilt for Electron's ABI by electron-builder and loaded from node_modules at run time).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

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
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  external,
};

await Promise.all([
  build({
    ...common,
    entryPoints: { main: 'electron/main.ts' },
    outdir: 'dist/electron',
    outExtension: { '.js': '.cjs' },
    // The sources are ES modules; in the CommonJS bundle import.meta.url is this file's URL.
    define: { 'import.meta.url': '__pospayImportMetaUrl' },
    banner: {
      js: "const __pospayImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    },
  }),
  // The preload runs sandboxed: a single file that requires nothing but `electron`.
  build({
    ...common,
    entryPoints: { preload: 'electron/preload.ts' },
    outdir: 'dist/electron',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
  }),
]);
process.stdout.write('built dist/electron/main.cjs and dist/electron/preload.cjs\n');
