import { describe, expect, it } from 'vitest';
import { checkRead, printable } from '../../../electron/scanners/frame.ts';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );

describe('checking one read', () => {
  it('accepts a payment code and strips a leading AIM id, recording the symbology', () => {
    expect(checkRead(bytes('134567890123456789'))).toEqual({
      ok: true,
      text: '134567890123456789',
    });
    expect(checkRead(bytes(']Q1287654321098765432'))).toEqual({
      ok: true,
      text: '287654321098765432',
      symbology: ']Q1',
    });
  });

  it('tolerates a stray CR/LF at either end, and ignores a read that is only line endings', () => {
    expect(checkRead(bytes('\n134567890123456789\r'))).toEqual({
      ok: true,
      text: '134567890123456789',
    });
    expect(checkRead(bytes('\r\n'))).toEqual({ ok: 'empty' });
  });

  it('rejects line noise: control characters, invalid UTF-8, over-long reads', () => {
    expect(checkRead(bytes([0x00, 0x13], '4567'))).toMatchObject({
      ok: false,
      reason: 'control-characters',
      text: '\\x00\\x134567',
    });
    expect(checkRead(bytes([0xff, 0xfe, 0x31, 0x32]))).toMatchObject({
      ok: false,
      reason: 'invalid-utf8',
      text: '\\xff\\xfe12',
    });
    const long = checkRead(bytes('1'.repeat(600)), 512);
    expect(long).toMatchObject({ ok: false, reason: 'too-long' });
    expect(long.ok === false && long.detail).toMatch(/600 bytes.*512/);
  });

  it('keeps GS (the GS1 separator) and non-ASCII text for the classifier to judge', () => {
    expect(checkRead(bytes(']d2010', [0x1d], '17'))).toEqual({
      ok: true,
      text: '010\u001d17',
      symbology: ']d2',
    });
    expect(checkRead(Buffer.from('付款码', 'utf8'))).toEqual({ ok: true, text: '付款码' });
  });

  it('shows unreadable bytes as \\xNN', () => {
    expect(printable(bytes('ab', [0x07, 0x5c]))).toBe('ab\\x07\\\\');
  });
});
