#!/usr/bin/env node
// `npm start`: the cashier app in Electron. Builds the screen when it is missing. Where the
// Electron runtime is not installed (an offline or headless machine) it says so in one line
// and serves the same app in browser mode instead (`pospay serve`, in a process started with
// the terminal's V8 flags, bin/v8flags.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { POSPAY_V8_FLAGS } from '../bin/v8flags.mjs';

register();
const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const { chooseLaunch, fallbackMessage } = await import('../electron/shell/launch.ts');
const { ensureRendererBuilt } = await import('../electron/app/rendererBuild.ts');

try {
  if (ensureRendererBuilt(root)) process.stderr.write('built the cashier screen (dist/renderer)\n');
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const choice = chooseLaunch({
  resolveElectron: () => require('electron'),
  exists: existsSync,
  platform: process.platform,
  env: process.env,
});

if (choice.mode === 'electron') {
  const built = spawnSync(process.execPath, ['scripts/build-electron.mjs'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
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
  const port = process.env.POS_PORT?.trim() || '5317';
  process.stdout.write(`${fallbackMessage(choice.reason, `http://127.0.0.1:${port}`)}\n`);
  // Its own process, started with the terminal's V8 flags (bin/pospay.mjs then has no need
  // to re-run itself to apply them).
  const child = spawn(
    process.execPath,
    [...POSPAY_V8_FLAGS, path.join(root, 'bin', 'pospay.mjs'), 'serve'],
    { cwd: root, stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
