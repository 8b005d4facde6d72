/**
 * The built cashier screen (dist/renderer). Browser mode and `npm start` build it when it is
 * missing (Vite is a dev dependency, so this works in a checkout, not in an installed app).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { appRoot, rendererDir } from './paths.ts';

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
 * Builds the renderer with Vite when it is missing. Returns true when it built it. Vite's
 * own output goes to stderr so a caller's stdout stays clean (browser mode prints its URL
 * on the first line).
 */
export function ensureRendererBuilt(root: string = appRoot()): boolean {
  const dir = rendererDir(root);
  if (isRendererBuilt(dir)) return false;
  let viteBin: string;
  try {
    viteBin = createRequire(path.join(root, 'package.json')).resolve('vite/bin/vite.js');
  } catch {
    throw new RendererMissingError(dir, 'Vite is not installed (run "npm install" first)');
  }
  const result = spawnSync(process.execPath, [viteBin, 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0 || !isRendererBuilt(dir)) {
    throw new RendererMissingError(dir, `vite build exited with ${String(result.status)}`);
  }
  return true;
}
