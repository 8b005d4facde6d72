/**
 * The moves a journaled sale may make, checked by the journal inside the write transaction
 * of every change (so two processes on one data folder cannot undo each other's answer).
 *
 * A sale's state here is its status plus whether the gateway's answer is final (`settled`).
 * The only way back from a final answer is to `paid`: a signed SUCCESS naming the sale is
 * never thrown away, even after the sale was recorded closed or declined (it is then paid and
 * refunded automatically), and a declined sale may take a new attempt with a fresh code.
 */
import type { SaleStatus } from './sale.ts';

export interface SaleState {
  status: SaleStatus;
  settled: boolean;
}

type StateKey = `${SaleStatus}/${'open' | 'final'}`;

function keyOf(state: SaleState): StateKey {
  return `${state.status}/${state.settled ? 'final' : 'open'}`;
}

const RESOLVING: readonly StateKey[] = [
  'waiting-for-customer/open',
  'unknown/open',
  'unknown/final',
  'paid/final',
  'declined/final',
  'closed/final',
];

/** from → the states it may move to (a state not listed as a source is terminal). */
const ALLOWED: Readonly<Partial<Record<StateKey, readonly StateKey[]>>> = {
  // First journal row of an attempt is `submitting/open` (checked separately: no previous).
  'submitting/open': ['submitting/open', ...RESOLVING],
  'waiting-for-customer/open': RESOLVING,
  'unknown/open': ['unknown/open', 'unknown/final', 'paid/final', 'declined/final', 'closed/final'],
  // A new attempt with a fresh code, or a late signed SUCCESS of the declined attempt (for
  // another amount: unknown, for the supervisor).
  'declined/final': ['submitting/open', 'paid/final', 'unknown/final'],
  // A late signed SUCCESS of a sale recorded as closed (not found, or closed by the gateway).
  'closed/final': ['paid/final', 'unknown/final'],
  // A paid sale stays paid: only what it says may change (what became of its automatic
  // refund). unknown/final (amount mismatch: the supervisor decides) is terminal.
  'paid/final': ['paid/final'],
};

export type TransitionCheck = { ok: true } | { ok: false; reason: string };

/** Whether a sale may move from `from` (undefined: not journaled yet) to `to`. */
export function checkSaleTransition(from: SaleState | undefined, to: SaleState): TransitionCheck {
  const target = keyOf(to);
  if (from === undefined) {
    return target === 'submitting/open'
      ? { ok: true }
      : { ok: false, reason: `a sale is first journaled as submitting, not ${target}` };
  }
  const source = keyOf(from);
  if ((ALLOWED[source] ?? []).includes(target)) return { ok: true };
  return { ok: false, reason: `a sale cannot move from ${source} to ${target}` };
}

/** Whether the sale is one the cashier may still be waiting on (one per terminal at a time). */
export function isInFlight(sale: SaleState & { abandoned: string | null }): boolean {
  return !sale.settled && sale.abandoned === null && sale.status !== 'awaiting-scan';
}
