#!/usr/bin/env node
// `npm test`: every check the project has, in one command (and exactly what .ci/run calls).
// Static checks first (format, lint, types), then the renderer build the end-to-end tests
// load, then every test file under test/ with Vitest. Ends with one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';

const steps = [
  ['format', 'npx', ['prettier', '--check', '--log-level=warn', '.']],
  ['lint', 'npx', ['eslint', '.', '--max-warnings=0']],
  ['types', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['types (shared/ is pure)', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.shared.json']],
  ['renderer build', 'npx', ['vite', 'build', '--logLevel', 'warn']],
];

const failedSteps = [];
for (const [name, cmd, args] of steps) {
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.status !== 0) failedSteps.push(name);
}

mkdirSync('test-results', { recursive: true });
const report = 'test-results/vitest.json';
process.stdout.write('\n== tests\n');
const vitest = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests ?? 0;
  failed = (json.numFailedTests ?? 0) + (json.numFailedTestSuites ?? 0);
  skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
}
if (vitest.status !== 0 && failed === 0) failed = 1;
failed += failedSteps.length;
if (failedSteps.length) process.stdout.write(`\nfailed checks: ${failedSteps.join(', ')}\n`);
process.stdout.write(
  `\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
