import type { SaleRecord } from './records.ts';

/**
 * Journal failures the cashier (or the IT person) must be told about in words, never by
 * losing data silently. Every SQLite error that leaves the journal module is one of these.
 */

export type JournalErrorCode =
  /** The file is not a SQLite database or fails its integrity check. Left untouched. */
  | 'journal-corrupt'
  /** Another program holds the database (a second till app, a backup tool). */
  | 'journal-locked'
  /** Written by a newer version of the terminal: this version will not touch it. */
  | 'journal-too-new'
  /** The folder or file cannot be created or written (permissions, disk full, I/O error). */
  | 'journal-unwritable'
  /** A write that would break the journal's own rules (duplicate id, unknown sale). */
  | 'journal-conflict'
  /** The journal was used after close(). */
  | 'journal-closed'
  /** A change the sale's transition table does not allow (e.g. a paid sale going back). */
  | 'sale-transition-refused'
  /** Another sale of this data folder is in flight (one sale at a time per terminal). */
  | 'sale-in-flight'
  /** Another process changed the sale after the caller read it: decide again. */
  | 'sale-changed';

export class JournalError extends Error {
  constructor(
    readonly code: JournalErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JournalError';
  }
}

/** Another sale of the same data folder (perhaps another process) is in flight. */
export class SaleInFlightError extends JournalError {
  constructor(
    file: string,
    readonly orderId: string,
  ) {
    super(
      'sale-in-flight',
      `Sale ${orderId} is still being confirmed on this terminal (journal ${file}) — finish it ` +
        `first, or check it with "pospay query ${orderId}"`,
    );
    this.name = 'SaleInFlightError';
  }
}

/** The sale was changed by another process since the caller read it; `current` is it now. */
/** The caller's check inside the write transaction refused: `refusal` is what it threw. */
export class SalePreconditionError extends JournalError {
  constructor(readonly refusal: unknown) {
    super(
      'journal-conflict',
      refusal instanceof Error ? refusal.message : `The change was refused: ${String(refusal)}`,
    );
    this.name = 'SalePreconditionError';
  }
}

export class SaleChangedError extends JournalError {
  constructor(
    file: string,
    readonly current: SaleRecord,
  ) {
    super(
      'sale-changed',
      `Sale ${current.orderId} was changed by another program on this terminal (journal ${file})`,
    );
    this.name = 'SaleChangedError';
  }
}

function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Turns a better-sqlite3 / file-system error into a JournalError with a clear message. */
export function toJournalError(error: unknown, file: string): JournalError {
  if (error instanceof JournalError) return error;
  const code = sqliteCode(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new JournalError(
      'journal-corrupt',
      `The sales journal ${file} is damaged (${detail}). It was left exactly as it is: ` +
        'move it aside or restore it from a backup, then start the terminal again.',
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new JournalError(
      'journal-locked',
      `The sales journal ${file} is in use by another program (is the till app already ` +
        'running?). Close it and try again.',
      { cause: error },
    );
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_PERM' ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'ENOSPC' ||
    code === 'EROFS'
  ) {
    return new JournalError(
      'journal-unwritable',
      `The sales journal ${file} cannot be written (${detail}). Check the disk and the folder's permissions.`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new JournalError('journal-conflict', `Journal write refused: ${detail}`, {
      cause: error,
    });
  }
  return new JournalError('journal-unwritable', `Journal error in ${file}: ${detail}`, {
    cause: error,
  });
}
