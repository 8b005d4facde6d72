/**
 * The terminal's host, independent of the transport: a request goes to its handler and its
 * result comes back (never a throw); an event goes to every subscriber, each of which first
 * gets what a new screen starts with (the scanner state, the current sale). Browser mode's
 * HTTP/SSE server and the utility process's MessagePort (servePort below) both serve a
 * TerminalApp through it; in Electron's main process the CoreSupervisor is a Host too, whose
 * requests and events cross the port.
 */
import type { EventChannel } from '../../shared/ipc/contract.ts';
import type { InvokeResult } from '../app/handlers.ts';
import {
  coreEvents,
  coreRequests,
  PortPeer,
  shellRequests,
  type MessageEndpoint,
} from './protocol.ts';

export type HostEventListener = (channel: EventChannel, payload: unknown) => void;

/** What a host serves: a TerminalApp, or anything answering like one. */
export interface HostTarget {
  invoke(channel: string, request: unknown): Promise<InvokeResult>;
  onEvent(listener: HostEventListener): () => void;
  /** Events a new subscriber starts with (current sale, scanner state). */
  snapshotEvents?(): Array<{ channel: string; payload: unknown }>;
}

export interface Host {
  /** Runs one contract channel; never throws. */
  invoke(channel: string, request: unknown): Promise<InvokeResult>;
  /** The snapshot, then every event, to `listener` until the returned function is called. */
  connect(listener: HostEventListener): () => void;
}

/** A host over a TerminalApp: connect() in two steps, for a transport that needs them apart. */
export interface TerminalHost extends Host {
  /** What a new subscriber starts with; throws if the terminal cannot say. */
  snapshot(): Array<{ channel: string; payload: unknown }>;
  /** Every event from now on (a listener that throws is reported, not propagated). */
  subscribe(listener: HostEventListener): () => void;
}

export const INTERNAL_ERROR: InvokeResult = {
  ok: false,
  status: 500,
  error: { error: 'Something went wrong in the terminal; it was logged.', code: 'internal' },
};

export function createHost(
  target: HostTarget,
  onProblem: (message: string, error: unknown) => void = () => {},
): TerminalHost {
  const guarded =
    (listener: HostEventListener): HostEventListener =>
    (channel, payload) => {
      try {
        listener(channel, payload);
      } catch (error) {
        onProblem(`a subscriber refused ${channel}`, error);
      }
    };
  const snapshot = (): Array<{ channel: string; payload: unknown }> =>
    target.snapshotEvents?.() ?? [];
  const subscribe = (listener: HostEventListener): (() => void) =>
    target.onEvent(guarded(listener));
  return {
    async invoke(channel, request) {
      try {
        return await target.invoke(channel, request);
      } catch (error) {
        onProblem(`${channel} failed`, error);
        return INTERNAL_ERROR;
      }
    },
    snapshot,
    subscribe,
    connect(listener) {
      const deliver = guarded(listener);
      let first: Array<{ channel: string; payload: unknown }> = [];
      try {
        first = snapshot();
      } catch (error) {
        onProblem('the snapshot failed', error);
      }
      // Synchronously one after the other: no event can fall between snapshot and stream.
      // (A TerminalApp's snapshot holds contract channels only.)
      for (const { channel, payload } of first) deliver(channel as EventChannel, payload);
      return target.onEvent(deliver);
    },
  };
}

/** The core's side of the port: main's requests go to the host, its events to main. */
export type CorePeer = PortPeer<
  typeof coreRequests,
  typeof shellRequests,
  Record<string, never>,
  typeof coreEvents
>;

export interface CorePortOptions {
  endpoint: MessageEndpoint;
  /** Until set (the terminal is open), invokes are answered "starting". */
  host(): Host | null;
  /** Closes the terminal; the process is ended afterwards by main. */
  close(): Promise<void>;
  log(message: string): void;
}

export const STARTING: InvokeResult = {
  ok: false,
  status: 409,
  error: { error: 'The terminal is starting.', code: 'terminal-not-ready' },
};

/** Serves the contract over the port, in the utility process. */
export function servePort(options: CorePortOptions): CorePeer {
  return new PortPeer({
    name: 'core',
    endpoint: options.endpoint,
    serves: coreRequests,
    handlers: {
      invoke: async ({ channel, request }) => {
        const host = options.host();
        return host ? host.invoke(channel, request) : STARTING;
      },
      close: async () => {
        await options.close();
        return {};
      },
    },
    calls: shellRequests,
    receives: {} as Record<string, never>,
    sends: coreEvents,
    log: options.log,
  });
}

/** Every contract event of `host` to main, as `contract` events on the port. */
export function forwardEvents(host: Host, peer: CorePeer): () => void {
  return host.connect((channel, payload) => peer.emit('contract', { channel, payload }));
}
