/**
 * A fake ESC/POS printer for tests: collects the bytes it is sent and answers the real-time
 * status requests (`DLE EOT 1` printer, `DLE EOT 4` paper) like a printer does — with paper,
 * out of paper (paper-end bits 0x60), or not at all (a printer that does not answer). Over a
 * socat pty pair (the app opens end a, the fake holds end b) or a TCP server on 127.0.0.1.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import { startSocatPair, type SocatPair } from './socatPair.ts';

/**
 * `offline`: the printer-status byte has its offline bit (0x08), e.g. the cover open.
 * `runs-out`: paper until a receipt begins (ESC @), then the roll has ended.
 */
export type PaperState = 'ok' | 'out-of-paper' | 'offline' | 'silent' | 'runs-out';

/** Fixed bits 1 and 4 set, nothing wrong (ESC/POS DLE EOT answer). */
const STATUS_OK = 0x12;

/** ESC @: a receipt begins (the printer is initialised). */
export const ESC_AT = Uint8Array.of(0x1b, 0x40);
/** GS V: the paper is cut (the end of a receipt). */
export const CUT = Uint8Array.of(0x1d, 0x56);
/** DLE EOT 1 then DLE EOT 4: the printer and paper status, asked before a receipt. */
export const STATUS_REQUESTS = Uint8Array.of(0x10, 0x04, 0x01, 0x10, 0x04, 0x04);

export interface FakePrinter {
  /** Every byte received so far, status requests included. */
  received(): Buffer;
  paper: PaperState;
  close(): Promise<void>;
}

/**
 * What a printer answers to the bytes just received (one status byte per DLE EOT n in them);
 * `jobSeen`: a receipt already began (for 'runs-out'). Any link can use it (serial, TCP, HID).
 */
export function statusReplies(data: Uint8Array, state: PaperState, jobSeen = false): number[] {
  if (state === 'silent') return [];
  const paper = state === 'runs-out' ? (jobSeen ? 'out-of-paper' : 'ok') : state;
  const replies: number[] = [];
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] !== 0x10 || data[i + 1] !== 0x04) continue;
    const n = data[i + 2];
    if (n === 1) replies.push(paper === 'offline' ? STATUS_OK | 0x08 : STATUS_OK);
    if (n === 4) replies.push(paper === 'out-of-paper' ? STATUS_OK | 0x60 : STATUS_OK);
  }
  return replies;
}

export interface SerialFakePrinter extends FakePrinter {
  pair: SocatPair;
  /** The spec the app prints to: serial:<end a>. */
  spec: string;
}

export async function startSerialFakePrinter(
  options: { paper?: PaperState; linkA?: string } = {},
): Promise<SerialFakePrinter> {
  const pair = await startSocatPair(options.linkA ? { linkA: options.linkA } : {});
  const port = new SerialPort({ path: pair.b, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => (error ? reject(error) : resolve())),
  );
  port.on('error', () => undefined);
  const chunks: Buffer[] = [];
  const fake: SerialFakePrinter = {
    pair,
    spec: `serial:${pair.a}`,
    paper: options.paper ?? 'ok',
    received: () => Buffer.concat(chunks),
    async close() {
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
      await pair.stop();
    },
  };
  port.on('data', (data: Buffer) => {
    chunks.push(data);
    const replies = statusReplies(data, fake.paper, jobStarted(chunks));
    if (replies.length > 0) port.write(Buffer.from(replies));
  });
  return fake;
}

export interface TcpFakePrinter extends FakePrinter {
  port: number;
  spec: string;
}

export async function startTcpFakePrinter(
  options: { paper?: PaperState } = {},
): Promise<TcpFakePrinter> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      const replies = statusReplies(data, fake.paper, jobStarted(chunks));
      if (replies.length > 0) socket.write(Buffer.from(replies));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const fake: TcpFakePrinter = {
    port,
    spec: `tcp:127.0.0.1:${port}`,
    paper: options.paper ?? 'ok',
    received: () => Buffer.concat(chunks),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/** True once a receipt began (ESC @ received). */
function jobStarted(chunks: Buffer[]): boolean {
  return Buffer.concat(chunks).includes(Buffer.from(ESC_AT));
}

/** Index of `needle` in `haystack`, -1 when absent. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(haystack).indexOf(Buffer.from(needle));
}
