/**
 * The composition root, shared by the Electron shell and browser mode: settings + secret
 * store + runtime (journal, gateway client or embedded simulator, engine) + scanners +
 * contract handlers + events. Everything here runs under plain Node.
 */
import { mkdirSync } from 'node:fs';
import type { EventChannel, ScannerState, SettingsView } from '../../shared/ipc/contract.ts';
import { maskCode } from '../../shared/paymentCode.ts';
import { isInProgress } from '../../shared/sale.ts';
import { AppError } from './errors.ts';
import { EventHub, type EventListener } from './eventHub.ts';
import {
  createHandlers,
  dispatchInvoke,
  type HandlerContext,
  type InvokeResult,
  type SettingsSaveRequest,
} from './handlers.ts';
import { defaultDataDir } from './paths.ts';
import { PinGuard } from './pin.ts';
import type { EngineLike } from './ports.ts';
import type { ScannerManager } from '../scanners/manager.ts';
import { redactDeep } from './redact.ts';
import { readExtraCaFile } from '../gateway/tls.ts';
import { openTerminal, type TerminalConfig } from './runtime.ts';
import { resolveReceiptConfig } from '../printing/config.ts';
import { listPrinterDevices } from '../printing/discovery.ts';
import { ReceiptService } from './receipts.ts';
import { membersForRuntime } from '../members/runtime.ts';
import type { MemberService } from '../members/memberService.ts';
import { createMemorySecretStore, type DataKeyStore, type SecretStore } from './secretStore.ts';
import {
  applyEnvOverrides,
  effectiveClientId,
  isLoopbackUrl,
  loadSettings,
  mergeSettings,
  saveSettings,
  SettingsCorruptError,
  SIMULATOR,
  toSettingsView,
  type EffectiveSettings,
  type StoredSettings,
} from './settings.ts';

export interface AppLogger {
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** What the runtime (electron/app/runtime.ts) is opened with. */
export type RuntimeConfig = TerminalConfig;

export interface SimulatorHandle {
  baseUrl: string;
  ledger(): unknown;
}

export interface RuntimeLike {
  engine: EngineLike;
  simulator?: SimulatorHandle | undefined;
  /** The journal, for the gateway's transaction id on a receipt (not on the SaleView yet). */
  journal?: { sale(orderId: string): { transactionId: string | null } | undefined };
  close(): Promise<void>;
}

export type OpenRuntime = (config: RuntimeConfig) => Promise<RuntimeLike>;

export interface TerminalAppOptions {
  /** Default: POS_DATA_DIR, else the OS app-data folder. */
  dataDir?: string;
  /** Environment overrides are read from here (default process.env). */
  env?: Record<string, string | undefined>;
  /**
   * Default: the Node store (POS_SALT, or a salt kept in memory only). With `persist`, a
   * saved salt is stored through it and awaited (the utility process: main encrypts it).
   */
  secretStore?: SecretStore & { persist?(salt: string): Promise<void> };
  /** Time scale of the embedded simulator in training mode (default 1). */
  timeScale?: number;
  openRuntime?: OpenRuntime;
  /** Default: a ScannerManager opening real serial / HID POS devices. */
  scanners?: ScannerManager;
  log?: AppLogger;
  pinGuard?: PinGuard;
  /**
   * The better-sqlite3 addon the journal loads (an Electron-ABI build in Electron, see
   * electron/shell/nativeBinding.ts); default: the package's own (Node's ABI).
   */
  nativeBinding?: string;
  /** Where the key that seals linked-wallet and membership tokens is kept (default: env/training). */
  dataKeys?: DataKeyStore;
}

export interface TerminalApp {
  readonly dataDir: string;
  /** Runs one contract channel; never throws. */
  invoke(channel: string, request: unknown): Promise<InvokeResult>;
  /** Contract events (already validated and redacted). */
  onEvent(listener: EventListener): () => void;
  settingsView(): SettingsView;
  trainingMode(): boolean;
  /** The embedded simulator, in training mode. */
  simulator(): SimulatorHandle | null;
  scannerState(): ScannerState;
  /** What a new event stream starts with: the scanner state and the current sale. */
  snapshotEvents(): Array<{ channel: EventChannel; payload: unknown }>;
  /** Problems found at start (e.g. a corrupt settings file), already logged. */
  readonly startupWarnings: readonly string[];
  close(): Promise<void>;
}

export const stderrLogger: AppLogger = {
  info: (message) => process.stderr.write(`${message}\n`),
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  error: (message, ...details) =>
    process.stderr.write(
      `error: ${message}${details.map((d) => ` ${d instanceof Error ? (d.stack ?? d.message) : String(d)}`).join('')}\n`,
    ),
};

/** A logger that redacts the given secrets from everything it writes. */
export function redactingLogger(
  inner: AppLogger,
  secrets: () => readonly (string | null | undefined)[],
): AppLogger {
  const wrap =
    (fn: AppLogger['info']) =>
    (message: string, ...details: unknown[]) =>
      fn(redactDeep(message, secrets()), ...redactDeep(details, secrets()));
  return { info: wrap(inner.info), warn: wrap(inner.warn), error: wrap(inner.error) };
}

/** Which runtime the settings ask for; training mode when credentials are missing. */
export function runtimeConfigFor(
  settings: EffectiveSettings,
  salt: string | null,
  dataDir: string,
  timeScale: number,
  extraCaPem?: string,
): { config: RuntimeConfig; note: string | null } {
  const base: RuntimeConfig = {
    dataDir,
    region: settings.region,
    currency: settings.currency,
    customerDeadlineMs: settings.customerDeadlineMs,
    amountCeilingMinor: settings.amountCeilingMinor,
    terminalId: settings.terminalId,
  };
  if (settings.gatewayUrl === SIMULATOR) {
    return { config: { ...base, embeddedSimulator: { timeScale } }, note: null };
  }
  const missing = [settings.accId ? null : 'store id (accId)', salt ? null : 'salt'].filter(
    (x): x is string => x !== null,
  );
  if (missing.length > 0) {
    return {
      config: { ...base, embeddedSimulator: { timeScale } },
      note: `gateway ${settings.gatewayUrl} is configured but the ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing: training mode (embedded simulator) until they are saved`,
    };
  }
  return {
    config: {
      ...base,
      gateway: {
        baseUrl: settings.gatewayUrl,
        accId: settings.accId,
        clientId: effectiveClientId(settings),
        salt: salt as string,
        signType: settings.signType,
        timeoutMs: settings.gatewayTimeoutMs,
        // A store behind TLS inspection: its CA (POS_EXTRA_CA_FILE), besides Node's store.
        ...(extraCaPem !== undefined ? { extraCaPem } : {}),
      },
    },
    note: null,
  };
}

function sameConfig(a: RuntimeConfig, b: RuntimeConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function createTerminalApp(options: TerminalAppOptions = {}): Promise<TerminalApp> {
  const env = options.env ?? process.env;
  const dataDir = options.dataDir ?? defaultDataDir({ env });
  mkdirSync(dataDir, { recursive: true });
  const secrets: NonNullable<TerminalAppOptions['secretStore']> =
    options.secretStore ?? createMemorySecretStore(env);
  const secretList = (): string[] => {
    const salt = secrets.get();
    return salt ? [salt] : [];
  };
  const log = redactingLogger(options.log ?? stderrLogger, secretList);
  const timeScale = options.timeScale ?? 1;
  const caFile = env.POS_EXTRA_CA_FILE?.trim();
  const extraCaPem = caFile ? readExtraCaFile(caFile) : undefined;
  const pinGuard = options.pinGuard ?? new PinGuard();
  const openRuntime: OpenRuntime = options.openRuntime ?? openTerminal;
  // The scanner drivers (serial / HID) load while the runtime opens: not needed before it.
  const scannersLoading: Promise<ScannerManager> = options.scanners
    ? Promise.resolve(options.scanners)
    : import('../scanners/manager.ts').then(({ ScannerManager: Manager }) => new Manager());
  scannersLoading.catch(() => {}); // awaited below; not unhandled if the runtime fails first
  /** Set once loaded, before this function returns. */
  let loadedScanners: ScannerManager | null = null;
  const startupWarnings: string[] = [];

  let stored: StoredSettings;
  try {
    stored = await loadSettings(dataDir);
  } catch (error) {
    if (!(error instanceof SettingsCorruptError)) throw error;
    log.error(error.message);
    startupWarnings.push(error.message);
    stored = await loadSettings(dataDir);
  }
  let effective = applyEnvOverrides(stored, env);

  const hub = new EventHub(secretList, (e) => log.error('event not delivered', e));
  // Receipts after each paid sale and refund (electron/app/receipts.ts); never part of a sale.
  const receipts = new ReceiptService({
    dataDir,
    config: () => resolveReceiptConfig(effective.receipts, effective.region, env),
    sale: (orderId) => {
      const view = runtime?.engine.sale(orderId) ?? null;
      if (!view) return null;
      return { ...view, transactionId: runtime?.journal?.sale(orderId)?.transactionId ?? null };
    },
    report: (day, training) =>
      requireEngine().report(day, training === undefined ? {} : { training }),
    trainingMode: () => trainingMode(),
    emit: (status) => hub.emit('receipt:status', status),
    log,
  });

  let runtime: RuntimeLike | null = null;
  let runtimeConfig: RuntimeConfig | null = null;
  let unsubscribeEngine: () => void = () => {};
  let members: MemberService | null = null;
  let unsubscribeMembers: () => void = () => {};
  let closed = false;
  /** Settings saves and restarts run one at a time; invocations wait for a restart. */
  let busy: Promise<unknown> = Promise.resolve();

  const requireEngine = (): EngineLike => {
    if (!runtime) throw new AppError('terminal-not-ready', 'The terminal is starting.');
    return runtime.engine;
  };

  async function startRuntime(): Promise<void> {
    const { config, note } = runtimeConfigFor(
      effective,
      secrets.get(),
      dataDir,
      timeScale,
      extraCaPem,
    );
    if (note) {
      log.warn(note);
      if (!startupWarnings.includes(note)) startupWarnings.push(note);
    }
    runtime = await openRuntime({
      ...config,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      log: (level, message, fields) => log[level](message, ...(fields ? [fields] : [])),
    });
    runtimeConfig = config;
    const engine = runtime.engine;
    unsubscribeEngine = engine.onSaleUpdated((sale) => {
      // A new sale takes any code, even one just scanned for the previous sale.
      if (sale.status === 'awaiting-scan') loadedScanners?.resetDedupe();
      hub.emit('sale:updated', sale);
      receipts.onSaleUpdated(sale);
    });
    members = membersForRuntime(runtime, {
      dataDir,
      env,
      ...(options.dataKeys ? { dataKeys: options.dataKeys } : {}),
      ...(config.gateway ? { gatewayUrl: config.gateway.baseUrl } : {}),
      tuning: { signUpLifetimeMs: 10 * 60_000 * (config.gateway ? 1 : timeScale) },
      log: (level, message, fields) => log[level](message, ...(fields ? [fields] : [])),
    });
    unsubscribeMembers =
      members?.onLinkUpdated((link) => hub.emit('member:link-updated', link)) ?? (() => {});
  }

  async function stopRuntime(): Promise<void> {
    unsubscribeEngine();
    unsubscribeEngine = () => {};
    unsubscribeMembers();
    unsubscribeMembers = () => {};
    const stopping = members;
    members = null;
    await stopping?.stop();
    const current = runtime;
    runtime = null;
    runtimeConfig = null;
    await current?.close();
  }

  const rejectScan = (text: string, reason: string): void =>
    hub.emit('scan:rejected', { reason, text: maskCode(text) });

  async function onHardwareScan(text: string, source: 'serial' | 'hid'): Promise<void> {
    if (!runtime) return rejectScan(text, 'The terminal is starting: scan again in a moment.');
    const engine = runtime.engine;
    const sale = engine.current();
    if (!sale || sale.status !== 'awaiting-scan') {
      const reason = !sale
        ? 'No sale is waiting for a code: enter the amount and press Charge first.'
        : `The current sale is ${sale.status}: it does not take a new code now.`;
      return rejectScan(text, reason);
    }
    try {
      await engine.submitCode(sale.orderId, text, source);
    } catch (error) {
      const reason = error instanceof Error && error.message ? error.message : 'scan refused';
      rejectScan(text, reason);
    }
  }

  const trainingMode = (): boolean => {
    if (!runtimeConfig) return effective.gatewayUrl === SIMULATOR;
    if (runtimeConfig.embeddedSimulator) return true;
    return isLoopbackUrl(runtimeConfig.gateway?.baseUrl ?? '');
  };

  const settingsView = (): SettingsView =>
    toSettingsView(effective, {
      trainingMode: trainingMode(),
      saltConfigured: secrets.get() !== null,
      saltStorage: secrets.storage(),
    });

  async function applySettings(request: SettingsSaveRequest): Promise<SettingsView> {
    const { pin: _pin, salt, supervisorPin, ...changes } = request;
    const next = await mergeSettings(stored, {
      ...changes,
      ...(supervisorPin !== undefined ? { supervisorPin } : {}),
    });
    const nextEffective = applyEnvOverrides(next, env);
    const nextSalt = salt ?? secrets.get();
    const nextRuntime = runtimeConfigFor(
      nextEffective,
      nextSalt,
      dataDir,
      timeScale,
      extraCaPem,
    ).config;
    const runtimeChanges = runtimeConfig === null || !sameConfig(runtimeConfig, nextRuntime);
    const scannerChanges = nextEffective.scanner !== scanners.state().spec;
    if (runtimeChanges && runtime) {
      const sale = runtime.engine.current();
      if (sale && isInProgress(sale.status)) {
        throw new AppError(
          'sale-in-progress',
          'Finish or cancel the current sale before changing the gateway or payment settings.',
        );
      }
    }
    if (salt !== undefined) {
      if (secrets.persist) await secrets.persist(salt);
      else secrets.set(salt);
      if (!secrets.persistent) {
        log.warn(
          'the salt entered on the settings screen is kept in memory only (browser mode): it is lost when the terminal stops; set POS_SALT to keep it',
        );
      }
    }
    const previous = effective;
    effective = nextEffective;
    if (runtimeChanges) {
      await stopRuntime();
      try {
        await startRuntime();
      } catch (error) {
        // Keep the till usable: back to the settings in force, nothing saved.
        log.error('the new settings could not be applied', error);
        effective = previous;
        await startRuntime();
        throw new AppError(
          'settings-not-applied',
          `The new settings could not be applied (${error instanceof Error ? error.message : String(error)}); nothing was changed.`,
        );
      }
      log.info(trainingMode() ? 'restarted in training mode' : `gateway: ${effective.gatewayUrl}`);
    }
    saveSettings(dataDir, next);
    stored = next;
    if (scannerChanges) await scanners.use(effective.scanner);
    return settingsView();
  }

  const ctx: HandlerContext = {
    engine: requireEngine,
    settings: () => effective,
    settingsView,
    applySettings: (request) => {
      const run = busy.then(() => applySettings(request));
      busy = run.catch(() => {});
      return run;
    },
    pinGuard,
    scannerState: () => scanners.state(),
    receipts,
    listPrinters: () => listPrinterDevices(),
    members: () => members,
  };
  const handlers = createHandlers(ctx);

  await startRuntime();
  const scanners = await scannersLoading.catch(async (error: unknown) => {
    await stopRuntime();
    throw error;
  });
  loadedScanners = scanners;
  const scannerOff = [
    scanners.on('scan', (scan) => {
      void onHardwareScan(scan.text, scan.source);
    }),
    scanners.on('rejected', (r) => hub.emit('scan:rejected', { reason: r.detail, text: r.text })),
    scanners.on('state', (state) => hub.emit('scanner:state', state)),
    scanners.on('error', (error) => log.warn(`scanner: ${error.message}`)),
  ];
  try {
    await scanners.use(effective.scanner);
  } catch (error) {
    // A bad POS_SCANNER was refused by the settings check; this is a spec the manager refuses.
    const message = `scanner ${String(effective.scanner)} not used: ${error instanceof Error ? error.message : String(error)}`;
    log.warn(message);
    startupWarnings.push(message);
  }

  return {
    dataDir,
    startupWarnings,
    async invoke(channel, request) {
      if (closed) {
        return {
          ok: false,
          status: 409,
          error: { error: 'The terminal is shutting down.', code: 'terminal-closed' },
        };
      }
      if (channel !== 'settings:save') await busy;
      return dispatchInvoke(handlers, channel, request, {
        secrets: secretList,
        onUnexpected: (error, name) => log.error(`${name} failed`, error),
      });
    },
    onEvent: (listener) => hub.subscribe(listener),
    snapshotEvents() {
      const out: Array<{ channel: EventChannel; payload: unknown }> = [];
      const state = hub.prepare('scanner:state', scanners.state());
      if (state) out.push({ channel: 'scanner:state', payload: state });
      const current = runtime?.engine.current() ?? null;
      const sale = current ? hub.prepare('sale:updated', current) : null;
      if (sale) out.push({ channel: 'sale:updated', payload: sale });
      return out;
    },
    settingsView,
    trainingMode,
    simulator: () => runtime?.simulator ?? null,
    scannerState: () => scanners.state(),
    async close() {
      if (closed) return;
      closed = true;
      await busy;
      for (const off of scannerOff) off();
      await scanners.close();
      await receipts.close();
      await stopRuntime();
    },
  };
}
