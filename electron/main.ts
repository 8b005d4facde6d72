/**
 * The Electron shell, kept thin: app lifecycle, one hardened window showing the built
 * renderer over the `app://pospay/` protocol (and the customer display's window on a second
 * monitor, the same renderer read-only: electron/shell/customerDisplay.ts), safeStorage for the salt, and the IPC bridge to
 * the terminal core. The core — the composition root (electron/app/terminalApp.ts: engine,
 * journal, scanner drivers), which runs under plain Node too — runs in a utility process
 * (electron/host/coreEntry.ts), reached over a MessagePort and restarted if it dies
 * (electron/host/supervisor.ts). Each decision (window options, navigation, senders,
 * permissions, CSP, IPC checks, native addon) is a pure function in electron/shell/ or
 * electron/host/, unit-tested without Electron.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  MessageChannelMain,
  protocol,
  safeStorage,
  screen,
  session,
  utilityProcess,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';
import log from 'electron-log/main';
import { autoUpdater } from 'electron-updater';
import { migrateDataFolder, sqliteJournalCheck } from './app/dataMigration.ts';
import { defaultDataDir, legacyDataDirs } from './app/paths.ts';
import { createSafeStorageDataKeyStore, createSafeStorageSecretStore } from './app/secretStore.ts';
import {
  electronPortEndpoint,
  PORT_PROTOCOL_VERSION,
  type ConnectMessage,
} from './host/protocol.ts';
import { shellSecretHandlers } from './host/secrets.ts';
import {
  CORE_STOPPED,
  CoreSupervisor,
  type CoreProcess,
  type SupervisorLog,
} from './host/supervisor.ts';
import type { CustomerDisplayChoice } from '../shared/ipc/screenSettings.ts';
import { IPC_CONNECTION, IPC_EVENT, IPC_INVOKE } from './shell/channels.ts';
import {
  CUSTOMER_ENTRY_URL,
  customerDisplayFor,
  customerInvokeRefusal,
  customerWindowOptions,
  sameBounds,
} from './shell/customerDisplay.ts';
import { CONTENT_SECURITY_POLICY } from './shell/csp.ts';
import { checkInvoke, UNTRUSTED_SENDER } from './shell/ipc.ts';
import { createRedactionHook } from './shell/logging.ts';
import { betterSqliteBinding, ELECTRON_ABI_CACHE_DIR } from './shell/nativeBinding.ts';
import { startUpdates, type Updates } from './shell/updater.ts';
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
// running here, so it only gets the flag when Electron is started with --js-flags. (Whether
// the terminal core's utility process gets it has not been measured in Electron.)
app.commandLine.appendSwitch('js-flags', '--max-semi-space-size=2');

let core: CoreSupervisor | null = null;
let mainWindow: BrowserWindow | null = null;
/** The customer display (a second monitor, read-only), when settings ask for one. */
let customerWindow: BrowserWindow | null = null;
let customerChoice: CustomerDisplayChoice = 'auto';
let quitting = false;
/** Installed app on Windows only (electron/shell/updater.ts). */
let updates: Updates | null = null;

const logger: SupervisorLog = {
  info: (message) => log.info(message),
  warn: (message) => log.warn(message),
  error: (message) => log.error(message),
};

/** The name of the core's process (app.getAppMetrics(), crash reports). */
const CORE_SERVICE_NAME = 'PosPay terminal core';

function logLines(stream: NodeJS.ReadableStream | null, write: (line: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream }).on('line', (line) => {
    if (line.trim() !== '') write(`core: ${line}`);
  });
}

/** Forks the terminal core (dist/electron/core.cjs) and hands it its end of a new channel. */
function forkCore(connect: ConnectMessage): CoreProcess {
  const child = utilityProcess.fork(path.join(__dirname, 'core.cjs'), [], {
    serviceName: CORE_SERVICE_NAME,
    stdio: 'pipe',
    env: { ...process.env },
  });
  const { port1, port2 } = new MessageChannelMain();
  child.postMessage(connect, [port2]);
  logLines(child.stdout, (line) => log.info(line));
  logLines(child.stderr, (line) => log.warn(line));
  child.on('error', (type, location) => log.error(`core: ${type} at ${location}`));
  return {
    endpoint: electronPortEndpoint(port1),
    onExit: (listener) => {
      child.once('exit', (code) => listener(code));
    },
    kill: () => {
      child.kill();
    },
  };
}

function sendToWindow(channel: string, ...args: unknown[]): void {
  for (const window of [mainWindow, customerWindow]) {
    const contents = window?.webContents;
    if (contents && !contents.isDestroyed()) contents.send(channel, ...args);
  }
}

/** Opens, moves or closes the customer display to match the setting and the monitors. */
function syncCustomerWindow(): void {
  if (!mainWindow) return;
  const cashierDisplay = screen.getDisplayMatching(mainWindow.getBounds());
  const target = customerDisplayFor(screen.getAllDisplays(), cashierDisplay.id, customerChoice);
  if (!target) {
    customerWindow?.destroy();
    customerWindow = null;
    return;
  }
  if (customerWindow && !customerWindow.isDestroyed()) {
    if (!sameBounds(customerWindow.getBounds(), target.bounds)) {
      customerWindow.setBounds(target.bounds);
      customerWindow.setFullScreen(true);
    }
    return;
  }
  const window = new BrowserWindow(
    customerWindowOptions(path.join(__dirname, 'preload.cjs'), target.bounds),
  );
  customerWindow = window;
  window.once('ready-to-show', () => window.showInactive());
  window.webContents.on('did-finish-load', () =>
    window.webContents.send(IPC_CONNECTION, core?.connected ?? false),
  );
  window.on('closed', () => {
    if (customerWindow === window) customerWindow = null;
  });
  void window.loadURL(CUSTOMER_ENTRY_URL);
}

/** The customer display setting of a settings view (a settings:get / settings:save answer). */
function customerChoiceOf(value: unknown): CustomerDisplayChoice | undefined {
  return (value as { screen?: { customerDisplay?: CustomerDisplayChoice } } | null)?.screen
    ?.customerDisplay;
}

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
  // A page (re)loaded while the core restarts starts with the banner up.
  window.webContents.on('did-finish-load', () =>
    window.webContents.send(IPC_CONNECTION, core?.connected ?? false),
  );
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
    // Closing the cashier's window ends the app: the customer display goes with it.
    customerWindow?.destroy();
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
  const dataKeys = createSafeStorageDataKeyStore(safeStorage, path.join(dataDir, 'data-key.enc'));
  const logFile = path.join(dataDir, 'logs', 'main.log');
  log.transports.file.resolvePathFn = () => logFile;
  // No log.initialize(): it would add a preload of its own, and the page gets window.pospay only.
  // Main decrypts the salt only when the core asks for it; the hook redacts what main knows.
  let knownSalt: string | null = null;
  log.hooks.push(createRedactionHook(() => [knownSalt]));

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

  // The journal's SQLite driver built for Electron's ABI (throws, saying how to get it).
  const nativeBinding = betterSqliteBinding({
    versions: process.versions,
    cacheDir: path.join(app.getAppPath(), ELECTRON_ABI_CACHE_DIR),
    exists: existsSync,
    packaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
  });
  // --- data folder (issue 11): an earlier version's %APPDATA%\PosPay is copied here once, its
  // journal checked before it is used (electron/app/dataMigration.ts); throws rather than start
  // on an empty journal beside one it could not copy.
  const migration = await migrateDataFolder({
    target: dataDir,
    legacy: legacyDataDirs({ env: process.env }),
    verifyJournal: sqliteJournalCheck(nativeBinding),
  });
  if (migration.plan.action === 'copy') {
    log.info(`data moved from ${migration.plan.from} to ${dataDir} (${migration.events} events)`);
  } else if (migration.plan.action === 'keep-both') {
    log.warn(migration.plan.warning);
  }
  // --- end data folder
  const supervisor = new CoreSupervisor({
    spawn: () =>
      forkCore({
        type: 'connect',
        protocol: PORT_PROTOCOL_VERSION,
        dataDir,
        nativeBinding: nativeBinding ?? null,
      }),
    shellHandlers: shellSecretHandlers(
      secretStore,
      (salt) => {
        knownSalt = salt;
      },
      dataKeys,
    ),
    log: logger,
    onGiveUp: (message) => {
      dialog.showErrorBox(
        'PosPay stopped',
        `The terminal core kept stopping (${message}). The log is ${logFile}.`,
      );
      app.exit(1);
    },
  });
  core = supervisor;
  supervisor.onConnection((connected) => sendToWindow(IPC_CONNECTION, connected));
  supervisor.connect((channel, payload) => sendToWindow(IPC_EVENT, channel, payload));

  ipcMain.handle(IPC_INVOKE, async (event, channel: unknown, request: unknown) => {
    if (!isTrustedSender(senderFrame(event))) {
      log.warn(`IPC refused from an untrusted frame: ${event.senderFrame?.url ?? 'unknown'}`);
      return UNTRUSTED_SENDER;
    }
    // The customer display only reads.
    const refusal = customerInvokeRefusal(event.senderFrame?.url, channel);
    if (refusal) return refusal;
    const checked = checkInvoke(channel, request);
    if (!checked.ok) return checked.result;
    if (!core) return CORE_STOPPED;
    const result = await core.invoke(checked.channel, checked.request);
    const choice =
      checked.channel === 'settings:save' && result.ok && customerChoiceOf(result.value);
    if (choice && choice !== customerChoice) {
      customerChoice = choice;
      syncCustomerWindow();
    }
    return result;
  });

  const ready = await supervisor.start();
  for (const warning of ready.startupWarnings) log.warn(warning);
  createWindow();
  // The customer display: on the monitor the settings name, following monitors plugged in.
  const settings = await supervisor.invoke('settings:get', {});
  customerChoice = (settings.ok && customerChoiceOf(settings.value)) || customerChoice;
  syncCustomerWindow();
  screen.on('display-added', () => syncCustomerWindow());
  screen.on('display-removed', () => syncCustomerWindow());
  screen.on('display-metrics-changed', () => syncCustomerWindow());
  // --- updates (issue 11): installed app on Windows; installs only on a quit outside trading
  // hours (electron/app/updatePolicy.ts).
  if (app.isPackaged && process.platform === 'win32') {
    const appUpdateYml = await readFile(
      path.join(process.resourcesPath, 'app-update.yml'),
      'utf8',
    ).catch(() => null);
    updates = startUpdates({ updater: autoUpdater, env: process.env, appUpdateYml, log: logger });
    mainWindow?.on('session-end', () => updates?.onSessionEnd());
  }
  // --- end updates
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

  app.on('will-quit', () => updates?.onWillQuit()); // issue 11: install outside trading hours
  app.on('before-quit', (event) => {
    if (quitting || !core) return;
    event.preventDefault();
    quitting = true;
    const closing = core;
    core = null;
    closing
      .stop()
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
