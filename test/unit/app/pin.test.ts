/**
 * The supervisor PIN's guard (electron/app/pin.ts): lock-outs per purpose, a fresh set of
 * attempts after each lock-out, escalation only when that set is used up again, and a right
 * PIN forgetting it all.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPin, PinGuard, type PinCheck } from '../../../electron/app/pin.ts';

let hash = '';
beforeAll(async () => {
  hash = await hashPin('2468');
});

function guard() {
  let now = 0;
  const pinGuard = new PinGuard({ now: () => now, freeAttempts: 3, lockMs: 30_000 });
  return { pinGuard, advance: (ms: number) => (now += ms) };
}

const describeCheck = (c: PinCheck): string =>
  c.ok ? 'ok' : c.reason === 'wrong' ? `wrong ${c.attemptsLeft}` : `locked ${c.retryAfterMs}`;

describe('PinGuard', () => {
  it('locks after three wrong PINs, and refuses even the right one while locked', async () => {
    const { pinGuard, advance } = guard();
    const seen: string[] = [];
    for (let i = 0; i < 3; i += 1)
      seen.push(describeCheck(await pinGuard.check('0000', hash, 'refund')));
    expect(seen).toEqual(['wrong 2', 'wrong 1', 'locked 30000']);
    advance(10_000);
    expect(describeCheck(await pinGuard.check('2468', hash, 'refund'))).toBe('locked 20000');
    advance(20_000);
    expect(describeCheck(await pinGuard.check('2468', hash, 'refund'))).toBe('ok');
  });

  it('keeps each purpose apart: refunds locked, settings and members still open', async () => {
    const { pinGuard } = guard();
    for (let i = 0; i < 3; i += 1) await pinGuard.check('0000', hash, 'refund');
    expect(describeCheck(await pinGuard.check('2468', hash, 'refund'))).toMatch(/^locked/);
    expect(describeCheck(await pinGuard.check('0000', hash, 'settings'))).toBe('wrong 2');
    expect(describeCheck(await pinGuard.check('2468', hash, 'settings'))).toBe('ok');
    expect(describeCheck(await pinGuard.check('2468', hash, 'members'))).toBe('ok');
  });

  it('after a lock-out ends gives three attempts again; escalates 30 → 60 → 120 s only when they are all used up', async () => {
    const { pinGuard, advance } = guard();
    const wrong = async () => describeCheck(await pinGuard.check('0000', hash, 'settings'));
    const round = async () => [await wrong(), await wrong(), await wrong()];
    expect(await round()).toEqual(['wrong 2', 'wrong 1', 'locked 30000']);
    advance(30_000);
    expect(await round()).toEqual(['wrong 2', 'wrong 1', 'locked 60000']);
    advance(60_000);
    expect(await round()).toEqual(['wrong 2', 'wrong 1', 'locked 120000']);
  });

  it('forgets wrong PINs and lock-outs after the right PIN', async () => {
    const { pinGuard, advance } = guard();
    const wrong = async () => describeCheck(await pinGuard.check('0000', hash, 'settings'));
    for (let i = 0; i < 3; i += 1) await wrong();
    advance(30_000);
    await wrong();
    expect(describeCheck(await pinGuard.check('2468', hash, 'settings'))).toBe('ok');
    expect([await wrong(), await wrong(), await wrong()]).toEqual([
      'wrong 2',
      'wrong 1',
      'locked 30000',
    ]);
  });

  it('never locks longer than the longest pause', async () => {
    let now = 0;
    const pinGuard = new PinGuard({
      now: () => now,
      freeAttempts: 1,
      lockMs: 30_000,
      maxLockMs: 100_000,
    });
    const seen: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      seen.push(describeCheck(await pinGuard.check('0000', hash, 'refund')));
      now += 200_000;
    }
    expect(seen).toEqual(['locked 30000', 'locked 60000', 'locked 100000', 'locked 100000']);
  });
});
