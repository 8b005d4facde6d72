/**
 * The journal's file checks on file systems unlike Linux ext4, simulated by wrapping node:fs
 * (this file only): Windows NTFS file ids, which are 64-bit and come out of a plain
 * `statSync()` as a double (Node's docs: use `{ bigint: true }`, the low bits are lost
 * above 2^53 — NTFS puts a 16-bit sequence number in the top bits); and a folder without
 * hard links (FAT32/exFAT drives, some network shares), where `link()` fails.
 */
import type * as fs from 'node:fs';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JOURNAL_FILE, openJournal, type Journal } from '../../../electron/journal/journal.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';

const platform = vi.hoisted(() => ({
  /** Report NTFS-like 64-bit file ids (a plain stat loses their low bits). */
  ntfsIds: false,
  /** link() fails as on a file system without hard links. */
  noHardLinks: false,
}));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const ids = new Map<string, bigint>();
  // A high sequence number (0x0123 << 48): ids above 2^53, consecutive records (+1 each).
  let next = 0x0123_0000_0000_1000n;
  const idOf = (stat: { dev: number | bigint; ino: number | bigint }): bigint => {
    const key = `${String(stat.dev)}:${String(stat.ino)}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = next;
      next += 1n;
      ids.set(key, id);
    }
    return id;
  };
  const statSync = ((file: fs.PathLike, options?: fs.StatSyncOptions) => {
    const stat = real.statSync(file, options as fs.StatSyncOptions);
    if (!platform.ntfsIds || !stat) return stat;
    const id = idOf(stat as fs.Stats);
    const bigint = (options as { bigint?: boolean } | undefined)?.bigint === true;
    return Object.assign(Object.create(Object.getPrototypeOf(stat) as object) as object, stat, {
      ino: bigint ? id : Number(id),
    });
  }) as typeof real.statSync;
  const linkSync = ((existing: fs.PathLike, target: fs.PathLike) => {
    if (platform.noHardLinks) {
      throw Object.assign(new Error(`EPERM: operation not permitted, link '${String(existing)}'`), {
        code: 'EPERM',
      });
    }
    real.linkSync(existing, target);
  }) as typeof real.linkSync;
  return { ...real, default: { ...real, statSync, linkSync }, statSync, linkSync };
});

const dirs: string[] = [];
const opened: Journal[] = [];

afterEach(() => {
  platform.ntfsIds = false;
  platform.noHardLinks = false;
  while (opened.length) {
    try {
      opened.pop()?.close();
    } catch {
      // already closed
    }
  }
  while (dirs.length) removeDir(dirs.pop() as string);
});

function dir(): string {
  const d = tempDataDir();
  dirs.push(d);
  return d;
}

describe('Windows NTFS file ids (64-bit, lossy as a plain number)', () => {
  it('a journal replaced by another file is still noticed', () => {
    platform.ntfsIds = true;
    const d = dir();
    const j = openJournal({ dir: d });
    opened.push(j);
    expect(j.problem).toBeNull();
    // The same sequence number, the next file record: the ids differ in their lowest bit.
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    writeFileSync(path.join(d, JOURNAL_FILE), 'somebody else’s file');
    expect(j.problem ?? '', 'the replacement went unnoticed: new sales still accepted').toMatch(
      /replaced by another file/,
    );
  });
});

describe('a data folder without hard links', () => {
  it('a new journal can still be created there', () => {
    platform.noHardLinks = true;
    const d = dir();
    let error: unknown = null;
    try {
      opened.push(openJournal({ dir: d }));
    } catch (e) {
      error = e;
    }
    expect(error, 'the terminal cannot start on this folder').toBeNull();
  });
});
