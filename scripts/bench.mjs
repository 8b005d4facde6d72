#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts in its own process; each prints one JSON
// object per line ({"metric":…,"value":…,"unit":…}). Benchmarks report, they never fail a build.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

// The bundles the benches run (bin/pospay.mjs would otherwise rebuild them in the first run).
const bundles = spawnSync(process.execPath, ['scripts/build-electron.mjs', '--if-stale'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (bundles.status !== 0) process.stderr.write('bench: the bundles did not build\n');

const only = process.argv.slice(2);
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failures = 0;
for (const file of files) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', `bench/${file}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    failures += 1;
    process.stderr.write(`bench/${file} exited with ${result.status}\n`);
  }
}
process.exit(failures === 0 ? 0 : 1);
