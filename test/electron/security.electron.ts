/**
 * The Electron security checklist, checked in the running app rather than in its options:
 * no Node in the page, window.pospay only passes the contract's channels, the window cannot
 * be navigated away from the app nor open another, and no other origin can be reached. (The
 * window's options — isolation, sandbox, no Node integration — are unit-tested in
 * test/unit/app/shell.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { useElectronApp } from './electronApp.ts';

const running = useElectronApp();

describe('the Electron window', () => {
  it('has no Node: no require, process, module or Buffer in the page', async () => {
    const page = await running.freshScreen();
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      module: typeof (globalThis as { module?: unknown }).module,
      buffer: typeof (globalThis as { Buffer?: unknown }).Buffer,
    }));
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      buffer: 'undefined',
    });
  });

  it('exposes window.pospay only, passing only the contract channels', async () => {
    const page = await running.freshScreen();
    const seen = await page.evaluate(async () => {
      const api = (
        window as unknown as {
          pospay: {
            invoke(channel: string, request: unknown): Promise<unknown>;
            on(channel: string, listener: () => void): () => void;
          };
        }
      ).pospay;
      const refused = await api.invoke('fs:read', { path: '/etc/passwd' }).then(
        () => 'sent',
        (error: { code?: string }) => error.code,
      );
      let onRefused = 'listened';
      try {
        api.on('ipc:raw', () => {});
      } catch {
        onRefused = 'refused';
      }
      const current = await api.invoke('sale:current', {}).then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      );
      return {
        keys: Object.keys(api).sort(),
        refused,
        onRefused,
        current,
        electron: typeof (window as { electron?: unknown }).electron,
        ipcRenderer: typeof (window as { ipcRenderer?: unknown }).ipcRenderer,
      };
    });
    expect(seen).toEqual({
      keys: ['invoke', 'on', 'onConnection'],
      refused: 'unknown-channel',
      onRefused: 'refused',
      current: 'answered',
      electron: 'undefined',
      ipcRenderer: 'undefined',
    });
  });

  it('refuses to navigate to a remote address', async () => {
    const page = await running.freshScreen();
    const before = page.url();
    expect(before).toMatch(/^app:\/\/pospay\//);
    const navigated = page.waitForURL(/example\.com/, { timeout: 3_000 }).then(
      () => true,
      () => false,
    );
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    expect(await navigated).toBe(false);
    const url = await running.app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows()[0]?.webContents.getURL(),
    );
    expect(url).toBe(before);
  });

  it('denies window.open: no second window', async () => {
    const page = await running.freshScreen();
    const opened = await page.evaluate(() => window.open('https://example.com/') === null);
    expect(opened).toBe(true);
    const count = await running.app.evaluate(
      ({ BrowserWindow }) => BrowserWindow.getAllWindows().length,
    );
    expect(count).toBe(1);
  });

  it('cannot reach another origin (CSP connect-src)', async () => {
    const page = await running.freshScreen();
    const fetched = await page.evaluate(() =>
      fetch('https://example.com/').then(
        () => 'fetched',
        () => 'blocked',
      ),
    );
    expect(fetched).toBe('blocked');
    // The violation is reported on the console: expected here, not a fault of the screen.
    running.problems.splice(0);
  });
});
