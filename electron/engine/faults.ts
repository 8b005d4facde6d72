/**
 * Fault injection for the crash tests: the engine calls `fault(point)` at the moments a
 * power cut hurts most; with POS_FAULT set to that point the process kills itself (SIGKILL,
 * no cleanup, no flush) exactly there. Without POS_FAULT this is a no-op.
 */

export const FAULT_POINTS = [
  /** The attempt is journaled (submitting), the unifiedPay request not sent yet. */
  'after-journal-before-request',
  /**
   * The unifiedPay request reached the gateway (its answer has arrived) and nothing of the
   * answer is journaled yet: for the journal this is the same as dying before the answer.
   */
  'after-send-before-answer',
  /** The gateway said PROCESSING and the sale is journaled as waiting for the customer. */
  'waiting-for-customer',
  /** A refund is journaled, its request not sent yet. */
  'refund-after-journal-before-request',
] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

export type FaultHook = (point: FaultPoint) => void;

export function isFaultPoint(value: unknown): value is FaultPoint {
  return typeof value === 'string' && (FAULT_POINTS as readonly string[]).includes(value);
}

/** The hook for the POS_FAULT value given (undefined when unset or not a known point). */
export function faultHookFromEnv(value: string | undefined): FaultHook | undefined {
  if (!isFaultPoint(value)) return undefined;
  return (point) => {
    if (point === value) process.kill(process.pid, 'SIGKILL');
  };
}
