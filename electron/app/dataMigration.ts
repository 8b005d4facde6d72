/**
 * Moving the data folder of an earlier version (%APPDATA%\PosPay, roaming) to where this one
 * keeps it (%ProgramData%\PosPay: electron/app/paths.ts), once, without ever losing the journal.
 *
 *   planDataMigration()  pure: from what each folder holds, copy / nothing / keep both
 *   migrateDataFolder()  does the plan: copies PosPay's files (MIGRATED_FILES) into a
 *                        staging folder inside the new one, checks each copy against its source
 *                        (SHA-256), opens the copied journal (verifyJournal: integrity check,
 *                        its events counted and compared to the source's), then renames the
 *                        files into place, the journal last, and writes migrated-from.json there
 *                        and MOVED.txt in the old folder.
 *
 * The old folder is never deleted or changed (but for MOVED.txt): if anything fails, the new
 * folder gets no journal and the next start tries again; once the new journal is in place, the
 * old one stays as it was, for IT to delete after checking. A folder that holds a journal already
 * is never written over: with a journal in both (and no record that one came from the other) the
 * new one is used and a warning names both.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import path from 'node:path';

export const JOURNAL_FILE_NAME = 'journal.sqlite';
/** In the new folder: where its data came from (JSON). */
export const MIGRATED_MARKER = 'migrated-from.json';
/** In the old folder: where its data went (text for IT). */
export const MOVED_NOTE = 'MOVED.txt';
const STAGING = '.migrating';
/**
 * What moves: the journal (with its -wal, which may hold the last sales after a power cut),
 * settings.json (settings.ts: SETTINGS_FILE), the encrypted salt (main.ts: salt.enc) and the
 * training simulator's state (runtime.ts: SIMULATOR_STATE_FILE); the test checks the names. Nothing else: not SQLite's -shm (rebuilt on
 * open), not logs/ (they stay where they were written), nor anything another program keeps there.
 */
export const MIGRATED_FILES: readonly string[] = [
  'settings.json',
  'salt.enc',
  'simulator-state.json',
  `${JOURNAL_FILE_NAME}-wal`,
  JOURNAL_FILE_NAME,
];

/** What a folder holds, as far as the plan is concerned. */
export interface FolderState {
  exists: boolean;
  /** journal.sqlite is there (any size: an empty one is the journal's to refuse, not ours). */
  journal: boolean;
  /** MOVED.txt (old folder) / migrated-from.json's `from` (new folder), if any. */
  movedTo: string | null;
  migratedFrom: string | null;
}

export type MigrationPlan =
  | {
      action: 'none';
      reason: 'no-legacy-folder' | 'no-legacy-journal' | 'already-migrated' | 'same-folder';
    }
  | { action: 'copy'; from: string; to: string }
  | { action: 'keep-both'; from: string; to: string; warning: string };

const samePath = (a: string, b: string): boolean =>
  path.win32.normalize(a).toLowerCase() === path.win32.normalize(b).toLowerCase();

/** Pure: what to do with the first legacy folder that holds a journal. */
export function planDataMigration(input: {
  target: string;
  legacy: readonly string[];
  state: (dir: string) => FolderState;
}): MigrationPlan {
  const candidates = input.legacy.filter((dir) => !samePath(dir, input.target));
  if (candidates.length === 0) {
    return { action: 'none', reason: input.legacy.length ? 'same-folder' : 'no-legacy-folder' };
  }
  const target = input.state(input.target);
  let sawFolder = false;
  for (const from of candidates) {
    const old = input.state(from);
    if (!old.exists) continue;
    sawFolder = true;
    if (!old.journal) continue;
    const migrated =
      (old.movedTo !== null && samePath(old.movedTo, input.target)) ||
      (target.migratedFrom !== null && samePath(target.migratedFrom, from));
    if (migrated) return { action: 'none', reason: 'already-migrated' };
    if (target.journal) {
      return {
        action: 'keep-both',
        from,
        to: input.target,
        warning:
          `Two journals: ${path.win32.join(input.target, JOURNAL_FILE_NAME)} (used) and ` +
          `${path.win32.join(from, JOURNAL_FILE_NAME)} (an earlier version's, left as it is). ` +
          'Check the history of both before deleting the old one.',
      };
    }
    return { action: 'copy', from, to: input.target };
  }
  return { action: 'none', reason: sawFolder ? 'no-legacy-journal' : 'no-legacy-folder' };
}

/** The FolderState of `dir` on disk. */
export function inspectFolder(dir: string): FolderState {
  const exists = existsSync(dir);
  let movedTo: string | null = null;
  let migratedFrom: string | null = null;
  try {
    const note = readFileSync(path.join(dir, MOVED_NOTE), 'utf8');
    movedTo = /^to: (.+)$/m.exec(note)?.[1]?.trim() ?? null;
  } catch {
    // no note
  }
  try {
    const marker = JSON.parse(readFileSync(path.join(dir, MIGRATED_MARKER), 'utf8')) as {
      from?: unknown;
    };
    migratedFrom = typeof marker.from === 'string' ? marker.from : null;
  } catch {
    // no marker
  }
  return {
    exists,
    journal: exists && existsSync(path.join(dir, JOURNAL_FILE_NAME)),
    movedTo,
    migratedFrom,
  };
}

/**
 * Opens a journal file (`readOnly` for the original: it is never written), checks it and
 * returns how many events it holds; throws if it cannot.
 */
export type JournalCheck = (file: string, readOnly: boolean) => number | Promise<number>;

export interface MigrationResult {
  plan: MigrationPlan;
  /** Files copied (relative to the folder), the journal last. */
  copied: string[];
  /** Events in the copied journal (when verifyJournal was given). */
  events?: number;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The MIGRATED_FILES `dir` holds, in that order (journal.sqlite last). */
function filesToCopy(dir: string): string[] {
  return MIGRATED_FILES.filter((name) => {
    try {
      return statSync(path.join(dir, name)).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * Carries out planDataMigration() for the real folders. `verifyJournal` opens a copy of the
 * journal (and, to compare, the original, read only); the shell passes one built on
 * better-sqlite3 (sqliteJournalCheck). Throws when the copy cannot be made or checked: the new
 * folder is then left without a journal (the old one untouched) and the caller should not start.
 */
export async function migrateDataFolder(options: {
  target: string;
  legacy: readonly string[];
  verifyJournal?: JournalCheck;
  now?: () => Date;
}): Promise<MigrationResult> {
  const plan = planDataMigration({
    target: options.target,
    legacy: options.legacy,
    state: inspectFolder,
  });
  if (plan.action !== 'copy') return { plan, copied: [] };
  const { from, to } = plan;
  const staging = path.join(to, STAGING);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const files = filesToCopy(from);
  try {
    return await copyInto(plan, staging, files, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `The data of an earlier version (${from}) could not be moved to ${to}: ${message}. ` +
        'Nothing was deleted: the earlier folder is as it was.',
      { cause: error },
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function copyInto(
  plan: Extract<MigrationPlan, { action: 'copy' }>,
  staging: string,
  files: string[],
  options: { verifyJournal?: JournalCheck; now?: () => Date },
): Promise<MigrationResult> {
  const { from, to } = plan;
  for (const name of files) {
    const source = path.join(from, name);
    const copy = path.join(staging, name);
    mkdirSync(path.dirname(copy), { recursive: true });
    copyFileSync(source, copy);
    if (sha256(source) !== sha256(copy) || statSync(source).size !== statSync(copy).size) {
      throw new Error(`the copy of ${source} differs from it`);
    }
  }
  let events: number | undefined;
  if (options.verifyJournal) {
    const before = await options.verifyJournal(path.join(from, JOURNAL_FILE_NAME), true);
    events = await options.verifyJournal(path.join(staging, JOURNAL_FILE_NAME), false);
    if (events !== before) {
      throw new Error(`the copied journal holds ${events} events, the original ${before}`);
    }
  }
  // Into place, the journal last; a -wal left by an interrupted earlier attempt must not be
  // taken for this journal's. The check may have folded the WAL into the copy: copy what is left.
  for (const suffix of ['-wal', '-shm']) {
    rmSync(path.join(to, `${JOURNAL_FILE_NAME}${suffix}`), { force: true });
  }
  const present = files.filter((name) => existsSync(path.join(staging, name)));
  for (const name of present) {
    mkdirSync(path.dirname(path.join(to, name)), { recursive: true });
    renameSync(path.join(staging, name), path.join(to, name));
  }
  const at = (options.now ?? (() => new Date()))().toISOString();
  writeFileSync(
    path.join(to, MIGRATED_MARKER),
    `${JSON.stringify({ from, at, files: present, events }, null, 2)}\n`,
  );
  try {
    writeFileSync(
      path.join(from, MOVED_NOTE),
      [
        `PosPay's data moved to a local, per-machine folder on ${at}:`,
        `to: ${to}`,
        'This folder was copied as it was and is no longer used. Delete it once the history',
        'in PosPay shows the earlier sales (the logs of earlier versions are still here).',
        '',
      ].join('\r\n'),
    );
  } catch {
    // the old folder may be read-only: the marker in the new one is enough
  }
  return { plan, copied: present, ...(events === undefined ? {} : { events }) };
}

/**
 * A JournalCheck on better-sqlite3 (`nativeBinding`: the Electron-ABI addon in the shell,
 * undefined under Node): opens the file, runs SQLite's integrity check, counts the events.
 */
export function sqliteJournalCheck(nativeBinding?: string): JournalCheck {
  return async (file, readOnly) => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(file, { fileMustExist: true, readonly: readOnly, nativeBinding });
    try {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`${file}: ${String(check)}`);
      const row = db.prepare('SELECT count(*) AS n FROM events').get() as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  };
}
