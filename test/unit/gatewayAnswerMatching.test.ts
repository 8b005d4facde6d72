/**
 * Which answers are about the call that got them, and what text may come back, without HTTP:
 * a token payment, a subscription charge or a membership checkout answered for ANOTHER member
 * is `unknown` (never paid, never created); a sign-up status about another token is `unknown`;
 * no token the call sent survives in the text of its outcome (shared/gateway/requests.ts
 * expected + secretsOf, shared/gateway/answers.ts mismatchOf, shared/gateway/secrets.ts).
 * The last block drives the client over loopback (a signed stand-in answering at once) for
 * what only the client knows: the token a sign-up or an order was given in this process.
 */
import { describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../electron/gateway/client.ts';
import {
  openVerified,
  paymentOutcomeOf,
  type VerifiedEnvelope,
} from '../../shared/gateway/answers.ts';
import {
  bindQueryOutcomeOf,
  prePayOutcomeOf,
  unbindOutcomeOf,
} from '../../shared/gateway/codeGrantAnswers.ts';
import type { Envelope } from '../../shared/gateway/envelope.ts';
import {
  bindQueryCall,
  prePayCall,
  queryCall,
  recurringChargeCall,
  secretsOf,
  unbindCall,
  unifiedPayCall,
  unifiedPayTokenCall,
} from '../../shared/gateway/requests.ts';
import { scrubSecrets, scrubText, TOKEN_MARKER } from '../../shared/gateway/secrets.ts';
import { withStandIn as withSignedStandIn, type StandInScript } from '../support/codeGrant.ts';

const ACC_ID = '2018092714313010016291';
const TOKEN = 'SIMTOKEN-matching-0123456789abcdef';
const OTHER_TOKEN = 'SIMTOKEN-matching-another-one-fedcba';
const PAYMENT_TOKEN = 'SIMPAYTOKEN-matching-99887766';

function opened(code: string, biz?: Record<string, unknown>, description = 'desc') {
  const message: Envelope = { accId: ACC_ID, signType: 'SHA256', code, description };
  if (biz !== undefined) message.bizContent = JSON.stringify(biz);
  return openVerified(message as VerifiedEnvelope, 200, ACC_ID);
}

const ORDER = { merchantTransactionId: 'M1', requestId: 'R1', amountMinor: 1250 } as const;
const tokenPay = unifiedPayTokenCall({
  ...ORDER,
  currency: 'HKD',
  methodType: 'AlipayHK',
  token: TOKEN,
  merchantUserId: 'member-1',
});
const renewal = recurringChargeCall({
  ...ORDER,
  currency: 'HKD',
  merchantUserId: 'member-1',
  paymentToken: PAYMENT_TOKEN,
});

function success(extra: Record<string, unknown> = {}) {
  return {
    merchantTransactionId: 'M1',
    requestId: 'R1',
    transactionId: 'GW-1',
    amount: '12.50',
    currency: 'HKD',
    status: 'SUCCESS',
    resultCode: '000000',
    paymentMethod: { type: 'AlipayHK' },
    ...extra,
  };
}

describe('an answer about another member or token is not about this call', () => {
  it('a token payment SUCCESS for another member is unknown, naming the member; for this member it is paid', () => {
    const other = paymentOutcomeOf(
      opened('000000', success({ merchantUserId: 'member-2' })),
      tokenPay.expected,
    );
    expect(other).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
    expect(other.kind === 'unknown' && other.detail).toBe(
      'the answer is about merchantUserId member-2, not member-1',
    );
    expect(
      paymentOutcomeOf(opened('000000', success({ merchantUserId: 'member-1' })), tokenPay.expected)
        .kind,
    ).toBe('paid');
  });

  it('a token payment SUCCESS naming another token is unknown and names neither token', () => {
    const outcome = paymentOutcomeOf(
      opened('000000', success({ merchantUserId: 'member-1', token: OTHER_TOKEN })),
      tokenPay.expected,
    );
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
    const text = JSON.stringify(outcome);
    expect(text).toContain('another token');
    expect(text).not.toContain(OTHER_TOKEN);
    expect(text).not.toContain(TOKEN);
  });

  it('a token payment SUCCESS repeating the token sent is paid, and the token is not taken as a new payment token', () => {
    const outcome = paymentOutcomeOf(
      opened('000000', success({ merchantUserId: 'member-1', token: TOKEN })),
      tokenPay.expected,
    );
    expect(outcome.kind).toBe('paid');
    expect(outcome).not.toHaveProperty('paymentToken');
  });

  it('a subscription charge SUCCESS for another member is unknown', () => {
    expect(
      paymentOutcomeOf(opened('000000', success({ merchantUserId: 'member-9' })), renewal.expected),
    ).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
  });

  it("a checkout's first payment found by query still carries its new payment token", () => {
    const outcome = paymentOutcomeOf(
      opened('000000', success({ merchantUserId: 'member-1', token: PAYMENT_TOKEN })),
      queryCall({ merchantTransactionId: 'M1' }).expected,
    );
    expect(outcome).toMatchObject({ kind: 'paid', paymentToken: PAYMENT_TOKEN });
  });

  it('a membership checkout created for another member is unknown; a card checkout names no member', () => {
    const subscription = {
      merchantUserId: 'member-3',
      startDate: '2026-12-01 00:00:00',
      intervalUnit: 'month' as const,
      intervalCount: 1,
      endDate: '2027-12-01 00:00:00',
    };
    const membership = prePayCall({ ...ORDER, currency: 'HKD', subscription });
    expect(membership.expected).toMatchObject({ merchantUserId: 'member-3' });
    const created = {
      merchantTransactionId: 'M1',
      requestId: 'R1',
      status: 'PROCESSING',
      paymentUrl: 'https://pay.example/checkout?ticket=1',
      token: 'SIMSESSION-1',
    };
    expect(
      prePayOutcomeOf(
        opened('000000', { ...created, merchantUserId: 'member-4' }),
        membership.expected,
      ),
    ).toMatchObject({
      kind: 'unknown',
      cause: 'malformed-response',
      reason: 'the answer is about merchantUserId member-4, not member-3',
    });
    expect(
      prePayOutcomeOf(
        opened('000000', { ...created, merchantUserId: 'member-3' }),
        membership.expected,
      ),
    ).toMatchObject({ kind: 'created', sessionToken: 'SIMSESSION-1' });
    const card = prePayCall({ ...ORDER, currency: 'HKD' });
    expect(card.expected).not.toHaveProperty('merchantUserId');
  });

  it('a sign-up status asked by requestId, with the sign-up’s token known, refuses a status of another token', () => {
    const call = bindQueryCall({ merchantUserId: 'member-1', requestId: 'B2' }, TOKEN);
    // The known token is what the answer must name; it is not sent.
    expect(call.content).toEqual({ requestId: 'B2', merchantUserId: 'member-1' });
    const status = (token: string) => ({
      token,
      merchantUserId: 'member-1',
      paymentMethod: { type: 'AlipayHK' },
      status: 'ACTIVE',
    });
    const replay = bindQueryOutcomeOf(opened('000000', status(OTHER_TOKEN)), call.expected);
    expect(replay).toEqual({
      kind: 'unknown',
      cause: 'malformed-response',
      reason: 'the answer is about another token',
    });
    expect(bindQueryOutcomeOf(opened('000000', status(TOKEN)), call.expected)).toMatchObject({
      kind: 'status',
      token: TOKEN,
      status: 'ACTIVE',
    });
    // The token asked about wins over the known one.
    expect(
      bindQueryCall({ merchantUserId: 'member-1', requestId: 'B2', token: OTHER_TOKEN }, TOKEN)
        .expected.token,
    ).toBe(OTHER_TOKEN);
  });

  it('an unbind answered about another token is unknown', () => {
    const call = unbindCall({ requestId: 'U1', merchantUserId: 'member-1', token: TOKEN });
    expect(
      unbindOutcomeOf(
        opened('000000', { requestId: 'U1', token: OTHER_TOKEN, status: 'UNBOUND' }),
        call.expected,
      ),
    ).toMatchObject({ kind: 'unknown', reason: 'the answer is about another token' });
  });
});

describe('no token the call sent comes back in text', () => {
  it('the secrets of a call are the tokens it sends and the token its answer must name', () => {
    expect(secretsOf(tokenPay)).toEqual([TOKEN]);
    expect(secretsOf(renewal)).toEqual([PAYMENT_TOKEN]);
    expect(
      secretsOf(unbindCall({ requestId: 'U1', merchantUserId: 'member-1', token: TOKEN })),
    ).toEqual([TOKEN]);
    expect(
      secretsOf(bindQueryCall({ merchantUserId: 'member-1', requestId: 'B2' }, TOKEN)),
    ).toEqual([TOKEN]);
    expect(
      secretsOf(
        unifiedPayCall({
          ...ORDER,
          currency: 'HKD',
          method: 'AlipayHK-Offline',
          scanCodeId: '2812345678901234',
        }),
      ),
    ).toEqual([]);
  });

  it('a declined token payment naming the token: every text says [token], and still names the token state', () => {
    const text = `Declined: token ${TOKEN} is UNBOUND`;
    const outcome = scrubSecrets(
      paymentOutcomeOf(
        opened(
          '300000',
          { ...success(), status: 'FAILED', resultCode: '300000', resultDescription: text },
          text,
        ),
        tokenPay.expected,
      ),
      secretsOf(tokenPay),
    );
    expect(outcome).toMatchObject({
      kind: 'declined',
      description: `Declined: token ${TOKEN_MARKER} is UNBOUND`,
    });
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
  });

  it('a token in any letter case, in a status, an id or a nested answer, is replaced; token fields are kept', () => {
    const outcome = {
      kind: 'unknown',
      detail: `unexpected payment status ${TOKEN.toLowerCase()}`,
      answer: { code: '000000', resultCode: '000000', description: `x${TOKEN}y`, status: TOKEN },
      transactionId: TOKEN,
      token: TOKEN,
      list: [TOKEN],
    };
    expect(scrubSecrets(outcome, [TOKEN])).toEqual({
      kind: 'unknown',
      detail: `unexpected payment status ${TOKEN_MARKER}`,
      answer: {
        code: '000000',
        resultCode: '000000',
        description: `x${TOKEN_MARKER}y`,
        status: TOKEN_MARKER,
      },
      transactionId: TOKEN_MARKER,
      token: TOKEN,
      list: [TOKEN_MARKER],
    });
    // The outcome itself is not changed.
    expect(outcome.transactionId).toBe(TOKEN);
  });

  it('a token containing another is replaced whole; text without a secret is unchanged', () => {
    expect(scrubText(`a ${TOKEN}-X b`, [TOKEN, `${TOKEN}-X`])).toBe(`a ${TOKEN_MARKER} b`);
    expect(scrubText('token (1+1) does not exist', ['(1+1)'])).toBe(
      `token ${TOKEN_MARKER} does not exist`,
    );
    expect(scrubText('nothing secret here', [TOKEN])).toBe('nothing secret here');
    expect(scrubText('nothing secret here', [''])).toBe('nothing secret here');
  });
});

const STORE = { accId: '2026110100000079', salt: 'gateway-answer-matching-salt-79' };

/** A GatewayClient talking to a signed stand-in that answers each call by `script`. */
const withStandIn = (script: StandInScript, run: (client: GatewayClient) => Promise<void>) =>
  withSignedStandIn(STORE, script, run);

describe('the client: tokens it knows though the call does not send them', () => {
  it('a query of a token order (after its answer was lost) whose text names the token: [token], whether the caller names it or not', async () => {
    const declined = (biz: Record<string, unknown>) => ({
      description: `Declined: token ${TOKEN} is UNBOUND`,
      biz: {
        ...success(),
        merchantTransactionId: biz.merchantTransactionId,
        status: 'FAILED',
        resultCode: '300000',
        resultDescription: `Declined: token ${TOKEN} is UNBOUND`,
      },
    });
    await withStandIn(
      (path, biz) =>
        path.endsWith('/unifiedPay') ? { code: '500000', description: 'busy' } : declined(biz),
      async (client) => {
        const sent = await client.unifiedPayToken({
          merchantTransactionId: 'MQ1',
          requestId: 'RQ1',
          amountMinor: 1250,
          currency: 'HKD',
          methodType: 'AlipayHK',
          token: TOKEN,
          merchantUserId: 'member-1',
        });
        expect(sent.kind).toBe('unknown');
        const remembered = await client.query({ merchantTransactionId: 'MQ1' });
        expect(remembered).toMatchObject({
          kind: 'declined',
          description: `Declined: token ${TOKEN_MARKER} is UNBOUND`,
        });
        expect(JSON.stringify(remembered)).not.toContain(TOKEN);
        // Another process's order (nothing remembered): the caller names the token.
        const named = await client.query({ merchantTransactionId: 'MQ2', token: TOKEN });
        expect(named.kind).toBe('declined');
        expect(JSON.stringify(named)).not.toContain(TOKEN);
      },
    );
  });

  it("a status asked by requestId alone must name the token this client's sign-up got", async () => {
    let answerToken = TOKEN;
    await withStandIn(
      (path, biz) =>
        path.endsWith('/bind')
          ? {
              biz: {
                requestId: biz.requestId,
                merchantUserId: biz.merchantUserId,
                token: TOKEN,
                authUrl: 'http://127.0.0.1:1/__sim/wallet/authorize?ticket=x',
                status: 'PENDING',
              },
            }
          : {
              biz: {
                token: answerToken,
                merchantUserId: biz.merchantUserId,
                paymentMethod: { type: 'AlipayHK' },
                status: 'ACTIVE',
              },
            },
      async (client) => {
        const query = { merchantUserId: 'member-1', requestId: 'B7' };
        // Before this client bound B7 it cannot tell: the answer's token is taken.
        answerToken = OTHER_TOKEN;
        expect((await client.queryBind(query)).kind).toBe('status');
        expect(
          (await client.bind({ requestId: 'B7', merchantUserId: 'member-1', wallet: 'AlipayHK' }))
            .kind,
        ).toBe('created');
        expect(await client.queryBind(query)).toEqual({
          kind: 'unknown',
          cause: 'malformed-response',
          reason: 'the answer is about another token',
        });
        answerToken = TOKEN;
        expect(await client.queryBind(query)).toMatchObject({ kind: 'status', status: 'ACTIVE' });
        // Another sign-up of the member is not held to B7's token.
        answerToken = OTHER_TOKEN;
        expect((await client.queryBind({ merchantUserId: 'member-1', requestId: 'B8' })).kind).toBe(
          'status',
        );
      },
    );
  });
});
