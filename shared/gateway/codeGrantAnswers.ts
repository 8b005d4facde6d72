/**
 * What an answer to a linked-wallet call (sign-up, its query, unbind) or to a hosted checkout
 * creation means: pure, like answers.ts, whose opened (signature-verified) answer it reads.
 *
 * - Nothing unverified is trusted: a bad signature, a timeout, a dropped connection, an answer
 *   that cannot be read or that names another request, member or token is `unknown` with the
 *   reason. (Unsigned 103000/104000 — the gateway could not authenticate us — are `refused`:
 *   these calls move no money, and the reason is the configuration.)
 * - A refusal (102000, 107000, 107001, 30xxxx…) is `refused` with the gateway's code and
 *   description; 5xxxxx/6xxxxx and an unrecognised code are `unknown`.
 */
import { mismatchOf, type Expected, type OpenedAnswer } from './answers.ts';
import type { AnswerContent } from './answerContent.ts';
import { isLinkStatus, isLinkWallet } from './codeGrant.ts';
import type {
  BindOutcome,
  BindQueryOutcome,
  CallRefused,
  CallUnknown,
  GatewayAnswer,
  PrePayOutcome,
  UnbindOutcome,
  UnknownCause,
} from './outcome.ts';
import { categoryOf } from './resultCodes.ts';

function unknown(cause: UnknownCause, reason: string): CallUnknown {
  return { kind: 'unknown', cause, reason };
}

type Accepted = { ok: true; answer: GatewayAnswer; content: AnswerContent };

/** The checks every such call shares; the call's own reading follows on `ok`. */
function accepted(
  opened: OpenedAnswer,
  expected: Expected,
): Accepted | { ok: false; outcome: CallRefused | CallUnknown } {
  if (!opened.ok) {
    const outcome = opened.outcome;
    if (outcome.kind === 'rejected') {
      return {
        ok: false,
        outcome: {
          kind: 'refused',
          code: outcome.code,
          description: outcome.description || outcome.reason,
        },
      };
    }
    return { ok: false, outcome: unknown(outcome.cause, outcome.detail) };
  }
  const { answer, content } = opened;
  const mismatch = mismatchOf(content, expected);
  if (mismatch !== null) {
    return { ok: false, outcome: unknown('malformed-response', mismatch) };
  }
  switch (categoryOf(answer.code)) {
    case 'success':
    case 'accepted':
      return { ok: true, answer, content };
    case 'processing':
      return {
        ok: false,
        outcome: unknown('gateway-error', `the gateway is still processing: ${answer.description}`),
      };
    case 'gateway-error':
    case 'upstream-error':
    case 'unrecognised':
      return {
        ok: false,
        outcome: unknown('gateway-error', `${answer.code}: ${answer.description}`),
      };
    default:
      return {
        ok: false,
        outcome: { kind: 'refused', code: answer.code, description: answer.description },
      };
  }
}

function present(text: string | undefined): text is string {
  return text !== undefined && text !== '';
}

function isHttpUrl(text: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(text);
}

/** The answer to a sign-up (`/v4/paymethod/bind`). */
export function bindOutcomeOf(opened: OpenedAnswer, expected: Expected): BindOutcome {
  const read = accepted(opened, expected);
  if (!read.ok) return read.outcome;
  const { content } = read;
  if (!present(content.requestId) && !present(content.merchantUserId)) {
    return unknown('malformed-response', 'the sign-up answer names neither request nor member');
  }
  if (!present(content.token)) {
    return unknown('malformed-response', 'the sign-up answer carries no token');
  }
  if (!present(content.authUrl) || !isHttpUrl(content.authUrl)) {
    return unknown('malformed-response', 'the sign-up answer carries no http(s) authUrl');
  }
  const created: BindOutcome = { kind: 'created', token: content.token, authUrl: content.authUrl };
  if (isLinkStatus(content.status)) created.status = content.status;
  return created;
}

/** The answer to a sign-up status query (`/v4/paymethod/bind/query`). */
export function bindQueryOutcomeOf(opened: OpenedAnswer, expected: Expected): BindQueryOutcome {
  const read = accepted(opened, expected);
  if (!read.ok) return read.outcome;
  const { content } = read;
  if (!present(content.token)) {
    return unknown('malformed-response', 'the sign-up status names no token');
  }
  if (content.merchantUserId === undefined || content.merchantUserId !== expected.merchantUserId) {
    return unknown('malformed-response', 'the sign-up status does not name the member asked about');
  }
  const wallet = content.paymentMethod?.type;
  if (!isLinkWallet(wallet)) {
    return unknown(
      'malformed-response',
      `the sign-up status names an unknown wallet ${String(wallet)}`,
    );
  }
  if (!isLinkStatus(content.status)) {
    return unknown(
      'malformed-response',
      `the sign-up status is not one of PENDING, ACTIVE, DECLINED, EXPIRED, UNBOUND (${String(content.status)})`,
    );
  }
  return {
    kind: 'status',
    token: content.token,
    merchantUserId: content.merchantUserId,
    wallet,
    status: content.status,
  };
}

/** The answer to an unbind (`/v4/paymethod/unbind`). */
export function unbindOutcomeOf(opened: OpenedAnswer, expected: Expected): UnbindOutcome {
  const read = accepted(opened, expected);
  if (!read.ok) return read.outcome;
  if (read.content.status !== 'UNBOUND') {
    return unknown(
      'malformed-response',
      `the unbind answer states ${read.content.status ?? 'no status'}, not UNBOUND`,
    );
  }
  return { kind: 'unbound' };
}

/** The answer to a hosted checkout creation (`/v4/payment/prePay`). */
export function prePayOutcomeOf(opened: OpenedAnswer, expected: Expected): PrePayOutcome {
  const read = accepted(opened, expected);
  if (!read.ok) return read.outcome;
  const { content } = read;
  if (!present(content.merchantTransactionId) && !present(content.requestId)) {
    return unknown('malformed-response', 'the checkout answer names neither order nor request');
  }
  if (!present(content.paymentUrl) || !isHttpUrl(content.paymentUrl)) {
    return unknown('malformed-response', 'the checkout answer carries no http(s) paymentUrl');
  }
  if (!present(content.token)) {
    return unknown('malformed-response', 'the checkout answer carries no session token');
  }
  return { kind: 'created', paymentUrl: content.paymentUrl, sessionToken: content.token };
}
