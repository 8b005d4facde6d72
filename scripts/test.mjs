#!/usr/bin/env node
// `npm test`: every check the project has, in one command (and exactly what .ci/run calls).
// Static checks first (format, lint, types), then the renderer build the end-to-end tests
// load and the bundles (dist/cli, dist/electron), then every test file under test/ with
// Vitest. Ends with one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, rmSync } from 'node:fs';

const steps = [
  ['format', 'npx', ['prettier', '--check', '--log-level=warn', '.']],
  ['lint', 'npx', ['eslint', '.', '--max-warnings=0']],
  ['types', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['types (shared/ is pure)', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.shared.json']],
  ['renderer build', 'npx', ['vite', 'build', '--logLevel', 'warn']],
  // The bundles the tests' `pospay` processes run (built once here, not by each of them).
  ['bundles', process.execPath, ['scripts/build-electron.mjs', '--if-stale']],
];

const failedSteps = [];
for (const [name, cmd, args] of steps) {
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) failedSteps.push(name);
}

mkdirSync('test-results', { recursive: true });

// Two passes: unit and integration files in parallel, then the end-to-end files one at a time
// so that Chromium's keystroke timing is not starved by the rest of the suite on a small box.
// No retries: a test that passes only on its second try hides a defect or a timing race.
const passes = [
  ['unit + integration', ['--exclude', 'test/e2e/**']],
  ['end-to-end (Chromium)', ['test/e2e/', '--no-file-parallelism']],
];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const [name, args] of passes) {
  const report = `test-results/vitest-${passes.findIndex((p) => p[0] === name)}.json`;
  rmSync(report, { force: true });
  process.stdout.write(`\n== tests: ${name}\n`);
  const vitest = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...args,
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit', shell: process.platform === 'win32' },
  );
  let passFailed = 0;
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests ?? 0;
    passFailed += json.numFailedTests ?? 0;
    skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
    // A file that failed to load (syntax error, failing hook) has no failed test of its own.
    for (const file of json.testResults ?? []) {
      const anyFailed = (file.assertionResults ?? []).some((a) => a.status === 'failed');
      if (file.status === 'failed' && !anyFailed) passFailed += 1;
    }
  }
  if (vitest.status !== 0 && passFailed === 0) passFailed = 1;
  failed += passFailed;
}
// A failed check (format, lint, types, a build) fails the run like a failed test.
if (failedSteps.length) process.stdout.write(`\nfailed checks: ${failedSteps.join(', ')}\n`);
failed += failedSteps.length;
process.stdout.write(
  `\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
