/**
 * The real Electron app (dist/electron/main.cjs, its preload and the terminal core utility
 * process) launched with playwright-core's `_electron`, in a fresh data folder, for the
 * Electron suite (`npm run test:electron`, which builds everything first and passes the
 * Electron binary as POSPAY_ELECTRON_PATH).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export const root = path.resolve(import.meta.dirname, '..', '..');

export interface RunningApp {
  readonly app: ElectronApplication;
  readonly page: Page;
  readonly dataDir: string;
  /** Console errors and CSP violations on the page since the last test. */
  readonly problems: string[];
  /** Reloads the screen (a fresh start of the renderer) and waits until it is ready. */
  freshScreen(): Promise<Page>;
}

function electronPath(): string {
  const given = process.env.POSPAY_ELECTRON_PATH;
  if (!given) {
    throw new Error(
      'POSPAY_ELECTRON_PATH is not set: run this suite with "npm run test:electron" ' +
        '(it builds the app and finds the Electron runtime).',
    );
  }
  return given;
}

/** Registers the file's hooks: one app for the file, the console checked after each test. */
export function useElectronApp(): RunningApp {
  let app: ElectronApplication;
  let page: Page;
  let dataDir = '';
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(path.join(root, 'test-results'), { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), 'pospay-electron-'));
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith('POS_')) env[key] = value;
    }
    delete env.ELECTRON_RUN_AS_NODE;
    app = await _electron.launch({
      executablePath: electronPath(),
      // Its own profile, so that a PosPay already open on this machine does not hold the
      // single-instance lock.
      args: [root, `--user-data-dir=${path.join(dataDir, 'profile')}`],
      cwd: root,
      env: { ...env, POS_DATA_DIR: dataDir },
      timeout: 60_000,
    });
    page = await app.firstWindow();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    await page.locator('[data-ready="true"]').waitFor();
  });

  afterAll(async () => {
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  return {
    get app() {
      return app;
    },
    get page() {
      return page;
    },
    get dataDir() {
      return dataDir;
    },
    problems,
    async freshScreen() {
      await page.reload();
      await page.locator('[data-ready="true"]').waitFor();
      return page;
    },
  };
}

/** Waits until the screen shows the sale (or its result) in this status. */
export async function waitForStatus(page: Page, value: string): Promise<void> {
  await page.locator(`[data-testid="payment-status"][data-status="${value}"]`).waitFor();
}
