/**
 * POST /api/invoke/<channel>: a JSON body of 64 KB at most (a larger one is answered 413 and
 * drained, never left to reset the connection), parsed and run on the terminal's host.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TerminalHost } from '../host/host.ts';
import { SECURITY_HEADERS, send, sendError } from './browserResponses.ts';

const MAX_BODY_BYTES = 64 * 1024;
/** After a 413, this much more of the body is read (so the client sees the answer) at most… */
const MAX_DRAIN_BYTES = 1024 * 1024;
/** …for at most this long; then the connection is dropped. */
const DRAIN_MS = 5_000;

/**
 * The request body as text, or 'too-large' as soon as it is known to exceed MAX_BODY_BYTES
 * (announced by Content-Length, or a chunked body growing past it). Rejects when the client
 * goes away before the end.
 */
function readBody(req: IncomingMessage): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > MAX_BODY_BYTES) {
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        stop();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    const onClose = (): void => onError(new Error('the client closed the connection mid-body'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * 413 for a body over the limit. The answer goes out at once, with `Connection: close`; the
 * rest of the body is then read and dropped (up to MAX_DRAIN_BYTES, for DRAIN_MS at most)
 * before the connection is closed: closing with the body unread would reset the connection,
 * and the client would see that instead of the answer.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  if (res.destroyed) return;
  const body = JSON.stringify({
    error: `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.`,
    code: 'body-too-large',
  });
  res.writeHead(413, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  res.write(body);
  let drained = 0;
  const finish = (): void => {
    clearTimeout(timer);
    req.off('data', onData);
    if (!res.writableEnded) res.end();
  };
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) finish();
  };
  const timer = setTimeout(finish, DRAIN_MS);
  timer.unref();
  if (req.complete) {
    finish();
    return;
  }
  req.on('data', onData);
  req.once('end', finish);
  req.once('close', finish);
  req.once('error', finish);
  req.resume();
}

/** Answers one invoke of `channel` on `terminal` (a rejection is answered 500 by the server). */
export async function answerInvoke(
  terminal: TerminalHost,
  channel: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    sendError(res, 415, 'unsupported-media-type', 'Send the request as application/json.');
    return;
  }
  let body: string;
  try {
    const read = await readBody(req);
    if (read === 'too-large') {
      refuseTooLarge(req, res);
      return;
    }
    body = read;
  } catch {
    // The client hung up mid-body: nobody is left to answer.
    sendError(res, 400, 'bad-body', 'The request body could not be read.');
    return;
  }
  let request: unknown;
  try {
    request = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    sendError(res, 400, 'invalid-json', 'The request body is not JSON.');
    return;
  }
  const result = await terminal.invoke(channel, request);
  if (result.ok) send(res, 200, JSON.stringify(result.value ?? null));
  else send(res, result.status, JSON.stringify(result.error));
}
