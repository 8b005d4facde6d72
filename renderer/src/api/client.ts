/**
 * The renderer's only way to the terminal: the contract's PosApi. In Electron the preload
 * exposes it as `window.pospay`; in browser mode the same API is served on this origin
 * (`POST /api/invoke/<channel>`, Server-Sent Events on `GET /api/events`), and every request
 * carries this launch's token (see takeLaunchToken). Either way every request, response and
 * event is checked against the contract's zod schemas here.
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
    /** A refusal before anything was sent: its ReasonCode, translated with its facts. */
    readonly reasonCode?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const parsed = IpcErrorSchema.safeParse(error);
  if (parsed.success) {
    return new ApiError(parsed.data.code, parsed.data.error, parsed.data.reasonCode);
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // Electron wraps errors thrown in the main process: "Error invoking remote method …: X".
    const message = error.message.replace(/^Error invoking remote method '[^']*': (Error: )?/, '');
    const embedded = /^\{.*\}$/.test(message) ? IpcErrorSchema.safeParse(safeJson(message)) : null;
    if (embedded?.success) {
      return new ApiError(embedded.data.code, embedded.data.error, embedded.data.reasonCode);
    }
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

/** The header browser mode expects the launch token in. */
export const TOKEN_HEADER = 'X-PosPay-Token';
/** The terminal's answer (401) to a request without this launch's token. */
export const TOKEN_REQUIRED_CODE = 'launch-token-required';
const TOKEN_STORAGE_KEY = 'pospay.launchToken';

/** The parts of `window` the launch token is read from and kept in. */
export interface TokenWindow {
  location: { href: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url?: string): void };
  sessionStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/**
 * Browser mode's launch token. The terminal prints its address as /?token=…: the token is
 * taken from there, kept in this tab's sessionStorage (a reload still works) and removed from
 * the address bar (not left on screen, in the history or in a bookmark). Without it in the
 * address, the one kept from earlier in this tab; null when there is none.
 */
export function takeLaunchToken(win: TokenWindow = window): string | null {
  const url = new URL(win.location.href);
  const fromAddress = url.searchParams.get('token');
  if (fromAddress) {
    try {
      win.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromAddress);
    } catch {
      // Storage switched off: this load still works, a reload will ask for the address.
    }
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromAddress;
  }
  try {
    return win.sessionStorage.getItem(TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

/** Drops the kept token (the terminal refused it: it was started again with a new one). */
export function forgetLaunchToken(win: Pick<TokenWindow, 'sessionStorage'> = window): void {
  try {
    win.sessionStorage.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // nothing kept
  }
}

/**
 * Browser mode: the customer display's own token (it may only read), asked for with this
 * launch's token — the customer display never holds the launch token.
 */
export async function fetchCustomerDisplayToken(base: string, token: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`${base}/api/customer-display`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: token },
    });
  } catch {
    throw new ApiError('offline', 'The terminal service cannot be reached.');
  }
  const body = safeJson(await response.text()) as { token?: unknown } | null;
  if (!response.ok || typeof body?.token !== 'string') {
    const parsed = IpcErrorSchema.safeParse(body);
    throw parsed.success
      ? new ApiError(parsed.data.code, parsed.data.error)
      : new ApiError(`http-${response.status}`, `The terminal answered ${response.status}.`);
  }
  return body.token;
}

export interface HttpPosApi extends PosApi {
  /** Browser mode only: the event stream's connection state. */
  onConnection(listener: ConnectionListener): () => void;
  /** Closes the event stream. */
  close(): void;
}

export interface HttpApiOptions {
  /** This launch's token (takeLaunchToken), sent on every request and the event stream. */
  token?: string | null;
  /** Called once when the terminal refuses the token (401): the page needs its address. */
  onTokenRefused?: () => void;
}

/** The browser-mode transport (fetch + EventSource) on `base` (this page's origin). */
export function createHttpApi(base: string, options: HttpApiOptions = {}): HttpPosApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<ConnectionListener>();
  let source: EventSource | null = null;
  const token = options.token ?? null;
  let refused = false;
  const tokenRefused = (): void => {
    source?.close();
    if (refused) return;
    refused = true;
    options.onTokenRefused?.();
  };

  const ensureSource = (): void => {
    if (source || refused) return;
    // EventSource sends no headers: the token goes in the query.
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    source = new EventSource(`${base}/api/events${query}`);
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
          headers: {
            'content-type': 'application/json',
            ...(token ? { [TOKEN_HEADER]: token } : {}),
          },
          body: JSON.stringify(request),
        });
      } catch {
        throw new ApiError('offline', 'The terminal service cannot be reached.');
      }
      const body = safeJson(await response.text());
      if (!response.ok) {
        const parsed = IpcErrorSchema.safeParse(body);
        if (response.status === 401 && parsed.success && parsed.data.code === TOKEN_REQUIRED_CODE) {
          tokenRefused();
        }
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
    close() {
      source?.close();
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
