/**
 * The end-to-end suites' common setup: one terminal in browser mode and one Chromium for the
 * file, a fresh page per test, and after each test the check that the page ran under the
 * strict CSP without a single console error.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  startTerminalServer,
  type TerminalServer,
  type TerminalServerOptions,
} from './browserMode.ts';
import { launchChromium, openPage, type OpenedPage } from './chromium.ts';

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
}

/** Registers the suite's hooks; call at the top of a test file (options: the terminal's). */
export function useChromiumTerminal(options: TerminalServerOptions = {}): ChromiumTerminal {
  let terminal: TerminalServer;
  let browser: Browser;
  let opened: OpenedPage | null = null;

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    [terminal, browser] = await Promise.all([startTerminalServer(options), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await terminal?.close();
  });

  afterEach(async () => {
    // Every screen must load and run under the strict CSP without a single console error.
    const problems = opened?.problems ?? [];
    await opened?.context.close();
    opened = null;
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
  };
}

/** Waits until the screen shows the sale (or its result) in this status. */
export async function waitForStatus(page: Page, value: string): Promise<void> {
  await page.locator(`[data-testid="payment-status"][data-status="${value}"]`).waitFor();
}
