/**
 * Errors as they cross the boundary to the cashier's screen: the contract's IpcError
 * `{error, code}` plus the HTTP status browser mode answers with. Never a stack trace.
 *
 *   400  the request does not match the contract (a bug in the caller)
 *   404  no such channel
 *   409  the request conflicts with the sale's or the terminal's state
 *   422  understood but refused (amount, PIN, payment code, gateway refusal…)
 *   500  anything unexpected (logged; the screen gets a generic message)
 */
import type { IpcError } from '../../shared/ipc/contract.ts';

export type ErrorStatus = 400 | 404 | 409 | 422 | 500;

/** An error this app raises on purpose, with its code and status. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: ErrorStatus = 422,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export interface MappedError {
  status: ErrorStatus;
  body: IpcError;
}

/** Engine error codes that mean "not now, given the current state" rather than "never". */
const CONFLICT_CODE =
  /(^|-)(state|busy|in-progress|not-awaiting|already|unresolved|conflict|closed|final|pending|no-sale|not-current|stopped)(-|$)/;

/** The engine's codes (electron/engine/errors.ts) that are conflicts with the sale's state. */
const ENGINE_CONFLICTS: ReadonlySet<string> = new Set([
  'sale-in-progress',
  'sale-not-current',
  'sale-already-final',
  'engine-stopped',
]);

export function statusForCode(code: string): ErrorStatus {
  if (code === 'invalid-request') return 400;
  if (code === 'unknown-channel') return 404;
  if (code === 'internal') return 500;
  if (ENGINE_CONFLICTS.has(code) || CONFLICT_CODE.test(code)) return 409;
  return 422;
}

function hasCode(value: unknown): value is Error & { code: string } {
  if (!(value instanceof Error)) return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && code !== '';
}

/**
 * Maps anything thrown by a handler to what the screen gets. Typed errors (an `Error` with a
 * string `code`, as the engine throws) keep their message and code; anything else becomes a
 * generic internal error and `onUnexpected` sees the original.
 */
export function mapError(error: unknown, onUnexpected?: (error: unknown) => void): MappedError {
  if (error instanceof AppError) {
    return { status: error.status, body: { error: error.message, code: error.code } };
  }
  if (hasCode(error) && !/^E[A-Z]+$/.test(error.code)) {
    // `EACCES`, `ECONNREFUSED`…: Node system errors are not meant for the cashier.
    return { status: statusForCode(error.code), body: { error: error.message, code: error.code } };
  }
  onUnexpected?.(error);
  return {
    status: 500,
    body: { error: 'Something went wrong in the terminal; it was logged.', code: 'internal' },
  };
}
