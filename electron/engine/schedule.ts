/**
 * When to ask the gateway again while a payment is in progress (no async notification at a
 * till behind NAT). Quick at first, when most customers confirm (every 0.75 s for the
 * first 4 s), then backing off: 14 queries in the first 48.25 s, then one every 12 s. With
 * the one extra query the engine makes right at the default 60 s deadline, that is 15 per
 * 60 s of waiting (performance.md: final_lag_ms p50 ≤ 1 s with ≤ 15 queries per 60 s).
 */
export const DEFAULT_QUERY_SCHEDULE_MS: readonly number[] = [
  500, 750, 750, 750, 750, 750, 1500, 2000, 2500, 3500, 5000, 7500, 10_000, 12_000,
];

/** Delay before query number `index` (0-based); the last entry repeats. */
export function queryDelay(schedule: readonly number[], index: number): number {
  if (schedule.length === 0) return 1000;
  return schedule[Math.min(index, schedule.length - 1)] ?? 1000;
}

/** The schedule multiplied by a time scale (tests run the simulator at e.g. 0.05). */
export function scaleSchedule(schedule: readonly number[], scale: number): number[] {
  return schedule.map((ms) => Math.max(1, Math.round(ms * scale)));
}
