/**
 * Helpers of the scan→wire benches (scanToWire, scanToWireWan): a loopback "WAN" (a TCP proxy
 * that delays every chunk by a fixed time each way), a pty writer, and small waiting and
 * statistics tools.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface DelayProxy {
  /** e.g. https://127.0.0.1:41234 (TLS passes through untouched). */
  baseUrl: string;
  /** TCP connections accepted so far (each one is a TLS handshake for the gateway). */
  connections(): number;
  /** Closes every connection, as a server does when its keep-alive window lapses. */
  dropAll(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of `targetPort` that holds every chunk `delayMs` before
 * passing it on, in each direction (so a round trip costs 2 × delayMs more). Order is kept:
 * every chunk waits the same time. An end (FIN) is delayed the same way. A new connection
 * costs its TCP handshake too: the loopback accept is instant, so what the client sends is
 * not passed on before one round trip after the accept (SYN, SYN-ACK) plus the one-way delay.
 */
export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  let connections = 0;
  const open = new Set<net.Socket>();
  /** Passes `from`'s chunks (and its end) to `to` in order, each one `delayMs` later. */
  const pipeDelayed = (from: net.Socket, to: net.Socket, notBefore = 0): void => {
    const queue: { due: number; chunk: Buffer | null }[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const pump = (): void => {
      timer = null;
      while (queue.length > 0 && (queue[0]?.due ?? 0) <= performance.now()) {
        const item = queue.shift();
        if (!item || to.destroyed) continue;
        if (item.chunk) to.write(item.chunk);
        else to.end();
      }
      const next = queue[0];
      if (next) timer = setTimeout(pump, Math.max(0, next.due - performance.now()));
    };
    const push = (chunk: Buffer | null): void => {
      queue.push({ due: Math.max(performance.now() + delayMs, notBefore), chunk });
      timer ??= setTimeout(pump, Math.max(0, (queue[0]?.due ?? 0) - performance.now()));
    };
    from.on('data', (chunk: Buffer) => push(chunk));
    from.on('end', () => push(null));
  };
  const later = (fn: () => void): void => void setTimeout(fn, delayMs);
  const server = net.createServer((client) => {
    connections += 1;
    client.setNoDelay(true);
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', noDelay: true });
    open.add(client);
    open.add(upstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', closeBoth);
      socket.on('close', () => {
        open.delete(socket);
        later(closeBoth);
      });
    }
    // The client's first bytes leave once the TCP handshake would have completed.
    pipeDelayed(client, upstream, performance.now() + 3 * delayMs);
    pipeDelayed(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    dropAll: () => {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes into the "scanner" end of a pty pair; returns the time the last byte was written. */
export function ptyWriter(ptyPath: string): { send(text: string): number; close(): void } {
  const fd = openSync(ptyPath, constants.O_WRONLY | constants.O_NOCTTY);
  return {
    send(text) {
      writeSync(fd, Buffer.from(text, 'latin1'));
      return performance.now();
    },
    close: () => closeSync(fd),
  };
}

/** A tiny signal: wake every subscriber. */
export function signal(): { fire(): void; subscribe(wake: () => void): () => void } {
  const wakers = new Set<() => void>();
  return {
    fire: () => {
      for (const wake of [...wakers]) wake();
    },
    subscribe: (wake) => {
      wakers.add(wake);
      return () => wakers.delete(wake);
    },
  };
}

/** Resolves with `check()` once it has a value (checked again whenever `subscribe` wakes it). */
export function waitFor<T>(
  check: () => T | undefined,
  subscribe: (wake: () => void) => () => void,
  label: string,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const now = check();
    if (now !== undefined) return resolve(now);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out: ${label}`));
    }, timeoutMs);
    const off = subscribe(() => {
      const value = check();
      if (value === undefined) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const round = (n: number): number => Math.round(n * 1000) / 1000;
