/** `pospay serve` as support staff run it: a real process, its first line, Ctrl+C. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pospay-serve-'));
  dirs.push(dataDir);
  const clean = { ...process.env };
  for (const key of Object.keys(clean)) if (key.startsWith('POS_')) delete clean[key];
  return { ...clean, POS_DATA_DIR: dataDir };
}

describe('pospay serve', () => {
  it('prints its loopback URL on the first line, serves the terminal, stops on SIGINT', async () => {
    const child = spawn(process.execPath, ['bin/pospay.mjs', 'serve', '--port', '0'], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited ${String(code)}: ${stderr}`)));
    });
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const reply = await fetch(`${first}/api/invoke/settings:get`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: first },
      body: '{}',
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await reply.json()).toMatchObject({ trainingMode: true });
    expect(stderr).toContain('TRAINING MODE');

    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  });

  it('refuses a port that is not a number', () => {
    const result = spawnSync(process.execPath, ['bin/pospay.mjs', 'serve', '--port', 'eighty'], {
      env: env(),
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid port "eighty"');
  });
});
