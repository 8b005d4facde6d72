/**
 * Builds `window.pospay` (the contract's PosApi, and the connection state) over a transport;
 * the preload gives it ipcRenderer. Only the contract's channels pass; a failed invoke rejects with a plain
 * `{ name, message, error, code }` object (plain, so it crosses contextBridge intact).
 */
import type { EventChannel, InvokeChannel, PosApi } from '../../shared/ipc/contract.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from './channels.ts';

export interface BridgeTransport {
  /** Sends one invoke; resolves with the main side's `{ok, value}` / `{ok, error}` result. */
  invoke(channel: string, request: unknown): Promise<unknown>;
  /** Listens to every event; returns the function that stops listening. */
  subscribe(listener: (channel: string, payload: unknown) => void): () => void;
  /** Listens to the connection to the terminal core (true: up, false: reconnecting). */
  subscribeConnection?(listener: (connected: boolean) => void): () => void;
}

/**
 * `window.pospay`: the contract's PosApi, plus, like browser mode's transport, the state of
 * the connection to the terminal (the screen's "reconnecting" banner).
 */
export interface BridgedPosApi extends PosApi {
  onConnection(listener: (connected: boolean) => void): () => void;
}

export interface PosApiRejection {
  name: 'PosApiError';
  message: string;
  error: string;
  code: string;
}

const invokeSet: ReadonlySet<string> = new Set(INVOKE_CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENT_CHANNELS);

export function rejection(error: string, code: string): PosApiRejection {
  return { name: 'PosApiError', message: error, error, code };
}

function readResult(result: unknown): { ok: true; value: unknown } | PosApiRejection {
  if (typeof result === 'object' && result !== null) {
    const r = result as { ok?: unknown; value?: unknown; error?: unknown };
    if (r.ok === true) return { ok: true, value: r.value ?? null };
    const e = r.error as { error?: unknown; code?: unknown } | undefined;
    if (r.ok === false && typeof e?.error === 'string' && typeof e.code === 'string') {
      return rejection(e.error, e.code);
    }
  }
  return rejection('The terminal gave an unreadable answer.', 'bad-answer');
}

export function createPosApi(transport: BridgeTransport): BridgedPosApi {
  const api = {
    async invoke(channel: InvokeChannel, request: unknown): Promise<unknown> {
      if (typeof channel !== 'string' || !invokeSet.has(channel)) {
        throw rejection(`No channel "${String(channel)}".`, 'unknown-channel');
      }
      const result = readResult(await transport.invoke(channel, request));
      if ('ok' in result) return result.value;
      throw result;
    },
    on(channel: EventChannel, listener: (payload: unknown) => void): () => void {
      if (typeof channel !== 'string' || !eventSet.has(channel)) {
        throw new Error(`No event channel "${String(channel)}".`);
      }
      if (typeof listener !== 'function') throw new Error('listener must be a function');
      return transport.subscribe((name, payload) => {
        if (name === channel) listener(payload);
      });
    },
    onConnection(listener: (connected: boolean) => void): () => void {
      if (typeof listener !== 'function') throw new Error('listener must be a function');
      return (
        transport.subscribeConnection?.((connected) => {
          if (typeof connected === 'boolean') listener(connected);
        }) ?? (() => {})
      );
    },
  };
  return api as BridgedPosApi;
}
