/** The query schedule's budget and shape (performance.md: ≤ 15 queries per 60 s of waiting). */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUERY_SCHEDULE_MS,
  queryDelay,
  scaleSchedule,
} from '../../../electron/engine/schedule.ts';

/** How many queries the schedule sends in the first `windowMs` of waiting. */
function queriesWithin(schedule: readonly number[], windowMs: number): number {
  let t = 0;
  let count = 0;
  for (let i = 0; ; i += 1) {
    t += queryDelay(schedule, i);
    if (t > windowMs) return count;
    count += 1;
  }
}

describe('default query schedule', () => {
  it('leaves room for the deadline query within 15 per minute, and keeps to it every later minute', () => {
    expect(queriesWithin(DEFAULT_QUERY_SCHEDULE_MS, 60_000)).toBe(14);
    for (let start = 60_000; start <= 600_000; start += 30_000) {
      const upTo = (t: number) => queriesWithin(DEFAULT_QUERY_SCHEDULE_MS, t);
      expect(upTo(start + 60_000) - upTo(start)).toBeLessThanOrEqual(15);
    }
  });

  it('asks quickly while most customers confirm, then backs off to a steady pace', () => {
    expect(queryDelay(DEFAULT_QUERY_SCHEDULE_MS, 0)).toBeLessThanOrEqual(500);
    let t = 0;
    for (let i = 0; t < 4000; i += 1) {
      const delay = queryDelay(DEFAULT_QUERY_SCHEDULE_MS, i);
      expect(delay).toBeLessThanOrEqual(750);
      t += delay;
    }
    const delays = DEFAULT_QUERY_SCHEDULE_MS.slice(5);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(queryDelay(DEFAULT_QUERY_SCHEDULE_MS, 100)).toBe(
      queryDelay(DEFAULT_QUERY_SCHEDULE_MS, 20),
    );
  });

  it('scales with the simulator’s time scale without dropping to zero', () => {
    expect(scaleSchedule([500, 12_000], 0.05)).toEqual([25, 600]);
    expect(scaleSchedule([10], 0.01)).toEqual([1]);
  });
});
