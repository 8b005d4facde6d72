/**
 * What one gateway answer about a payment means for the sale — a pure function of the sale
 * as journaled now and the answer, so the money-safety rules are tested without timers,
 * network or journal (test/unit/engine/decide.test.ts). The resolver (resolution.ts)
 * commits the patch with its event, then carries out the effects.
 *
 *   - paid only on a SUCCESS that states this amount AND this currency; else held for the
 *     supervisor (unknown, final);
 *   - a SUCCESS for a sale recorded closed or declined is never thrown away: paid, and
 *     refunded automatically (the cashier was told it was not paid);
 *   - an unsigned credentials refusal (103000/104000) is unknown, never declined;
 *   - a lost answer, PROCESSING, "duplicated", a refused query: keep waiting, never declined.
 */
import type { PaymentOutcome } from '../../shared/gateway/outcome.ts';
import { categoryOf } from '../../shared/gateway/resultCodes.ts';
import { formatForDisplay, isCurrency } from '../../shared/money.ts';
import type { JournalEventInput, SaleRecord } from '../journal/journal.ts';
import { isCredentialsRefusal, outcomeDetail } from './answers.ts';
import {
  REASONS,
  amountMismatchReason,
  checkoutFailedReason,
  closedReason,
  credentialsReason,
  declineReason,
  linkUnboundReason,
  rejectedReason,
  renewalTokenReason,
  type Reason,
} from './reasons.ts';
import type { Applied } from './tasks.ts';
import type { CheckoutCreated, TokenFacts } from './types.ts';

type Paid = Extract<PaymentOutcome, { kind: 'paid' }>;

/** Where the answer came from: the request, a re-send of it, or a status query. */
export type AnswerVia = 'pay' | 'resend' | 'query';

/** What the resolver does once the patch (if any) is journaled. */
export type Effect =
  /** The sale is final: stop its deadline and forget the (single-use) code. */
  | { kind: 'final' }
  /** Paid while nobody waited for it (abandoned, or recorded not paid): refund it. */
  | { kind: 'auto-refund' }
  /** The crash-test fault point of a sale that now waits for the customer. */
  | { kind: 'fault-waiting' }
  /** A member sale is final: tell the members side what the answer said about the token. */
  | { kind: 'member'; facts: TokenFacts }
  | {
      kind: 'log';
      level: 'info' | 'warn' | 'error';
      message: string;
      fields: Record<string, unknown>;
    };

export interface Decision {
  /** Final answer, keep resolving, or "the gateway has no trace" (the resolver decides). */
  applied: Applied;
  /** The change to journal (applied to the sale as it is now), or null for none. */
  patch: Partial<SaleRecord> | null;
  event: JournalEventInput | null;
  effects: Effect[];
}

export interface DecideContext {
  /** Resolved by recovery / the sweeper rather than by this process's own submit. */
  fromRecovery: boolean;
  /** What the answer said about a member's token (set by decidePayment). */
  facts?: TokenFacts;
}

const nothing = (applied: Applied, effects: Effect[] = []): Decision => ({
  applied,
  patch: null,
  event: null,
  effects,
});

function log(
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown>,
): Effect {
  return { kind: 'log', level, message, fields };
}

/** The sale is final: paid, declined or closed, with the reason shown. */
export function settleDecision(
  rec: SaleRecord,
  status: 'paid' | 'declined' | 'closed',
  reason: Reason | null,
  event: JournalEventInput,
  extra: Partial<SaleRecord>,
  context: DecideContext,
): Decision {
  const recovered = context.fromRecovery;
  const member: Effect[] = isMemberSale(rec)
    ? [{ kind: 'member', facts: context.facts ?? {} }]
    : [];
  return {
    applied: 'settled',
    patch: {
      ...extra,
      status,
      settled: true,
      recovered,
      reason: reason?.reason ?? null,
      reasonCode: reason?.reasonCode ?? null,
    },
    event: recovered ? { ...event, detail: { ...event.detail, recovered: true } } : event,
    effects: [
      { kind: 'final' },
      ...(status === 'paid' && rec.abandoned ? [{ kind: 'auto-refund' } as const] : []),
      ...member,
      log('info', `sale ${status}`, { orderId: rec.orderId, recovered }),
    ],
  };
}

/** A sale paid with (or yielding) a member's token: a linked wallet, a membership. */
export function isMemberSale(rec: SaleRecord): boolean {
  return (
    rec.tender === 'linked-wallet' ||
    rec.tender === 'renewal' ||
    (rec.tender === 'checkout' && (rec.subscriptionId ?? null) !== null)
  );
}

/** A charge with a token (a linked wallet's, a subscription's). */
function isTokenCharge(rec: SaleRecord): boolean {
  return rec.tender === 'linked-wallet' || rec.tender === 'renewal';
}

/**
 * The token's state a refusal names ("the linked wallet is UNBOUND", "the payment token was
 * revoked"), or
 * null when the answer is not about the token.
 */
export function tokenStateOf(description: string): string | null {
  if (!/token|linked wallet/i.test(description)) return null;
  if (/does not exist|not exist|unknown token/i.test(description)) return null;
  // The state as the gateway writes it (upper case) first; then in words, after any
  // leading "Declined:" (which is the refusal, not the token's state).
  const states = 'PENDING|DECLINED|EXPIRED|UNBOUND|REVOKED|INACTIVE|INVALID|CANCELL?ED';
  const named =
    new RegExp(`\\b(${states})\\b`).exec(description) ??
    new RegExp(`\\b(${states})\\b`, 'i').exec(description.replace(/^\s*declined\s*:?\s*/i, ''));
  if (named?.[1]) return named[1].toUpperCase();
  if (/not active|inactive|revoked|expired|unbound/i.test(description)) return 'NOT ACTIVE';
  return null;
}

/** "Token does not exist": a member id other than the sign-up's (or an unknown token). */
export function isTokenMismatch(description: string): boolean {
  return /token/i.test(description) && /does not exist|not exist|unknown token/i.test(description);
}

/** A SUCCESS for another amount or currency (or without them): not paid, for the supervisor. */
function mismatchDecision(
  rec: SaleRecord,
  outcome: Paid,
  event: JournalEventInput,
  context: DecideContext,
): Decision {
  const statedMinor = outcome.amountMinor;
  const statedCurrency = outcome.currency;
  const stated =
    statedMinor === undefined || statedCurrency === undefined
      ? 'a payment without its amount and currency'
      : isCurrency(statedCurrency)
        ? formatForDisplay(statedMinor, statedCurrency)
        : `${statedMinor} (minor units) ${statedCurrency}`;
  return {
    applied: 'settled',
    // Settled (nothing left to ask) but not paid: no auto-refund, no new attempt, no refund.
    patch: {
      status: 'unknown',
      settled: true,
      recovered: context.fromRecovery,
      ...amountMismatchReason(formatForDisplay(rec.amountMinor, rec.currency), stated),
      transactionId: outcome.transactionId ?? rec.transactionId,
      gatewayStatus: outcome.status ?? 'SUCCESS',
    },
    event: {
      kind: 'amount-mismatch',
      detail: {
        ...event.detail,
        answerKind: event.kind,
        expectedAmountMinor: rec.amountMinor,
        expectedCurrency: rec.currency,
        statedAmountMinor: statedMinor ?? null,
        statedCurrency: statedCurrency ?? null,
      },
    },
    effects: [
      { kind: 'final' },
      log('error', 'the gateway states another amount for this payment', {
        orderId: rec.orderId,
        expectedMinor: rec.amountMinor,
        expectedCurrency: rec.currency,
        statedMinor,
        statedCurrency,
      }),
    ],
  };
}

/** Paid only when the answer states this amount and this currency. */
function matches(rec: SaleRecord, outcome: Paid): boolean {
  return outcome.amountMinor === rec.amountMinor && outcome.currency === rec.currency;
}

/** A signed SUCCESS for a sale already final. */
function decideLate(
  rec: SaleRecord,
  outcome: Paid,
  event: JournalEventInput,
  context: DecideContext,
): Decision {
  if (rec.status !== 'closed' && rec.status !== 'declined') return nothing('settled');
  const late: JournalEventInput = {
    kind: 'late-paid',
    detail: { ...event.detail, answerKind: event.kind, was: rec.status },
  };
  // For another amount: money may have moved, so not "nothing was charged" any more.
  if (!matches(rec, outcome)) return mismatchDecision(rec, outcome, late, context);
  return {
    applied: 'settled',
    patch: {
      status: 'paid',
      settled: true,
      abandoned: rec.abandoned ?? 'closed',
      ...REASONS.autoRefunded,
      transactionId: outcome.transactionId ?? rec.transactionId,
      gatewayStatus: outcome.status ?? 'SUCCESS',
      recovered: context.fromRecovery || rec.recovered,
    },
    event: late,
    effects: [
      { kind: 'auto-refund' },
      log('error', 'the gateway reports paid a sale recorded not paid: refunding it', {
        orderId: rec.orderId,
        was: rec.status,
      }),
    ],
  };
}

/** Submitting → waiting-for-customer; any other status stays as it is. */
export function waitDecision(
  rec: SaleRecord,
  event: JournalEventInput,
  gatewayStatus: string | undefined,
  effects: Effect[] = [],
): Decision {
  if (rec.status !== 'submitting') return nothing('pending', effects);
  return {
    applied: 'pending',
    patch: {
      status: 'waiting-for-customer',
      ...(gatewayStatus !== undefined ? { gatewayStatus } : {}),
    },
    event,
    effects,
  };
}

export function decidePayment(
  rec: SaleRecord,
  outcome: PaymentOutcome,
  via: AnswerVia,
  context: DecideContext,
): Decision {
  const detail = { via, ...outcomeDetail(outcome) };
  const event: JournalEventInput = { kind: via === 'query' ? 'resolved' : 'answer', detail };
  if (rec.settled) {
    return outcome.kind === 'paid' ? decideLate(rec, outcome, event, context) : nothing('settled');
  }
  switch (outcome.kind) {
    case 'paid': {
      if (!matches(rec, outcome)) return mismatchDecision(rec, outcome, event, context);
      const paymentToken = (outcome as { paymentToken?: unknown }).paymentToken;
      // Kept only for a membership's first payment that the cashier still waited for (one
      // found paid after the till stopped waiting is refunded: no membership, no token).
      const offered =
        rec.tender === 'checkout' &&
        (rec.subscriptionId ?? null) !== null &&
        !rec.abandoned &&
        typeof paymentToken === 'string' &&
        paymentToken !== '';
      // A status answer that names another member than the membership's: its token is not
      // this member's, and is never kept as theirs (the payment itself is this order's).
      const named = (outcome as { merchantUserId?: unknown }).merchantUserId;
      const otherMember =
        offered && typeof named === 'string' && named !== '' && named !== rec.memberId;
      const decision = settleDecision(
        rec,
        'paid',
        rec.abandoned ? REASONS.autoRefunded : null,
        event,
        {
          transactionId: outcome.transactionId ?? rec.transactionId,
          gatewayStatus: outcome.status ?? 'SUCCESS',
        },
        otherMember
          ? { ...context, facts: { tokenForOtherMember: true } }
          : offered
            ? { ...context, facts: { paymentToken: paymentToken as string } }
            : context,
      );
      if (otherMember) {
        decision.effects.push(
          log('error', 'the first payment answer names another member; its token is not kept', {
            orderId: rec.orderId,
          }),
        );
      }
      return decision;
    }
    case 'declined': {
      const state = isTokenCharge(rec) ? tokenStateOf(outcome.description) : null;
      let reason = declineReason(outcome, isTokenCharge(rec));
      if (state !== null) {
        reason =
          rec.tender === 'renewal'
            ? renewalTokenReason(state)
            : linkUnboundReason(rec.method ?? 'wallet', state);
      } else if (rec.tender === 'checkout') {
        reason = checkoutFailedReason(outcome);
      }
      return settleDecision(
        rec,
        'declined',
        reason,
        event,
        {
          transactionId: outcome.transactionId ?? rec.transactionId,
          gatewayStatus: outcome.status ?? null,
        },
        state !== null ? { ...context, facts: { tokenState: state } } : context,
      );
    }
    case 'closed':
      return settleDecision(
        rec,
        'closed',
        rec.tender === 'checkout'
          ? checkoutClosedReason(rec.abandoned)
          : closedReason(rec.abandoned),
        event,
        {
          transactionId: outcome.transactionId ?? rec.transactionId,
          gatewayStatus: outcome.status ?? 'CLOSED',
        },
        context,
      );
    case 'pending':
      return waitDecision(rec, event, outcome.status, [{ kind: 'fault-waiting' }]);
    case 'unknown':
      // Timeout, dropped connection, 5xx, bad signature: the money may have moved.
      return waitDecision(rec, { kind: 'answer-unknown', detail }, undefined, [
        log('warn', 'payment outcome unknown', { orderId: rec.orderId, via, cause: outcome.cause }),
      ]);
    case 'not-found':
      return nothing('not-found');
    case 'rejected': {
      if (isCredentialsRefusal(outcome)) {
        // 103000/104000 come unsigned (the gateway could not authenticate us), so anyone on
        // the path could have sent them: the payment may have gone through. Not declined
        // (that invites a second charge): unknown, resolved by query, the real cause named.
        const reason = credentialsReason(outcome);
        const logged = log(
          'error',
          'the gateway refused the till credentials; payment outcome unknown',
          { orderId: rec.orderId, code: outcome.code },
        );
        if (rec.status === 'unknown' && rec.reasonCode === reason.reasonCode) {
          return nothing('pending', [logged]);
        }
        return {
          applied: 'pending',
          patch: { status: 'unknown', ...reason },
          event,
          effects: [logged],
        };
      }
      if (via === 'query' || categoryOf(outcome.code) === 'duplicate') {
        // A query refused, or "duplicated transaction": the query decides, later.
        return waitDecision(rec, event, undefined, [
          log('warn', 'gateway refused the call', {
            orderId: rec.orderId,
            via,
            code: outcome.code,
          }),
        ]);
      }
      if (isTokenCharge(rec) && isTokenMismatch(outcome.description)) {
        // An integration fault (the member id sent is not the sign-up's): nothing was
        // charged; logged for IT, not retried, and the link is NOT unbound.
        return settleDecision(
          rec,
          'declined',
          REASONS.memberTokenMismatch,
          event,
          {},
          { ...context, facts: { tokenMismatch: true } },
        );
      }
      const state = isTokenCharge(rec) ? tokenStateOf(outcome.description) : null;
      if (state !== null) {
        return settleDecision(
          rec,
          'declined',
          rec.tender === 'renewal'
            ? renewalTokenReason(state)
            : linkUnboundReason(rec.method ?? 'wallet', state),
          event,
          {},
          { ...context, facts: { tokenState: state } },
        );
      }
      return settleDecision(
        rec,
        'declined',
        rejectedReason(outcome, outcome.reason),
        event,
        {},
        context,
      );
    }
  }
}

/** A checkout page that closed unpaid. */
function checkoutClosedReason(abandoned: SaleRecord['abandoned']): Reason {
  return abandoned === 'cancel' ? REASONS.checkoutCancelled : REASONS.checkoutExpired;
}

/**
 * What the answer to a checkout creation (prePay) means: the page exists (the sale waits
 * for the customer, its paymentUrl journaled to be shown as a QR), the gateway refused it
 * (nothing can be paid: declined), or no usable answer (the query decides, as for any
 * payment). `expiresAt`: when the page closes as far as the till knows.
 */
export function decideCheckoutCreated(
  rec: SaleRecord,
  created: CheckoutCreated,
  via: AnswerVia,
  expiresAt: number,
  context: DecideContext,
): Decision {
  if (rec.settled) return nothing('settled');
  switch (created.kind) {
    case 'created': {
      const event: JournalEventInput = { kind: 'checkout-created', detail: { via } };
      if (rec.paymentUrl === created.paymentUrl && rec.status !== 'submitting') {
        return nothing('pending');
      }
      return {
        applied: 'pending',
        patch: {
          paymentUrl: created.paymentUrl,
          expiresAt,
          ...(rec.status === 'submitting'
            ? { status: 'waiting-for-customer' as const, gatewayStatus: 'INIT' }
            : {}),
        },
        event,
        effects: [{ kind: 'fault-waiting' }],
      };
    }
    case 'unknown':
      return waitDecision(
        rec,
        { kind: 'answer-unknown', detail: { via, outcome: 'unknown', cause: created.reason } },
        undefined,
        [log('warn', 'checkout creation outcome unknown', { orderId: rec.orderId, via })],
      );
    case 'refused': {
      const answer = {
        code: created.code,
        resultCode: created.code,
        description: created.description,
      };
      const event: JournalEventInput = {
        kind: 'answer',
        detail: { via, outcome: 'rejected', code: created.code, description: created.description },
      };
      if (isCredentialsRefusal(answer)) {
        const reason = credentialsReason(answer);
        return {
          applied: 'pending',
          patch: { status: 'unknown', ...reason },
          event,
          effects: [
            log('error', 'the gateway refused the till credentials; checkout outcome unknown', {
              orderId: rec.orderId,
              code: created.code,
            }),
          ],
        };
      }
      if (categoryOf(created.code) === 'duplicate') {
        return waitDecision(rec, event, undefined);
      }
      return settleDecision(
        rec,
        'declined',
        rejectedReason(answer, created.description || created.code),
        event,
        {},
        context,
      );
    }
  }
}
