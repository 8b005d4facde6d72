/** What the engine keeps in memory per sale and refund being resolved, and its task helpers. */
import type { CheckoutRequest } from './types.ts';

export interface LiveSale {
  orderId: string;
  /**
   * The customer's code (or a member's token; for a checkout a marker), in memory only, to
   * re-send the same attempt.
   */
  code: string | null;
  /** A checkout's request details this process can re-send (a subscription's schedule). */
  checkout?: { subscription?: CheckoutRequest['subscription'] } | null;
  deadlineAt: number | null;
  deadlineTimer: NodeJS.Timeout | null;
  paying: boolean;
  querying: boolean;
  task: Promise<void> | null;
  wake: (() => void) | null;
  notFoundSince: number | null;
  resends: number;
  /** Started by recovery / the sweeper rather than by a submit in this process. */
  fromRecovery: boolean;
}

export interface LiveRefund {
  refundId: string;
  task: Promise<void> | null;
  wake: (() => void) | null;
  notFoundSince: number | null;
}

export type Applied = 'settled' | 'pending' | 'not-found';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function clearDeadline(live: LiveSale): void {
  if (live.deadlineTimer) clearTimeout(live.deadlineTimer);
  live.deadlineTimer = null;
}

/**
 * A resolution task: `step` (the request, or recovery's first query) now, then `loop` unless
 * the step says the record is final. `first` settles once the step is over, and never
 * rejects: whatever the step met (a lost answer, a busy journal), the record is journaled
 * and the loop goes on resolving it — the caller reads the record's state.
 */
export function stepThenLoop(
  step: () => Promise<boolean>,
  loop: () => Promise<void>,
  onStepError: (error: unknown) => void,
): { task: Promise<void>; first: Promise<void> } {
  const first = deferred<void>();
  const task = (async () => {
    let done = false;
    try {
      done = await step();
    } catch (error) {
      onStepError(error);
    }
    first.resolve();
    if (!done) await loop();
  })();
  return { task, first: first.promise };
}
