/**
 * ready_ms (performance.md): process start of `pospay serve` → first scan accepted, in
 * browser mode against the embedded simulator (training mode, fresh data folder), started
 * the way `npm start` starts it (node with the terminal's V8 flags, bin/v8flags.mjs, so
 * bin/pospay.mjs has no need to re-run itself; `reexec_ms` is the same measure for a bare
 * `node bin/pospay.mjs serve`, which re-runs itself once to apply them): the
 * server's address (with its launch token, /?token=…) is read from its first line, a sale is
 * started and a payment code submitted over HTTP as the page does (X-PosPay-Token), and the
 * clock stops when the terminal answers that sale as paid.
 * Reference in the same run: the same host starting a Node process that serves an empty page,
 * until that page is answered. Prints JSON lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ensureRendererBuilt } from '../electron/app/rendererBuild.ts';
import { POSPAY_V8_FLAGS } from '../bin/v8flags.mjs';

const RUNS = 5;

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error('no stdout'));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      lines.close();
      resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`exited with ${String(code)} before its URL`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** POST /api/invoke/<channel> to the printed address `url` (origin + ?token=), as the page does. */
async function post(url: string, channel: string, body: unknown): Promise<unknown> {
  const { origin, searchParams } = new URL(url);
  const response = await fetch(`${origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Origin: origin,
      'X-PosPay-Token': searchParams.get('token') ?? '',
    },
    body: JSON.stringify(body),
  });
  const json: unknown = await response.json();
  if (!response.ok) throw new Error(`${channel}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function wechatCode(): string {
  let digits = '13';
  while (digits.length < 18) digits += String(randomInt(10));
  return digits;
}

async function readyOnce(nodeFlags: readonly string[]): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pospay-bench-ready-'));
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, 'bin/pospay.mjs', 'serve', '--port', '0'], {
    env: { ...process.env, POS_DATA_DIR: dataDir, POS_GATEWAY_URL: '', POS_SCANNER: '' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const url = await firstLine(child);
    const sale = (await post(url, 'sale:start', { amountText: '12.30' })) as { orderId: string };
    const paid = (await post(url, 'sale:submit-code', {
      orderId: sale.orderId,
      code: wechatCode(),
      source: 'wedge',
    })) as { status: string };
    const elapsed = performance.now() - started;
    if (paid.status !== 'paid') throw new Error(`first sale ended ${paid.status}`);
    return elapsed;
  } finally {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const EMPTY_PAGE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.writeHead(200, {'Content-Type': 'text/html'}); res.end('<!doctype html><title></title>'); });
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;

async function referenceOnce(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', EMPTY_PAGE_SERVER], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const url = await firstLine(child);
    const response = await fetch(`${url}/`);
    await response.text();
    return performance.now() - started;
  } finally {
    await stop(child);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (n: number): number => Math.round(n * 10) / 10;

ensureRendererBuilt();
const ready: number[] = [];
const reexec: number[] = [];
const reference: number[] = [];
for (let i = 0; i < RUNS; i += 1) {
  reference.push(await referenceOnce());
  ready.push(await readyOnce(POSPAY_V8_FLAGS));
  reexec.push(await readyOnce([]));
}
const value = median(ready);
const ref = median(reference);
process.stdout.write(
  `${JSON.stringify({
    metric: 'ready_ms',
    value: round(value),
    unit: 'ms',
    reference_ms: round(ref),
    ratio: round(value / ref),
    target_ms: 1500,
    runs: RUNS,
    min: round(Math.min(...ready)),
    max: round(Math.max(...ready)),
    reexec_ms: round(median(reexec)),
    mode: 'browser (pospay serve), embedded simulator',
  })}\n`,
);
