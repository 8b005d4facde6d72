/**
 * The renderer's only way to the terminal: the contract's PosApi. In Electron the preload
 * exposes it as `window.pospay`; in browser mode the same API is served on this origin
 * (`POST /api/invoke/<channel>`, Server-Sent Events on `GET /api/events`). Either way every
 * request, response and event is checked against the contract's zod schemas here.
 */
import {
  eventChannels,
  invokeChannels,
  IpcErrorSchema,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
  type PosApi,
} from '../../../shared/ipc/contract.ts';

/** An error the terminal answered with (or a failure to reach it), ready to show. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const parsed = IpcErrorSchema.safeParse(error);
  if (parsed.success) return new ApiError(parsed.data.code, parsed.data.error);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // Electron wraps errors thrown in the main process: "Error invoking remote method …: X".
    const message = error.message.replace(/^Error invoking remote method '[^']*': (Error: )?/, '');
    const embedded = /^\{.*\}$/.test(message) ? IpcErrorSchema.safeParse(safeJson(message)) : null;
    if (embedded?.success) return new ApiError(embedded.data.code, embedded.data.error);
    return new ApiError(typeof code === 'string' && code ? code : 'error', message);
  }
  return new ApiError('error', String(error));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export type ConnectionListener = (connected: boolean) => void;

export interface HttpPosApi extends PosApi {
  /** Browser mode only: the event stream's connection state. */
  onConnection(listener: ConnectionListener): () => void;
}

/** The browser-mode transport (fetch + EventSource) on `base` (this page's origin). */
export function createHttpApi(base: string): HttpPosApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<ConnectionListener>();
  let source: EventSource | null = null;

  const ensureSource = (): void => {
    if (source) return;
    source = new EventSource(`${base}/api/events`);
    source.onopen = () => connectionListeners.forEach((l) => l(true));
    source.onerror = () => connectionListeners.forEach((l) => l(false));
    for (const channel of Object.keys(eventChannels)) {
      source.addEventListener(channel, (event) => {
        const data = safeJson((event as MessageEvent<string>).data);
        listeners.get(channel)?.forEach((listener) => listener(data));
      });
    }
  };

  return {
    async invoke(channel, request) {
      let response: Response;
      try {
        response = await fetch(`${base}/api/invoke/${channel}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
        });
      } catch {
        throw new ApiError('offline', 'The terminal service cannot be reached.');
      }
      const body = safeJson(await response.text());
      if (!response.ok) {
        const parsed = IpcErrorSchema.safeParse(body);
        throw parsed.success
          ? new ApiError(parsed.data.code, parsed.data.error)
          : new ApiError(`http-${response.status}`, `The terminal answered ${response.status}.`);
      }
      return body as never;
    },
    on(channel, listener) {
      ensureSource();
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    onConnection(listener) {
      ensureSource();
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}

/**
 * Wraps a transport so that requests and responses are validated against the contract and
 * failures surface as ApiError; an event that does not match the contract goes to `onBadEvent`.
 */
export function validatingApi(
  raw: PosApi,
  onBadEvent: (channel: EventChannel, message: string) => void = () => undefined,
): PosApi {
  return {
    async invoke<C extends InvokeChannel>(
      channel: C,
      request: InvokeRequest<C>,
    ): Promise<InvokeResponse<C>> {
      const spec = invokeChannels[channel];
      const checkedRequest = spec.request.safeParse(request);
      if (!checkedRequest.success) {
        throw new ApiError('invalid-request', checkedRequest.error.issues[0]?.message ?? 'invalid');
      }
      let answer: unknown;
      try {
        answer = await raw.invoke(channel, request);
      } catch (error) {
        throw toApiError(error);
      }
      const checked = spec.response.safeParse(answer);
      if (!checked.success) {
        throw new ApiError(
          'bad-response',
          `The terminal's answer to ${channel} was not understood.`,
        );
      }
      return checked.data as InvokeResponse<C>;
    },
    on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void) {
      return raw.on(channel, (payload) => {
        const checked = eventChannels[channel].safeParse(payload);
        if (checked.success) listener(checked.data as EventPayload<C>);
        else onBadEvent(channel, checked.error.issues[0]?.message ?? 'invalid');
      });
    },
  };
}
