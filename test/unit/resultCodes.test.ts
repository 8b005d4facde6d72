import { describe, expect, it } from 'vitest';
import {
  CATEGORY_REASONS,
  categoryOf,
  reasonForCode,
  type ResultCategory,
} from '../../shared/gateway/resultCodes.ts';

describe('result code table (gateway.md "Codes")', () => {
  const rows: Array<[string, ResultCategory]> = [
    ['000000', 'success'],
    ['001000', 'accepted'],
    ['002000', 'processing'],
    ['101000', 'config-error'],
    ['101001', 'config-error'],
    ['101002', 'config-error'],
    ['102000', 'invalid-parameter'],
    ['103000', 'auth-error'],
    ['104000', 'bad-signature'],
    ['105000', 'code-expired'],
    ['107000', 'duplicate'],
    ['107001', 'not-found'],
    ['108000', 'refund-refused'],
    ['108001', 'refund-refused'],
    ['108003', 'refund-refused'],
    ['303000', 'refund-refused'],
    ['200000', 'risk-declined'],
    ['203000', 'risk-declined'],
    ['300000', 'issuer-declined'],
    ['301000', 'issuer-declined'],
    ['302000', 'issuer-declined'],
    ['500000', 'gateway-error'],
    ['500009', 'gateway-error'],
    ['600000', 'upstream-error'],
    ['600002', 'upstream-error'],
  ];
  it.each(rows)('%s is %s', (code, category) => {
    expect(categoryOf(code)).toBe(category);
  });

  it('keeps refund refusal 303000 apart from the issuer declines around it', () => {
    expect(categoryOf('302999')).toBe('issuer-declined');
    expect(categoryOf('303000')).toBe('refund-refused');
    expect(categoryOf('303001')).toBe('issuer-declined');
  });

  it('gives unlisted codes of a documented block the block meaning, so none reads as success', () => {
    expect(categoryOf('101005')).toBe('config-error');
    expect(categoryOf('500123')).toBe('gateway-error');
    expect(categoryOf('600010')).toBe('upstream-error');
    expect(categoryOf('204000')).toBe('risk-declined');
  });

  it.each([
    '',
    '0',
    '00000',
    '0000000',
    'ABCDEF',
    ' 00000',
    '000000 ',
    '-00000',
    '002001',
    '107002',
    '108004',
    '400000',
    '700000',
  ])('"%s" is unrecognised', (code) => {
    expect(categoryOf(code)).toBe('unrecognised');
  });
});

describe('reasons a cashier reads', () => {
  it('has a short, distinct reason for every category', () => {
    const reasons = Object.values(CATEGORY_REASONS);
    expect(reasons).toHaveLength(16);
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const reason of reasons) {
      expect(reason.length).toBeGreaterThan(10);
      expect(reason.length).toBeLessThanOrEqual(120);
    }
  });

  it('tells the cashier to ask for a fresh code when the code expired or was reused', () => {
    expect(reasonForCode('105000')).toMatch(/fresh code/i);
  });

  it('says which refund limit was hit', () => {
    expect(reasonForCode('108000')).toMatch(/more than the payment/);
    expect(reasonForCode('108003')).toMatch(/left to refund/);
    expect(reasonForCode('303000')).toMatch(/cannot be refunded/);
    expect(reasonForCode('108001')).toBe(CATEGORY_REASONS['refund-refused']);
  });

  it('describes a code with its category and reason', () => {
    expect({ category: categoryOf('301000'), reason: reasonForCode('301000') }).toEqual({
      category: 'issuer-declined',
      reason: CATEGORY_REASONS['issuer-declined'],
    });
  });
});
