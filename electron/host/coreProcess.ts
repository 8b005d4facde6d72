/**
 * The terminal core in its own process (an Electron utility process): the composition root
 * (electron/app/terminalApp.ts: engine, journal, scanner drivers) off the window's main
 * thread, so a journal fsync never blocks the screen and a native driver crash only ends
 * this process (main restarts it).
 *
 * Main sends one `connect` message on process.parentPort carrying a MessagePort; everything
 * after that is the protocol of protocol.ts on that port. The salt comes from main when the
 * terminal opens (`secret:get`). Runs under plain Node with a stand-in parentPort (tests).
 */
import { createTerminalApp, type AppLogger, type TerminalApp } from '../app/terminalApp.ts';
import { createHost, forwardEvents, servePort, type CorePeer, type Host } from './host.ts';
import {
  ConnectMessageSchema,
  describeInvalid,
  electronPortEndpoint,
  type ConnectMessage,
  type ElectronPortLike,
} from './protocol.ts';
import { createRemoteSecretStore, fetchRemoteDataKeys } from './secrets.ts';

/** Electron's process.parentPort, or a stand-in. */
export interface ParentPortLike {
  on(
    event: 'message',
    listener: (event: { data: unknown; ports?: readonly ElectronPortLike[] }) => void,
  ): unknown;
  off(
    event: 'message',
    listener: (event: { data: unknown; ports?: readonly ElectronPortLike[] }) => void,
  ): unknown;
}

export interface CoreDeps {
  env?: Record<string, string | undefined>;
  openApp?: typeof createTerminalApp;
  /** Where lines go while there is no port (default process.stderr). */
  stderr?: (line: string) => void;
  /** Ends the process (default process.exit). */
  exit?: (code: number) => void;
}

const MAX_LOG = 60 * 1024;

function detail(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Waits for main's connect message; returns it with its port. */
function awaitConnect(
  parentPort: ParentPortLike,
  stderr: (line: string) => void,
): Promise<{ connect: ConnectMessage; port: ElectronPortLike }> {
  return new Promise((resolve) => {
    const onMessage = (event: { data: unknown; ports?: readonly ElectronPortLike[] }): void => {
      const parsed = ConnectMessageSchema.safeParse(event?.data);
      const port = event?.ports?.[0];
      if (!parsed.success || !port) {
        stderr(
          `core: ignored an invalid message on the parent port (${parsed.success ? 'no port' : describeInvalid(parsed.error)})`,
        );
        return;
      }
      parentPort.off('message', onMessage);
      resolve({ connect: parsed.data, port });
    };
    parentPort.on('message', onMessage);
  });
}

export interface RunningCore {
  peer: CorePeer;
  /** Resolves with the app once open (rejects if it could not open). */
  opened: Promise<TerminalApp>;
}

/** Runs the core: connect, then the terminal over the port until closed. */
export async function runCore(
  parentPort: ParentPortLike,
  deps: CoreDeps = {},
): Promise<RunningCore> {
  const stderr = deps.stderr ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  const openApp = deps.openApp ?? createTerminalApp;
  const { connect, port } = await awaitConnect(parentPort, stderr);

  let app: TerminalApp | null = null;
  let host: Host | null = null;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await app?.close();
    })();
    return closing;
  };

  const peer: CorePeer = servePort({
    endpoint: electronPortEndpoint(port),
    host: () => host,
    close,
    log: (message) => stderr(message),
  });
  const line =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, ...details: unknown[]): void => {
      const text = [message, ...details.map(detail)].join(' ').slice(0, MAX_LOG);
      if (peer.closed) stderr(`${level}: ${text}`);
      else peer.emit('log', { level, message: text });
    };
  const log: AppLogger = { info: line('info'), warn: line('warn'), error: line('error') };
  // Main went away (it ends this process too): close the journal if it is still open.
  peer.onClose(() => {
    void close().finally(() => exit(0));
  });

  const opened = (async (): Promise<TerminalApp> => {
    const snapshot = await peer.request('secret:get', {});
    const secretStore = createRemoteSecretStore(
      snapshot,
      {
        set: (salt) => peer.request('secret:set', { salt }),
        clear: () => peer.request('secret:clear', {}),
      },
      (message) => log.error(message),
    );
    const dataKeys = await fetchRemoteDataKeys(() => peer.request('data-key:get', {}));
    const opened = await openApp({
      dataDir: connect.dataDir,
      env: deps.env ?? process.env,
      secretStore,
      dataKeys,
      log,
      ...(connect.nativeBinding ? { nativeBinding: connect.nativeBinding } : {}),
    });
    app = opened;
    host = createHost(opened, (message, error) => log.error(message, error));
    forwardEvents(host, peer);
    peer.emit('ready', { startupWarnings: [...opened.startupWarnings] });
    return opened;
  })();
  opened.catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (!peer.closed) peer.emit('startup-failed', { message: message.slice(0, 8000) });
    stderr(`core: the terminal could not start: ${detail(error)}`);
    // Main ends this process when it reads the message; in case it cannot, end it here.
    setTimeout(() => exit(1), 5_000).unref();
  });
  return { peer, opened };
}
