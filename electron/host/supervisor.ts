/**
 * Main's side of the terminal core: starts the utility process (through `spawn`, so this
 * runs and is tested under plain Node), talks to it over the port, and restarts it when it
 * dies — after a backoff that grows and is capped, and at most `maxFailures` times in a row
 * before giving up. Meanwhile:
 *
 * - a request still waiting when the core dies is answered "the terminal core restarted"
 *   (never left hanging); a request while no core is ready is answered "restarting";
 * - the screen is told the connection is down (its "reconnecting" banner), then up again;
 * - the new core reopens the journal, which recovers unfinished sales as after a crash, and
 *   its first events (scanner state, current sale) refresh the screen.
 *
 * It is a Host: main's IPC bridge uses it exactly as browser mode uses the TerminalApp.
 */
import { eventChannels } from '../../shared/ipc/contract.ts';
import type { InvokeResult } from '../app/handlers.ts';
import type { Host, HostEventListener } from './host.ts';
import {
  coreEvents,
  coreRequests,
  PeerClosedError,
  PortPeer,
  shellRequests,
  type Handlers,
  type MessageEndpoint,
} from './protocol.ts';

/** One started core process, as `spawn` gives it. */
export interface CoreProcess {
  /** Main's end of the port (the core got the other end). */
  endpoint: MessageEndpoint;
  /** Called once when the process has ended (exit code, or null when unknown). */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export interface Backoff {
  /** Delay before the first restart (ms); doubled for each failure in a row. */
  baseMs: number;
  /** The longest delay between restarts (ms). */
  maxMs: number;
  /** Failures in a row after which the supervisor stops restarting. */
  maxFailures: number;
  /** A core that ran this long before dying counts as a fresh start, not a failure in a row. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: Backoff = {
  baseMs: 500,
  maxMs: 15_000,
  maxFailures: 8,
  stableMs: 60_000,
};

/** The wait before restart number `failures` (1 = the first failure in a row). */
export function restartDelay(failures: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
}

export type CoreStatus = 'idle' | 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface ReadyInfo {
  startupWarnings: string[];
}

export interface SupervisorLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SupervisorOptions {
  spawn(): CoreProcess;
  /** Main's answers to the core (the salt, from safeStorage). */
  shellHandlers: Handlers<typeof shellRequests>;
  log: SupervisorLog;
  /** Default setTimeout; returns the function that cancels. */
  schedule?(run: () => void, ms: number): () => void;
  now?(): number;
  backoff?: Partial<Backoff>;
  /** How long a closing core may take before it is killed (ms). */
  closeTimeoutMs?: number;
  /** How long a starting core may take to be ready before it is killed (ms). */
  readyTimeoutMs?: number;
  /** The core kept dying: the supervisor gave up (main tells the cashier). */
  onGiveUp?(message: string): void;
}

export const CORE_RESTARTED: InvokeResult = {
  ok: false,
  status: 409,
  error: {
    error:
      'The terminal core restarted before answering. Nothing is lost: an unfinished sale is ' +
      'being checked with the gateway — look at it in History before charging again.',
    code: 'terminal-core-restarted',
  },
};

export const CORE_RESTARTING: InvokeResult = {
  ok: false,
  status: 409,
  error: {
    error: 'The terminal is restarting: try again in a moment.',
    code: 'terminal-not-ready',
  },
};

export const CORE_STOPPED: InvokeResult = {
  ok: false,
  status: 409,
  error: { error: 'The terminal is shutting down.', code: 'terminal-closed' },
};

export class CoreStartError extends Error {
  readonly code = 'core-start-failed';
  constructor(message: string) {
    super(message);
    this.name = 'CoreStartError';
  }
}

type MainPeer = PortPeer<
  typeof shellRequests,
  typeof coreRequests,
  typeof coreEvents,
  Record<string, never>
>;

interface Running {
  process: CoreProcess;
  peer: MainPeer;
  readyAt: number | null;
  startupFailure: string | null;
  exited: boolean;
  exitWaiters: Array<() => void>;
  cancelReadyTimer?: () => void;
}

export class CoreSupervisor implements Host {
  private readonly backoff: Backoff;
  private readonly schedule: (run: () => void, ms: number) => () => void;
  private readonly now: () => number;
  private running: Running | null = null;
  private status_: CoreStatus = 'idle';
  private failures = 0;
  private everReady = false;
  private cancelRestart: (() => void) | null = null;
  private readonly listeners = new Set<HostEventListener>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private firstStart: { resolve(info: ReadyInfo): void; reject(error: Error): void } | null = null;
  /** Restart delays asked for so far (what the backoff chose; tests read it). */
  readonly restartDelays: number[] = [];

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.schedule =
      options.schedule ??
      ((run, ms) => {
        const timer = setTimeout(run, ms);
        return () => clearTimeout(timer);
      });
    this.now = options.now ?? (() => performance.now());
  }

  get status(): CoreStatus {
    return this.status_;
  }

  get connected(): boolean {
    return this.status_ === 'ready';
  }

  /** Starts the first core; resolves once it is ready, rejects if it cannot start. */
  start(): Promise<ReadyInfo> {
    if (this.status_ !== 'idle') return Promise.reject(new Error('already started'));
    return new Promise<ReadyInfo>((resolve, reject) => {
      this.firstStart = { resolve, reject };
      this.launch();
    });
  }

  async invoke(channel: string, request: unknown): Promise<InvokeResult> {
    const running = this.running;
    if (this.status_ === 'stopped' || this.status_ === 'failed') return CORE_STOPPED;
    if (!running || this.status_ !== 'ready') return CORE_RESTARTING;
    try {
      return await running.peer.request('invoke', { channel, request });
    } catch (error) {
      if (error instanceof PeerClosedError) return CORE_RESTARTED;
      this.options.log.error(
        `the core could not answer ${channel}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return {
        ok: false,
        status: 500,
        error: { error: 'Something went wrong in the terminal; it was logged.', code: 'internal' },
      };
    }
  }

  connect(listener: HostEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The screen's "reconnecting" banner: false when the core went away, true when back. */
  onConnection(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => {
      this.connectionListeners.delete(listener);
    };
  }

  /** Closes the core (journal, scanners) and ends it; no restart after this. */
  async stop(): Promise<void> {
    if (this.status_ === 'stopped') return;
    const wasReady = this.status_ === 'ready';
    this.setStatus('stopped');
    this.cancelRestart?.();
    this.cancelRestart = null;
    const running = this.running;
    if (!running || running.exited) return;
    const exited = new Promise<void>((resolve) => running.exitWaiters.push(resolve));
    const cancelKill = this.schedule(() => {
      this.options.log.warn('the terminal core did not close in time: ending it');
      running.process.kill();
    }, this.options.closeTimeoutMs ?? 10_000);
    if (wasReady) {
      try {
        await running.peer.request('close', {});
      } catch (error) {
        if (!(error instanceof PeerClosedError)) {
          this.options.log.warn(
            `the terminal core did not close cleanly: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    }
    // The terminal is closed (or was never open): end the process.
    if (!running.exited) running.process.kill();
    await exited;
    cancelKill();
  }

  private setStatus(status: CoreStatus): void {
    const was = this.connected;
    this.status_ = status;
    if (was !== this.connected) {
      for (const listener of [...this.connectionListeners]) {
        try {
          listener(this.connected);
        } catch (error) {
          this.options.log.error(`connection listener failed: ${String(error)}`);
        }
      }
    }
  }

  private launch(): void {
    this.cancelRestart = null;
    if (this.status_ === 'stopped') return;
    this.setStatus(this.everReady ? 'restarting' : 'starting');
    let process: CoreProcess;
    try {
      process = this.options.spawn();
    } catch (error) {
      this.failed(
        null,
        `the terminal core could not be started: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    const running: Running = {
      process,
      readyAt: null,
      startupFailure: null,
      exited: false,
      exitWaiters: [],
      peer: new PortPeer({
        name: 'main',
        endpoint: process.endpoint,
        serves: shellRequests,
        handlers: this.options.shellHandlers,
        calls: coreRequests,
        receives: coreEvents,
        sends: {} as Record<string, never>,
        log: (message) => this.options.log.warn(message),
        closedError: () =>
          new PeerClosedError('the terminal core restarted', 'terminal-core-restarted'),
        onEvent: (channel, payload) => this.onCoreEvent(running, channel, payload),
      }),
    };
    this.running = running;
    const cancelReadyTimer = this.schedule(() => {
      if (running.readyAt !== null || running.exited) return;
      running.startupFailure ??= 'the terminal core did not get ready in time';
      this.options.log.error(`${running.startupFailure}: ending it`);
      running.process.kill();
    }, this.options.readyTimeoutMs ?? 120_000);
    running.cancelReadyTimer = cancelReadyTimer;
    process.onExit((code) => this.onExit(running, code));
  }

  private onCoreEvent(running: Running, channel: keyof typeof coreEvents, payload: unknown): void {
    if (this.running !== running) return;
    switch (channel) {
      case 'ready': {
        const info = payload as ReadyInfo;
        running.readyAt = this.now();
        running.cancelReadyTimer?.();
        const first = !this.everReady;
        this.everReady = true;
        if (this.status_ === 'stopped') return;
        this.setStatus('ready');
        if (first) {
          this.firstStart?.resolve({ startupWarnings: info.startupWarnings });
          this.firstStart = null;
        } else {
          this.options.log.info('the terminal core is back');
          for (const warning of info.startupWarnings) this.options.log.warn(warning);
        }
        return;
      }
      case 'startup-failed': {
        running.startupFailure = (payload as { message: string }).message;
        this.options.log.error(`the terminal core could not start: ${running.startupFailure}`);
        // Nothing to wait for: end it now (its exit drives what happens next).
        running.process.kill();
        return;
      }
      case 'contract': {
        const { channel: name, payload: body } = payload as {
          channel: keyof typeof eventChannels;
          payload: unknown;
        };
        // The core is another process: its events are checked against the contract here.
        const checked = eventChannels[name].safeParse(body);
        if (!checked.success) {
          this.options.log.warn(`main: ignored a ${name} event outside the contract`);
          return;
        }
        for (const listener of [...this.listeners]) {
          try {
            listener(name, checked.data);
          } catch (error) {
            this.options.log.error(`event listener failed: ${String(error)}`);
          }
        }
        return;
      }
      case 'log': {
        const { level, message } = payload as { level: 'info' | 'warn' | 'error'; message: string };
        this.options.log[level](`core: ${message}`);
        return;
      }
    }
  }

  private onExit(running: Running, code: number | null): void {
    running.exited = true;
    running.cancelReadyTimer?.();
    running.peer.close();
    for (const resolve of running.exitWaiters.splice(0)) resolve();
    if (this.running !== running) return;
    this.running = null;
    if (this.status_ === 'stopped') return;
    const reason =
      running.startupFailure ??
      `the terminal core stopped (exit code ${code === null ? 'unknown' : code})`;
    // A core that could not open on the very first start will not open on the next try
    // either (a damaged journal, a missing driver…): say why instead of retrying.
    if (!this.everReady && running.startupFailure !== null) {
      this.failed(running, reason);
      return;
    }
    const stable =
      running.readyAt !== null && this.now() - running.readyAt >= this.backoff.stableMs;
    this.failures = stable ? 1 : this.failures + 1;
    if (this.failures > this.backoff.maxFailures) {
      this.failed(running, `${reason}; it stopped ${this.failures} times in a row`);
      return;
    }
    const delay = restartDelay(this.failures, this.backoff);
    this.restartDelays.push(delay);
    this.options.log.error(`${reason}: restarting it in ${delay} ms`);
    this.setStatus('restarting');
    this.cancelRestart = this.schedule(() => this.launch(), delay);
  }

  private failed(_running: Running | null, message: string): void {
    this.setStatus('failed');
    this.options.log.error(message);
    if (this.firstStart) {
      this.firstStart.reject(new CoreStartError(message));
      this.firstStart = null;
    } else {
      this.options.onGiveUp?.(message);
    }
  }
}
