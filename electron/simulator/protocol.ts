/**
 * The v4 envelope on the simulator's side: checks a request (store, fields, signature,
 * bizContent) and seals a reply signed with the store's salt, exactly like the gateway.
 */
import { isSignType, type Envelope, type SignType } from '../../shared/gateway/envelope.ts';
import { isRecord } from '../../shared/guards.ts';
import { computeSign, verifyEnvelope } from '../gateway/signing.ts';
import type { Store, StoreRegistry } from './stores.ts';

export interface Reply {
  code: string;
  description: string;
  biz?: Record<string, unknown>;
  /** HTTP status (200 unless said otherwise: the gateway answers errors in the envelope). */
  httpStatus?: number;
  /** How the answer travels (simulator.md scenarios 5, 6, 7). */
  delivery?:
    | { kind: 'normal' }
    | { kind: 'drop' }
    | { kind: 'late'; delayMs: number }
    | { kind: 'bad-signature' };
}

export type Opened =
  | { ok: true; store: Store; signType: SignType; biz: Record<string, unknown> }
  | {
      ok: false;
      store: Store | undefined;
      signType: SignType;
      accId: string | undefined;
      reply: Reply;
    };

export const DESCRIPTIONS: Readonly<Record<string, string>> = {
  '000000': 'Transaction succeeded',
  '001000': 'Request accepted',
  '002000': 'Transaction processing',
  '102000': 'Invalid or missing parameter',
  '103000': 'Invalid authentication',
  '104000': 'Invalid signature',
  '105000': 'Invalid or expired transaction',
  '107000': 'Duplicated transaction',
  '107001': 'Transaction does not exist',
  '108000': 'Refund amount exceeds the payment amount',
  '108003': 'Refund amount exceeds the refundable balance',
  '303000': 'Refund not possible',
  '500000': 'Gateway internal error',
};

export function replyOf(code: string, detail?: string, biz?: Record<string, unknown>): Reply {
  const base = DESCRIPTIONS[code] ?? 'Error';
  const reply: Reply = { code, description: detail ? `${base}: ${detail}` : base };
  if (biz) reply.biz = biz;
  return reply;
}

/** 102000 naming the field. */
export function invalidParameter(field: string, why: string): Reply {
  return replyOf('102000', `${field} ${why}`);
}

export function openRequest(body: string, stores: StoreRegistry): Opened {
  const fail = (
    reply: Reply,
    store: Store | undefined,
    signType: SignType = 'SHA256',
    accId?: string,
  ): Opened => ({ ok: false, store, signType, accId, reply });

  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return fail(invalidParameter('body', 'must be a JSON object'), undefined);
  }
  if (!isRecord(message)) return fail(invalidParameter('body', 'must be a JSON object'), undefined);
  const envelope = message as Envelope;
  const accId = envelope.accId;
  if (typeof accId !== 'string' || accId === '') {
    return fail(invalidParameter('accId', 'is missing'), undefined);
  }
  const store = stores.get(accId);
  if (!store) return fail(replyOf('103000', `unknown accId ${accId}`), undefined, 'SHA256', accId);
  const signType: SignType = isSignType(envelope.signType) ? envelope.signType : 'SHA256';
  if (typeof envelope.clientId !== 'string' || envelope.clientId === '') {
    return fail(invalidParameter('clientId', 'is missing'), store, signType);
  }
  if (envelope.clientId !== store.clientId) {
    return fail(replyOf('103000', 'clientId does not belong to accId'), store, signType);
  }
  if (envelope.signType === undefined || envelope.signType === '') {
    return fail(invalidParameter('signType', 'is missing'), store, signType);
  }
  if (!isSignType(envelope.signType)) {
    return fail(invalidParameter('signType', 'must be SHA256 or MD5'), store, signType);
  }
  if (envelope.version !== '1.0') {
    return fail(invalidParameter('version', 'must be "1.0"'), store, signType);
  }
  if (typeof envelope.sign !== 'string' || envelope.sign === '') {
    return fail(invalidParameter('sign', 'is missing'), store, signType);
  }
  if (envelope.bizContent === undefined || envelope.bizContent === null) {
    return fail(invalidParameter('bizContent', 'is missing'), store, signType);
  }
  if (typeof envelope.bizContent !== 'string') {
    return fail(invalidParameter('bizContent', 'must be a JSON string'), store, signType);
  }
  const verified = verifyEnvelope(envelope, store.salt);
  if (!verified.valid) return fail(replyOf('104000', 'sign does not match'), store, signType);
  let biz: unknown;
  try {
    biz = JSON.parse(envelope.bizContent);
  } catch {
    return fail(invalidParameter('bizContent', 'is not valid JSON'), store, signType);
  }
  if (!isRecord(biz)) {
    return fail(invalidParameter('bizContent', 'must encode a JSON object'), store, signType);
  }
  return { ok: true, store, signType, biz };
}

/** Builds and signs a reply envelope; without a store (unknown accId) it is unsigned. */
export function sealReply(
  reply: Reply,
  store: Store | undefined,
  signType: SignType,
  accId?: string,
): Envelope {
  if (!store) {
    const unsigned: Envelope = { code: reply.code, description: reply.description };
    if (accId !== undefined) unsigned.accId = accId;
    return unsigned;
  }
  const envelope: Envelope = {
    accId: store.accId,
    clientId: store.clientId,
    signType,
    code: reply.code,
    description: reply.description,
  };
  if (reply.biz) envelope.bizContent = JSON.stringify(reply.biz);
  const wrong = reply.delivery?.kind === 'bad-signature';
  // Scenario 7 signs with a key that is not the store's: the answer cannot verify.
  envelope.sign = computeSign(
    envelope,
    wrong ? `${store.salt}-not-the-salt` : store.salt,
    signType,
  );
  return envelope;
}
