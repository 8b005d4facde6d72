/**
 * The repository carries everything its tests, benches and scripts read: none of them may
 * reach for the spec folder beside the checkout (a clone of the repository alone must pass
 * `npm test`). Fixtures copied from it live in test/fixtures/ (see its README).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, vectorFile, vectors } from '../support/vectors.ts';

const SCANNED = ['test', 'bench', 'scripts', 'bin'];

/** The sibling spec folder named as a path (either separator) or as path.join() segments. */
const OUTSIDE_SPEC = [
  /\.\.[\\/]+shared[\\/]+spec/,
  /['"`]\.\.[\\/]+shared['"`]\s*,\s*['"`]spec/,
  /['"`]\.\.['"`]\s*,\s*['"`]shared['"`]\s*,\s*['"`]spec/,
];

function referencesOutsideSpec(text: string): boolean {
  return OUTSIDE_SPEC.some((pattern) => pattern.test(text));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('the repository is self-contained', () => {
  it('recognises each spelling of a read of the spec folder beside the checkout', () => {
    // Spelled in pieces here so that this file does not match its own check.
    const dots = '..';
    const spec = 'spec';
    expect(
      referencesOutsideSpec(`readFileSync('${dots}/shared/${spec}/vectors/signing.json')`),
    ).toBe(true);
    expect(referencesOutsideSpec(`${dots}\\shared\\${spec}\\performance.md`)).toBe(true);
    expect(referencesOutsideSpec(`path.join(root, '${dots}', 'shared', '${spec}', 'x.json')`)).toBe(
      true,
    );
    expect(referencesOutsideSpec(`path.resolve(root, "${dots}/shared", "${spec}")`)).toBe(true);
    expect(referencesOutsideSpec("import { x } from '../../shared/money.ts';")).toBe(false);
  });

  it('no file under test/, bench/, scripts/ or bin/ reads the spec folder beside the checkout', () => {
    const files = SCANNED.flatMap((dir) => filesUnder(path.join(repoRoot, dir)));
    expect(files.length).toBeGreaterThan(20);
    const offending = files
      .filter((file) => referencesOutsideSpec(readFileSync(file, 'utf8')))
      .map((file) => path.relative(repoRoot, file));
    expect(offending).toEqual([]);
  });

  it('reads the signing vectors from the repository', () => {
    expect(path.relative(repoRoot, vectorFile)).toBe(
      path.join('test', 'fixtures', 'signing-vectors.json'),
    );
    expect(vectors.length).toBeGreaterThanOrEqual(2);
    const fixture = JSON.parse(readFileSync(vectorFile, 'utf8')) as { _source?: string };
    expect(fixture._source).toMatch(/PingPong Checkout v4 public documentation/);
  });
});
