/** `pospay scan` and `pospay scanners`, run as the store's IT person would run them. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startSocatPair, stopAllSocat } from '../../support/socatPair.ts';

const children = new Set<ChildProcess>();
afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await stopAllSocat();
});

function pospay(args: string[]) {
  const child = spawn(process.execPath, ['bin/pospay.mjs', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const until = (what: () => boolean, label: string, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const tick = () => {
        if (what()) return resolve();
        if (Date.now() - started > timeoutMs) {
          return reject(
            new Error(`timed out waiting for ${label}\nstdout: ${stdout}\nstderr: ${stderr}`),
          );
        }
        setTimeout(tick, 20);
      };
      tick();
    });
  return {
    child,
    exited,
    until,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

describe('pospay scan SPEC', () => {
  it('prints each scan and each rejected read as a JSON line, state changes on stderr, until interrupted', async () => {
    const pair = await startSocatPair();
    const run = pospay(['scan', `serial:${pair.a}@9600`]);
    await run.until(() => /scanner: connected/.test(run.stderr()), 'the connected state');

    pair.write(']Q1134567890123456789\r');
    pair.write(Buffer.from([0x00, 0x1b, 0x5b, 0x41, 0x0d]));
    await run.until(() => run.stdout().trim().split('\n').length >= 2, 'two JSON lines');
    const lines = run
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(lines[0]).toEqual({ text: '134567890123456789', source: 'serial', symbology: ']Q1' });
    expect(lines[1]).toMatchObject({
      rejected: true,
      reason: 'control-characters',
      source: 'serial',
    });

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('a bad spec: a clear message and exit code 2', () => {
    const result = spawnSync(
      process.execPath,
      ['bin/pospay.mjs', 'scan', 'serial:/dev/ttyUSB0@9600,9N1'],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('invalid scanner spec "serial:/dev/ttyUSB0@9600,9N1"');
    expect(result.stderr).toContain('"9N1" is not a baud rate');
    expect(result.stdout).toBe('');
  });

  it('no spec at all: usage and exit code 2', () => {
    const result = spawnSync(process.execPath, ['bin/pospay.mjs', 'scan'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/give a SPEC[\s\S]*usage: pospay scan SPEC/);
  });
});

describe('pospay scanners', () => {
  it('lists serial ports and HID POS scanners, saying plainly when there are none', () => {
    const result = spawnSync(process.execPath, ['bin/pospay.mjs', 'scanners'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^(Serial ports \(\d+\):|No serial ports found\.)$/m);
    expect(result.stdout).toMatch(/^(HID POS scanners \(\d+\):|No USB HID POS scanners found)/m);
  });

  it('--watch prints the list, then keeps watching until interrupted', async () => {
    const run = pospay(['scanners', '--watch', '--interval', '200']);
    await run.until(() => /watching for scanners/.test(run.stdout()), 'the watching line');
    expect(run.stdout()).toMatch(/serial ports|Serial ports/);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });
});
