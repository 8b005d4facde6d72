// Is a prebuilt bundle (dist/…, scripts/build-electron.mjs) the code of the sources it came
// from? The build writes a manifest beside the bundle listing every file esbuild read (the
// project's .ts files and the bundled packages' files, from esbuild's metafile, plus the
// build script, package.json and tsconfig.json) with its size and mtime. A bundle is fresh
// when each listed file still has exactly that size and mtime: an edited, replaced (even by
// an older copy), moved or deleted file makes it stale. A new file can only change the
// bundle through an import in a listed file, whose edit is seen. Cheap enough to run on
// every start (one small JSON file and one stat per input, no hashing).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const MANIFEST_VERSION = 1;

/** Fingerprint of one input: [size, mtimeMs], or null when it cannot be stat'ed. */
export function fingerprint(file) {
  try {
    const stat = statSync(file);
    return [stat.size, stat.mtimeMs];
  } catch {
    return null;
  }
}

/**
 * The state of the bundle whose manifest is `manifestFile` (relative to `root` or absolute):
 *   { state: 'fresh' }                 the bundle is the build of the sources as they are
 *   { state: 'prebuilt' }              no sources here (an installed app): the bundle is all
 *   { state: 'stale', reason }         some input changed since the build (reason names it)
 *   { state: 'missing', reason }       never built, or the manifest or an output is gone
 * The manifest names its entry source (`entry`) and outputs (`outputs`, relative to it).
 */
export function bundleState(root, manifestFile) {
  const manifestPath = path.resolve(root, manifestFile);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return { state: 'missing', reason: `${manifestFile} is missing` };
  }
  if (manifest?.version !== MANIFEST_VERSION || typeof manifest.inputs !== 'object') {
    return { state: 'missing', reason: `${manifestFile} is from another build version` };
  }
  const dir = path.dirname(manifestPath);
  for (const output of manifest.outputs ?? []) {
    if (fingerprint(path.join(dir, output)) === null) {
      return { state: 'missing', reason: `${output} is missing` };
    }
  }
  if (
    typeof manifest.entry === 'string' &&
    fingerprint(path.resolve(root, manifest.entry)) === null
  ) {
    return { state: 'prebuilt' };
  }
  for (const [input, recorded] of Object.entries(manifest.inputs)) {
    const now = fingerprint(path.resolve(root, input));
    if (now === null) return { state: 'stale', reason: `${input} is gone` };
    if (!Array.isArray(recorded) || now[0] !== recorded[0] || now[1] !== recorded[1]) {
      return { state: 'stale', reason: `${input} changed` };
    }
  }
  return { state: 'fresh' };
}

/** True when the bundle can be run as it is. */
export function isUsable(state) {
  return state.state === 'fresh' || state.state === 'prebuilt';
}
