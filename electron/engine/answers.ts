/** Pure facts the engine reads off records and gateway answers, and its fixed rules. */
import { performance } from 'node:perf_hooks';
import type { PaymentOutcome, RefundOutcome } from '../../shared/gateway/outcome.ts';
import { categoryOf } from '../../shared/gateway/resultCodes.ts';
import { type RefundRecord, type SaleRecord } from '../journal/journal.ts';
import { type EngineClock } from './types.ts';

/** The deadline check tolerates timers firing a hair early relative to performance.now(). */
export const DEADLINE_EPSILON_MS = 5;

/** When the deadline could not be recorded (a busy journal), it is tried again this soon. */
export const DEADLINE_RETRY_MS = 1000;

/** How many times a change is decided again when another process keeps changing the sale. */
export const CHANGE_RETRIES = 5;

export const systemClock: EngineClock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** The customer is (or may be) confirming: the cashier waits for this sale. */
export function isWaiting(status: SaleRecord['status']): boolean {
  return status === 'submitting' || status === 'waiting-for-customer';
}

/** 103000 / 104000: the gateway could not authenticate the till (or someone says so). */
export function isCredentialsRefusal(answer: { code: string; resultCode: string }): boolean {
  return [answer.code, answer.resultCode].some((code) => {
    const category = categoryOf(code);
    return category === 'auth-error' || category === 'bad-signature';
  });
}

/**
 * Whether a final refund answer is about the refund asked about. The client only refuses an
 * answer that names ANOTHER refund; one that names none passes. Bound here: our
 * merchantRefundId; else the gateway's refundId already recorded for it; else (gateway.md
 * lists only refundId in the answer) a refundId with this refund's amount and currency. A
 * refusal without a status (108000, 108003, 303000: nothing refunded, no bizContent) is a
 * direct answer to this request and stays accepted.
 */
export function namesRefund(rec: RefundRecord, outcome: RefundOutcome): boolean {
  if (outcome.kind !== 'refunded' && outcome.kind !== 'declined') return true;
  if (outcome.kind === 'declined' && outcome.status === undefined) return true;
  if (outcome.merchantRefundId !== undefined) return outcome.merchantRefundId === rec.refundId;
  if (outcome.refundId === undefined) return false;
  if (rec.gatewayRefundId !== null) return outcome.refundId === rec.gatewayRefundId;
  return outcome.amountMinor === rec.amountMinor && outcome.currency === rec.currency;
}

export function outcomeDetail(outcome: PaymentOutcome | RefundOutcome): Record<string, unknown> {
  if (outcome.kind === 'unknown') {
    return { outcome: 'unknown', cause: outcome.cause, detail: outcome.detail };
  }
  const detail: Record<string, unknown> = {
    outcome: outcome.kind,
    code: outcome.code,
    resultCode: outcome.resultCode,
  };
  if (outcome.status !== undefined) detail.status = outcome.status;
  if (outcome.description) detail.description = outcome.description;
  return detail;
}

/**
 * The outcome with `secret` (the code or token this process sent) blanked out of every
 * text the gateway wrote in it, so that an answer echoing it never puts it in the journal,
 * a log or the screen (the client blanks it too; this is the engine's own guard).
 */
export function withoutSecret<T extends PaymentOutcome>(outcome: T, secret: string | null): T {
  // Codes are 16–24 digits and tokens longer; a checkout's in-memory marker is short.
  if (secret === null || secret.length < 12) return outcome;
  const text = JSON.stringify(outcome);
  if (!text.includes(secret)) return outcome;
  return JSON.parse(text.split(secret).join('[token]')) as T;
}
