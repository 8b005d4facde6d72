/**
 * The v4 envelope on the wire (gateway.md, "Envelope", "Signing"): a request's bizContent is
 * serialised once and that exact string is signed and sent; an answer's signature is
 * verified over its raw bizContent string, with the sign type the request used (an answer
 * "signed" MD5 for a SHA256 request is refused: no downgrade), before anything in it is
 * read. What the opened answer means is shared/gateway/answers.ts's.
 */
import {
  isHttpSuccess,
  notOpened,
  openUnverified,
  openVerified,
  type OpenedAnswer,
  type VerifiedEnvelope,
} from '../../shared/gateway/answers.ts';
import type { Envelope, SignType } from '../../shared/gateway/envelope.ts';
import { isRecord } from '../../shared/guards.ts';
import { computeSign, verifyEnvelope } from './signing.ts';

/** Who the terminal is to the gateway. The salt is never part of a message or an error. */
export interface EnvelopeCredentials {
  accId: string;
  clientId: string;
  salt: string;
  signType: SignType;
}

/** The request body: the signed envelope around `content` serialised once. */
export function sealRequest(
  content: Record<string, unknown>,
  credentials: EnvelopeCredentials,
): string {
  const envelope: Envelope = {
    accId: credentials.accId,
    clientId: credentials.clientId,
    signType: credentials.signType,
    version: '1.0',
    bizContent: JSON.stringify(content),
  };
  envelope.sign = computeSign(envelope, credentials.salt, credentials.signType);
  return JSON.stringify(envelope);
}

/** Verifies and opens an answer body received with `httpStatus`. */
export function openAnswer(
  httpStatus: number,
  body: string,
  credentials: EnvelopeCredentials,
): OpenedAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed)) {
    return isHttpSuccess(httpStatus)
      ? notOpened('malformed-response', 'the answer is not a JSON object')
      : notOpened('http-error', `HTTP ${httpStatus} without a gateway answer`);
  }
  const message = parsed as Envelope;
  if (
    message.bizContent !== undefined &&
    message.bizContent !== null &&
    typeof message.bizContent !== 'string'
  ) {
    return notOpened('malformed-response', 'bizContent in the answer is not a JSON string');
  }
  const verified = verifyEnvelope(message, credentials.salt, credentials.signType);
  if (!verified.valid) return openUnverified(message, httpStatus, verified.detail);
  return openVerified(message as VerifiedEnvelope, httpStatus, credentials.accId);
}
