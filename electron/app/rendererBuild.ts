/**
 * The built cashier screen (dist/renderer). Browser mode builds it when it is missing, and
 * `npm start` also when a source of it is newer than the build (Vite is a dev dependency, so
 * this works in a checkout, not in an installed app).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { appRoot, rendererDir } from './paths.ts';

/** What the renderer is built from (relative to the root; folders are read recursively). */
export const RENDERER_SOURCES = [
  'renderer',
  'shared',
  'vite.config.ts',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
];

export class RendererMissingError extends Error {
  readonly code = 'renderer-missing';
  constructor(dir: string, detail: string) {
    super(
      `The cashier screen is not built (${path.join(dir, 'index.html')} is missing) and could ` +
        `not be built here: ${detail}. Build it with "npm run build" (or "npx vite build") in ` +
        'the project folder.',
    );
    this.name = 'RendererMissingError';
  }
}

export function isRendererBuilt(dir: string = rendererDir()): boolean {
  return existsSync(path.join(dir, 'index.html'));
}

/**
 * Vite's command-line script, from the `bin` field of its package.json (Vite's `exports` map
 * exposes package.json but not bin/vite.js). Throws when Vite is not installed.
 */
export function viteBin(root: string = appRoot()): string {
  const manifest = createRequire(path.join(root, 'package.json')).resolve('vite/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const script = typeof bin === 'string' ? bin : bin?.vite;
  if (!script) throw new Error(`${manifest} names no "vite" command`);
  return path.resolve(path.dirname(manifest), script);
}

/**
 * The first renderer source (RENDERER_SOURCES) changed since the build, i.e. newer than its
 * index.html, or null when there is none (or no sources here: an installed app).
 */
export function staleRendererSource(root: string = appRoot()): string | null {
  let builtAt: number;
  try {
    builtAt = statSync(path.join(rendererDir(root), 'index.html')).mtimeMs;
  } catch {
    return null;
  }
  const newer = (file: string): string | null => {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return null;
    }
    if (!stat.isDirectory()) return stat.mtimeMs > builtAt ? file : null;
    for (const name of readdirSync(file)) {
      const found = newer(path.join(file, name));
      if (found) return found;
    }
    return null;
  };
  for (const source of RENDERER_SOURCES) {
    const found = newer(path.join(root, source));
    if (found) return path.relative(root, found);
  }
  return null;
}

export interface EnsureRendererOptions {
  /** Also rebuild when a source is newer than the build (`npm start`). Default: only when missing. */
  rebuildStale?: boolean;
}

/**
 * Builds the renderer with Vite when it is missing (or, with `rebuildStale`, out of date).
 * Returns true when it built it. Vite's own output goes to stderr so a caller's stdout stays
 * clean (browser mode prints its URL on the first line).
 */
export function ensureRendererBuilt(
  root: string = appRoot(),
  options: EnsureRendererOptions = {},
): boolean {
  const dir = rendererDir(root);
  const stale = isRendererBuilt(dir) && options.rebuildStale ? staleRendererSource(root) : null;
  if (isRendererBuilt(dir) && !stale) return false;
  const fail = (detail: string): Error =>
    stale
      ? new Error(`The cashier screen is older than ${stale} and could not be rebuilt: ${detail}.`)
      : new RendererMissingError(dir, detail);
  let bin: string;
  try {
    bin = viteBin(root);
  } catch {
    throw fail('Vite is not installed (run "npm install" first)');
  }
  const result = spawnSync(process.execPath, [bin, 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0 || !isRendererBuilt(dir)) {
    throw fail(`vite build exited with ${String(result.status)}`);
  }
  return true;
}
