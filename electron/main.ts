/**
 * The Electron shell, kept thin: app lifecycle, one hardened window showing the built
 * renderer over the `app://pospay/` protocol, and the IPC bridge to the composition root
 * (electron/app/terminalApp.ts), which holds every behaviour and runs under plain Node too.
 * Each decision (window options, navigation, senders, permissions, CSP) is a pure function
 * in electron/shell/, unit-tested without Electron.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  protocol,
  safeStorage,
  session,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';
import log from 'electron-log/main';
import { defaultDataDir } from './app/paths.ts';
import { createSafeStorageSecretStore } from './app/secretStore.ts';
import { createTerminalApp, type AppLogger, type TerminalApp } from './app/terminalApp.ts';
import { IPC_EVENT, IPC_INVOKE } from './shell/channels.ts';
import { CONTENT_SECURITY_POLICY } from './shell/csp.ts';
import { createRedactionHook } from './shell/logging.ts';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  isNavigationAllowed,
  isTrustedSender,
  mimeTypeFor,
  permissionDecision,
  resolveAppAsset,
  windowOpenDecision,
  windowOptions,
  withCspHeader,
} from './shell/security.ts';

// electron-log listens for renderer log messages on its own IPC channel; the cashier screen
// has no way to reach it (the preload exposes window.pospay only), and no handler may
// answer a sender it has not checked: remove them.
ipcMain.removeAllListeners('__ELECTRON_LOG__');
ipcMain.removeHandler('__ELECTRON_LOG__');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();
// Caps V8's young generation (bench/engine.bench.ts: RSS stays flat over a day of sales).
// Electron applies this switch to the renderer processes; the main process's V8 is already
// running here, so it only gets the flag when Electron is started with --js-flags.
app.commandLine.appendSwitch('js-flags', '--max-semi-space-size=2');

let terminal: TerminalApp | null = null;
let mainWindow: BrowserWindow | null = null;
let quitting = false;

const logger: AppLogger = {
  info: (message, ...details) => log.info(message, ...details),
  warn: (message, ...details) => log.warn(message, ...details),
  error: (message, ...details) => log.error(message, ...details),
};

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler((details) => windowOpenDecision(details));
}

function createWindow(): void {
  const kiosk = process.env.POS_KIOSK === '1' || process.argv.includes('--kiosk');
  const window = new BrowserWindow(
    windowOptions({ preloadPath: path.join(__dirname, 'preload.cjs'), kiosk }),
  );
  mainWindow = window;
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  window.webContents.on('render-process-gone', (_event, details) => {
    log.error(`renderer gone (${details.reason}); reloading`);
    if (!window.isDestroyed()) void window.loadURL(APP_ENTRY_URL);
  });
  void window.loadURL(APP_ENTRY_URL);
}

function senderFrame(event: IpcMainInvokeEvent): { url: string; isMainFrame: boolean } | null {
  const frame = event.senderFrame;
  if (!frame) return null;
  return { url: frame.url, isMainFrame: frame.parent === null };
}

async function boot(): Promise<void> {
  await app.whenReady();
  const dataDir = defaultDataDir({ env: process.env });
  const secretStore = createSafeStorageSecretStore(safeStorage, path.join(dataDir, 'salt.enc'));
  log.transports.file.resolvePathFn = () => path.join(dataDir, 'logs', 'main.log');
  // No log.initialize(): it would add a preload of its own, and the page gets window.pospay only.
  log.hooks.push(createRedactionHook(() => [secretStore.get()]));

  const rendererRoot = path.join(app.getAppPath(), 'dist', 'renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppAsset(rendererRoot, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'Content-Type': mimeTypeFor(file),
          'Content-Security-Policy': CONTENT_SECURITY_POLICY,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permissionDecision(permission)),
  );
  ses.setPermissionCheckHandler((_contents, permission) => permissionDecision(permission));
  ses.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: withCspHeader(details.responseHeaders) }),
  );

  terminal = await createTerminalApp({ dataDir, env: process.env, secretStore, log: logger });
  for (const warning of terminal.startupWarnings) log.warn(warning);

  ipcMain.handle(IPC_INVOKE, async (event, channel: unknown, request: unknown) => {
    if (!isTrustedSender(senderFrame(event))) {
      log.warn(`IPC refused from an untrusted frame: ${event.senderFrame?.url ?? 'unknown'}`);
      return {
        ok: false,
        status: 400,
        error: { error: 'Refused: not the terminal screen.', code: 'untrusted-sender' },
      };
    }
    if (!terminal) {
      return { ok: false, status: 409, error: { error: 'Starting…', code: 'terminal-not-ready' } };
    }
    return terminal.invoke(String(channel), request);
  });
  terminal.onEvent((channel, payload) => {
    const contents = mainWindow?.webContents;
    if (contents && !contents.isDestroyed()) contents.send(IPC_EVENT, channel, payload);
  });

  createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (quitting || !terminal) return;
    event.preventDefault();
    quitting = true;
    const closing = terminal;
    terminal = null;
    closing
      .close()
      .catch((error: unknown) => log.error('shutdown failed', error))
      .finally(() => app.quit());
  });
  boot().catch((error: unknown) => {
    log.error('the terminal could not start', error);
    dialog.showErrorBox(
      'PosPay could not start',
      error instanceof Error ? error.message : String(error),
    );
    app.exit(1);
  });
}
