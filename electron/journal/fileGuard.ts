/**
 * The journal's file, watched under the running terminal: before every write, is the file at
 * its path still the one open? If it was deleted, everything the open connection holds is
 * written back and reopened; if this journal was written back by another process, the events
 * it lacks are merged into it; if another file took its place, everything open goes to a side
 * file that becomes the live journal (docs/ARCHITECTURE.md, "The journal's file").
 */
import { mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import {
  fileIdentity,
  sameFile,
  sidecarIdentities,
  SIDECARS,
  type FileIdentity,
} from './fileIdentity.ts';
import { closeQuietly, type JournalFiles } from './open.ts';
import {
  copyExclusive,
  fsyncPath,
  placeJournal,
  removeDbFiles,
  renameAside,
  sideName,
  waitForPlacement,
  type Placement,
} from './placement.ts';
import type { Row } from './records.ts';

/** What the guard needs of the journal it watches. */
export interface GuardedConnection {
  /** The open connection (JournalError 'journal-closed' once it is closed). */
  handle(): Database.Database;
  /**
   * Prepares every statement on `db` and continues on it; returns the connection it
   * replaces (not closed). Throws, still on the old connection, when `db` cannot be prepared.
   */
  switchTo(db: Database.Database): Database.Database | null;
}

interface Opened {
  db: Database.Database;
  identity: FileIdentity;
}

/** Two histories of the same sales: not merged, kept apart. */
class MergeConflict extends Error {
  constructor(readonly orderIds: string[]) {
    super(`both changed ${orderIds.join(', ')}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** meta.journal_id of an open journal; null before schema 3 (or when unreadable). */
function journalIdOf(db: Database.Database): string | null {
  try {
    const id: unknown = db.prepare("SELECT value FROM meta WHERE key = 'journal_id'").pluck().get();
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** meta.journal_id of the file at `file`, opened read-only; null if it is not a journal. */
function readJournalId(files: JournalFiles, file: string): string | null {
  let db: Database.Database | null = null;
  try {
    db = files.inspect(file);
    return journalIdOf(db);
  } catch {
    return null;
  } finally {
    closeQuietly(db);
  }
}

export class JournalFileGuard {
  /** Device and inode of the file open (`live`): a deleted or replaced journal is noticed. */
  private identity: FileIdentity | null;
  /** The file the connection is on: `file`, or the side file the journal moved to. */
  private live: string;
  /** The journal moved to a side file (its path holds another file): `problem` stays set. */
  private aside = false;
  /** meta.journal_id: a copy of this journal has it, another journal another one. */
  private journalId: string | null;
  /** Identities of the open file's -wal and -shm (stable while a connection is open). */
  private sidecars: (FileIdentity | null)[];
  private lostReason: string | null = null;

  /** `db` is open on `file`; without `files` a deleted or replaced file is only reported. */
  constructor(
    private readonly file: string,
    private readonly files: JournalFiles | undefined,
    db: Database.Database,
    private readonly journal: GuardedConnection,
  ) {
    this.live = file;
    this.identity = fileIdentity(file);
    this.journalId = journalIdOf(db);
    this.sidecars = sidecarIdentities(file);
  }

  /** Why the journal cannot take new sales (see Journal.problem), as last found; null: healthy. */
  get problem(): string | null {
    return this.lostReason;
  }

  /**
   * Before every write: is the file at its path still the one open (one stat on the healthy
   * path)? If not, `fileChanged` makes sure everything the open connection holds is on disk:
   *   - deleted (even with its folder): written back to its path, reopened, nothing lost;
   *   - another file there that is this journal (same journal_id: written back by another
   *     process, a backup put back): the events this connection has and it lacks are added
   *     to it and the journal continues there, unless both changed the same sale;
   *   - anything else (another journal, a foreign or empty file), or that conflict: the file
   *     there is left alone, everything open is written to a side file beside it
   *     (`journal.sqlite.kept-<pid>-<ms>`) that becomes the live journal, and new sales are
   *     refused (`problem` names the side file).
   * The journal checks first that it is open.
   */
  check(): void {
    if (this.identity === null) return;
    const now = fileIdentity(this.live);
    if (now !== null && now.dev === this.identity.dev && now.ino === this.identity.ino) {
      if (this.lostReason !== null && !this.aside) this.lostReason = null;
      return;
    }
    this.fileChanged(now === null);
  }

  private fileChanged(deleted: boolean): void {
    const files = this.files;
    if (!files) {
      this.lostReason = deleted
        ? `The sales journal ${this.live} was deleted while the terminal was running. ` +
          'Every sale so far is kept by the running terminal: do not close it; call IT.'
        : `The sales journal ${this.live} was replaced by another file while the terminal was ` +
          'running. It was left as it is; the running terminal keeps every sale so far: do ' +
          'not close it; call IT.';
      return;
    }
    try {
      if (deleted) this.restoreFromOpen(files);
      else this.takeOver(files);
    } catch (error) {
      this.lostReason =
        `The sales journal ${this.live} was ${deleted ? 'deleted' : 'replaced by another file'} ` +
        `while the terminal was running and what the terminal holds could not be written to ` +
        `disk (${messageOf(error)}). Every sale so far is kept by the running terminal only: ` +
        'do not close it; check the data folder and call IT.';
    }
  }

  /**
   * The file was deleted: everything the open connection sees goes to a file of its own
   * (VACUUM INTO copies every committed row), the deleted file's -wal/-shm still at the path
   * are renamed aside (a new file must not read them as its own: "malformed"), the copy is
   * put at the path (never over a file that appeared meanwhile) and opened. The old
   * connection is closed only once the new one is open, so a failure loses nothing: the copy
   * then becomes the live journal under a side name.
   */
  private restoreFromOpen(files: JournalFiles): void {
    const target = this.live;
    mkdirSync(path.dirname(target), { recursive: true });
    const temp = sideName(target, 'restore');
    try {
      this.journal.handle().prepare('VACUUM INTO ?').run(temp);
      fsyncPath(temp);
    } catch (error) {
      removeDbFiles(temp);
      throw error;
    }
    let placed: Placement | null = null;
    let opened: Opened;
    try {
      placed = placeJournal(temp, target, files.waitMs);
      opened = this.openAt(files, target, placed === 'link' ? fileIdentity(temp) : null);
    } catch (error) {
      if (placed === null && (error as NodeJS.ErrnoException).code === 'EEXIST') {
        // Another process put a file there first (wrote it back, or made a journal).
        removeDbFiles(temp);
        this.takeOver(files);
        return;
      }
      this.continueAside(
        files,
        temp,
        placed === 'link',
        `The sales journal ${target} was deleted while the terminal was running and could ` +
          `not be written back (${messageOf(error)}).`,
      );
      return;
    }
    removeDbFiles(temp); // linked: the journal keeps its own name; copied: a spare copy
    this.adopt(opened, target);
    if (!this.aside) this.lostReason = null;
  }

  /** Another file is at the path: this journal (merge into it) or not (move aside). */
  private takeOver(files: JournalFiles): void {
    const target = this.live;
    waitForPlacement(target, files.waitMs);
    // Renamed over the journal, the new file has no -wal/-shm of its own at the path: the
    // ones there are this connection's, which SQLite would read (and checkpoint) as the new
    // file's. They are renamed aside; this connection keeps using them.
    SIDECARS.forEach((suffix, i) => {
      const mine = this.sidecars[i];
      const there = fileIdentity(target + suffix);
      if (mine && there && sameFile(mine, there)) renameAside(target + suffix);
    });
    const theirs = this.journalId === null ? null : readJournalId(files, target);
    if (theirs === null || theirs !== this.journalId) {
      this.setAside(
        files,
        `The sales journal ${target} was replaced by another file while the terminal was ` +
          'running. It was left as it is.',
      );
      return;
    }
    this.mergeInto(files, target, (error) =>
      error instanceof MergeConflict
        ? `The sales journal ${target} was written back by another program while this ` +
          `terminal was changing the same sales (${error.orderIds.join(', ')}). It was left ` +
          'as the other program made it.'
        : `The sales journal ${target} was written back by another program, and this ` +
          `terminal's changes could not be added to it (${messageOf(error)}). It was left as ` +
          'the other program made it.',
    );
  }

  /**
   * The file at `target` is this journal (the same journal_id), e.g. written back by another
   * process that had it open too. Everything this connection has is first written to a side
   * file (VACUUM INTO); then, in ONE write transaction on the file at the path, every event
   * of that copy the file lacks (compared on every column but seq, duplicates counted) is
   * appended — without seq, so nothing collides with what the other process appends, and the
   * triggers bring `sales`/`refunds` up to date. Refused (MergeConflict) when the file also
   * has events this connection lacks for one of those sales: two diverging histories of one
   * sale are not merged silently. Merged: the journal continues on that file and the side
   * file is removed; refused or failed: the side file becomes the live journal.
   */
  private mergeInto(files: JournalFiles, target: string, why: (error: unknown) => string): void {
    const before = fileIdentity(target);
    if (before === null) throw new Error(`${target} disappeared`);
    const kept = this.snapshot(`The sales journal ${target} was written back by another program.`);
    if (kept === null) return;
    let opened: Opened | null = null;
    try {
      opened = this.openAt(files, target, before);
      const db = opened.db;
      db.prepare('ATTACH DATABASE ? AS ours').run(kept);
      try {
        db.transaction(() => this.copyMissingEvents(db)).immediate();
      } finally {
        db.prepare('DETACH DATABASE ours').run();
      }
    } catch (error) {
      closeQuietly(opened?.db);
      this.moveAside(files, kept, why(error));
      return;
    }
    this.adopt(opened, target);
    removeDbFiles(kept);
    if (!this.aside) this.lostReason = null;
  }

  /** Appends to `main` the events of `ours` it lacks (see mergeInto), in their order. */
  private copyMissingEvents(db: Database.Database): void {
    const id: unknown = db
      .prepare("SELECT value FROM main.meta WHERE key = 'journal_id'")
      .pluck()
      .get();
    if (id !== this.journalId) throw new Error('it is another journal');
    const version = (schema: string): number =>
      Number(db.pragma(`${schema}.user_version`, { simple: true }));
    if (version('main') !== version('ours')) {
      throw new Error(`it is at schema ${version('main')}, this terminal at ${version('ours')}`);
    }
    const columnsOf = (schema: string): string[] =>
      (db.pragma(`${schema}.table_info(events)`) as { name: string }[])
        .map((c) => c.name)
        .filter((name) => name !== 'seq');
    const columns = columnsOf('ours');
    if ([...columns].sort().join() !== columnsOf('main').sort().join()) {
      throw new Error('its events have other columns');
    }
    const list = columns.map((c) => `"${c}"`).join(', ');
    // Rows of `from` beyond as many identical rows as `to` has (the n-th copy of a row
    // counts only if `to` has fewer than n).
    const surplus = (from: string, to: string, select: string): string =>
      `WITH other AS (SELECT json_array(${list}) AS k, COUNT(*) AS c FROM ${to}.events GROUP BY k), ` +
      `keyed AS (SELECT seq, json_array(${list}) AS k FROM ${from}.events), ` +
      'numbered AS (SELECT seq, k, row_number() OVER (PARTITION BY k ORDER BY seq) AS n FROM keyed) ' +
      `SELECT ${select} FROM numbered JOIN ${from}.events e ON e.seq = numbered.seq ` +
      'LEFT JOIN other ON other.k = numbered.k WHERE numbered.n > COALESCE(other.c, 0) ' +
      'ORDER BY numbered.seq';
    const missing = db.prepare(surplus('ours', 'main', 'e.*')).all() as Row[];
    if (missing.length === 0) return;
    const theirs = new Set(
      db
        .prepare(surplus('main', 'ours', 'e.order_id'))
        .pluck()
        .all() as string[],
    );
    const clash = [...new Set(missing.map((row) => String(row.order_id)))].filter((orderId) =>
      theirs.has(orderId),
    );
    if (clash.length > 0) throw new MergeConflict(clash);
    const insert = db.prepare(
      `INSERT INTO main.events (${list}) VALUES (${columns.map(() => '?').join(', ')})`,
    );
    for (const row of missing) insert.run(columns.map((c) => row[c]));
  }

  /**
   * Everything the open connection sees, written to a new side file beside the journal;
   * null (and `problem` says so) when even that fails.
   */
  private snapshot(why: string): string | null {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const kept = sideName(this.file, 'kept');
    try {
      this.journal.handle().prepare('VACUUM INTO ?').run(kept);
      fsyncPath(kept);
      return kept;
    } catch (error) {
      removeDbFiles(kept);
      this.lostReason =
        `${why} What the terminal holds could not be written to a side file ` +
        `(${messageOf(error)}): it is kept by the running terminal only. Do not close it; ` +
        'check the data folder and call IT.';
      return null;
    }
  }

  /** Everything open goes to a new side file, which becomes the live journal. */
  private setAside(files: JournalFiles, why: string): void {
    const kept = this.snapshot(why);
    if (kept !== null) this.moveAside(files, kept, why);
  }

  /** `temp`, a complete copy of what is open, becomes the live journal under a side name. */
  private continueAside(files: JournalFiles, temp: string, linked: boolean, why: string): void {
    const kept = sideName(this.file, 'kept');
    if (linked) {
      // Also at the journal's path, where other processes may open it: a file of its own.
      copyExclusive(temp, kept);
      removeDbFiles(temp);
    } else {
      renameSync(temp, kept);
    }
    this.moveAside(files, kept, why);
  }

  private moveAside(files: JournalFiles, kept: string, why: string): void {
    let opened: Opened;
    try {
      opened = this.openAt(files, kept, null);
    } catch (error) {
      this.lostReason =
        `${why} Everything the terminal held was written to ${kept}, but that file could not ` +
        `be opened (${messageOf(error)}): later changes are kept by the running terminal ` +
        'only. Do not close it; call IT.';
      return;
    }
    this.adopt(opened, kept);
    this.aside = true;
    this.lostReason =
      `${why} Everything this terminal holds was written to ${kept}, and its sales in flight ` +
      'keep being journaled there; new sales are refused. Keep that file and call IT: it ' +
      `holds sales that may not be in ${path.basename(this.file)}.`;
  }

  /** Opens `file` read-write and checks it is the file expected (identity before and after). */
  private openAt(files: JournalFiles, file: string, expected: FileIdentity | null): Opened {
    const before = fileIdentity(file);
    if (before === null || (expected !== null && !sameFile(before, expected))) {
      throw new Error(`${file} changed while it was being opened`);
    }
    const db = files.open(file);
    const identity = fileIdentity(file);
    if (identity === null || !sameFile(before, identity)) {
      closeQuietly(db);
      throw new Error(`${file} changed while it was being opened`);
    }
    return { db, identity };
  }

  /** Continues on `opened` (at `live`); the old connection is closed only now. */
  private adopt(opened: Opened, live: string): void {
    let old: Database.Database | null;
    try {
      old = this.journal.switchTo(opened.db);
    } catch (error) {
      closeQuietly(opened.db); // the journal is still on the old connection
      throw error;
    }
    this.live = live;
    this.identity = opened.identity;
    this.journalId = journalIdOf(opened.db) ?? this.journalId;
    this.sidecars = sidecarIdentities(live);
    closeQuietly(old);
  }
}
