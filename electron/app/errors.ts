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
import type { AmountRejection } from '../../shared/money.ts';
import type { EngineErrorCode } from '../engine/errors.ts';
import type { JournalErrorCode } from '../journal/errors.ts';

export type ErrorStatus = 400 | 404 | 409 | 422 | 500;

/** The codes of the app layer itself (the contract's handlers, settings, PIN, the core). */
export type AppErrorCode =
  | 'invalid-request'
  | 'untrusted-sender'
  | 'unknown-channel'
  | 'internal'
  /** The terminal core is starting, restarting or shutting down (electron/host). */
  | 'terminal-not-ready'
  | 'terminal-core-restarted'
  | 'terminal-closed'
  | 'sale-not-found'
  /** What parseAmount refused (shared/money.ts). */
  | `amount-${AmountRejection}`
  | 'pin-required'
  | 'pin-wrong'
  | 'pin-locked'
  | 'settings-invalid'
  | 'settings-not-applied'
  | 'secret-store-unavailable'
  | 'config-invalid';

/** Every code that can cross the boundary to the screen. */
export type ErrorCode = AppErrorCode | EngineErrorCode | JournalErrorCode;

/** The status of every code: a new code without one does not compile. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, ErrorStatus>> = {
  'invalid-request': 400,
  'untrusted-sender': 400,
  'unknown-channel': 404,
  internal: 500,
  'terminal-not-ready': 409,
  'terminal-core-restarted': 409,
  'terminal-closed': 409,
  'sale-not-found': 422,
  'amount-empty': 422,
  'amount-not-a-number': 422,
  'amount-zero': 422,
  'amount-negative': 422,
  'amount-too-many-decimals': 422,
  'amount-above-ceiling': 422,
  'amount-unknown-currency': 422,
  'pin-required': 422,
  'pin-wrong': 422,
  'pin-locked': 422,
  'settings-invalid': 422,
  'settings-not-applied': 422,
  'secret-store-unavailable': 422,
  'config-invalid': 422,
  // The engine (electron/engine/errors.ts).
  'sale-in-progress': 409,
  'sale-not-current': 409,
  'sale-already-final': 409,
  'engine-stopped': 409,
  'amount-invalid': 422,
  'currency-invalid': 422,
  'method-invalid': 422,
  'code-invalid': 422,
  'refund-exceeds-balance': 422,
  'refund-not-allowed': 422,
  'not-found': 422,
  'other-gateway': 422,
  'sale-needs-supervisor': 422,
  'journal-unavailable': 422,
  // The journal (electron/journal/errors.ts).
  'journal-corrupt': 422,
  'journal-locked': 422,
  'journal-too-new': 422,
  'journal-unwritable': 422,
  'journal-conflict': 409,
  'journal-closed': 409,
  'sale-transition-refused': 422,
  'sale-in-flight': 422,
  'sale-changed': 422,
};

function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_STATUS, code);
}

/** An error this app raises on purpose, with its code (its status is the code's). */
export class AppError extends Error {
  readonly status: ErrorStatus;

  constructor(
    readonly code: AppErrorCode | EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

/** What the screen reads for an unexpected error (the error itself is logged). */
export const INTERNAL_MESSAGE = 'Something went wrong in the terminal; it was logged.';

export interface MappedError {
  status: ErrorStatus;
  body: IpcError;
}

/** A code's status; a code outside ErrorCode (an error of a library) is refused, 422. */
function statusForCode(code: string): ErrorStatus {
  return isErrorCode(code) ? ERROR_STATUS[code] : 422;
}

/** What the screen gets for `code`. */
export function errorFor(code: ErrorCode, message: string): MappedError {
  return { status: ERROR_STATUS[code], body: { error: message, code } };
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
    const reasonCode = (error as { reasonCode?: unknown }).reasonCode;
    return {
      status: statusForCode(error.code),
      body: {
        error: error.message,
        code: error.code,
        ...(typeof reasonCode === 'string' ? { reasonCode } : {}),
      },
    };
  }
  onUnexpected?.(error);
  return errorFor('internal', INTERNAL_MESSAGE);
}
