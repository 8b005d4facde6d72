import { describe, expect, it } from 'vitest';
import { POSPAY_V8_FLAGS, missingV8Flags } from '../../../bin/v8flags.mjs';

describe('missingV8Flags (bin/pospay.mjs re-runs itself only for these)', () => {
  it('lists every flag when neither the command line nor NODE_OPTIONS gives it', () => {
    expect(missingV8Flags([], undefined)).toEqual([...POSPAY_V8_FLAGS]);
    expect(missingV8Flags(['--enable-source-maps'], '--no-warnings')).toEqual([...POSPAY_V8_FLAGS]);
  });

  it('counts a flag given on the command line or in NODE_OPTIONS', () => {
    expect(missingV8Flags([...POSPAY_V8_FLAGS], '')).toEqual([]);
    expect(missingV8Flags([], `--no-warnings ${POSPAY_V8_FLAGS.join(' ')}`)).toEqual([]);
    expect(missingV8Flags([], '--max_semi_space_size=2')).toEqual([]);
    expect(missingV8Flags([], '"--max-semi-space-size=2"')).toEqual([]);
  });

  it('does not count another value, and the command line wins over NODE_OPTIONS', () => {
    expect(missingV8Flags(['--max-semi-space-size=16'], '')).toEqual([...POSPAY_V8_FLAGS]);
    expect(missingV8Flags(['--max-semi-space-size=16'], '--max-semi-space-size=2')).toEqual([
      ...POSPAY_V8_FLAGS,
    ]);
    expect(missingV8Flags(['--max-semi-space-size=2'], '--max-semi-space-size=16')).toEqual([]);
  });
});
