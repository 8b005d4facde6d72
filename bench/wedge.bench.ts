/**
 * wedge_decision_ms: from the last keystroke of a keyboard-wedge scan reaching the page to
 * the scan being accepted, in real Chromium, with real (trusted) keystrokes sent through
 * the browser's input pipeline. The page runs the built detector and its DOM adapter
 * (renderer/src/wedge/domWedge.ts, bundled with esbuild) and stamps both moments with
 * performance.now().
 *
 * Without a suffix the scan is accepted after the detector's silence; with Enter at once.
 * Reference in the same run: the same harness set up like onScan.js (100 ms of silence).
 * Targets (performance.md): ≤ 40 ms without a suffix, ≤ 5 ms with Enter.
 */
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/chromium.ts';

const ITERATIONS = Number(process.env.WEDGE_BENCH_ITERATIONS ?? 100);
const REFERENCE_ITERATIONS = Math.max(10, Math.round(ITERATIONS / 3));

const HARNESS = `
import { createDomWedge } from './renderer/src/wedge/domWedge.ts';
const state = { lastKeyAt: 0, scans: [], typed: 0 };
window.__bench = state;
window.__start = (options) => {
  state.scans = [];
  state.typed = 0;
  if (window.__dispose) window.__dispose();
  const wedge = createDomWedge(
    {
      capturing: () => true,
      onScan: (scan) => state.scans.push({ text: scan.text, suffix: scan.suffix,
        decidedAt: performance.now(), lastKeyAt: state.lastKeyAt }),
      onTyped: () => { state.typed += 1; },
      onImeBlocked: () => {},
    },
    options,
  );
  const listener = (event) => wedge.handleKeyDown(event);
  window.addEventListener('keydown', listener, true);
  window.__dispose = () => { window.removeEventListener('keydown', listener, true); wedge.dispose(); };
};
// Registered first: stamps when each keystroke reaches the page.
window.addEventListener('keydown', () => { state.lastKeyAt = performance.now(); }, true);
`;

async function bundle(): Promise<string> {
  const result = await build({
    stdin: { contents: HARNESS, resolveDir: process.cwd(), loader: 'ts', sourcefile: 'harness.ts' },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
    minify: true,
  });
  return result.outputFiles[0]?.text ?? '';
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

interface Run {
  samples: number[];
  missed: number;
}

async function measure(
  page: Page,
  suffix: 'none' | 'enter',
  iterations: number,
  options: Record<string, number>,
): Promise<Run> {
  await page.evaluate(`window.__start(${JSON.stringify(options)})`);
  const samples: number[] = [];
  let missed = 0;
  for (let i = 0; i < iterations; i += 1) {
    const code = `13${String(1_000_000_000_000_000 + i * 7919).slice(-16)}`; // 18 digits
    await page.evaluate('window.__bench.scans = []; window.__bench.typed = 0;');
    await page.keyboard.type(suffix === 'enter' ? `${code}\n` : code);
    await page.waitForFunction(
      'window.__bench.scans.length > 0 || window.__bench.typed > 0',
      null,
      {
        polling: 5,
        timeout: 5000,
      },
    );
    await page.waitForTimeout(options.silenceMs ? options.silenceMs + 60 : 100);
    const scans = (await page.evaluate('window.__bench.scans')) as {
      text: string;
      decidedAt: number;
      lastKeyAt: number;
    }[];
    const only = scans.length === 1 ? scans[0] : undefined;
    if (!only || only.text !== code) {
      missed += 1; // split or lost (a stall longer than the detector tolerates)
      continue;
    }
    samples.push(only.decidedAt - only.lastKeyAt);
  }
  samples.sort((a, b) => a - b);
  return { samples, missed };
}

function report(suffix: string, detector: string, target: number | null, run: Run): void {
  for (const [stat, q] of [
    ['p50', 0.5],
    ['p99', 0.99],
  ] as const) {
    const line: Record<string, unknown> = {
      metric: 'wedge_decision_ms',
      suffix,
      stat,
      value: Math.round(quantile(run.samples, q) * 100) / 100,
      unit: 'ms',
      detector,
      samples: run.samples.length,
      missed: run.missed,
    };
    if (target !== null) line.target = target;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

const script = await bundle();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body><p>wedge bench</p></body></html>');
  await page.addScriptTag({ content: script });
  // Warm-up (JIT, input pipeline), not reported.
  await measure(page, 'none', 5, {});
  report('none', 'pospay', 40, await measure(page, 'none', ITERATIONS, {}));
  report('enter', 'pospay', 5, await measure(page, 'enter', ITERATIONS, {}));
  report(
    'none',
    'reference-onscan-100ms',
    null,
    await measure(page, 'none', REFERENCE_ITERATIONS, { silenceMs: 100, maxGapMs: 30 }),
  );
} finally {
  await browser.close();
}
