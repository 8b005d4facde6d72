/**
 * Stand-ins for Electron's MessagePortMain and process.parentPort built on node:worker_threads'
 * MessageChannel, and a terminal core run in this process as `CoreSupervisor.spawn` would
 * start one (runCore over the port), so main's side and the core's side of the protocol are
 * tested under plain Node.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { createTerminalApp } from '../../electron/app/terminalApp.ts';
import { runCore, type ParentPortLike, type RunningCore } from '../../electron/host/coreProcess.ts';
import {
  nodePortEndpoint,
  PORT_PROTOCOL_VERSION,
  type ElectronPortLike,
} from '../../electron/host/protocol.ts';
import type { CoreProcess } from '../../electron/host/supervisor.ts';

type MessageListener = (event: { data: unknown }) => void;

/** A Node MessagePort that delivers `{ data }` like Electron's MessagePortMain. */
export function electronLikePort(port: MessagePort): ElectronPortLike & { started: number } {
  const wrapped = new Map<MessageListener, (value: unknown) => void>();
  const like = {
    started: 0,
    postMessage: (message: unknown) => port.postMessage(message),
    on(event: 'message' | 'close', listener: MessageListener | (() => void)) {
      if (event === 'close') {
        port.on('close', listener as () => void);
      } else {
        const inner = (value: unknown): void => (listener as MessageListener)({ data: value });
        wrapped.set(listener as MessageListener, inner);
        port.on('message', inner);
      }
      return like;
    },
    off(_event: 'message', listener: MessageListener) {
      const inner = wrapped.get(listener);
      if (inner) port.off('message', inner);
      return like;
    },
    start() {
      like.started += 1;
    },
    close: () => port.close(),
  };
  return like as ElectronPortLike & { started: number };
}

/** process.parentPort as a utility process has it: messages come as `{ data, ports }`. */
export class StandInParentPort extends EventEmitter implements ParentPortLike {
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  send(data: unknown, ports: ElectronPortLike[] = []): void {
    this.emit('message', { data, ports });
  }
}

export interface InProcessCore extends CoreProcess {
  running: Promise<RunningCore>;
  /** Lines the core wrote outside the port (stderr). */
  stderr: string[];
  exited: boolean;
}

/**
 * A core in this process: `kill()` (or a crash) ends it as a process would end, without
 * closing anything; its exit listeners then run.
 */
export function inProcessCore(options: {
  dataDir: string;
  openApp: typeof createTerminalApp;
  env?: Record<string, string | undefined>;
}): InProcessCore {
  const { port1, port2 } = new MessageChannel();
  const parent = new StandInParentPort();
  const exitListeners: Array<(code: number | null) => void> = [];
  const stderr: string[] = [];
  const core: InProcessCore = {
    endpoint: nodePortEndpoint(port1),
    exited: false,
    stderr,
    running: runCore(parent, {
      env: options.env ?? {},
      openApp: options.openApp,
      stderr: (line) => stderr.push(line),
      exit: (code) => end(code),
    }),
    onExit: (listener) => {
      exitListeners.push(listener);
    },
    kill: () => end(null),
  };
  function end(code: number | null): void {
    if (core.exited) return;
    core.exited = true;
    port2.close();
    for (const listener of exitListeners) listener(code);
  }
  parent.send(
    {
      type: 'connect',
      protocol: PORT_PROTOCOL_VERSION,
      dataDir: options.dataDir,
      nativeBinding: null,
    },
    [electronLikePort(port2)],
  );
  return core;
}
