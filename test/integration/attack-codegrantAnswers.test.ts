/**
 * Attack: defects found in the linked-wallet answers, each fixed (these tests failed before
 * the fixes): a correctly signed stand-in gateway answers token payments, subscription
 * charges and checkout creations about ANOTHER member, or echoes the secret token in its
 * description text.
 *
 * shared/gateway/codeGrantAnswers.ts promises "an answer that … names another request,
 * member or token is `unknown`", and the client promises tokens are "never put in an
 * outcome's reason" (electron/gateway/client.ts header). The engine copies a payment
 * outcome's `description` into the journal event (electron/engine/answers.ts outcomeDetail),
 * so gateway text that carried the token put the token in the journal in clear. Each block
 * says what the cause was and how it was fixed.
 */
import { describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../electron/gateway/client.ts';
import {
  monthlySubscription,
  withStandIn as withSignedStandIn,
  type StandInScript,
} from '../support/codeGrant.ts';

const STORE = { accId: '2026110100000078', salt: 'attack-codegrant-open-salt-78' };
const SECRET_TOKEN = 'SIMTOKEN-attack-open-secret-fedcba9876543210';
const PAYMENT_TOKEN = 'SIMPAYTOKEN-attack-open-secret-00112233445566';

/** A client of STORE talking to a signed stand-in gateway scripted by `script`. */
const withStandIn = <T>(script: StandInScript, run: (client: GatewayClient) => Promise<T>) =>
  withSignedStandIn(STORE, script, run);

/** A SUCCESS naming the order and request asked about, with the amount asked. */
function success(biz: Record<string, unknown>, extra: Record<string, unknown>) {
  return {
    merchantTransactionId: biz.merchantTransactionId,
    requestId: biz.requestId,
    transactionId: 'GW-1',
    amount: biz.amount,
    currency: biz.currency,
    status: 'SUCCESS',
    resultCode: '000000',
    paymentMethod: { type: 'AlipayHK' },
    ...extra,
  };
}

describe('fixed: an answer about another member was trusted', () => {
  // Cause: shared/gateway/requests.ts orderCall() puts only merchantTransactionId and
  // requestId in `expected` (unifiedPayTokenCall / recurringChargeCall add no
  // merchantUserId), and shared/gateway/answers.ts mismatchOf() never compares
  // merchantUserId. Fix: expected.merchantUserId (and token for unifiedPayTokenCall) in those
  // calls, and compare merchantUserId in mismatchOf like the ids.
  it('a token payment answered SUCCESS for another merchantUserId is unknown, not paid', async () => {
    const outcome = await withStandIn(
      (_p, biz) => ({ biz: success(biz, { merchantUserId: 'M-someone-else' }) }),
      (c) =>
        c.unifiedPayToken({
          merchantTransactionId: 'MT-open-1',
          requestId: 'RQ-open-1',
          amountMinor: 1250,
          currency: 'HKD',
          methodType: 'AlipayHK',
          token: SECRET_TOKEN,
          merchantUserId: 'M-member-1',
        }),
    );
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
  });

  it('a subscription charge answered SUCCESS for another merchantUserId is unknown, not paid', async () => {
    const outcome = await withStandIn(
      (_p, biz) => ({ biz: success(biz, { merchantUserId: 'M-someone-else' }) }),
      (c) =>
        c.recurringCharge({
          merchantTransactionId: 'MT-open-2',
          requestId: 'RQ-open-2',
          amountMinor: 9900,
          currency: 'HKD',
          merchantUserId: 'M-member-2',
          paymentToken: PAYMENT_TOKEN,
        }),
    );
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
  });

  // Cause: shared/gateway/requests.ts prePayCall() `expected` has no merchantUserId for a
  // subscription, so codeGrantAnswers.ts accepted() cannot see the mismatch. Fix: add
  // `merchantUserId: request.subscription?.merchantUserId` to expected.
  it('a membership checkout answered for another member is unknown, not created', async () => {
    const outcome = await withStandIn(
      (_p, biz) => ({
        biz: {
          merchantTransactionId: biz.merchantTransactionId,
          requestId: biz.requestId,
          merchantUserId: 'M-someone-else',
          status: 'PROCESSING',
          paymentUrl: 'https://pay.example/checkout?ticket=1',
          token: 'SIMSESSION-1',
        },
      }),
      (c) =>
        c.prePay({
          merchantTransactionId: 'CO-open-3',
          requestId: 'RQ-open-3',
          amountMinor: 9900,
          currency: 'HKD',
          subscription: monthlySubscription('M-member-3'),
        }),
    );
    expect(outcome).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
  });
});

describe('fixed: the token the terminal sent came back in gateway text', () => {
  // Cause: electron/gateway/client.ts tokenRefusal()/payment() and codeGrantAnswers.ts
  // accepted() copy the gateway's description verbatim into the outcome; the engine
  // journals it (electron/engine/answers.ts:62). Fix: in the client, replace every
  // occurrence of the token sent (request.token / request.paymentToken) in description,
  // detail and reason with "[token]" before returning the outcome.
  it('a declined token payment whose description names the token: the outcome has no token', async () => {
    const outcome = await withStandIn(
      (_p, biz) => ({
        code: '300000',
        description: `Declined: token ${String(biz.token)} is UNBOUND`,
        biz: {
          ...success(biz, {}),
          status: 'FAILED',
          resultCode: '300000',
          resultDescription: `Declined: token ${String(biz.token)} is UNBOUND`,
        },
      }),
      (c) =>
        c.unifiedPayToken({
          merchantTransactionId: 'MT-open-4',
          requestId: 'RQ-open-4',
          amountMinor: 1250,
          currency: 'HKD',
          methodType: 'AlipayHK',
          token: SECRET_TOKEN,
          merchantUserId: 'M-member-4',
        }),
    );
    expect(outcome.kind).toBe('declined');
    expect(JSON.stringify(outcome)).not.toContain(SECRET_TOKEN);
  });

  it('a refused unbind whose description names the token: the outcome has no token', async () => {
    const outcome = await withStandIn(
      (_p, biz) => ({
        code: '107001',
        description: `token ${String(biz.token)} does not exist`,
      }),
      (c) => c.unbind({ requestId: 'U-open-5', merchantUserId: 'M-member-5', token: SECRET_TOKEN }),
    );
    expect(outcome.kind).toBe('refused');
    expect(JSON.stringify(outcome)).not.toContain(SECRET_TOKEN);
  });

  it('a refused subscription charge whose description names the payment token: no token in it', async () => {
    const outcome = await withStandIn(
      (_p, biz) => ({
        code: '107001',
        description: `token ${String((biz.tokenDetail as { token?: string } | undefined)?.token)} does not exist`,
      }),
      (c) =>
        c.recurringCharge({
          merchantTransactionId: 'MT-open-6',
          requestId: 'RQ-open-6',
          amountMinor: 9900,
          currency: 'HKD',
          merchantUserId: 'M-member-6',
          paymentToken: PAYMENT_TOKEN,
        }),
    );
    expect(outcome.kind).toBe('rejected');
    expect(JSON.stringify(outcome)).not.toContain(PAYMENT_TOKEN);
  });
});
