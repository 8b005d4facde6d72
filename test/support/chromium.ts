/**
 * Launches the machine's Chromium (Debian's /usr/bin/chromium) with playwright-core, for the
 * end-to-end tests and the renderer benchmarks. Nothing is downloaded.
 *
 *   const browser = await launchChromium();
 *   const page = await openPage(browser, url);   // fails the test on any CSP violation
 */
import { existsSync } from 'node:fs';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Logger,
  type Page,
} from 'playwright-core';
import type { KeySpec } from './wedgeKeys.ts';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Timers of a page in the background must not be throttled (tests run headless, unfocused).
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  // A machine's /dev/shm may be small (containers): Chromium's shared memory goes to /tmp.
  '--disable-dev-shm-usage',
];

export function chromiumPath(): string {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  const found = candidates.find((c): c is string => Boolean(c) && existsSync(c as string));
  if (!found) throw new Error('Chromium not found: install the Debian package "chromium"');
  return found;
}

/** `logger`: a sink for Playwright's own log (e.g. PlaywrightCalls, for a failed test's report). */
export async function launchChromium(logger?: Logger): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    headless: true,
    ...(logger ? { logger } : {}),
  });
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen on the page so far. */
  problems: string[];
}

/** A fresh context and page on `url`, recording console errors and CSP violations. */
export async function openPage(
  browser: Browser,
  url: string,
  options: {
    viewport?: { width: number; height: number };
    locale?: string;
    /** A script run in every page of the context before the page's own (e.g. a recorder). */
    initScript?: string;
  } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    locale: options.locale ?? 'en-US',
    acceptDownloads: true,
  });
  if (options.initScript) await context.addInitScript(options.initScript);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // A refused request (e.g. a wrong PIN: 422) is an answer the screen shows, not a fault;
    // so is the event stream refusing an old launch token (the screen says what to open).
    const source = message.location().url;
    if (source.includes('/api/invoke/')) return;
    if (source.includes('/api/events') && message.text().includes('status of 401')) return;
    problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(url);
  return { context, page, problems };
}

export { scanKeys, type KeySpec, type WedgeLayout } from './wedgeKeys.ts';

/**
 * Dispatches keydown/keyup events in the page to whatever has focus, the way a keyboard
 * wedge delivers a scan: back to back by default (a scanner's USB burst, or keys queued
 * behind a busy page), or `gapMs` apart by busy-waiting on the page's own clock. With
 * `composition`, the keys are wrapped in compositionstart/update/end as a Chinese IME does.
 * (Back to back keeps the whole scan inside a few milliseconds: on a heavily shared test
 * machine a longer burst can be descheduled for longer than any stall a detector can
 * tolerate; the detector's timing rules are covered by its unit tests and the bench.)
 */
export async function dispatchKeys(
  page: Page,
  keys: KeySpec[],
  options: { gapMs?: number; composition?: boolean } = {},
): Promise<void> {
  const payload = JSON.stringify({
    keys,
    gapMs: options.gapMs ?? 0,
    composition: options.composition ?? false,
  });
  // A string, not a function: the test runner's transpiler may add helpers the page lacks.
  await page.evaluate(`(() => {
    const { keys, gapMs, composition } = ${payload};
    const target = () => document.activeElement || document.body;
    const wait = (ms) => { const end = performance.now() + ms; while (performance.now() < end) {} };
    const fire = (type, k) => {
      const event = new KeyboardEvent(type, {
        code: k.code, key: k.key, keyCode: k.keyCode || 0, which: k.keyCode || 0,
        isComposing: !!k.isComposing, shiftKey: !!k.shiftKey, bubbles: true, cancelable: true,
        composed: true,
      });
      if (k.keyCode && event.keyCode !== k.keyCode) {
        Object.defineProperty(event, 'keyCode', { get: () => k.keyCode });
      }
      target().dispatchEvent(event);
    };
    let data = '';
    if (composition) target().dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true, data: '' }));
    keys.forEach((k, i) => {
      if (i > 0 && gapMs > 0) wait(gapMs);
      fire('keydown', k);
      if (composition && k.code.startsWith('Digit')) {
        data += k.code.slice(5);
        target().dispatchEvent(new CompositionEvent('compositionupdate', { bubbles: true, data }));
      }
      fire('keyup', k);
    });
    if (composition) target().dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, data }));
  })()`);
}

/**
 * Types a scan as real (trusted) keystrokes the way a scanner sends them: every keyDown and
 * keyUp goes to the browser at once (CDP Input.dispatchKeyEvent, pipelined, as
 * bench/wedge.bench.ts does) and the browser's input pipeline delivers them one by one.
 * `page.keyboard.type` instead waits for each key's round trip through the browser and the
 * page before sending the next, so on a loaded machine any stall of the test process
 * becomes a hole inside the scan that no scanner makes. Digits, and "\n" for Enter.
 */
export async function typeScan(page: Page, text: string): Promise<void> {
  const keys = [...text].map((ch) => {
    if (ch === '\n') return { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r' };
    if (!/^[0-9]$/.test(ch)) throw new Error(`typeScan sends digits and "\\n", not ${ch}`);
    return { key: ch, code: `Digit${ch}`, windowsVirtualKeyCode: ch.charCodeAt(0), text: ch };
  });
  const cdp = await page.context().newCDPSession(page);
  try {
    const sent: Promise<unknown>[] = [];
    for (const { text: typed, ...key } of keys) {
      sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...key, text: typed }));
      sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key }));
    }
    await Promise.all(sent);
  } finally {
    await cdp.detach();
  }
}

let codeCounter = 0;

/** A fresh WeChat Pay code (18 digits from 13): single use, so never repeat one. */
export function wechatCode(): string {
  codeCounter += 1;
  const unique =
    `${process.pid % 10_000}`.padStart(4, '0') + `${Date.now() % 1e8}`.padStart(8, '0');
  return `13${unique}${String(codeCounter % 10_000).padStart(4, '0')}`;
}

/** A fresh Alipay code (19 digits from 28). */
export function alipayCode(): string {
  return `28${wechatCode().slice(1)}`;
}
