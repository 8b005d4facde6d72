/**
 * Refusals the engine raises on purpose. Each carries a stable `code` the IPC layer forwards
 * to the screen (and the CLI prints), with a message a cashier understands.
 */

import type { ReasonCode } from '../../shared/sale.ts';

export type EngineErrorCode =
  /** A sale is still waiting for its outcome: finish it (or cancel) first. */
  | 'sale-in-progress'
  /** The sale on screen is another one (or none): start a new sale. */
  | 'sale-not-current'
  /** The sale is already paid or closed: start a new sale. */
  | 'sale-already-final'
  | 'amount-invalid'
  | 'currency-invalid'
  | 'method-invalid'
  /** The scan is not a payment code this sale can take (the classifier's reason). */
  | 'code-invalid'
  | 'refund-exceeds-balance'
  | 'refund-not-allowed'
  | 'not-found'
  /** The sale went to another gateway (training vs live, or another store/URL). */
  | 'other-gateway'
  /** The sale's outcome needs the supervisor (e.g. the gateway states another amount). */
  | 'sale-needs-supervisor'
  /** The journal's file was deleted or replaced under the terminal: no new sale until fixed. */
  | 'journal-unavailable'
  | 'engine-stopped';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** The screen's words for it (shared/sale.ts ReasonCode), when there is one. */
    readonly reasonCode?: ReasonCode,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
