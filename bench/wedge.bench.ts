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
 *
 * Like a scanner, the harness sends a scan's keystrokes without waiting for the page: all
 * of them go to the browser at once (CDP Input.dispatchKeyEvent, pipelined) and its input
 * pipeline delivers them one by one, a few ms apart like a real scanner's (the largest gap
 * inside any scan of a run is reported as maxKeyGapMs). Typing them
 * with page.keyboard.type instead waits for each key's round trip through the browser and
 * the page before sending the next, so any stall of this process or the browser became a
 * 40–100 ms hole inside the scan that no scanner makes ("missed" counted this machine's
 * load, not the detector).
 */
import { build } from 'esbuild';
import type { CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../test/support/chromium.ts';

const ITERATIONS = Number(process.env.WEDGE_BENCH_ITERATIONS ?? 100);
const REFERENCE_ITERATIONS = Math.max(10, Math.round(ITERATIONS / 3));

const HARNESS = `
import { createDomWedge } from './renderer/src/wedge/domWedge.ts';
const state = { lastKeyAt: 0, scans: [], typed: [], keyTimes: [] };
window.__bench = state;
window.__start = (options) => {
  state.scans = [];
  state.typed = [];
  if (window.__dispose) window.__dispose();
  const wedge = createDomWedge(
    {
      capturing: () => true,
      onScan: (scan) => state.scans.push({ text: scan.text, suffix: scan.suffix,
        decidedAt: performance.now(), lastKeyAt: state.lastKeyAt }),
      onTyped: (text) => { state.typed.push(text); },
      onImeBlocked: () => {},
    },
    options,
  );
  const listener = (event) => wedge.handleKeyDown(event);
  window.addEventListener('keydown', listener, true);
  window.__dispose = () => { window.removeEventListener('keydown', listener, true); wedge.dispose(); };
  // Decides whatever is still held, so that nothing of one scan is left to join the next.
  window.__flush = () => wedge.flush();
};
// Registered first: stamps when each keystroke reaches the page.
window.addEventListener('keydown', () => {
  state.lastKeyAt = performance.now();
  state.keyTimes.push(state.lastKeyAt);
}, true);
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
  /** Largest gap between two keystrokes of one scan, as the page saw them. */
  maxKeyGapMs: number;
}

/** A scan's keystrokes (US layout digits, then Enter if asked), all sent without waiting. */
async function sendScan(cdp: CDPSession, code: string, suffix: 'none' | 'enter'): Promise<void> {
  const keys = [...code].map((digit) => ({
    key: digit,
    code: `Digit${digit}`,
    windowsVirtualKeyCode: digit.charCodeAt(0),
    text: digit,
  }));
  if (suffix === 'enter') {
    keys.push({ key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' });
  }
  const sent: Promise<unknown>[] = [];
  for (const { text, ...key } of keys) {
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...key, text }));
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key }));
  }
  await Promise.all(sent);
}

async function measure(
  page: Page,
  cdp: CDPSession,
  suffix: 'none' | 'enter',
  iterations: number,
  options: Record<string, number>,
): Promise<Run> {
  await page.evaluate(`window.__start(${JSON.stringify(options)})`);
  const samples: number[] = [];
  let missed = 0;
  let maxKeyGapMs = 0;
  for (let i = 0; i < iterations; i += 1) {
    const code = `13${String(1_000_000_000_000_000 + i * 7919).slice(-16)}`; // 18 digits
    await page.evaluate(
      'window.__bench.scans = []; window.__bench.typed = []; window.__bench.keyTimes = [];',
    );
    await sendScan(cdp, code, suffix);
    await page.waitForFunction(
      'window.__bench.scans.length > 0 || window.__bench.typed.length > 0',
      null,
      {
        polling: 5,
        timeout: 5000,
      },
    );
    await page.waitForTimeout(options.silenceMs ? options.silenceMs + 60 : 100);
    // A scan split in two may leave its second part held (it can look like the start of a
    // code): decide it now, counted against this scan, instead of letting it merge with the
    // next one — which counted one split as two misses and spoiled the next sample.
    await page.evaluate('window.__flush()');
    const { scans, typed, keyTimes } = (await page.evaluate('window.__bench')) as {
      scans: { text: string; decidedAt: number; lastKeyAt: number }[];
      typed: string[];
      keyTimes: number[];
    };
    const gaps = keyTimes.slice(1).map((t, k) => t - (keyTimes[k] ?? t));
    maxKeyGapMs = Math.max(maxKeyGapMs, ...gaps);
    const only = scans.length === 1 ? scans[0] : undefined;
    if (!only || only.text !== code) {
      missed += 1; // split or lost (a stall longer than the detector tolerates)
      process.stderr.write(
        `wedge bench: missed ${code} (${suffix}): scans ${JSON.stringify(scans.map((x) => x.text))}, ` +
          `typed ${JSON.stringify(typed)}, key gaps ms ${JSON.stringify(gaps.map((g) => Math.round(g * 10) / 10))}\n`,
      );
      continue;
    }
    samples.push(only.decidedAt - only.lastKeyAt);
  }
  samples.sort((a, b) => a - b);
  return { samples, missed, maxKeyGapMs };
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
      maxKeyGapMs: Math.round(run.maxKeyGapMs * 10) / 10,
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
  const cdp = await page.context().newCDPSession(page);
  // Warm-up (JIT, input pipeline), not reported.
  await measure(page, cdp, 'none', 5, {});
  report('none', 'pospay', 40, await measure(page, cdp, 'none', ITERATIONS, {}));
  report('enter', 'pospay', 5, await measure(page, cdp, 'enter', ITERATIONS, {}));
  report(
    'none',
    'reference-onscan-100ms',
    null,
    await measure(page, cdp, 'none', REFERENCE_ITERATIONS, { silenceMs: 100, maxGapMs: 30 }),
  );
} finally {
  await browser.close();
}
