/**
 * Opening the journal's file: made complete beside its name and put in place (never an empty
 * file made or replaced), its header and integrity checked, the connection configured (WAL,
 * fsync on every commit) and the schema migrated under one exclusive transaction.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { JournalError, toJournalError } from './errors.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';
import { placeJournal, placementInProgress, removeDbFiles, waitForPlacement } from './placement.ts';

export const JOURNAL_FILE = 'journal.sqlite';

export interface OpenJournalOptions {
  /** Folder of the journal (POS_DATA_DIR); created if missing. */
  dir: string;
  fileName?: string;
  /** How long a write waits for another program's lock before failing (ms). */
  busyTimeoutMs?: number;
  /** For tests of the migration runner only. */
  migrations?: readonly Migration[];
  /**
   * Path of the better-sqlite3 native addon to load (an Electron-ABI build under Electron);
   * default: the one next to the package (Node's ABI).
   */
  nativeBinding?: string;
}

/** How the journal's files are opened again (a write-back, a side file, a look at another). */
export interface JournalFiles {
  /** Read-write, WAL, configured; the file must exist. Closed again if it fails. */
  open(file: string): Database.Database;
  /** Read-only; the file must exist. */
  inspect(file: string): Database.Database;
  /** How long to wait for another process's copy in progress (ms). */
  waitMs: number;
}

const SQLITE_HEADER = 'SQLite format 3\0';
const CACHE_KIB = 2048;

export function closeQuietly(db: Database.Database | null | undefined): void {
  try {
    db?.close();
  } catch {
    // already failing, or its files are gone
  }
}

/** Refuses a file that exists but is not SQLite, before SQLite opens it. */
function checkHeader(file: string): void {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    return; // does not exist yet
  }
  if (size === 0) {
    throw new JournalError(
      'journal-corrupt',
      `The sales journal ${file} is empty (0 bytes): it was truncated or replaced, and the ` +
        'sales it held are not in it. It was left as it is and no new journal was made over ' +
        'it: restore it from a backup (or move it aside to start an empty journal), then ' +
        'start the terminal again.',
    );
  }
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(16);
    const read = readSync(fd, buffer, 0, 16, 0);
    if (read < 16 || buffer.toString('latin1') !== SQLITE_HEADER) {
      throw new JournalError(
        'journal-corrupt',
        `The sales journal ${file} is not a database (damaged or replaced). It was left exactly ` +
          'as it is: move it aside or restore it from a backup, then start the terminal again.',
      );
    }
  } finally {
    closeSync(fd);
  }
}

/** checkHeader, after waiting for a copy in progress to `file` if it looks empty or damaged. */
function checkPlacedHeader(file: string, waitMs: number): void {
  try {
    checkHeader(file);
  } catch (error) {
    if (!(error instanceof JournalError) || !placementInProgress(file)) throw error;
    waitForPlacement(file, waitMs);
    checkHeader(file);
  }
}

/** `create`: makes the file if missing; otherwise it must exist (never an empty file made). */
function connect(
  file: string,
  options: OpenJournalOptions,
  mode: 'create' | 'existing' | 'readonly' = 'existing',
): Database.Database {
  return new Database(file, {
    timeout: options.busyTimeoutMs ?? 2000,
    ...(mode === 'create' ? {} : { fileMustExist: true }),
    ...(mode === 'readonly' ? { readonly: true } : {}),
    ...(options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding } : {}),
  });
}

/** WAL, fsync on every commit, foreign keys, a bounded page cache. */
function configure(db: Database.Database, file: string): void {
  const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
  if (mode.toLowerCase() !== 'wal') {
    throw new JournalError(
      'journal-unwritable',
      `The sales journal ${file} cannot use write-ahead logging (mode ${mode}).`,
    );
  }
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // better-sqlite3 defaults to a 16 MB page cache; a till's working set is far smaller,
  // and a bounded cache keeps the terminal's memory flat as the journal grows.
  db.pragma(`cache_size = -${CACHE_KIB}`);
}

/**
 * A new journal is built beside its final name and linked into place in one step: a journal
 * file that exists is therefore never empty, and an empty one (0 bytes: truncated by a disk
 * fault or a tool) is refused rather than mistaken for a new journal. Two processes creating
 * it at once: the first link wins and the other opens that one. Without hard links it is
 * copied into a file created exclusively (`placeJournal`): the first still wins, and the
 * others wait for its copy to complete before they read it.
 */
function createJournalFile(file: string, options: OpenJournalOptions): void {
  const temp = `${file}.new-${process.pid}-${Date.now().toString(36)}`;
  let db: Database.Database | null = null;
  try {
    db = connect(temp, options, 'create');
    db.pragma('synchronous = FULL');
    migrate(db, file, options.migrations ?? MIGRATIONS);
    db.close();
    db = null;
    try {
      placeJournal(temp, file, options.busyTimeoutMs ?? 2000);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } finally {
    closeQuietly(db); // already failing
    removeDbFiles(temp);
  }
}

/**
 * Brings the schema up to date. The version is read and every pending migration applied in
 * ONE exclusive transaction, so two processes opening the same folder at once cannot both
 * see an old version and both run a migration ("table sales already exists"); a crash in
 * the middle leaves the previous version intact.
 */
function migrate(db: Database.Database, file: string, migrations: readonly Migration[]): void {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const tooNew = (current: number): JournalError =>
    new JournalError(
      'journal-too-new',
      `The sales journal ${file} was written by a newer version of the terminal (schema ` +
        `${current}, this version knows ${latest}). Update the terminal; the journal was not changed.`,
    );
  const peek = Number(db.pragma('user_version', { simple: true }));
  if (peek > latest) throw tooNew(peek);
  if (peek === latest) return;
  db.transaction(() => {
    const current = Number(db.pragma('user_version', { simple: true }));
    if (current > latest) throw tooNew(current);
    const pending = [...migrations]
      .filter((m) => m.version > current)
      .sort((a, b) => a.version - b.version);
    for (const migration of pending) {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
  }).exclusive();
}

/**
 * Opens (creating if needed) the journal in `dir`, upgrades its schema, checks it, and hands
 * the connection to `use` (with the opener of its files again, for write-backs and side files).
 * Throws JournalError: corrupt or empty (left untouched), locked, too new, unwritable; the
 * connection is closed again when `use` throws.
 */
export function openJournalFile<T>(
  options: OpenJournalOptions,
  use: (db: Database.Database, file: string, files: JournalFiles) => T,
): T {
  const file = path.join(options.dir, options.fileName ?? JOURNAL_FILE);
  try {
    mkdirSync(options.dir, { recursive: true });
    if (!existsSync(file)) createJournalFile(file, options);
    checkPlacedHeader(file, options.busyTimeoutMs ?? 2000);
  } catch (error) {
    throw toJournalError(error, file);
  }
  let db: Database.Database | null = null;
  try {
    db = connect(file, options);
    configure(db, file);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      throw new JournalError(
        'journal-corrupt',
        `The sales journal ${file} failed its integrity check (${String(check)}). It was left ` +
          'as it is: restore it from a backup or move it aside, then start the terminal again.',
      );
    }
    migrate(db, file, options.migrations ?? MIGRATIONS);
    return use(db, file, {
      open: (again) => {
        const fresh = connect(again, options);
        try {
          configure(fresh, again);
        } catch (error) {
          closeQuietly(fresh);
          throw error;
        }
        return fresh;
      },
      inspect: (again) => connect(again, options, 'readonly'),
      waitMs: options.busyTimeoutMs ?? 2000,
    });
  } catch (error) {
    closeQuietly(db); // already failing; the first error is the one to report
    throw toJournalError(error, file);
  }
}
