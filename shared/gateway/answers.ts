/**
 * What a gateway answer means for the call that got it (gateway.md, "Codes"): pure, so that
 * every rule is tested without HTTP (test/unit/gatewayAnswers.test.ts).
 *
 * - Only an answer whose signature verified is read (`VerifiedEnvelope`: verified over the
 *   raw bizContent string, with the sign type the request used, by
 *   electron/gateway/envelopeCodec.ts). An unverified answer is `unknown`/`bad-signature`,
 *   with one exception: 103000/104000 without bizContent. The gateway sends them when it
 *   could not authenticate us (unknown store, wrong key), so it cannot sign them for us
 *   either; they are `rejected` (nothing processed, fix the configuration).
 * - An answer that names another payment, refund, request, member or token than the one asked
 *   about is never taken (`unknown`): mismatchOf, shared with ./codeGrantAnswers.ts.
 * - `paid` only for a SUCCESS that names the payment asked about (the engine then requires
 *   this amount and this currency to be stated).
 */
import {
  paymentFacts,
  parseAnswerContent,
  refundFacts,
  textOf,
  type AnswerContent,
} from './answerContent.ts';
import type { Envelope } from './envelope.ts';
import type {
  GatewayAnswer,
  PaymentFacts,
  PaymentOutcome,
  RefundFacts,
  RefundOutcome,
  UnknownCause,
} from './outcome.ts';
import {
  categoryOf,
  reasonForCategory,
  reasonForCode,
  type ResultCategory,
} from './resultCodes.ts';

declare const verified: unique symbol;

/** An answer's envelope whose signature verified: only the envelope codec makes one. */
export type VerifiedEnvelope = Envelope & { readonly [verified]: true };

/** The ids the request named: an answer that names another one is not about this call. */
export interface Expected {
  merchantTransactionId?: string | undefined;
  requestId?: string | undefined;
  transactionId?: string | undefined;
  merchantRefundId?: string | undefined;
  /** Linked-wallet calls: the member and the sign-up's token asked about. */
  merchantUserId?: string | undefined;
  token?: string | undefined;
}

export type UnknownOutcome = Extract<PaymentOutcome, { kind: 'unknown' }>;
export type RejectedOutcome = Extract<PaymentOutcome, { kind: 'rejected' }>;
type NotFound = Extract<PaymentOutcome, { kind: 'not-found' }>;

/** An answer opened: its code and content to read by the call's rules, or already an outcome. */
export type OpenedAnswer =
  | { ok: true; answer: GatewayAnswer; content: AnswerContent }
  | { ok: false; outcome: UnknownOutcome | RejectedOutcome };

export function unknownOutcome(
  cause: UnknownCause,
  detail: string,
  answer?: GatewayAnswer,
): UnknownOutcome {
  return answer ? { kind: 'unknown', cause, detail, answer } : { kind: 'unknown', cause, detail };
}

/** An answer that cannot be read: the call's outcome is unknown. */
export function notOpened(
  cause: UnknownCause,
  detail: string,
  answer?: GatewayAnswer,
): OpenedAnswer {
  return { ok: false, outcome: unknownOutcome(cause, detail, answer) };
}

export function isHttpSuccess(httpStatus: number): boolean {
  return httpStatus >= 200 && httpStatus < 300;
}

/** Codes the gateway sends when it could not authenticate us: it cannot sign them for us. */
const UNVERIFIABLE_REJECTIONS = new Set(['103000', '104000']);

/** An answer whose signature did not verify (`why`): never trusted, whatever it claims. */
export function openUnverified(message: Envelope, httpStatus: number, why: string): OpenedAnswer {
  const code = textOf(message.code);
  if (
    httpStatus < 500 &&
    code !== undefined &&
    UNVERIFIABLE_REJECTIONS.has(code) &&
    (message.bizContent === undefined || message.bizContent === '')
  ) {
    // The gateway could not authenticate us, so it cannot sign for us either (wrong key
    // or unknown store). Nothing was processed; report the configuration problem.
    const description = textOf(message.description) ?? '';
    return {
      ok: false,
      outcome: {
        kind: 'rejected',
        reason: reasonForCode(code),
        code,
        resultCode: code,
        description,
      },
    };
  }
  if (!isHttpSuccess(httpStatus)) {
    return notOpened('http-error', `HTTP ${httpStatus} (unsigned answer)`);
  }
  // A bad signature is never trusted, whatever the answer claims.
  return notOpened('bad-signature', why);
}

/** A verified answer of this store: its code, with bizContent's result code and status. */
export function openVerified(
  message: VerifiedEnvelope,
  httpStatus: number,
  accId: string,
): OpenedAnswer {
  if (message.accId !== undefined && message.accId !== accId) {
    return notOpened('malformed-response', 'the answer is for another store (accId)');
  }
  const code = textOf(message.code);
  if (code === undefined) return notOpened('malformed-response', 'the answer has no code');
  const description = textOf(message.description) ?? '';
  const content = parseAnswerContent(message.bizContent);
  if (content === null) {
    return notOpened('malformed-response', 'bizContent in the answer is not a JSON object');
  }
  const answer: GatewayAnswer = {
    code,
    resultCode: content.resultCode ?? code,
    description: content.resultDescription ?? description,
  };
  if (content.status !== undefined) answer.status = content.status;
  if (httpStatus >= 500) {
    const category = categoryOf(code);
    const cause: UnknownCause =
      category === 'gateway-error' || category === 'upstream-error'
        ? 'gateway-error'
        : 'http-error';
    return notOpened(cause, `HTTP ${httpStatus}: ${code} ${description}`, answer);
  }
  return { ok: true, answer, content };
}

/** What an answer must match of what was asked about, when it names it. */
export const MATCHED_KEYS = [
  'merchantTransactionId',
  'requestId',
  'transactionId',
  'merchantRefundId',
  'merchantUserId',
  'token',
] as const;

/**
 * Why an answer is not about the call (it names another payment, refund, request, member or
 * token than the one asked about), or null. A token is never echoed: it is a secret (the
 * one asked about, and the other one too).
 */
export function mismatchOf(content: AnswerContent, expected: Expected): string | null {
  for (const key of MATCHED_KEYS) {
    const want = expected[key];
    const got = content[key];
    if (want !== undefined && got !== undefined && got !== want) {
      return key === 'token'
        ? 'the answer is about another token'
        : `the answer is about ${key} ${got}, not ${want}`;
    }
  }
  return null;
}

/** Whether the answer names the payment that was asked about (by its order or gateway id). */
function namesPayment(content: AnswerContent, expected: Expected): boolean {
  if (expected.merchantTransactionId !== undefined) {
    return content.merchantTransactionId === expected.merchantTransactionId;
  }
  if (expected.transactionId !== undefined) {
    return content.transactionId === expected.transactionId;
  }
  return false;
}
type Declined<F> = { kind: 'declined'; reason: string } & GatewayAnswer & F;
type Pending<F> = { kind: 'pending' } & GatewayAnswer & F;

/** What tells a payment answer from a refund answer; the rest of the reading is shared. */
interface OutcomeRules<F, S> {
  /** Names the call's subject in messages: `payment` or `refund`. */
  subject: string;
  facts(content: AnswerContent): F | null;
  /** Envelope categories that decline the call whatever the status says. */
  declinedBy: readonly ResultCategory[];
  /** Result categories that decline the call when the answer states no status. */
  declinedWithoutStatus: readonly ResultCategory[];
  /** The outcome of a final status (SUCCESS, FAILED…); undefined when the status is not one. */
  final(
    status: string,
    answer: GatewayAnswer,
    facts: F,
    context: { content: AnswerContent; expected: Expected; resultCategory: ResultCategory },
  ): S | UnknownOutcome | undefined;
}

/** Reads a verified answer into the call's outcome, by the call's rules. */
function settle<F extends object, S>(
  opened: OpenedAnswer,
  expected: Expected,
  rules: OutcomeRules<F, S>,
): S | UnknownOutcome | RejectedOutcome | NotFound | Declined<F> | Pending<F> {
  if (!opened.ok) return opened.outcome;
  const { answer, content } = opened;
  const mismatch = mismatchOf(content, expected);
  if (mismatch) return unknownOutcome('malformed-response', mismatch, answer);
  const envelopeCategory = categoryOf(answer.code);
  const common = commonOutcome(envelopeCategory, answer);
  if (common) return common;
  const facts = rules.facts(content);
  if (facts === null)
    return unknownOutcome('malformed-response', 'unreadable amount in the answer', answer);
  if (rules.declinedBy.includes(envelopeCategory)) {
    return { kind: 'declined', reason: reasonForCode(answer.code), ...answer, ...facts };
  }
  // success / accepted / processing / unrecognised: the status decides.
  const resultCategory = categoryOf(answer.resultCode);
  switch (answer.status) {
    case 'PROCESSING':
    case 'INIT':
      return { kind: 'pending', ...answer, ...facts };
    case undefined:
      // "000000: final success (check status too)": a success code without the status is
      // not proof of payment (or refund); the query (which carries the status) decides.
      if (resultCategory === 'success' && envelopeCategory === 'success') {
        return unknownOutcome(
          'malformed-response',
          `a success code without a ${rules.subject} status`,
          answer,
        );
      }
      if (
        (resultCategory === 'processing' || resultCategory === 'accepted') &&
        envelopeCategory !== 'unrecognised'
      ) {
        return { kind: 'pending', ...answer, ...facts };
      }
      if (rules.declinedWithoutStatus.includes(resultCategory)) {
        return {
          kind: 'declined',
          reason: reasonForCode(answer.resultCode),
          ...answer,
          ...facts,
        };
      }
      return unknownOutcome(
        'gateway-error',
        `unrecognised answer ${answer.code}: ${answer.description}`,
        answer,
      );
    default:
      return (
        rules.final(answer.status, answer, facts, { content, expected, resultCategory }) ??
        unknownOutcome(
          'malformed-response',
          `unexpected ${rules.subject} status ${answer.status}`,
          answer,
        )
      );
  }
}

const PAYMENT_RULES: OutcomeRules<
  PaymentFacts,
  | ({ kind: 'paid' } & GatewayAnswer & PaymentFacts)
  | ({ kind: 'closed'; reason: string } & GatewayAnswer & PaymentFacts)
  | Declined<PaymentFacts>
> = {
  subject: 'payment',
  facts: paymentFacts,
  declinedBy: ['code-expired', 'risk-declined', 'issuer-declined'],
  declinedWithoutStatus: ['risk-declined', 'issuer-declined'],
  final(status, answer, facts, { content, expected }) {
    switch (status) {
      case 'SUCCESS':
        // Paid only on an answer bound to this payment: a signed answer that names no payment
        // (or another one) could be a replay of any success the gateway ever signed.
        if (!namesPayment(content, expected)) {
          return unknownOutcome(
            'malformed-response',
            'a SUCCESS answer that does not name the payment asked about',
            answer,
          );
        }
        // A subscription's first payment carries the reusable payment token (a token call's
        // answer that repeats the token sent carries no new one).
        return content.token !== undefined && content.token !== '' && expected.token === undefined
          ? { kind: 'paid', ...answer, ...facts, paymentToken: content.token }
          : { kind: 'paid', ...answer, ...facts };
      case 'FAILED':
        return { kind: 'declined', reason: declineReason(answer.resultCode), ...answer, ...facts };
      case 'CLOSED':
      case 'CANCEL':
        return {
          kind: 'closed',
          reason: 'The customer did not confirm; the order was closed and nothing was charged.',
          ...answer,
          ...facts,
        };
      default:
        return undefined;
    }
  },
};

const REFUND_RULES: OutcomeRules<
  RefundFacts,
  ({ kind: 'refunded' } & GatewayAnswer & RefundFacts) | Declined<RefundFacts>
> = {
  subject: 'refund',
  facts: refundFacts,
  declinedBy: ['refund-refused', 'risk-declined', 'issuer-declined', 'code-expired'],
  declinedWithoutStatus: ['refund-refused'],
  final(status, answer, facts, { resultCategory }) {
    switch (status) {
      case 'SUCCESS':
        return { kind: 'refunded', ...answer, ...facts };
      case 'FAILED':
        return {
          kind: 'declined',
          reason:
            resultCategory === 'success' || resultCategory === 'unrecognised'
              ? reasonForCategory('refund-refused')
              : reasonForCode(answer.resultCode),
          ...answer,
          ...facts,
        };
      default:
        return undefined;
    }
  },
};

/** Outcomes that do not depend on the call: rejections, not-found, unknown. */
function commonOutcome(
  category: ResultCategory,
  answer: GatewayAnswer,
): RejectedOutcome | NotFound | UnknownOutcome | null {
  switch (category) {
    case 'config-error':
    case 'invalid-parameter':
    case 'auth-error':
    case 'bad-signature':
    case 'duplicate':
      return { kind: 'rejected', reason: reasonForCode(answer.code), ...answer };
    case 'not-found':
      return { kind: 'not-found', ...answer };
    case 'gateway-error':
    case 'upstream-error':
      return unknownOutcome('gateway-error', `${answer.code}: ${answer.description}`, answer);
    default:
      return null;
  }
}

function declineReason(resultCode: string): string {
  const category = categoryOf(resultCode);
  if (
    category === 'risk-declined' ||
    category === 'issuer-declined' ||
    category === 'code-expired'
  ) {
    return reasonForCode(resultCode);
  }
  return reasonForCategory('issuer-declined');
}

/** The outcome of a payment call (unifiedPay, query) from its opened answer. */
export function paymentOutcomeOf(opened: OpenedAnswer, expected: Expected): PaymentOutcome {
  return settle(opened, expected, PAYMENT_RULES);
}

/** The outcome of a refund call (refund, refund query) from its opened answer. */
export function refundOutcomeOf(opened: OpenedAnswer, expected: Expected): RefundOutcome {
  return settle(opened, expected, REFUND_RULES);
}
