/**
 * A newcomer's two commands. A copy of the repository as a clone of it has it (the tracked
 * and not-ignored files: no dist/), with node_modules linked from this checkout in place of
 * `npm install`; then `npm start` there builds what is missing (the bundles, the cashier
 * screen) and serves the cashier page at the address it prints. Then the `pospay` command in
 * that copy: it runs the bundle while that is fresh, and after a source is edited it runs the
 * edited code, rebuilt, or from the sources when they do not bundle: never the old bundle.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleState } from '../../bin/bundleState.mjs';
import { repoRoot } from '../support/vectors.ts';

const CODE = '134567890123456789';
const MANIFEST = 'dist/cli/pospay.build.json';
const NOT_IN_A_CLONE = new Set(['.git', 'node_modules', 'dist', 'release', 'test-results']);

let clone: string;
let dataDir: string;
const children: ChildProcess[] = [];

/** The files a clone of the working tree would have (git's list, else a walk). */
function cloneFiles(): string[] {
  const listed = spawnSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  if (listed.status === 0) return listed.stdout.split('\0').filter(Boolean);
  const walk = (dir: string): string[] =>
    readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = path.join(dir, entry.name);
      if (NOT_IN_A_CLONE.has(entry.name)) return [];
      return entry.isDirectory() ? walk(relative) : [relative];
    });
  return walk('');
}

/** The environment of a newcomer's shell: none of this test run's own settings. */
function newcomerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      /^(POS_|VITEST|npm_)/.test(key) ||
      ['NODE_ENV', 'TEST', 'DISPLAY', 'WAYLAND_DISPLAY'].includes(key)
    ) {
      delete env[key];
    }
  }
  // Where Electron could open a window (Windows, macOS), ask for browser mode explicitly.
  if (process.platform === 'win32' || process.platform === 'darwin') env.POS_BROWSER_MODE = '1';
  return { ...env, ...extra };
}

function pospay(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['bin/pospay.mjs', ...args], {
    cwd: clone,
    env: newcomerEnv({ POS_DATA_DIR: dataDir }),
    encoding: 'utf8',
  });
}

function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    try {
      // npm → scripts/start.mjs → pospay serve: the whole group started here.
      if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGTERM');
      else child.kill('SIGTERM');
    } catch {
      resolve();
    }
  });
}

beforeAll(() => {
  clone = mkdtempSync(path.join(tmpdir(), 'pospay-clone-'));
  dataDir = mkdtempSync(path.join(tmpdir(), 'pospay-clone-data-'));
  for (const file of cloneFiles()) {
    const from = path.join(repoRoot, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
    const to = path.join(clone, file);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(clone, 'node_modules'), 'junction');
});

afterAll(async () => {
  await Promise.all(children.splice(0).map(stopGroup));
  rmSync(clone, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a fresh clone', () => {
  it('has no build output', () => {
    expect(existsSync(path.join(clone, 'package.json'))).toBe(true);
    expect(existsSync(path.join(clone, 'dist'))).toBe(false);
  });

  it('npm start builds what is missing and serves the cashier page at the address it prints', async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['start'], {
      cwd: clone,
      env: newcomerEnv({ POS_PORT: '0', POS_DATA_DIR: dataDir }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      shell: process.platform === 'win32',
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const stdout: string[] = [];
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (text) => {
        stdout.push(text);
        if (/https?:\/\/127\.0\.0\.1:\d+/.test(text)) resolve(text);
      });
      child.once('exit', (code) =>
        reject(new Error(`npm start exited ${String(code)}:\n${stdout.join('\n')}\n${stderr}`)),
      );
    });
    // One line says why it is browser mode (here: no Electron runtime, or no display).
    expect(line).toMatch(/ — serving the terminal in browser mode at http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout.filter((text) => text.includes('browser mode'))).toHaveLength(1);
    const url = /(https?:\/\/127\.0\.0\.1:\d+\S*)/.exec(line)?.[1] as string;

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toBe(readFileSync(path.join(clone, 'dist/renderer/index.html'), 'utf8'));
    // The screen's own script is served too.
    const script = /<script[^>]+src="\.?\/?([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script as string, url));
    expect(asset.status).toBe(200);
    await asset.arrayBuffer();

    // What npm start built: the command's bundle and the Electron shell's.
    expect(existsSync(path.join(clone, 'dist/cli/pospay.mjs'))).toBe(true);
    expect(existsSync(path.join(clone, 'dist/electron/main.cjs'))).toBe(true);
    expect(stderr).toContain('built the cashier screen (dist/renderer)');
    await stopGroup(child);
  }, 180_000);

  it('pospay runs the fresh bundle as it is', () => {
    expect(bundleState(clone, MANIFEST)).toEqual({ state: 'fresh' });
    const builtAt = statSync(path.join(clone, MANIFEST)).mtimeMs;
    const result = pospay('classify', CODE);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ method: 'Wechat-Offline', currency: 'CNY' });
    expect(statSync(path.join(clone, MANIFEST)).mtimeMs).toBe(builtAt);
  });

  it('after a source is edited, pospay rebuilds the bundle and runs the edit', () => {
    const source = path.join(clone, 'electron/cli/pospay.ts');
    const original = readFileSync(source, 'utf8');
    expect(original).toContain('usage: pospay <command> [options]');
    writeFileSync(source, original.replace('[options]', '[options] (edited)'));
    expect(bundleState(clone, MANIFEST)).toMatchObject({ state: 'stale' });

    const result = pospay('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('usage: pospay <command> [options] (edited)');
    expect(bundleState(clone, MANIFEST)).toEqual({ state: 'fresh' });
    expect(readFileSync(path.join(clone, 'dist/cli/pospay.mjs'), 'utf8')).toContain('(edited)');
  }, 60_000);

  it('when the sources do not bundle, pospay runs them (tsx), not the old bundle', () => {
    const source = path.join(clone, 'electron/cli/pospay.ts');
    writeFileSync(
      source,
      readFileSync(source, 'utf8').replace('[options] (edited)', '[options] (edited again)'),
    );
    // A file `pospay --help` does not load stops esbuild, not tsx.
    const other = path.join(clone, 'electron/cli/commands/history.ts');
    writeFileSync(other, `${readFileSync(other, 'utf8')}\nexport const broken = ;\n`);

    const result = pospay('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('usage: pospay <command> [options] (edited again)');
    expect(bundleState(clone, MANIFEST)).toMatchObject({ state: 'stale' });
    expect(readFileSync(path.join(clone, 'dist/cli/pospay.mjs'), 'utf8')).not.toContain(
      'edited again',
    );
  }, 60_000);
});
