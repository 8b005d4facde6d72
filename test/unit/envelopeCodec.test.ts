/**
 * electron/gateway/envelopeCodec.ts and shared/gateway/requests.ts without HTTP: what is
 * signed is the exact bizContent string sent; an answer is verified over its raw bizContent,
 * with the sign type the request used, before anything in it is read.
 */
import { describe, expect, it } from 'vitest';
import {
  openAnswer,
  sealRequest,
  type EnvelopeCredentials,
} from '../../electron/gateway/envelopeCodec.ts';
import { computeSign, verifyEnvelope } from '../../electron/gateway/signing.ts';
import type { Envelope, SignType } from '../../shared/gateway/envelope.ts';
import {
  queryCall,
  refundCall,
  refundQueryCall,
  unifiedPayCall,
  unifiedPayTokenCall,
} from '../../shared/gateway/requests.ts';

const SHA: EnvelopeCredentials = {
  accId: '2018092714313010016291',
  clientId: '2018092714313010016',
  salt: 'SECRET-SALT-VALUE',
  signType: 'SHA256',
};
const MD5: EnvelopeCredentials = { ...SHA, signType: 'MD5' };

const SUCCESS =
  '{"merchantTransactionId":"M1","status":"SUCCESS","amount":"1.00","currency":"CNY"}';

/** An answer as the gateway sends it, signed over `bizContent` exactly as given. */
function answer(bizContent: string | undefined, signType: SignType = 'SHA256', salt = SHA.salt) {
  const message: Envelope = { accId: SHA.accId, signType, code: '000000', description: 'ok' };
  if (bizContent !== undefined) message.bizContent = bizContent;
  message.sign = computeSign(message, salt, signType);
  return message;
}

const open = (message: unknown, credentials = SHA, status = 200) =>
  openAnswer(status, JSON.stringify(message), credentials);

describe('the request', () => {
  it('is the v4 envelope, signed over the bizContent string it carries', () => {
    for (const credentials of [SHA, MD5]) {
      const content = { amount: '12.30', note: 'a "quoted" / value' };
      const body = sealRequest(content, credentials);
      const envelope = JSON.parse(body) as Envelope;
      expect(envelope).toMatchObject({
        accId: SHA.accId,
        clientId: SHA.clientId,
        signType: credentials.signType,
        version: '1.0',
        bizContent: JSON.stringify(content),
      });
      expect(verifyEnvelope(envelope, SHA.salt, credentials.signType)).toEqual({ valid: true });
      expect(body).not.toContain(SHA.salt);
    }
  });

  it('names what its answer must be about, and keeps the order fields first', () => {
    const order = { merchantTransactionId: 'M1', requestId: 'R1', amountMinor: 1250 };
    const pay = unifiedPayCall({
      ...order,
      currency: 'HKD',
      method: 'AlipayHK-Offline',
      scanCodeId: '2812345678901234',
      remark: 'r',
    });
    expect(pay.endpoint).toBe('unifiedPay');
    expect(Object.keys(pay.content)).toEqual([
      'captureDelayHours',
      'amount',
      'currency',
      'merchantTransactionId',
      'requestId',
      'paymentMethod',
      'device',
      'remark',
    ]);
    expect(pay.content.amount).toBe('12.50');
    expect(pay.expected).toEqual({ merchantTransactionId: 'M1', requestId: 'R1' });
    const token = unifiedPayTokenCall({
      ...order,
      currency: 'JPY',
      methodType: 'AlipayHK',
      token: 't',
      merchantUserId: 'u',
    });
    expect(token.content).toMatchObject({ amount: '1250', bizType: 'CodeGrant', token: 't' });
    expect(queryCall({ transactionId: 'T1' })).toEqual({
      endpoint: 'query',
      content: { transactionId: 'T1' },
      expected: { transactionId: 'T1' },
    });
    expect(refundQueryCall({ merchantRefundId: 'F1' })).toMatchObject({
      endpoint: 'refundQuery',
      content: { merchantRefundId: 'F1' },
      expected: { merchantRefundId: 'F1' },
    });
    const refund = {
      merchantTransactionId: 'M1',
      merchantRefundId: 'F1',
      currency: 'CNY',
    } as const;
    expect(refundCall({ ...refund, amountMinor: 700 }).expected).toEqual({
      merchantRefundId: 'F1',
      merchantTransactionId: 'M1',
    });
    expect(() => refundCall({ ...refund, amountMinor: 7.5 })).toThrow(RangeError);
  });
});

describe('the answer', () => {
  it('opens a signed answer', () => {
    expect(open(answer(SUCCESS))).toMatchObject({
      ok: true,
      answer: { code: '000000', resultCode: '000000', description: 'ok', status: 'SUCCESS' },
      content: { merchantTransactionId: 'M1', amount: '1.00' },
    });
  });

  it('is verified over its raw bizContent, not a re-serialisation of it', () => {
    const spaced = '{ "status" : "SUCCESS",\n "merchantTransactionId": "M1" }';
    expect(open(answer(spaced))).toMatchObject({ ok: true, answer: { status: 'SUCCESS' } });
  });

  it('is verified before it is parsed: unsigned, even unreadable content is a bad signature', () => {
    expect(open(answer('{not json'))).toMatchObject({
      ok: false,
      outcome: { cause: 'malformed-response' },
    });
    const unsigned: Envelope = { ...answer('{not json') };
    delete unsigned.sign;
    expect(open(unsigned)).toMatchObject({ ok: false, outcome: { cause: 'bad-signature' } });
  });

  it('altered after signing → bad signature', () => {
    const message = answer(SUCCESS.replace('"SUCCESS"', '"PROCESSING"'));
    message.bizContent = SUCCESS;
    expect(open(message)).toMatchObject({
      ok: false,
      outcome: { kind: 'unknown', cause: 'bad-signature' },
    });
  });

  it('must be signed with the sign type the request used: no downgrade to MD5', () => {
    const downgraded = open(answer(SUCCESS, 'MD5'), SHA);
    expect(downgraded).toMatchObject({ ok: false, outcome: { cause: 'bad-signature' } });
    if (downgraded.ok) throw new Error('opened');
    expect(downgraded.outcome).toMatchObject({ detail: expect.stringMatching(/signed MD5/) });
    expect(open(answer(SUCCESS, 'SHA256'), MD5)).toMatchObject({ ok: false });
    expect(open(answer(SUCCESS, 'MD5'), MD5)).toMatchObject({ ok: true });
  });

  it('signed with another salt → bad signature', () => {
    expect(open(answer(SUCCESS, 'SHA256', 'OTHER-SALT'))).toMatchObject({
      ok: false,
      outcome: { cause: 'bad-signature' },
    });
  });

  it('an unsigned 104000 without bizContent is a rejection (check the key)', () => {
    expect(open({ code: '104000', description: 'Signature verification failed' })).toEqual({
      ok: false,
      outcome: {
        kind: 'rejected',
        reason: expect.stringMatching(/store key/),
        code: '104000',
        resultCode: '104000',
        description: 'Signature verification failed',
      },
    });
  });

  it.each([
    [
      'bizContent as an object',
      { ...answer(undefined), bizContent: {} },
      200,
      'malformed-response',
    ],
    ['a body that is not a JSON object', [], 200, 'malformed-response'],
    ['an HTTP error without an answer', 'Bad Gateway', 502, 'http-error'],
  ])('%s → unknown %s', (_name, body, status, cause) => {
    expect(open(body, SHA, status)).toMatchObject({
      ok: false,
      outcome: { kind: 'unknown', cause },
    });
  });

  it('a body that is not JSON at all', () => {
    expect(openAnswer(200, 'oops', SHA)).toMatchObject({
      ok: false,
      outcome: { cause: 'malformed-response', detail: 'the answer is not a JSON object' },
    });
  });
});
