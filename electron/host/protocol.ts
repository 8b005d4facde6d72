/**
 * The message protocol between Electron's main process and the terminal core (a utility
 * process), over a MessagePort (MessageChannelMain; in the core, the port that came with
 * the first message on process.parentPort). Three kinds of message, zod-validated on arrival:
 *
 *   { type: 'request',  id, channel, payload }            either side asks
 *   { type: 'response', id, ok: true, value }             … and gets an answer
 *   { type: 'response', id, ok: false, error: { message, code } }
 *   { type: 'event',    channel, payload }                one-way news
 *
 * Each side's channels and their payloads are typed tables (coreRequests, shellRequests,
 * coreEvents below). A message that does not fit is ignored and logged by its shape only —
 * never its content, which may carry the salt. When the other side goes away (port closed,
 * process gone) every request still waiting is rejected: nothing hangs.
 *
 * Runs under plain Node: the tests use node:worker_threads' MessageChannel.
 */
import { z } from 'zod';
import { eventChannels, IpcErrorSchema } from '../../shared/ipc/contract.ts';

export const PORT_PROTOCOL_VERSION = 1;

const IdSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const ChannelNameSchema = z.string().min(1).max(64);

export const RequestMessageSchema = z.strictObject({
  type: z.literal('request'),
  id: IdSchema,
  channel: ChannelNameSchema,
  payload: z.unknown(),
});
export const ResponseMessageSchema = z.union([
  z.strictObject({
    type: z.literal('response'),
    id: IdSchema,
    ok: z.literal(true),
    value: z.unknown(),
  }),
  z.strictObject({
    type: z.literal('response'),
    id: IdSchema,
    ok: z.literal(false),
    error: z.strictObject({ message: z.string().max(8000), code: z.string().min(1).max(64) }),
  }),
]);
export const EventMessageSchema = z.strictObject({
  type: z.literal('event'),
  channel: ChannelNameSchema,
  payload: z.unknown(),
});
export const PortMessageSchema = z.union([
  RequestMessageSchema,
  ResponseMessageSchema,
  EventMessageSchema,
]);
export type PortMessage = z.output<typeof PortMessageSchema>;

// ---------------------------------------------------------------------------------------
// The channels.

/** An invoke's result as TerminalApp.invoke gives it (handlers.ts InvokeResult). */
export const InvokeResultSchema = z.union([
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({
    ok: z.literal(false),
    status: z.union([
      z.literal(400),
      z.literal(404),
      z.literal(409),
      z.literal(422),
      z.literal(500),
    ]),
    error: IpcErrorSchema,
  }),
]);

const SaltStorageSchema = z.enum(['none', 'encrypted', 'memory-only', 'environment']);
/** Main's secret store as the core sees it; `salt` is only ever sent to the core. */
export const SecretSnapshotSchema = z.strictObject({
  salt: z.string().min(1).max(128).nullable(),
  storage: SaltStorageSchema,
  isAvailable: z.boolean(),
  persistent: z.boolean(),
});
export const SecretStateSchema = SecretSnapshotSchema.omit({ salt: true });

/** What main asks the core. */
export const coreRequests = {
  /** One contract invoke (the core validates it against the contract again). */
  invoke: {
    request: z.strictObject({ channel: ChannelNameSchema, request: z.unknown() }),
    response: InvokeResultSchema,
  },
  /** Close the terminal (scanners, engine, journal) before the process is ended. */
  close: { request: z.strictObject({}), response: z.strictObject({}) },
} as const;

/** What the core asks main (which alone has Electron's safeStorage). */
export const shellRequests = {
  'secret:get': { request: z.strictObject({}), response: SecretSnapshotSchema },
  'secret:set': {
    request: z.strictObject({ salt: z.string().min(1).max(128) }),
    response: SecretStateSchema,
  },
  'secret:clear': { request: z.strictObject({}), response: SecretStateSchema },
  /**
   * The terminal's data key (base64 of 32 bytes; it seals payment tokens at rest), kept by
   * main with safeStorage like the salt and made there on first use; null when main cannot
   * keep one (the core's members then cannot read tokens: they link again). Only ever sent
   * to the core; never logged (this protocol logs shapes only).
   */
  'data-key:get': {
    request: z.strictObject({}),
    response: z.strictObject({ key: z.string().max(128).nullable() }),
  },
} as const;

const eventChannelNames = Object.keys(eventChannels) as [
  keyof typeof eventChannels,
  ...(keyof typeof eventChannels)[],
];

/** What the core tells main. */
export const coreEvents = {
  /** The terminal is open and answers invokes. */
  ready: z.strictObject({ startupWarnings: z.array(z.string().max(2000)).max(50) }),
  /** The terminal could not open (the message says why); the process is about to end. */
  'startup-failed': z.strictObject({ message: z.string().max(8000) }),
  /** A contract event for the screen (main checks the payload against the contract). */
  contract: z.strictObject({ channel: z.enum(eventChannelNames), payload: z.unknown() }),
  /** A log line (already redacted by the core). */
  log: z.strictObject({
    level: z.enum(['info', 'warn', 'error']),
    message: z.string().max(64 * 1024),
  }),
} as const;

/** Main tells the core nothing unasked. */
export const shellEvents = {} as const;

/** The first message on the core's parentPort, with main's end of the channel's other port. */
export const ConnectMessageSchema = z.strictObject({
  type: z.literal('connect'),
  protocol: z.literal(PORT_PROTOCOL_VERSION),
  dataDir: z.string().min(1).max(4096),
  /** The better-sqlite3 addon for Electron's ABI (null: the package's own). */
  nativeBinding: z.string().min(1).max(4096).nullable(),
});
export type ConnectMessage = z.output<typeof ConnectMessageSchema>;

export type RequestTable = Record<string, { request: z.ZodType; response: z.ZodType }>;
export type EventTable = Record<string, z.ZodType>;
export type RequestIn<T extends RequestTable, K extends keyof T> = z.input<T[K]['request']>;
export type RequestOut<T extends RequestTable, K extends keyof T> = z.output<T[K]['request']>;
export type ResponseOut<T extends RequestTable, K extends keyof T> = z.output<T[K]['response']>;
export type ResponseIn<T extends RequestTable, K extends keyof T> = z.input<T[K]['response']>;
export type Handlers<T extends RequestTable> = {
  [K in keyof T]: (payload: RequestOut<T, K>) => Promise<ResponseIn<T, K>> | ResponseIn<T, K>;
};
export type EventHandler<T extends EventTable> = <K extends keyof T & string>(
  channel: K,
  payload: z.output<T[K]>,
) => void;

// ---------------------------------------------------------------------------------------
// Ports.

/** One end of a channel, whatever carries it. */
export interface MessageEndpoint {
  send(message: PortMessage): void;
  /** Every message that arrives; returns the function that stops listening. */
  listen(listener: (data: unknown) => void): () => void;
  /** Called once when the other end goes away. */
  onClose(listener: () => void): void;
  close(): void;
}

/** node:worker_threads MessagePort (tests, and anything Node-only). */
export interface NodePortLike {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (value: unknown) => void): unknown;
  close(): void;
}

/** Electron's MessagePortMain: messages arrive as `{ data, ports }`, after start(). */
export interface ElectronPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  start(): void;
  close(): void;
}

export function nodePortEndpoint(port: NodePortLike): MessageEndpoint {
  return {
    send: (message) => port.postMessage(message),
    listen(listener) {
      port.on('message', listener);
      return () => {
        port.off('message', listener);
      };
    },
    onClose: (listener) => {
      port.on('close', listener);
    },
    close: () => port.close(),
  };
}

export function electronPortEndpoint(port: ElectronPortLike): MessageEndpoint {
  let started = false;
  return {
    send: (message) => port.postMessage(message),
    listen(listener) {
      const handler = (event: { data: unknown }): void => listener(event?.data);
      port.on('message', handler);
      if (!started) {
        started = true;
        port.start();
      }
      return () => {
        port.off('message', handler);
      };
    },
    onClose: (listener) => {
      port.on('close', listener);
    },
    close: () => port.close(),
  };
}

// ---------------------------------------------------------------------------------------
// The peer: one side of the protocol.

/** A request the other side refused (its `{ message, code }`). */
export class PeerRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PeerRequestError';
  }
}

/** The other side went away before answering. */
export class PeerClosedError extends Error {
  readonly code: string;
  constructor(message: string, code = 'peer-closed') {
    super(message);
    this.name = 'PeerClosedError';
    this.code = code;
  }
}

/** The shape of what was wrong with a message: paths and issue codes, never values. */
export function describeInvalid(error: z.ZodError): string {
  const seen = new Set<string>();
  for (const issue of error.issues) {
    seen.add(`${issue.path.length ? issue.path.join('.') : 'message'}: ${issue.code}`);
    if (seen.size >= 4) break;
  }
  return [...seen].join('; ');
}

export interface PeerOptions<
  Serves extends RequestTable,
  Calls extends RequestTable,
  Receives extends EventTable,
  Sends extends EventTable,
> {
  /** Used in log lines ("main", "core"). */
  name: string;
  endpoint: MessageEndpoint;
  serves: Serves;
  handlers: Handlers<Serves>;
  calls: Calls;
  receives: Receives;
  sends: Sends;
  onEvent?: EventHandler<Receives>;
  /** Problems with messages (never their content). */
  log(message: string): void;
  /** What waiting requests are rejected with when the other side goes away. */
  closedError?: () => Error;
}

interface Pending {
  channel: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class PortPeer<
  Serves extends RequestTable,
  Calls extends RequestTable,
  Receives extends EventTable,
  Sends extends EventTable,
> {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopListening: () => void;
  private closedWith: Error | null = null;
  private readonly closeListeners = new Set<(error: Error) => void>();

  constructor(private readonly options: PeerOptions<Serves, Calls, Receives, Sends>) {
    this.stopListening = options.endpoint.listen((data) => this.receive(data));
    options.endpoint.onClose(() => this.close());
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Called once, with the error waiting requests were rejected with. */
  onClose(listener: (error: Error) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.add(listener);
  }

  request<K extends keyof Calls & string>(
    channel: K,
    payload: RequestIn<Calls, K>,
  ): Promise<ResponseOut<Calls, K>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<ResponseOut<Calls, K>>((resolve, reject) => {
      this.pending.set(id, {
        channel,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      try {
        this.options.endpoint.send({ type: 'request', id, channel, payload });
      } catch (error) {
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  emit<K extends keyof Sends & string>(channel: K, payload: z.input<Sends[K]>): void {
    if (this.closedWith) return;
    const checked = this.options.sends[channel]?.safeParse(payload);
    if (!checked?.success) {
      this.options.log(
        `${this.options.name}: event ${channel} not sent, outside the protocol${checked ? ` (${describeInvalid(checked.error)})` : ''}`,
      );
      return;
    }
    this.trySend({ type: 'event', channel, payload: checked.data });
  }

  /** Rejects every waiting request and stops listening. */
  close(error?: Error): void {
    if (this.closedWith) return;
    const reason =
      error ??
      this.options.closedError?.() ??
      new PeerClosedError(`${this.options.name}: port closed`);
    this.closedWith = reason;
    this.stopListening();
    this.stopListening = () => {};
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const entry of waiting) entry.reject(reason);
    try {
      this.options.endpoint.close();
    } catch {
      // already closed
    }
    for (const listener of this.closeListeners) listener(reason);
    this.closeListeners.clear();
  }

  private trySend(message: PortMessage): void {
    try {
      this.options.endpoint.send(message);
    } catch (error) {
      this.options.log(
        `${this.options.name}: a ${message.type} could not be sent (${error instanceof Error ? error.name : 'error'})`,
      );
    }
  }

  private receive(data: unknown): void {
    if (this.closedWith) return;
    const parsed = PortMessageSchema.safeParse(data);
    if (!parsed.success) {
      this.options.log(
        `${this.options.name}: ignored an invalid message (${describeInvalid(parsed.error)})`,
      );
      return;
    }
    const message = parsed.data;
    if (message.type === 'request') void this.answer(message.id, message.channel, message.payload);
    else if (message.type === 'response') this.settle(message);
    else this.deliver(message.channel, message.payload);
  }

  private async answer(id: number, channel: string, payload: unknown): Promise<void> {
    const fail = (code: string, text: string): void =>
      this.trySend({ type: 'response', id, ok: false, error: { code, message: text } });
    const spec = Object.prototype.hasOwnProperty.call(this.options.serves, channel)
      ? this.options.serves[channel]
      : undefined;
    if (!spec) {
      this.options.log(`${this.options.name}: ignored a request on unknown channel "${channel}"`);
      fail('unknown-channel', `No channel "${channel}".`);
      return;
    }
    const request = spec.request.safeParse(payload);
    if (!request.success) {
      const shape = describeInvalid(request.error);
      this.options.log(`${this.options.name}: refused an invalid ${channel} request (${shape})`);
      fail('invalid-request', `Invalid ${channel} request (${shape}).`);
      return;
    }
    let value: unknown;
    try {
      const handler = this.options.handlers[channel] as (payload: unknown) => unknown;
      value = await handler(request.data);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      fail(
        typeof code === 'string' && code !== '' ? code.slice(0, 64) : 'internal',
        error instanceof Error ? error.message : String(error),
      );
      return;
    }
    const response = spec.response.safeParse(value);
    if (!response.success) {
      this.options.log(
        `${this.options.name}: the ${channel} answer was outside the protocol (${describeInvalid(response.error)})`,
      );
      fail('internal', `The ${channel} answer was outside the protocol.`);
      return;
    }
    if (this.closedWith) return;
    this.trySend({ type: 'response', id, ok: true, value: response.data });
  }

  private settle(message: z.output<typeof ResponseMessageSchema>): void {
    const entry = this.pending.get(message.id);
    if (!entry) {
      this.options.log(`${this.options.name}: ignored an answer to no request (${message.id})`);
      return;
    }
    this.pending.delete(message.id);
    if (!message.ok) {
      entry.reject(new PeerRequestError(message.error.code, message.error.message));
      return;
    }
    const spec = this.options.calls[entry.channel];
    const value = spec?.response.safeParse(message.value);
    if (!value?.success) {
      const shape = value ? describeInvalid(value.error) : 'unknown channel';
      this.options.log(`${this.options.name}: the ${entry.channel} answer was invalid (${shape})`);
      entry.reject(new PeerRequestError('bad-answer', `The ${entry.channel} answer was invalid.`));
      return;
    }
    entry.resolve(value.data);
  }

  private deliver(channel: string, payload: unknown): void {
    const schema = Object.prototype.hasOwnProperty.call(this.options.receives, channel)
      ? this.options.receives[channel]
      : undefined;
    if (!schema) {
      this.options.log(`${this.options.name}: ignored an event on unknown channel "${channel}"`);
      return;
    }
    const checked = schema.safeParse(payload);
    if (!checked.success) {
      this.options.log(
        `${this.options.name}: ignored an invalid ${channel} event (${describeInvalid(checked.error)})`,
      );
      return;
    }
    try {
      this.options.onEvent?.(channel as keyof Receives & string, checked.data as never);
    } catch (error) {
      this.options.log(
        `${this.options.name}: the ${channel} event handler failed (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
}
