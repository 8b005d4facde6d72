/**
 * Putting a complete journal file at its path and keeping other files out of its way: side
 * names beside it, the `<file>.placing` lock, a hard link or an exclusive copy (never over a
 * file there, never a partial copy left), stale -wal/-shm/-journal renamed aside.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { SIDECARS } from './fileIdentity.ts';

export type Placement = 'link' | 'copy';

/** `<file>.<kind>-<pid>-<epoch ms>`, beside `file`, not taken yet. */
export function sideName(file: string, kind: string): string {
  const base = `${file}.${kind}-${process.pid}-${Date.now()}`;
  let name = base;
  for (let n = 1; existsSync(name); n += 1) name = `${base}-${n}`;
  return name;
}

export function removeDbFiles(file: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}

export function fsyncPath(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a new name in `dir` durable where the platform allows it (not on Windows). */
function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported here
  }
}
/** `<file>.stale-<pid>-<ms>`: kept (it may hold what a process still has open), out of the way. */
export function renameAside(file: string): void {
  renameSync(file, sideName(file, 'stale'));
}

/**
 * The -wal, -shm (and rollback -journal) of a deleted journal still at its path: SQLite would
 * read them as a new file's own ("database disk image is malformed"). Closing a connection to
 * a deleted file does not remove them (SQLite skips the checkpoint of a file unlinked or
 * moved), and another process may still be using them through its open descriptors.
 */
function staleSidecars(file: string): string[] {
  return [...SIDECARS, '-journal'].map((suffix) => file + suffix).filter((f) => existsSync(f));
}

/** link() errors of a file system without hard links (FAT/exFAT, some shares; EISDIR: Windows). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EISDIR', 'ENOSYS']);
/** A lock left by a process that died while placing a file is broken after this long. */
const PLACING_STALE_MS = 60_000;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function placingLock(file: string): string {
  return `${file}.placing`;
}

/** Takes `<file>.placing` (created exclusively); null if another process holds it past `waitMs`. */
function lockPlacement(file: string, waitMs: number): string | null {
  const lock = placingLock(file);
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = statSync(lock, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs > PLACING_STALE_MS) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() >= until) return null;
    Atomics.wait(SLEEPER, 0, 0, 10);
  }
}

/**
 * Puts the complete file `temp` at `file` (a new journal, or one written back), never over a
 * file there (throws EEXIST). Under `<file>.placing`, taken exclusively, so that two
 * processes doing it at once cannot take each other's fresh -wal for a stale one, and so that
 * readers wait for a copy in progress rather than take it for a damaged journal
 * (`waitForPlacement`). Only while nothing is at `file` are the -wal/-shm/-journal found
 * there renamed aside. A hard link puts it there in one step; without hard links it is
 * copied into a file created exclusively. `temp` stays.
 */
export function placeJournal(temp: string, file: string, waitMs: number): Placement {
  const lock = lockPlacement(file, waitMs);
  try {
    if (existsSync(file)) {
      throw Object.assign(new Error(`EEXIST: file already exists, '${file}'`), { code: 'EEXIST' });
    }
    const stale = staleSidecars(file);
    if (stale.length > 0) {
      if (lock === null) {
        throw new Error(
          `${placingLock(file)} is held by another program, and ${stale.join(', ')} ` +
            'must be moved aside first',
        );
      }
      for (const f of stale) renameAside(f);
    }
    return placeFile(temp, file);
  } finally {
    if (lock !== null) rmSync(lock, { force: true });
  }
}

function placeFile(temp: string, file: string): Placement {
  try {
    linkSync(temp, file);
    fsyncDir(path.dirname(file));
    return 'link';
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  copyExclusive(temp, file);
  return 'copy';
}

/** Copies `from` into a new file `to` (EEXIST if there is one), fsync'd; no partial copy left. */
export function copyExclusive(from: string, to: string): void {
  const out = openSync(to, 'wx');
  let complete = false;
  try {
    const input = openSync(from, 'r');
    try {
      const buffer = Buffer.allocUnsafe(1 << 20);
      let position = 0;
      for (;;) {
        const read = readSync(input, buffer, 0, buffer.length, position);
        if (read === 0) break;
        let written = 0;
        while (written < read) {
          written += writeSync(out, buffer, written, read - written, position + written);
        }
        position += read;
      }
    } finally {
      closeSync(input);
    }
    fsyncSync(out);
    complete = true;
  } finally {
    closeSync(out);
    if (!complete) rmSync(to, { force: true }); // our own partial copy, never a journal
  }
  fsyncDir(path.dirname(to));
}

export function placementInProgress(file: string): boolean {
  return existsSync(placingLock(file));
}

/** Waits (at most `timeoutMs`) while another process puts a file at `file`. */
export function waitForPlacement(file: string, timeoutMs: number): void {
  const until = Date.now() + timeoutMs;
  while (placementInProgress(file) && Date.now() < until) Atomics.wait(SLEEPER, 0, 0, 10);
}
