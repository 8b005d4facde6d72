#!/usr/bin/env node
// Entry point of the `pospay` command. The command is written in TypeScript; tsx loads it
// without a separate build step so support staff always run the code that is installed.
//
// V8 flags the terminal runs with (v8flags.mjs): a 2 MB semi-space keeps the young generation
// (and so the RSS of `pospay serve`) flat over a day of sales. V8 reads it only at start
// (v8.setFlagsFromString at this point has no effect, measured), so when the flags are not
// already in effect (on the command line, e.g. `node --max-semi-space-size=2 bin/pospay.mjs`
// as `npm start` launches it, or in NODE_OPTIONS) the command re-runs itself once with them,
// passing stdio, signals and the exit status through. That costs one more Node start, so the
// launchers give the flags directly.
import { spawn } from 'node:child_process';
import { missingV8Flags } from './v8flags.mjs';

const missing = missingV8Flags(process.execArgv, process.env.NODE_OPTIONS);

if (missing.length > 0 && process.env.POSPAY_V8_REEXEC !== '1') {
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...missing, ...process.argv.slice(1)],
    {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, POSPAY_V8_REEXEC: '1' },
    },
  );
  const forward = (signal) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) {
    try {
      process.on(signal, forward(signal));
    } catch {
      // a signal this platform does not have
    }
  }
  child.on('error', (error) => {
    process.stderr.write(`pospay: could not start: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
} else {
  if (process.env.POSPAY_V8_REEXEC === '1' && process.channel) {
    // The channel only tells this process that its launcher is gone (even SIGKILLed).
    delete process.env.POSPAY_V8_REEXEC;
    process.channel.unref();
    process.on('disconnect', () => process.exit(1));
  }
  if (process.argv[2] === 'serve') {
    // Plain-JS dependencies of the terminal load before the TypeScript loader is registered:
    // Node loads them in this thread, where through the loader each of zod's ~100 files
    // would take a round trip to the loader thread. Same files, same module instances (the
    // TypeScript modules importing them later get these from the module map).
    await import('zod');
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../electron/cli/pospay.ts');
}
