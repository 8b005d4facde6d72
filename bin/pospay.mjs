#!/usr/bin/env node
// Entry point of the `pospay` command. It runs the prebuilt bundle, dist/cli/pospay.mjs
// (scripts/build-electron.mjs; `npm install`, `npm start` and `npm test` build it), which is
// plain JavaScript: no TypeScript loader and no second process at start.
//
// The bundle is only run while it is the build of the sources as they are (its manifest,
// bin/bundleState.mjs). When a source changed, or it was never built, this rebuilds it first
// (esbuild, a dev dependency: a fraction of a second, once per edit); where it cannot be
// built (esbuild missing, or a source that does not compile) the TypeScript sources run
// through tsx instead, so a developer never runs an old bundle. An installed app without
// the sources runs its bundle as it is.
//
// V8 flags (bin/v8flags.mjs) are given where the process is started: `npm start` starts
// `pospay serve` with them, Electron's main process sets them itself. A bare `pospay` runs
// with V8's defaults (the short commands do not need them).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleState, isUsable } from './bundleState.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MANIFEST = 'dist/cli/pospay.build.json';

// Node 22.1+: V8's compiled code for the bundle is kept between runs (absent on Node 20).
try {
  module.enableCompileCache?.();
} catch {
  // no cache directory: compile as usual
}

let state = bundleState(root, MANIFEST);
if (!isUsable(state)) {
  const builder = fileURLToPath(new URL('../scripts/build-electron.mjs', import.meta.url));
  if (existsSync(builder)) {
    const { spawnSync } = await import('node:child_process');
    const built = spawnSync(process.execPath, [builder, '--only', 'pospay', '--if-stale'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      windowsHide: true,
    });
    state = bundleState(root, MANIFEST);
    if (!isUsable(state) && process.stderr.isTTY) {
      const why = built.stderr?.trim().split('\n').find(Boolean) ?? state.reason;
      process.stderr.write(`pospay: running the TypeScript sources (no bundle: ${why})\n`);
    }
  }
}

if (isUsable(state)) {
  await import('../dist/cli/pospay.mjs');
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    register = null;
  }
  if (!register && state.state === 'stale') {
    process.stderr.write(
      `pospay: warning: running an old build (${state.reason}); run "npm install"\n`,
    );
    await import('../dist/cli/pospay.mjs');
  } else if (!register) {
    process.stderr.write(
      `pospay: the command is not built (${state.reason}) and cannot be built here: ` +
        'run "npm install" in the project folder.\n',
    );
    process.exit(1);
  } else {
    await runSources(register);
  }
}

async function runSources(register) {
  if (process.argv[2] === 'serve') {
    // Plain-JS dependencies load before the TypeScript loader is registered: through the
    // loader each of zod's ~100 files would take a round trip to the loader thread.
    await import('zod');
  }
  register();
  await import('../electron/cli/pospay.ts');
}
