/**
 * Linked wallets (CodeGrant) and hosted checkout without HTTP: the bizContent each call sends
 * (shared/gateway/requests.ts) and what a verified or unverified answer means
 * (shared/gateway/codeGrantAnswers.ts): an answer about another request, member or token is
 * never taken; a refusal keeps the gateway's code and description.
 */
import { describe, expect, it } from 'vitest';
import {
  openUnverified,
  openVerified,
  paymentOutcomeOf,
  type VerifiedEnvelope,
} from '../../shared/gateway/answers.ts';
import { isGatewayDateTime, LINK_WALLETS } from '../../shared/gateway/codeGrant.ts';
import {
  bindOutcomeOf,
  bindQueryOutcomeOf,
  prePayOutcomeOf,
  unbindOutcomeOf,
} from '../../shared/gateway/codeGrantAnswers.ts';
import type { Envelope } from '../../shared/gateway/envelope.ts';
import {
  bindCall,
  bindQueryCall,
  prePayCall,
  recurringChargeCall,
  unbindCall,
  type LinkWallet,
} from '../../shared/gateway/requests.ts';

const ACC_ID = '2018092714313010016291';

function opened(code: string, biz?: Record<string, unknown>, httpStatus = 200) {
  const message: Envelope = { accId: ACC_ID, signType: 'SHA256', code, description: 'desc' };
  if (biz !== undefined) message.bizContent = JSON.stringify(biz);
  return openVerified(message as VerifiedEnvelope, httpStatus, ACC_ID);
}

const SUBSCRIPTION = {
  merchantUserId: 'member-7',
  startDate: '2026-06-01 00:00:00',
  intervalUnit: 'month' as const,
  intervalCount: 6,
  endDate: '2027-06-01 00:00:00',
};

describe('request builders', () => {
  it('bind sends the sign-up fields (bizType CodeGrant, the wallet, the device) and expects this request and member', () => {
    const call = bindCall({
      requestId: 'B1',
      merchantUserId: 'member-7',
      wallet: 'AlipayHK',
      merchantResultUrl: 'https://shop.example/linked',
      notificationUrl: 'https://shop.example/notify',
    });
    expect(call.endpoint).toBe('bind');
    expect(call.content).toEqual({
      requestId: 'B1',
      merchantUserId: 'member-7',
      paymentMethod: { type: 'AlipayHK' },
      merchantResultUrl: 'https://shop.example/linked',
      notificationUrl: 'https://shop.example/notify',
      device: { orderTerminal: '02' },
      bizType: 'CodeGrant',
    });
    expect(call.expected).toEqual({ requestId: 'B1', merchantUserId: 'member-7' });
  });

  it('bind leaves out the URLs not given, and refuses a wallet without CodeGrant', () => {
    const call = bindCall({ requestId: 'B1', merchantUserId: 'm', wallet: 'Alipay' });
    expect(call.content).not.toHaveProperty('merchantResultUrl');
    expect(call.content).not.toHaveProperty('notificationUrl');
    expect(LINK_WALLETS).toEqual(['AlipayHK', 'Alipay']);
    expect(() =>
      bindCall({ requestId: 'B1', merchantUserId: 'm', wallet: 'Wechat' as LinkWallet }),
    ).toThrow(/wallet must be one of AlipayHK, Alipay/);
  });

  it('bind query names the sign-up by requestId or token, always with the member', () => {
    expect(bindQueryCall({ merchantUserId: 'm', token: 'TK' })).toMatchObject({
      endpoint: 'bindQuery',
      content: { token: 'TK', merchantUserId: 'm' },
      expected: { token: 'TK', merchantUserId: 'm' },
    });
    expect(bindQueryCall({ merchantUserId: 'm', requestId: 'B1' }).content).toEqual({
      requestId: 'B1',
      merchantUserId: 'm',
    });
  });

  it('unbind sends requestId, member and token', () => {
    expect(unbindCall({ requestId: 'X1', merchantUserId: 'm', token: 'TK' })).toEqual({
      endpoint: 'unbind',
      content: { requestId: 'X1', merchantUserId: 'm', token: 'TK' },
      expected: { requestId: 'X1', merchantUserId: 'm', token: 'TK' },
    });
  });

  it('prePay: a card page has no brand; Apple Pay names it; amounts are major units', () => {
    const card = prePayCall({
      merchantTransactionId: 'M1',
      requestId: 'R1',
      amountMinor: 1250,
      currency: 'HKD',
    });
    expect(card.endpoint).toBe('prePay');
    expect(card.content).toEqual({
      merchantTransactionId: 'M1',
      requestId: 'R1',
      amount: '12.50',
      currency: 'HKD',
      paymentType: 'DEBIT',
      device: { orderTerminal: '02' },
    });
    expect(card.expected).toEqual({ merchantTransactionId: 'M1', requestId: 'R1' });
    const apple = prePayCall({
      merchantTransactionId: 'M1',
      requestId: 'R1',
      amountMinor: 1200,
      currency: 'JPY',
      brand: 'ApplePay',
      shopperResultUrl: 'https://shop.example/done',
    });
    expect(apple.content).toMatchObject({
      amount: '1200',
      paymentBrand: 'ApplePay',
      shopperResultUrl: 'https://shop.example/done',
    });
    expect(() =>
      prePayCall({
        merchantTransactionId: 'M1',
        requestId: 'R1',
        amountMinor: 1.5,
        currency: 'HKD',
      }),
    ).toThrow(/not an integer/);
  });

  it('prePay with a subscription sends the member, createToken "Y", bizType CodeGrant and recurringInfo', () => {
    const call = prePayCall({
      merchantTransactionId: 'M1',
      requestId: 'R1',
      amountMinor: 9900,
      currency: 'HKD',
      brand: 'GooglePay',
      subscription: SUBSCRIPTION,
    });
    expect(call.content).toMatchObject({
      merchantUserId: 'member-7',
      createToken: 'Y',
      bizType: 'CodeGrant',
      recurringInfo: {
        recurringPaymentStartDate: '2026-06-01 00:00:00',
        recurringPaymentIntervalUnit: 'month',
        recurringPaymentIntervalCount: '6',
        recurringPaymentEndDate: '2027-06-01 00:00:00',
      },
    });
  });

  it('a recurring charge is the order call with bizType CodeGrant, the member and tokenDetail.token', () => {
    const call = recurringChargeCall({
      merchantTransactionId: 'M2',
      requestId: 'R2',
      amountMinor: 9900,
      currency: 'HKD',
      merchantUserId: 'member-7',
      paymentToken: 'PT-1',
    });
    expect(call.endpoint).toBe('unifiedPay');
    expect(call.content).toEqual({
      captureDelayHours: 0,
      amount: '99.00',
      currency: 'HKD',
      merchantTransactionId: 'M2',
      requestId: 'R2',
      bizType: 'CodeGrant',
      merchantUserId: 'member-7',
      tokenDetail: { token: 'PT-1' },
      device: { orderTerminal: '02' },
    });
    expect(call.content).not.toHaveProperty('token');
  });

  it('reads the gateway date-time format strictly', () => {
    expect(isGatewayDateTime('2025-06-01 00:00:00')).toBe(true);
    expect(isGatewayDateTime('2025-02-30 00:00:00')).toBe(false);
    expect(isGatewayDateTime('2025-06-01T00:00:00')).toBe(false);
    expect(isGatewayDateTime('2025-06-01 24:00:00')).toBe(false);
  });
});

describe('sign-up answers', () => {
  const expected = bindCall({ requestId: 'B1', merchantUserId: 'm', wallet: 'AlipayHK' }).expected;
  const good = {
    requestId: 'B1',
    merchantUserId: 'm',
    token: 'TK',
    authUrl: 'http://127.0.0.1:1/__sim/wallet/authorize?ticket=x',
    status: 'PENDING',
  };

  it('created with the token and authUrl', () => {
    expect(bindOutcomeOf(opened('000000', good), expected)).toEqual({
      kind: 'created',
      token: 'TK',
      authUrl: good.authUrl,
      status: 'PENDING',
    });
  });

  it('an answer about another request or member, or without token or authUrl, is unknown', () => {
    for (const biz of [
      { ...good, requestId: 'B2' },
      { ...good, merchantUserId: 'other' },
      { ...good, token: undefined },
      { ...good, authUrl: 'javascript:alert(1)' },
      { token: 'TK', authUrl: good.authUrl },
    ]) {
      expect(bindOutcomeOf(opened('000000', biz), expected)).toMatchObject({
        kind: 'unknown',
        cause: 'malformed-response',
      });
    }
  });

  it('a refusal keeps its code and description; 5xxxxx and a bad signature are unknown', () => {
    const refusal = opened('102000', undefined);
    expect(bindOutcomeOf(refusal, expected)).toEqual({
      kind: 'refused',
      code: '102000',
      description: 'desc',
    });
    expect(bindOutcomeOf(opened('500000', undefined, 500), expected)).toMatchObject({
      kind: 'unknown',
      cause: 'gateway-error',
    });
    const tampered = openUnverified(
      { code: '000000', bizContent: JSON.stringify(good) },
      200,
      'sign does not match',
    );
    expect(bindOutcomeOf(tampered, expected)).toEqual({
      kind: 'unknown',
      cause: 'bad-signature',
      reason: 'sign does not match',
    });
  });
});

describe('sign-up status and unbind answers', () => {
  const expected = bindQueryCall({ merchantUserId: 'm', token: 'TK' }).expected;
  const status = (s: string) => ({
    token: 'TK',
    merchantUserId: 'm',
    paymentMethod: { type: 'Alipay' },
    status: s,
  });

  it('reads every status', () => {
    for (const s of ['PENDING', 'ACTIVE', 'DECLINED', 'EXPIRED', 'UNBOUND']) {
      expect(bindQueryOutcomeOf(opened('000000', status(s)), expected)).toEqual({
        kind: 'status',
        token: 'TK',
        merchantUserId: 'm',
        wallet: 'Alipay',
        status: s,
      });
    }
  });

  it('another token, another member, an unknown wallet or status is unknown; never echoes the token', () => {
    const other = bindQueryOutcomeOf(
      opened('000000', { ...status('ACTIVE'), token: 'SECRET-OTHER' }),
      expected,
    );
    expect(other).toMatchObject({ kind: 'unknown', cause: 'malformed-response' });
    expect(JSON.stringify(other)).not.toContain('SECRET-OTHER');
    for (const biz of [
      { ...status('ACTIVE'), merchantUserId: 'x' },
      { ...status('ACTIVE'), merchantUserId: undefined },
      { ...status('ACTIVE'), paymentMethod: { type: 'Wechat-Offline' } },
      status('SUCCESS'),
    ]) {
      expect(bindQueryOutcomeOf(opened('000000', biz), expected).kind).toBe('unknown');
    }
    expect(bindQueryOutcomeOf(opened('107001'), expected)).toMatchObject({
      kind: 'refused',
      code: '107001',
    });
  });

  it('unbind is unbound only on status UNBOUND', () => {
    const call = unbindCall({ requestId: 'X1', merchantUserId: 'm', token: 'TK' });
    expect(unbindOutcomeOf(opened('000000', status('UNBOUND')), call.expected)).toEqual({
      kind: 'unbound',
    });
    expect(unbindOutcomeOf(opened('000000', status('ACTIVE')), call.expected).kind).toBe('unknown');
    expect(unbindOutcomeOf(opened('105000'), call.expected)).toMatchObject({
      kind: 'refused',
      code: '105000',
    });
  });
});

describe('checkout answers', () => {
  const expected = { merchantTransactionId: 'M1', requestId: 'R1' };
  const good = {
    merchantTransactionId: 'M1',
    requestId: 'R1',
    paymentUrl: 'http://127.0.0.1:1/__sim/checkout?ticket=t',
    token: 'SESSION',
    status: 'PROCESSING',
  };

  it('created with the paymentUrl and the session token', () => {
    expect(prePayOutcomeOf(opened('000000', good), expected)).toEqual({
      kind: 'created',
      paymentUrl: good.paymentUrl,
      sessionToken: 'SESSION',
    });
  });

  it('another order, or no paymentUrl or session, is unknown', () => {
    for (const biz of [
      { ...good, merchantTransactionId: 'M2' },
      { ...good, paymentUrl: undefined },
      { ...good, token: '' },
    ]) {
      expect(prePayOutcomeOf(opened('000000', biz), expected).kind).toBe('unknown');
    }
  });

  it('a paid checkout order carries the payment token; one without it has none', () => {
    const paid = {
      merchantTransactionId: 'M1',
      amount: '12.50',
      currency: 'HKD',
      status: 'SUCCESS',
      token: 'PT-1',
    };
    expect(paymentOutcomeOf(opened('000000', paid), { merchantTransactionId: 'M1' })).toMatchObject(
      { kind: 'paid', paymentToken: 'PT-1', amountMinor: 1250 },
    );
    const { token: _token, ...plain } = paid;
    expect(
      paymentOutcomeOf(opened('000000', plain), { merchantTransactionId: 'M1' }),
    ).not.toHaveProperty('paymentToken');
  });
});
