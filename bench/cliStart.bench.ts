/**
 * cli_start_ms (performance.md): the wall time of `node bin/pospay.mjs classify CODE` (the
 * prebuilt bundle, dist/cli), median of RUNS, against `node -e 0` in the same run; the two
 * alternate so that noise on this shared machine falls on both, after one warm-up run each.
 * Target: ≤ 3 × the reference.
 *
 * For comparison, in the same line: the same command run from the TypeScript sources through
 * tsx (what bin/pospay.mjs did before the bundle, and does when the bundle cannot be built),
 * and through `npx pospay` (npm's own start included).
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { bundleState } from '../bin/bundleState.mjs';

const RUNS = Number(process.env.CLI_BENCH_RUNS ?? 10);
const CODE = '134567890123456789';

function timeOnce(command: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${String(result.status)}: ${result.stderr}`,
    );
  }
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (n: number): number => Math.round(n * 10) / 10;

const pospay = ['bin/pospay.mjs', 'classify', CODE];
const check = spawnSync(process.execPath, pospay, { encoding: 'utf8' });
if (check.status !== 0 || !check.stdout.includes('Wechat-Offline')) {
  throw new Error(`pospay classify did not answer: ${check.stdout}${check.stderr}`);
}
const state = bundleState(process.cwd(), 'dist/cli/pospay.build.json');

timeOnce(process.execPath, ['-e', '0']);
const cli: number[] = [];
const reference: number[] = [];
for (let i = 0; i < RUNS; i += 1) {
  reference.push(timeOnce(process.execPath, ['-e', '0']));
  cli.push(timeOnce(process.execPath, pospay));
}
const sources: number[] = [];
for (let i = 0; i < Math.max(3, Math.round(RUNS / 2)); i += 1) {
  sources.push(
    timeOnce(process.execPath, ['--import', 'tsx', 'electron/cli/pospay.ts', 'classify', CODE]),
  );
}
const npx: number[] = [];
for (let i = 0; i < 3; i += 1) {
  npx.push(timeOnce('npx', ['--no-install', 'pospay', 'classify', CODE]));
}

const value = median(cli);
const ref = median(reference);
process.stdout.write(
  `${JSON.stringify({
    metric: 'cli_start_ms',
    value: round(value),
    unit: 'ms',
    reference_ms: round(ref),
    reference_note: 'node -e 0',
    ratio: round(value / ref),
    target_ratio: 3,
    runs: RUNS,
    min: round(Math.min(...cli)),
    max: round(Math.max(...cli)),
    bundle: state.state,
    sources_via_tsx_ms: round(median(sources)),
    npx_ms: round(median(npx)),
    command: `node bin/pospay.mjs classify ${CODE}`,
  })}\n`,
);
