/**
 * shared/gateway/answers.ts without HTTP: a verified (or unverified) answer, its bizContent
 * and the call it answers → the outcome. The rows are the rules the engine relies on: paid
 * only for a SUCCESS naming this payment; an answer about another payment or refund is never
 * taken; an unsigned 103000/104000 is a configuration rejection, any other unsigned answer
 * unknown.
 */
import { describe, expect, it } from 'vitest';
import { ANSWER_CONTENT, parseAnswerContent } from '../../shared/gateway/answerContent.ts';
import {
  openUnverified,
  openVerified,
  paymentOutcomeOf,
  refundOutcomeOf,
  type Expected,
  type VerifiedEnvelope,
} from '../../shared/gateway/answers.ts';
import type { Envelope } from '../../shared/gateway/envelope.ts';

const ACC_ID = '2018092714313010016291';
const PAYMENT: Expected = { merchantTransactionId: 'M1', requestId: 'R1' };
const BY_TRANSACTION: Expected = { transactionId: 'T1' };
const REFUND: Expected = { merchantRefundId: 'F1', merchantTransactionId: 'M1' };

/** The envelope of an answer: its code, and bizContent when given (an object is serialised). */
function envelope(code: string | undefined, biz?: unknown, extra: Envelope = {}): Envelope {
  const message: Envelope = { accId: ACC_ID, signType: 'SHA256', description: 'desc', ...extra };
  if (code !== undefined) message.code = code;
  if (biz !== undefined) message.bizContent = typeof biz === 'string' ? biz : JSON.stringify(biz);
  return message;
}

/** As the codec hands it over once the signature verified. */
function verified(message: Envelope, httpStatus = 200) {
  return openVerified(message as VerifiedEnvelope, httpStatus, ACC_ID);
}

function pay(code: string | undefined, biz?: unknown, expected = PAYMENT, httpStatus = 200) {
  return paymentOutcomeOf(verified(envelope(code, biz), httpStatus), expected);
}

function refund(code: string | undefined, biz?: unknown, expected = REFUND) {
  return refundOutcomeOf(verified(envelope(code, biz)), expected);
}

const NAMED = { merchantTransactionId: 'M1', requestId: 'R1' };
const CNY_1230 = { amount: '12.30', currency: 'CNY' };
const REFUND_NAMED = { merchantRefundId: 'F1', merchantTransactionId: 'M1' };
const OK = '000000';

/** bizContent naming this payment, with this status (and result code, and more). */
const about = (status?: string, resultCode?: string, more: Record<string, unknown> = {}) => ({
  ...NAMED,
  ...(status === undefined ? {} : { status }),
  ...(resultCode === undefined ? {} : { resultCode }),
  ...more,
});
const MALFORMED = { kind: 'unknown', cause: 'malformed-response' };
const says = (detail: string | RegExp) => ({
  ...MALFORMED,
  detail: typeof detail === 'string' ? detail : expect.stringMatching(detail),
});
const because = (kind: string, reason: RegExp) => ({ kind, reason: expect.stringMatching(reason) });
const PAID = { kind: 'paid' };
const PENDING = { kind: 'pending' };
const GATEWAY_ERROR = { kind: 'unknown', cause: 'gateway-error' };
const UNRECOGNISED = 'unrecognised answer ABC: desc';
const ABOUT_M2 = says('the answer is about merchantTransactionId M2, not M1');
const CNY_1234_5 = { amount: '12.345', currency: 'CNY' };

describe('payment answers → outcomes', () => {
  it.each<[string, string | undefined, unknown, Record<string, unknown>]>([
    ['SUCCESS naming it', OK, about('SUCCESS', OK, CNY_1230), { ...PAID, amountMinor: 1230 }],
    ['SUCCESS naming no payment (a replay)', OK, { status: 'SUCCESS' }, says(/not name/)],
    ['SUCCESS, another order', OK, about('SUCCESS', OK, { merchantTransactionId: 'M2' }), ABOUT_M2],
    ['SUCCESS, another request', OK, about('SUCCESS', OK, { requestId: 'R2' }), says(/R2, not R1/)],
    ['SUCCESS without amount or currency', OK, about('SUCCESS'), PAID],
    ['SUCCESS in an unknown currency', OK, about('SUCCESS', OK, { currency: 'EUR' }), PAID],
    ['SUCCESS, too many decimals', OK, about('SUCCESS', OK, CNY_1234_5), says(/amount/)],
    ['a success code without a status', OK, about(undefined, OK), says(/status/)],
    ['a success code and nothing else', OK, undefined, MALFORMED],
    ['PROCESSING', OK, about('PROCESSING'), PENDING],
    ['INIT', OK, about('INIT'), PENDING],
    ['accepted, no status yet', '001000', NAMED, PENDING],
    ['waiting for the customer, no status', OK, about(undefined, '002000'), PENDING],
    ['FAILED by the wallet', OK, about('FAILED', '300001'), because('declined', /wallet/)],
    ['FAILED, success result code', OK, about('FAILED'), because('declined', /by the wallet/)],
    ['declined by risk, no status', OK, about(undefined, '200000'), because('declined', /risk/)],
    ['CLOSED', OK, about('CLOSED'), because('closed', /did not confirm/)],
    ['CANCEL', OK, about('CANCEL'), { kind: 'closed' }],
    ['a status it does not know', OK, about('REVERSED'), says(/payment status REVERSED/)],
    ['an expired code, any status', '105000', about('SUCCESS'), because('declined', /fresh code/)],
    ['invalid parameter', '102000', undefined, { kind: 'rejected', code: '102000' }],
    ['duplicate order', '107000', undefined, because('rejected', /already submitted/)],
    ['no such payment', '107001', undefined, { kind: 'not-found', code: '107001' }],
    ['a gateway error', '500000', undefined, GATEWAY_ERROR],
    ['the wallet did not answer', '600001', undefined, GATEWAY_ERROR],
    ['a code not of the gateway', 'ABC', NAMED, { ...GATEWAY_ERROR, detail: UNRECOGNISED }],
  ])('%s', (_name, code, biz, outcome) => {
    expect(pay(code, biz)).toMatchObject(outcome);
  });

  it('a query by gateway id is paid only for a SUCCESS naming that id', () => {
    const success = { status: 'SUCCESS' };
    expect(pay(OK, { ...success, transactionId: 'T1' }, BY_TRANSACTION)).toMatchObject(PAID);
    expect(pay(OK, { ...success, merchantTransactionId: 'M1' }, BY_TRANSACTION)).toMatchObject(
      says('a SUCCESS answer that does not name the payment asked about'),
    );
  });

  it('makes up no amount the answer does not state in a known currency', () => {
    for (const stated of [{}, { currency: 'EUR', amount: '12.30' }, { amount: '12.30' }]) {
      const outcome = pay('000000', { ...NAMED, ...stated, status: 'SUCCESS' });
      expect(outcome.kind).toBe('paid');
      expect(outcome).not.toHaveProperty('amountMinor');
    }
  });

  it('reads the facts of a paid answer: ids, time, method', () => {
    expect(
      pay('000000', {
        ...NAMED,
        ...CNY_1230,
        status: 'SUCCESS',
        transactionId: 'T1',
        transactionTime: '1700000000000',
        paymentMethod: { type: 'Wechat-Offline' },
        resultDescription: 'Transaction succeeded',
      }),
    ).toEqual({
      kind: 'paid',
      code: '000000',
      resultCode: '000000',
      description: 'Transaction succeeded',
      status: 'SUCCESS',
      currency: 'CNY',
      amountMinor: 1230,
      transactionId: 'T1',
      merchantTransactionId: 'M1',
      requestId: 'R1',
      transactionTime: 1700000000000,
      methodType: 'Wechat-Offline',
    });
  });

  it('reads the envelope: another store, no code, bizContent that is not an object, HTTP 5xx', () => {
    const open = (message: Envelope, status = 200) =>
      paymentOutcomeOf(verified(message, status), PAYMENT);
    const malformed = (detail: string) => ({
      kind: 'unknown',
      cause: 'malformed-response',
      detail,
    });
    expect(open(envelope('000000', NAMED, { accId: '2018092714313010099999' }))).toEqual(
      malformed('the answer is for another store (accId)'),
    );
    expect(open(envelope(undefined, NAMED))).toEqual(malformed('the answer has no code'));
    for (const bizContent of ['[1]', 'null', '"text"', '{not json']) {
      expect(open(envelope('000000', bizContent))).toEqual(
        malformed('bizContent in the answer is not a JSON object'),
      );
    }
    expect(open(envelope('500000', { ...NAMED, status: 'SUCCESS' }), 500)).toMatchObject({
      kind: 'unknown',
      cause: 'gateway-error',
      detail: 'HTTP 500: 500000 desc',
      answer: { code: '500000', status: 'SUCCESS' },
    });
    expect(open(envelope('000000', { ...NAMED, status: 'SUCCESS' }), 503)).toMatchObject({
      kind: 'unknown',
      cause: 'http-error',
    });
  });
});

describe('refund answers → outcomes', () => {
  it.each<[string, string, unknown, Record<string, unknown>]>([
    [
      'a SUCCESS naming this refund',
      '000000',
      { ...REFUND_NAMED, refundId: 'RF1', amount: '7.00', currency: 'CNY', status: 'SUCCESS' },
      { kind: 'refunded', refundId: 'RF1', amountMinor: 700, currency: 'CNY' },
    ],
    [
      'a SUCCESS naming another refund',
      '000000',
      { ...REFUND_NAMED, merchantRefundId: 'F2', status: 'SUCCESS' },
      { kind: 'unknown', cause: 'malformed-response', detail: expect.stringMatching(/F2, not F1/) },
    ],
    [
      'a SUCCESS naming another payment',
      '000000',
      { ...REFUND_NAMED, merchantTransactionId: 'M2', status: 'SUCCESS' },
      { kind: 'unknown', cause: 'malformed-response' },
    ],
    [
      'FAILED: more than is left to refund',
      '000000',
      { ...REFUND_NAMED, status: 'FAILED', resultCode: '108003' },
      { kind: 'declined', reason: expect.stringMatching(/left to refund/) },
    ],
    [
      'FAILED with a success result code',
      '000000',
      { ...REFUND_NAMED, status: 'FAILED' },
      { kind: 'declined', reason: 'The refund was refused.' },
    ],
    [
      'refused by the envelope code',
      '108000',
      REFUND_NAMED,
      { kind: 'declined', reason: expect.stringMatching(/more than the payment/) },
    ],
    [
      'refused without a status',
      '000000',
      { ...REFUND_NAMED, resultCode: '303000' },
      { kind: 'declined', reason: expect.stringMatching(/cannot be refunded/) },
    ],
    ['PROCESSING', '000000', { ...REFUND_NAMED, status: 'PROCESSING' }, { kind: 'pending' }],
    [
      'a success code without a status',
      '000000',
      REFUND_NAMED,
      {
        kind: 'unknown',
        cause: 'malformed-response',
        detail: 'a success code without a refund status',
      },
    ],
    [
      'a payment status on a refund',
      '000000',
      { ...REFUND_NAMED, status: 'CLOSED' },
      { kind: 'unknown', detail: 'unexpected refund status CLOSED' },
    ],
    ['no such refund', '107001', undefined, { kind: 'not-found' }],
  ])('%s', (_name, code, biz, outcome) => {
    expect(refund(code, biz)).toMatchObject(outcome);
  });
});

describe('answers whose signature did not verify', () => {
  const WHY = 'signature does not match';
  it.each<[string, Envelope, number, Record<string, unknown>]>([
    [
      'an unsigned 104000 (the gateway could not check our signature)',
      envelope('104000'),
      200,
      { kind: 'rejected', code: '104000', resultCode: '104000', reason: /store key/ },
    ],
    [
      'an unsigned 103000 (the gateway does not know our store)',
      envelope('103000'),
      200,
      { kind: 'rejected', code: '103000', reason: /credentials/ },
    ],
    [
      'an unsigned 104000 with bizContent',
      envelope('104000', { status: 'FAILED' }),
      200,
      { kind: 'unknown', cause: 'bad-signature', detail: WHY },
    ],
    [
      'an unsigned 104000 with HTTP 500',
      envelope('104000'),
      500,
      { kind: 'unknown', cause: 'http-error' },
    ],
    [
      'an unsigned SUCCESS',
      envelope('000000', { ...NAMED, ...CNY_1230, status: 'SUCCESS' }),
      200,
      { kind: 'unknown', cause: 'bad-signature', detail: WHY },
    ],
    [
      'an unsigned 502',
      envelope('000000'),
      502,
      { kind: 'unknown', cause: 'http-error', detail: 'HTTP 502 (unsigned answer)' },
    ],
  ])('%s', (_name, message, status, outcome) => {
    const read = paymentOutcomeOf(openUnverified(message, status, WHY), PAYMENT);
    const { reason, ...rest } = outcome;
    expect(read).toMatchObject(rest);
    if (reason instanceof RegExp)
      expect(read).toMatchObject({ reason: expect.stringMatching(reason) });
    expect(refundOutcomeOf(openUnverified(message, status, WHY), REFUND)).toEqual(read);
  });
});

describe('bizContent fields (zod schema)', () => {
  it('reads a number as its text, and ignores fields it does not know', () => {
    expect(
      parseAnswerContent(
        JSON.stringify({
          merchantTransactionId: 12345,
          transactionTime: 1700000000000,
          extra: [1],
        }),
      ),
    ).toEqual({ merchantTransactionId: '12345', transactionTime: 1700000000000, extra: [1] });
    expect(
      pay(
        '000000',
        { merchantTransactionId: 12345, status: 'SUCCESS' },
        {
          merchantTransactionId: '12345',
        },
      ),
    ).toMatchObject({ kind: 'paid', merchantTransactionId: '12345' });
  });

  it('reads a field of another type as absent, as the client always has', () => {
    const content = ANSWER_CONTENT.parse({
      status: true,
      merchantTransactionId: { id: 'M1' },
      amount: null,
      transactionTime: 'yesterday',
      refundTime: 1.5,
      paymentMethod: 'Wechat-Offline',
    });
    expect(Object.values(content).every((value) => value === undefined)).toBe(true);
    // A SUCCESS whose order id is not text names no payment: never paid.
    expect(pay('000000', { merchantTransactionId: { id: 'M1' }, status: 'SUCCESS' })).toMatchObject(
      { kind: 'unknown', cause: 'malformed-response' },
    );
    // A status that is not text: a success code without a status.
    expect(pay('000000', { ...NAMED, status: true })).toMatchObject({
      kind: 'unknown',
      detail: 'a success code without a payment status',
    });
    // A decline keeps what can be read.
    expect(
      pay('000000', { ...NAMED, status: 'FAILED', paymentMethod: ['x'], transactionTime: 'x' }),
    ).toEqual(expect.not.objectContaining({ methodType: expect.anything() }));
  });
});
