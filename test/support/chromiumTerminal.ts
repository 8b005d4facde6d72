/**
 * The end-to-end suites' common setup: one terminal in browser mode and one Chromium for the
 * file, a fresh page per test, and after each test the check that the page ran under the
 * strict CSP without a single console error. A failed test also reports what Playwright was
 * still doing and what each open page looked like (visible, focused, the sale's status).
 *
 * The customer's phone is a browser of its own (a context of its own: another device), never
 * a window beside the till's: `customerPresses(url, action)` opens a simulator page there
 * (the wallet's sign-up, the hosted checkout) and presses one of its buttons.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  startTerminalServer,
  type TerminalServer,
  type TerminalServerOptions,
} from './browserMode.ts';
import { launchChromium, openPage, type OpenedPage } from './chromium.ts';
import { PlaywrightCalls } from './playwrightCalls.ts';

export interface ChromiumTerminal {
  /** The terminal under test (set once the suite's beforeAll has run). */
  readonly terminal: TerminalServer;
  /**
   * Opens the terminal's screen at the address it prints (with its launch token) in a fresh
   * context and waits until it is ready.
   */
  readyPage(options?: {
    initScript?: string;
    viewport?: { width: number; height: number };
  }): Promise<Page>;
  /** Opens `url` (e.g. the address without its token) in a fresh context, without waiting. */
  openScreen(url: string, options?: { locale?: string }): Promise<Page>;
  /**
   * The customer's phone, a browser of its own: opens the simulator's page at `url` (a wallet
   * sign-up or a hosted checkout) and presses its button `action` (agree, decline, pay,
   * fail…); resolves once the page has answered the press (its form POST came back).
   */
  customerPresses(url: string, action: string): Promise<void>;
}

/**
 * Waits for `closing` at most `ms` (a close that hangs must not hang the suite: Chromium has
 * been seen never to answer a page's close while another window of its context was open).
 * Says so on stderr when it gave up.
 */
async function settleWithin(closing: Promise<unknown>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    closing.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  if (!settled) process.stderr.write(`${what} did not close within ${ms / 1000} s; left open\n`);
}

/** Each open page: its address, whether it is visible and focused, the sale's status on it. */
async function describePages(browser: Browser): Promise<string> {
  const lines: string[] = [];
  for (const context of browser.contexts()) {
    for (const page of context.pages()) {
      const state = page
        .evaluate(() => {
          const status = document.querySelector('[data-testid="payment-status"]');
          return `${document.visibilityState}, focus ${document.hasFocus()}, status ${
            status?.getAttribute('data-status') ?? '-'
          }`;
        })
        .catch((error: unknown) => `not answering: ${String(error).split('\n')[0]}`);
      let timer: NodeJS.Timeout | undefined;
      const answer = await Promise.race([
        state,
        new Promise<string>((resolve) => {
          timer = setTimeout(() => resolve('no answer within 2 s'), 2_000);
        }),
      ]);
      clearTimeout(timer);
      lines.push(`  ${page.url()}: ${answer}`);
    }
  }
  return ['open pages:', ...lines].join('\n');
}

/** Registers the suite's hooks; call at the top of a test file (options: the terminal's). */
export function useChromiumTerminal(options: TerminalServerOptions = {}): ChromiumTerminal {
  let terminal: TerminalServer;
  let browser: Browser;
  let opened: OpenedPage | null = null;
  const phones: BrowserContext[] = [];
  const calls = new PlaywrightCalls();

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    [terminal, browser] = await Promise.all([
      startTerminalServer(options),
      launchChromium(calls.logger),
    ]);
  });

  afterAll(async () => {
    await settleWithin(browser?.close() ?? Promise.resolve(), 20_000, 'Chromium');
    await terminal?.close();
  });

  afterEach(async ({ task }) => {
    // A failed test says what was still running and what the pages showed, before they close.
    const report =
      task.result?.state === 'fail' && browser
        ? `${calls.report()}\n${await describePages(browser)}`
        : null;
    // Every screen must load and run under the strict CSP without a single console error.
    const problems = opened?.problems ?? [];
    const contexts = [...phones.splice(0), ...(opened ? [opened.context] : [])];
    opened = null;
    for (const context of contexts) await settleWithin(context.close(), 10_000, 'a page');
    if (report) throw new Error(`what the browser was doing when the test failed:\n${report}`);
    expect(problems).toEqual([]);
  });

  return {
    get terminal() {
      return terminal;
    },
    async readyPage(options = {}) {
      opened = await openPage(browser, terminal.url, options);
      await opened.page.locator('[data-ready="true"]').waitFor();
      return opened.page;
    },
    async openScreen(url, options = {}) {
      opened = await openPage(browser, url, options);
      return opened.page;
    },
    async customerPresses(url, action) {
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
      phones.push(phone);
      const page = await phone.newPage();
      await page.goto(url);
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.locator(`button[data-action="${action}"]`).click(),
      ]);
      phones.splice(phones.indexOf(phone), 1);
      await settleWithin(phone.close(), 10_000, "the customer's phone");
    },
  };
}

/** Waits until the screen shows the sale (or its result) in this status. */
export async function waitForStatus(page: Page, value: string): Promise<void> {
  await page.locator(`[data-testid="payment-status"][data-status="${value}"]`).waitFor();
}
