/**
 * Runs the real `pospay` command (bin/pospay.mjs) as a child process, as staff scripts do,
 * and collects what it prints. No vitest import: usable from any test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const POSPAY_BIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../bin/pospay.mjs',
);

export interface PospayRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface PospayChild {
  child: ChildProcess;
  done: Promise<PospayRun>;
  /** Resolves once stderr contains `text`. */
  stderrHas(text: string): Promise<void>;
}

/** Starts `pospay ARGS` with `env` on top of this process's environment (POS_FAULT cleared). */
export function startPospay(
  args: string[],
  env: Record<string, string | undefined> = {},
): PospayChild {
  const child = spawn(process.execPath, [POSPAY_BIN, ...args], {
    env: { ...process.env, POS_FAULT: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    for (const w of [...waiters]) {
      if (stderr.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const done = new Promise<PospayRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    stderrHas: (text) =>
      stderr.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ text, resolve })),
  };
}

export function runPospay(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<PospayRun> {
  return startPospay(args, env).done;
}

/** The one JSON line a command printed (throws when there is not exactly one). */
export function onlyJsonLine(run: PospayRun): Record<string, unknown> {
  const lines = run.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '');
  if (lines.length !== 1) {
    throw new Error(`expected one JSON line, got ${lines.length}: ${run.stdout}\n${run.stderr}`);
  }
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}
