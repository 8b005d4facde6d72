/**
 * The staleness rule of the prebuilt bundles (bin/bundleState.mjs): a bundle is run only
 * while every file its build read has the size and mtime its manifest recorded.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_VERSION, bundleState, fingerprint, isUsable } from '../../../bin/bundleState.mjs';

let root: string;
const MANIFEST = 'dist/cli/pospay.build.json';

function write(relative: string, text: string): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A build of src/entry.ts and src/dep.ts into dist/cli/pospay.mjs, as the build records it. */
function build(inputs: Record<string, [number, number] | null> = {}): void {
  write('dist/cli/pospay.mjs', 'export {};\n');
  write('dist/cli/chunk-A.mjs', 'export {};\n');
  const recorded: Record<string, [number, number] | null> = {};
  for (const input of ['src/entry.ts', 'src/dep.ts']) {
    recorded[input] = fingerprint(path.join(root, input));
  }
  write(
    MANIFEST,
    JSON.stringify({
      version: MANIFEST_VERSION,
      name: 'pospay',
      entry: 'src/entry.ts',
      outputs: ['pospay.mjs', 'chunk-A.mjs'],
      inputs: { ...recorded, ...inputs },
    }),
  );
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'pospay-bundle-state-'));
  write('src/entry.ts', "import './dep.ts';\n");
  write('src/dep.ts', 'export const x = 1;\n');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('bundleState', () => {
  it('is missing before any build', () => {
    const state = bundleState(root, MANIFEST);
    expect(state).toEqual({ state: 'missing', reason: `${MANIFEST} is missing` });
    expect(isUsable(state)).toBe(false);
  });

  it('is fresh right after a build, and stays so while nothing changes', () => {
    build();
    expect(bundleState(root, MANIFEST)).toEqual({ state: 'fresh' });
    expect(isUsable(bundleState(root, MANIFEST))).toBe(true);
  });

  it('is stale once a source is edited', () => {
    build();
    write('src/dep.ts', 'export const x = 2;\n');
    expect(bundleState(root, MANIFEST)).toEqual({ state: 'stale', reason: 'src/dep.ts changed' });
  });

  it('is stale when a source is replaced by an older copy of the same size', () => {
    build();
    write('src/dep.ts', 'export const x = 9;\n');
    const past = new Date(Date.now() - 86_400_000);
    utimesSync(path.join(root, 'src/dep.ts'), past, past);
    expect(bundleState(root, MANIFEST)).toMatchObject({ state: 'stale' });
  });

  it('is stale when a source it read is gone', () => {
    build();
    rmSync(path.join(root, 'src/dep.ts'));
    expect(bundleState(root, MANIFEST)).toEqual({ state: 'stale', reason: 'src/dep.ts is gone' });
  });

  it('is stale when a source changed while the build read it (recorded as unknown)', () => {
    build({ 'src/dep.ts': null });
    expect(bundleState(root, MANIFEST)).toMatchObject({ state: 'stale' });
  });

  it('is missing when one of its outputs is gone', () => {
    build();
    rmSync(path.join(root, 'dist/cli/chunk-A.mjs'));
    expect(bundleState(root, MANIFEST)).toEqual({
      state: 'missing',
      reason: 'chunk-A.mjs is missing',
    });
  });

  it('is missing when the manifest is from another build version', () => {
    build();
    write(MANIFEST, JSON.stringify({ version: MANIFEST_VERSION + 1, inputs: {} }));
    expect(bundleState(root, MANIFEST)).toMatchObject({ state: 'missing' });
  });

  it('is prebuilt (usable as it is) where the sources are not shipped', () => {
    build();
    rmSync(path.join(root, 'src'), { recursive: true });
    const state = bundleState(root, MANIFEST);
    expect(state).toEqual({ state: 'prebuilt' });
    expect(isUsable(state)).toBe(true);
  });
});
