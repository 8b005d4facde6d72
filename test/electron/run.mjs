#!/usr/bin/env node
// `npm run test:electron`: the Playwright `_electron` suite (test/electron/*.electron.ts)
// against the real app. Where the Electron runtime is not installed it says so in one line
// and exits 0 — no test ran, none is counted (and `npm test` never counts this suite).
// Otherwise: builds the screen and the bundles, prepares better-sqlite3 for Electron's ABI,
// then runs the suite with its own Vitest configuration; the exit code is the suite's.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectronNativeModules } from '../../scripts/electron-native.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

let electronPath = null;
try {
  electronPath = require('electron');
} catch {
  electronPath = null;
}
if (typeof electronPath !== 'string' || !existsSync(electronPath)) {
  process.stdout.write('Electron runtime not installed: the Electron suite did not run\n');
  process.exit(0);
}
const linuxLike = process.platform !== 'win32' && process.platform !== 'darwin';
if (linuxLike && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  process.stderr.write(
    'The Electron runtime is installed but there is no display: run the suite under a display ' +
      '(e.g. "xvfb-run -a npm run test:electron").\n',
  );
  process.exit(1);
}

const node = (args, what) => {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`test:electron: ${what} failed\n`);
    process.exit(result.status ?? 1);
  }
};
node(
  [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
  'the renderer build',
);
node([path.join(root, 'scripts', 'build-electron.mjs')], 'the Electron bundles');
const version = JSON.parse(
  readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
).version;
try {
  await ensureElectronNativeModules(root, version, { electronPath });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const suite = spawnSync(
  process.execPath,
  [
    path.join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--config',
    path.join(root, 'test', 'electron', 'vitest.config.ts'),
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, POSPAY_ELECTRON_PATH: electronPath } },
);
process.exit(suite.status ?? 1);
