#!/usr/bin/env node
// `npm start`: the cashier app in Electron. It first builds what a fresh clone lacks or what
// is older than its sources: the bundles (scripts/build-electron.mjs: dist/cli, dist/electron)
// and the cashier screen (Vite: dist/renderer). Where the Electron runtime is not installed
// (an offline or headless machine) it says so in one line and serves the same app in browser
// mode instead (`pospay serve`, in a process started with the terminal's V8 flags,
// bin/v8flags.mjs); the address it prints carries this launch's token (POS_LAUNCH_TOKEN).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { POSPAY_V8_FLAGS } from '../bin/v8flags.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const message = (error) => (error instanceof Error ? error.message : String(error));

// The launcher's own helpers come from the bundle; should the sources not build (a file
// being edited), from the sources themselves through tsx (`pospay serve` does the same).
let bundled = true;
let launch;
let rendererBuild;
try {
  const { ensureBundles } = await import('./build-electron.mjs');
  const built = await ensureBundles();
  if (built.length > 0) process.stderr.write(`built the bundles ${built.join(', ')} (dist/)\n`);
  launch = await import('../dist/cli/launch.mjs');
  rendererBuild = await import('../dist/cli/rendererBuild.mjs');
} catch (error) {
  bundled = false;
  process.stderr.write(`could not bundle the sources (${message(error)}); running them with tsx\n`);
  const { register } = await import('tsx/esm/api');
  register();
  launch = await import('../electron/shell/launch.ts');
  rendererBuild = await import('../electron/app/rendererBuild.ts');
}
const { chooseLaunch, fallbackMessage } = launch;

try {
  if (rendererBuild.ensureRendererBuilt(root, { rebuildStale: true })) {
    process.stderr.write('built the cashier screen (dist/renderer)\n');
  }
} catch (error) {
  process.stderr.write(`${message(error)}\n`);
  process.exit(1);
}

const choice = chooseLaunch({
  resolveElectron: () => require('electron'),
  exists: existsSync,
  platform: process.platform,
  env: process.env,
});

if (choice.mode === 'electron') {
  // Electron runs the bundles only (dist/electron): they must be the build of the sources.
  if (!bundled) {
    process.stderr.write('Electron runs the bundles: fix the build error above first.\n');
    process.exit(1);
  }
  // better-sqlite3 for Electron's ABI (first start only; scripts/electron-native.mjs).
  const { ensureElectronNativeModules } = await import('./electron-native.mjs');
  await ensureElectronNativeModules(root, require('electron/package.json').version, {
    electronPath: choice.electronPath,
  }).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(choice.electronPath, [root, ...process.argv.slice(2)], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  // The token lets only the page opened from this address use the terminal's API.
  const token = process.env.POS_LAUNCH_TOKEN?.trim() || randomBytes(24).toString('base64url');
  // Its own process, started with the terminal's V8 flags.
  const child = spawn(
    process.execPath,
    [...POSPAY_V8_FLAGS, path.join(root, 'bin', 'pospay.mjs'), 'serve'],
    {
      cwd: root,
      env: { ...process.env, POS_LAUNCH_TOKEN: token },
      stdio: ['inherit', 'pipe', 'inherit'],
    },
  );
  // Its first line is its address: printed in the one line saying why it is browser mode.
  let announced = false;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!announced && /^https?:\/\//.test(line.trim())) {
      announced = true;
      const url = new URL(line.trim());
      if (!url.searchParams.has('token')) url.searchParams.set('token', token);
      process.stdout.write(`${fallbackMessage(choice.reason, url.href)}\n`);
    } else {
      process.stdout.write(`${line}\n`);
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => {
    if (!announced) process.stderr.write(`${choice.reason}; browser mode did not start\n`);
    process.exit(code ?? (signal ? 1 : 0));
  });
}
