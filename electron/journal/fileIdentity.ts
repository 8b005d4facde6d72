/**
 * Which file is at a path: device and inode (one `stat`), so that a journal deleted or
 * replaced under the running terminal is noticed, and the same for its -wal and -shm.
 */
import { statSync } from 'node:fs';

/** Device and inode, as bigints: NTFS file ids are 64-bit, a plain number loses low bits. */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
}

export function fileIdentity(file: string): FileIdentity | null {
  try {
    const stat = statSync(file, { bigint: true, throwIfNoEntry: false });
    return stat ? { dev: stat.dev, ino: stat.ino } : null;
  } catch {
    return null;
  }
}

export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export const SIDECARS = ['-wal', '-shm'] as const;

export function sidecarIdentities(file: string): (FileIdentity | null)[] {
  return SIDECARS.map((suffix) => fileIdentity(file + suffix));
}
