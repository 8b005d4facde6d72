/**
 * A linked pseudo-terminal pair made by `socat -d -d pty,raw,echo=0 pty,raw,echo=0`: the real
 * `serialport` opens one end, the test writes scanner bytes into the other. With `link` names
 * the ends also appear at fixed paths (socat removes the links when it exits), so killing
 * socat is an unplug and starting a new one on the same links is the scanner coming back.
 *
 * Every pair started here is killed by `stopAllSocat()` (call it in afterEach/afterAll) and,
 * as a last resort, when the test process exits — also when a test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';

export interface SocatPair {
  /** The path the scanner side is opened at: the link when one was asked for, else the pty. */
  a: string;
  /** The path the test writes "scanner bytes" into. */
  b: string;
  /** The /dev/pts/N behind each end, as socat printed them. */
  ptyA: string;
  ptyB: string;
  pid: number;
  /** Kills socat (the "unplug") and waits until it has exited. */
  stop(): Promise<void>;
  /** Writes bytes into end b, as the scanner would send them. */
  write(data: string | Uint8Array): void;
}

const running = new Set<ChildProcess>();

process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startSocatPair(
  options: { linkA?: string; linkB?: string; timeoutMs?: number } = {},
): Promise<SocatPair> {
  const endA = `pty,raw,echo=0${options.linkA ? `,link=${options.linkA}` : ''}`;
  const endB = `pty,raw,echo=0${options.linkB ? `,link=${options.linkB}` : ''}`;
  const child = spawn('/usr/bin/socat', ['-d', '-d', endA, endB], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });

  const ptys: string[] = [];
  let stderr = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`socat did not start within ${options.timeoutMs ?? 5000} ms: ${stderr}`),
          ),
        options.timeoutMs ?? 5000,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited with ${code}: ${stderr}`));
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => {
        stderr += text;
        for (const match of text.matchAll(/PTY is (\/dev\/\S+)/g)) {
          if (match[1]) ptys.push(match[1]);
        }
        // Both ptys exist (and their links) once socat starts its transfer loop.
        if (ptys.length >= 2 && /starting data transfer loop/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  // Keep reading stderr so socat never blocks on a full pipe.
  child.stderr?.resume();

  const [ptyA = '', ptyB = ''] = ptys;
  const a = options.linkA ?? ptyA;
  const b = options.linkB ?? ptyB;
  return {
    a,
    b,
    ptyA,
    ptyB,
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    write(data) {
      const fd = openSync(b, constants.O_WRONLY | constants.O_NOCTTY);
      try {
        writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Kills every socat this process started and waits for them to exit. */
export async function stopAllSocat(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** True while a path exists (a socat link disappears when its socat exits). */
export function pathExists(path: string): boolean {
  return existsSync(path);
}
