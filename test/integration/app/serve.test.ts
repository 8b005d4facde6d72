/** `pospay serve` as support staff run it: a real process, its first line, Ctrl+C. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
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

/** Starts `pospay serve --port 0` and reads its first line (the address to open). */
async function serve(extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['bin/pospay.mjs', 'serve', '--port', '0'], {
    env: { ...env(), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output = { stderr: '' };
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited ${String(code)}: ${output.stderr}`)));
  });
  return { child, first, output };
}

/** POST /api/invoke/<channel> as the page does: its origin, the token of the printed address. */
function invokeAt(address: string, channel: string, token?: string | null): Promise<Response> {
  const { origin, searchParams } = new URL(address);
  const sent = token === undefined ? searchParams.get('token') : token;
  return fetch(`${origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Origin: origin,
      ...(sent ? { 'X-PosPay-Token': sent } : {}),
    },
    body: '{}',
  });
}

describe('pospay serve', () => {
  it('prints its loopback URL on the first line, serves the terminal, stops on SIGINT', async () => {
    const { child, first, output } = await serve();
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);

    // Without this launch's token: refused, with what to open.
    const refused = await invokeAt(first, 'settings:get', null);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('pospay serve');

    const reply = await invokeAt(first, 'settings:get');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await reply.json()).toMatchObject({ trainingMode: true });
    expect(output.stderr).toContain('TRAINING MODE');

    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
  });

  it('uses POS_LAUNCH_TOKEN, never logs it, and outlives a malformed request', async () => {
    const token = 'from-the-launcher_0123456789abcdef';
    const { child, first, output } = await serve({ POS_LAUNCH_TOKEN: token });
    const { origin, port } = new URL(first);
    expect(first).toBe(`${origin}/?token=${token}`);

    // The malformed %-escape that used to end the process (uncaught URIError).
    const malformed = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let raw = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (raw += chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(raw));
      socket.write(
        `POST /api/invoke/%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\n` +
          `X-PosPay-Token: ${token}\r\nContent-Type: application/json\r\n` +
          'Content-Length: 2\r\nConnection: close\r\n\r\n{}',
      );
    });
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    expect(malformed).toContain('"code":"bad-path"');
    expect((await invokeAt(first, 'settings:get')).status).toBe(200);
    expect(child.exitCode).toBeNull();

    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(output.stderr).not.toContain(token);
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
