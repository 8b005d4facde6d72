import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  clientIdFor,
  isSignType,
  signingString,
  type Envelope,
} from '../../shared/gateway/envelope.ts';
import { computeSign, signEnvelope, verifyEnvelope } from '../../electron/gateway/signing.ts';
import { vectors } from '../support/vectors.ts';

/** The second public sandbox store's salt (gateway.md): a real salt, but the wrong one. */
const OTHER_STORE_SALT = 'BCE27A281029F5EAF3CC0E82';

function withoutSign(message: Record<string, string>): Envelope {
  const { sign: _sign, ...rest } = message;
  return rest;
}

/** A different value of the same kind: one character changed, length kept. */
function tamper(value: string): string {
  const last = value.at(-1);
  return value.slice(0, -1) + (last === '0' ? '1' : '0');
}

describe('signing vectors from the public docs', () => {
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(2);
  });

  describe.each(vectors.map((v) => [`${v.api} ${v.kind}`, v] as const))('%s', (_name, vector) => {
    it('reproduces the sign byte for byte from the message minus sign', () => {
      expect(computeSign(withoutSign(vector.message), vector.salt)).toBe(vector.sign);
    });

    it('ignores the sign field already in the message', () => {
      expect(computeSign(vector.message, vector.salt)).toBe(vector.sign);
      expect(computeSign({ ...vector.message, sign: 'WRONG' }, vector.salt)).toBe(vector.sign);
    });

    it('verifies the message as printed', () => {
      expect(verifyEnvelope(vector.message, vector.salt)).toEqual({ valid: true });
    });

    it('signs every field but sign, in ASCII key order, values raw', () => {
      const keys = Object.keys(vector.message)
        .filter((k) => k !== 'sign')
        .sort();
      const expected = keys.map((k) => `${k}=${vector.message[k]}`).join('&');
      expect(signingString(vector.message)).toBe(expected);
      expect(signingString(vector.message)).toMatch(/^accId=\d{22}&bizContent=\{"/);
      // bizContent goes in as the raw JSON string: no URL encoding of `:`, `/`, `"` or `?`.
      expect(signingString(vector.message)).toContain(`bizContent=${vector.message.bizContent}&`);
    });

    it('signEnvelope puts the same sign on a copy and leaves the input alone', () => {
      const input = { ...withoutSign(vector.message), sign: 'STALE' };
      const signed = signEnvelope(input, vector.salt);
      expect(signed.sign).toBe(vector.sign);
      expect(signed).toEqual(vector.message);
      expect(input.sign).toBe('STALE');
    });

    it.each(
      Object.keys(vector.message)
        .filter((k) => k !== 'sign')
        .map((k) => [k]),
    )('fails verification when %s is altered', (field) => {
      const altered = { ...vector.message, [field]: tamper(vector.message[field] ?? '') };
      const result = verifyEnvelope(altered, vector.salt);
      if (field === 'signType') {
        expect(result).toMatchObject({ valid: false, reason: 'bad-sign-type' });
      } else {
        expect(result).toMatchObject({ valid: false, reason: 'mismatch' });
      }
    });

    it.each(
      Object.keys(vector.message)
        .filter((k) => k !== 'sign' && k !== 'signType')
        .map((k) => [k]),
    )('fails verification when %s is removed', (field) => {
      const { [field]: _removed, ...rest } = vector.message;
      expect(verifyEnvelope(rest, vector.salt)).toMatchObject({ valid: false, reason: 'mismatch' });
    });

    it('fails verification when signType is switched to MD5', () => {
      const altered = { ...vector.message, signType: 'MD5' };
      expect(verifyEnvelope(altered, vector.salt)).toMatchObject({
        valid: false,
        reason: 'mismatch',
      });
    });

    it('fails verification when a field is added', () => {
      const altered = { ...vector.message, remark: 'extra' };
      expect(verifyEnvelope(altered, vector.salt)).toMatchObject({
        valid: false,
        reason: 'mismatch',
      });
    });

    it('fails verification with another salt', () => {
      for (const salt of [OTHER_STORE_SALT, tamper(vector.salt), vector.salt.toLowerCase(), '']) {
        const result = verifyEnvelope(vector.message, salt);
        expect(result).toMatchObject({ valid: false, reason: 'mismatch' });
        if (!result.valid)
          expect(result.detail).toMatch(/salt is wrong or the message was altered/);
      }
    });

    it('fails verification when bizContent was parsed and re-serialised', () => {
      const parsed = JSON.parse(vector.message.bizContent ?? '') as Record<string, unknown>;
      const spaced = JSON.stringify(parsed, null, 2);
      const reordered = JSON.stringify(
        Object.fromEntries(Object.entries(parsed).sort(([a], [b]) => (a < b ? 1 : -1))),
      );
      for (const bizContent of [spaced, reordered]) {
        expect(bizContent).not.toBe(vector.message.bizContent);
        expect(JSON.parse(bizContent)).toEqual(parsed);
        expect(verifyEnvelope({ ...vector.message, bizContent }, vector.salt)).toMatchObject({
          valid: false,
          reason: 'mismatch',
        });
      }
    });

    it('drops null and empty-string fields before signing', () => {
      const padded: Envelope = {
        ...vector.message,
        notificationUrl: '',
        remark: null,
        payResultUrl: undefined,
      };
      expect(computeSign(padded, vector.salt)).toBe(vector.sign);
      expect(verifyEnvelope(padded, vector.salt)).toEqual({ valid: true });
    });

    it('fails verification when the sign is missing or empty', () => {
      const { sign: _sign, ...unsigned } = vector.message;
      expect(verifyEnvelope(unsigned, vector.salt)).toMatchObject({
        valid: false,
        reason: 'missing-sign',
      });
      expect(verifyEnvelope({ ...vector.message, sign: '' }, vector.salt)).toMatchObject({
        valid: false,
        reason: 'missing-sign',
      });
    });

    it('fails verification when the sign itself is altered', () => {
      const altered = { ...vector.message, sign: tamper(vector.sign) };
      expect(verifyEnvelope(altered, vector.salt)).toMatchObject({
        valid: false,
        reason: 'mismatch',
      });
      const truncated = { ...vector.message, sign: vector.sign.slice(0, 32) };
      expect(verifyEnvelope(truncated, vector.salt)).toMatchObject({
        valid: false,
        reason: 'mismatch',
      });
    });
  });

  it('the two vectors belong to the documented store', () => {
    for (const v of vectors) {
      expect(v.message.accId).toBe(v.store);
      expect(clientIdFor(v.store)).toBe(v.message.clientId);
    }
  });
});

describe('MD5 signing', () => {
  const salt = 'F78BC96A55548B2319EE68E0';
  const message: Envelope = {
    version: '1.0',
    signType: 'MD5',
    clientId: '2018092714313010016',
    bizContent: '{"amount":"0.02"}',
    accId: '2018092714313010016291',
  };
  // md5 of salt + 'accId=2018092714313010016291&bizContent={"amount":"0.02"}&clientId=
  // 2018092714313010016&signType=MD5&version=1.0', computed outside this code base (md5sum).
  const expected = '4CBA914B3943D4D3A30E2567F13A851E';

  it('uses MD5 when the message says signType MD5', () => {
    expect(signingString(message)).toBe(
      'accId=2018092714313010016291&bizContent={"amount":"0.02"}&clientId=2018092714313010016&signType=MD5&version=1.0',
    );
    expect(computeSign(message, salt)).toBe(expected);
  });

  it('matches node:crypto MD5 of salt + signing string, upper-case hex', () => {
    const digest = createHash('md5')
      .update(salt + signingString(message), 'utf8')
      .digest('hex');
    expect(computeSign(message, salt)).toBe(digest.toUpperCase());
    expect(computeSign(message, salt)).toMatch(/^[0-9A-F]{32}$/);
  });

  it('verifies an MD5-signed message and rejects it once altered', () => {
    const signed = signEnvelope(message, salt);
    expect(signed.sign).toBe(expected);
    expect(verifyEnvelope(signed, salt)).toEqual({ valid: true });
    expect(verifyEnvelope({ ...signed, bizContent: '{"amount":"0.03"}' }, salt)).toMatchObject({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('signs the same message differently under SHA256', () => {
    const sha = computeSign({ ...message, signType: 'SHA256' }, salt);
    expect(sha).toMatch(/^[0-9A-F]{64}$/);
    expect(computeSign(message, salt, 'SHA256')).toMatch(/^[0-9A-F]{64}$/);
  });
});

describe('signing string edge cases', () => {
  it('orders keys by ASCII code, capitals before lower case', () => {
    const s = signingString({ b: '2', a: '1', Z: '0', _x: '3', sign: 'ignored' });
    expect(s).toBe('Z=0&_x=3&a=1&b=2');
  });

  it('keeps values raw, including & and = and non-ASCII text', () => {
    expect(signingString({ remark: 'a=b&c 收银台', accId: '1' })).toBe(
      'accId=1&remark=a=b&c 收银台',
    );
  });

  it('signs UTF-8 bytes of non-ASCII text', () => {
    const message: Envelope = { accId: '1', remark: '收银台', signType: 'SHA256' };
    const digest = createHash('sha256')
      .update(Buffer.from(`salt${signingString(message)}`, 'utf8'))
      .digest('hex')
      .toUpperCase();
    expect(computeSign(message, 'salt')).toBe(digest);
  });

  it('rejects a message whose signType is not SHA256 or MD5', () => {
    const [vector] = vectors;
    if (!vector) throw new Error('no vector');
    for (const signType of ['SHA1', 'sha256', '']) {
      const result = verifyEnvelope({ ...vector.message, signType }, vector.salt);
      expect(result).toMatchObject({ valid: false, reason: 'bad-sign-type' });
    }
    const { signType: _t, ...noType } = vector.message;
    expect(verifyEnvelope(noType, vector.salt)).toMatchObject({
      valid: false,
      reason: 'bad-sign-type',
    });
  });

  it('knows exactly two sign types', () => {
    expect(isSignType('SHA256')).toBe(true);
    expect(isSignType('MD5')).toBe(true);
    expect(isSignType('SHA1')).toBe(false);
    expect(isSignType(undefined)).toBe(false);
  });
});
