/**
 * Starts the terminal in browser mode in this process, as `pospay serve` does, against the
 * embedded simulator at a small time scale, in a fresh temporary data folder. For end-to-end
 * tests (Playwright drives `url`) and integration tests of the app layer.
 *
 *   const terminal = await startTerminalServer();
 *   await page.goto(terminal.url);            // http://127.0.0.1:PORT/?token=…, as printed
 *   await invokeOverHttp(terminal.url, 'sale:current', {});   // sends the token
 *   …
 *   expect(terminal.ledger()).toHaveLength(1);
 *   await terminal.close();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBrowserServer } from '../../electron/app/browserServer.ts';
import { rendererDir } from '../../electron/app/paths.ts';
import { ensureRendererBuilt } from '../../electron/app/rendererBuild.ts';
import type { LedgerEntry } from '../../electron/simulator/index.ts';
import {
  createTerminalApp,
  type AppLogger,
  type TerminalApp,
} from '../../electron/app/terminalApp.ts';

export interface TerminalServerOptions {
  /** Time scale of the embedded simulator (default 0.05: a 3 s wallet wait takes 150 ms). */
  timeScale?: number;
  /** Data folder (journal, settings); default a fresh temporary folder removed by close(). */
  dataDir?: string;
  /**
   * Environment the terminal reads (POS_SCANNER, POS_GATEWAY_URL, POS_SALT…). The test
   * process's own environment is NOT used, so tests do not depend on the machine.
   */
  env?: Record<string, string | undefined>;
  /** Built renderer to serve (default dist/renderer, built with Vite when missing). */
  staticDir?: string;
  /** Where the terminal's log lines go (default: kept in `logs`). */
  log?: AppLogger;
}

export interface TerminalServer {
  /**
   * The address `pospay serve` prints, with this launch's token: e.g.
   * http://127.0.0.1:41234/?token=… . invokeOverHttp and openEventStream take it as is.
   */
  url: string;
  /** e.g. http://127.0.0.1:41234 (no trailing slash, no token). */
  origin: string;
  /** The launch token /api requests must carry (header X-PosPay-Token). */
  token: string;
  dataDir: string;
  /** The terminal behind the server (invoke channels directly, listen to events). */
  app: TerminalApp;
  /** Log lines written so far (when no `log` option was given). */
  logs: string[];
  /** Money actually moved at the embedded simulator (training mode only). */
  ledger(): LedgerEntry[];
  close(): Promise<void>;
}

export async function startTerminalServer(
  options: TerminalServerOptions = {},
): Promise<TerminalServer> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'pospay-browser-'));
  const staticDir = options.staticDir ?? rendererDir();
  if (options.staticDir === undefined) ensureRendererBuilt();
  const logs: string[] = [];
  const keep =
    (level: string) =>
    (message: string, ...details: unknown[]): void => {
      logs.push(
        `${level}: ${[message, ...details.map((d) => (d instanceof Error ? d.message : JSON.stringify(d)))].join(' ')}`,
      );
    };
  const log = options.log ?? { info: keep('info'), warn: keep('warn'), error: keep('error') };
  const app = await createTerminalApp({
    dataDir,
    env: options.env ?? {},
    timeScale: options.timeScale ?? 0.05,
    log,
  });
  let server;
  try {
    server = await startBrowserServer({ app, staticDir, port: 0 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const running = server;
  let closed = false;
  return {
    url: running.url,
    origin: running.origin,
    token: running.token,
    dataDir,
    app,
    logs,
    ledger() {
      const simulator = app.simulator();
      if (!simulator) throw new Error('ledger(): the terminal is not in training mode');
      return simulator.ledger() as LedgerEntry[];
    },
    async close() {
      if (closed) return;
      closed = true;
      await running.close();
      await app.close();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (null for an empty or non-JSON body). */
  json: unknown;
  text: string;
}

/**
 * The origin and launch token of a terminal address: http://127.0.0.1:PORT/?token=T gives
 * the origin and T; an address without `?token=` gives no token (the request is refused).
 */
export function splitTerminalUrl(url: string): { origin: string; token: string | null } {
  const parsed = new URL(url);
  return { origin: parsed.origin, token: parsed.searchParams.get('token') };
}

/**
 * POST /api/invoke/<channel> as the cashier screen does (same-origin JSON, with the token of
 * `url`, the terminal's printed address). `headers` are added last (and can replace these).
 */
export async function invokeOverHttp(
  url: string,
  channel: string,
  request: unknown,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  const { origin, token } = splitTerminalUrl(url);
  const response = await fetch(`${origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Origin: origin,
      ...(token === null ? {} : { 'X-PosPay-Token': token }),
      ...headers,
    },
    body: JSON.stringify(request),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), json, text };
}

export interface EventStream {
  /** Every event received so far, in order. */
  events: Array<{ channel: string; payload: unknown }>;
  close(): void;
}

/**
 * Opens GET /api/events as the page's EventSource does (token of `url`, the terminal's printed
 * address, as ?token=) and collects the Server-Sent Events as they arrive.
 */
export async function openEventStream(url: string): Promise<EventStream> {
  const { origin, token } = splitTerminalUrl(url);
  const controller = new AbortController();
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const response = await fetch(`${origin}/api/events${query}`, {
    headers: { Origin: origin, Accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
  const events: EventStream['events'] = [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const channel = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (channel && data !== undefined) events.push({ channel, payload: JSON.parse(data) });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return { events, close: () => controller.abort() };
}
