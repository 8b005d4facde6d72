/**
 * GET /api/events: a Server-Sent Events stream of the terminal's events
 * (`event: <channel>\ndata: <json>\n\n`), starting with its snapshot (current sale, scanner
 * state), kept alive by a comment every 15 s.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TerminalHost } from '../host/host.ts';
import type { ServerLogger } from './browserServer.ts';
import { SECURITY_HEADERS } from './browserResponses.ts';

const HEARTBEAT_MS = 15_000;

/** Answers with the event stream; `streams` holds it while it is open (ended at close). */
export function openEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  terminal: TerminalHost,
  streams: Set<ServerResponse>,
  log: ServerLogger,
): void {
  // Taken first: if the app fails here the client still gets a proper 500.
  const snapshot = terminal.snapshot();
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 1000\n\n');
  const open = (): boolean => !res.writableEnded && !res.destroyed;
  // Called from the app's event emitter: it must not throw into the app.
  const write = (channel: string, payload: unknown): void => {
    if (!open()) return;
    let data: string;
    try {
      data = JSON.stringify(payload) ?? 'null';
    } catch (error) {
      log.error(`browser mode: event ${channel} could not be sent:`, error);
      return;
    }
    res.write(`event: ${channel}\ndata: ${data}\n\n`);
  };
  for (const { channel, payload } of snapshot) write(channel, payload);
  const unsubscribe = terminal.subscribe(write);
  const heartbeat = setInterval(() => {
    if (open()) res.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  streams.add(res);
  const done = (): void => {
    clearInterval(heartbeat);
    unsubscribe();
    streams.delete(res);
  };
  req.on('close', done);
  res.on('close', done);
  res.on('error', done);
}
