/**
 * The byte links to a printer: serial (serialport), TCP (port 9100), USB HID (node-hid, hid.ts)
 * and file (raw bytes).
 * Each connects, writes, asks a one-byte status question and closes. A failure is thrown as
 * a PrinterFault naming the problem in words; printer.ts turns it into `{ printed: false }`.
 */
import { createConnection, type Socket } from 'node:net';
import { closeSync, openSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { PrinterProblem } from './status.ts';
import type { PrinterSpec } from './spec.ts';
import {
  hidReports,
  nodeHidPrinterBackend,
  openHidPrinter,
  type HidPrinterBackend,
} from './hid.ts';

export class PrinterFault extends Error {
  constructor(readonly detail: PrinterProblem) {
    super(detail.reason);
    this.name = 'PrinterFault';
  }
}

export interface PrinterLink {
  /** False for `file:` (nobody answers a status request). */
  readonly answersStatus: boolean;
  /**
   * True where silence is not "offline" (HID printers often answer status only to their
   * vendor's driver): a status answered is obeyed, no answer prints anyway.
   */
  readonly statusOptional?: boolean;
  write(bytes: Uint8Array): Promise<void>;
  /** Sends `command` and resolves with the first byte answered, or null after `timeoutMs`. */
  ask(command: Uint8Array, timeoutMs: number): Promise<number | null>;
  close(): Promise<void>;
  /** Lets go at once, whatever is still being written (a printer that stopped taking it). */
  destroy(): void;
}

export interface LinkOptions {
  /** How long connecting may take (ms). */
  connectTimeoutMs: number;
  /** USB HID printers (default: node-hid). */
  hid?: HidPrinterBackend;
}

export async function openLink(spec: PrinterSpec, options: LinkOptions): Promise<PrinterLink> {
  switch (spec.kind) {
    case 'serial':
      return openSerial(spec.path, spec.baudRate);
    case 'tcp':
      return openTcp(spec.host, spec.port, options.connectTimeoutMs);
    case 'file':
      return openFile(spec.path);
    case 'usb':
      return openUsbHid(spec, options.hid ?? nodeHidPrinterBackend);
  }
}

async function openUsbHid(
  spec: Extract<PrinterSpec, { kind: 'usb' }>,
  backend: HidPrinterBackend,
): Promise<PrinterLink> {
  const opened = await openHidPrinter(spec, backend);
  if (!opened.ok) throw new PrinterFault(opened.problem);
  const { handle, where } = opened;
  const write = async (bytes: Uint8Array) => {
    try {
      for (const report of hidReports(bytes)) await handle.write(report);
    } catch (error) {
      throw writeFault(where, error);
    }
  };
  return {
    answersStatus: true,
    statusOptional: true,
    write,
    ask: async (command, timeoutMs) => {
      await write(command);
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const data = await handle.read(Math.max(1, deadline - Date.now())).catch(() => undefined);
        // Report id first when the device numbers its reports; the answer is the first byte
        // of the payload either way (a zero report id is not an ESC/POS status byte).
        const byte =
          data && data.length > 0
            ? data[0] === 0 && data.length > 1
              ? data[1]
              : data[0]
            : undefined;
        if (byte !== undefined) return byte;
      }
      return null;
    },
    close: () => handle.close().catch(() => undefined),
    destroy: () => {
      void handle.close().catch(() => undefined);
    },
  };
}

/** One-byte answers, handed to the question waiting for them. */
class Answers {
  private waiting: ((byte: number) => void) | null = null;

  push(data: Buffer): void {
    const first = data[0];
    if (first === undefined || !this.waiting) return;
    const deliver = this.waiting;
    this.waiting = null;
    deliver(first);
  }

  next(timeoutMs: number, send: () => Promise<void>): Promise<number | null> {
    return new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        resolve(null);
      }, timeoutMs);
      this.waiting = (byte) => {
        clearTimeout(timer);
        resolve(byte);
      };
      send().catch((error: unknown) => {
        clearTimeout(timer);
        this.waiting = null;
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function openSerial(path: string, baudRate: number): Promise<PrinterLink> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => {
      if (!error) return resolve();
      reject(
        new PrinterFault({
          problem: 'unreachable',
          reason: `no printer at ${path} (${reason(error)})`,
        }),
      );
    });
  });
  const answers = new Answers();
  port.on('data', (data: Buffer) => answers.push(data));
  // An unplug while open: later writes fail and are reported; never an unhandled 'error'.
  port.on('error', () => undefined);
  const write = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(bytes), (error) => {
        if (error) return reject(writeFault(path, error));
        port.drain((drainError) => (drainError ? reject(writeFault(path, drainError)) : resolve()));
      });
    });
  return {
    answersStatus: true,
    write,
    ask: (command, timeoutMs) => answers.next(timeoutMs, () => write(command)),
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
    destroy: () => {
      port.destroy();
    },
  };
}

function writeFault(where: string, error: unknown): PrinterFault {
  return new PrinterFault({
    problem: 'write-failed',
    reason: `the printer at ${where} stopped taking data (${reason(error)})`,
  });
}

async function openTcp(host: string, port: number, timeoutMs: number): Promise<PrinterLink> {
  const where = `${host}:${port}`;
  const socket: Socket = await new Promise<Socket>((resolve, reject) => {
    const s = createConnection({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(
        new PrinterFault({
          problem: 'unreachable',
          reason: `no printer at ${where} (no connection within ${timeoutMs} ms)`,
        }),
      );
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new PrinterFault({
          problem: 'unreachable',
          reason: `no printer at ${where} (${reason(error)})`,
        }),
      );
    });
  });
  socket.setNoDelay(true);
  const answers = new Answers();
  let failure: Error | null = null;
  socket.on('data', (data: Buffer) => answers.push(data));
  socket.on('error', (error) => {
    failure = error;
  });
  const write = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(writeFault(where, failure));
      socket.write(Buffer.from(bytes), (error) =>
        error ? reject(writeFault(where, error)) : resolve(),
      );
    });
  return {
    answersStatus: true,
    write,
    ask: (command, timeoutMs) => answers.next(timeoutMs, () => write(command)),
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        // Once everything written is handed to the system, let go of the socket: a printer
        // that never closes its side must not keep `pospay print` running.
        socket.end(() => {
          socket.destroy();
          resolve();
        });
        socket.once('close', () => resolve());
        socket.once('error', () => resolve());
      }),
    destroy: () => {
      socket.destroy();
    },
  };
}

function openFile(path: string): PrinterLink {
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (error) {
    throw new PrinterFault({
      problem: 'unreachable',
      reason: `cannot write the receipt to ${path} (${reason(error)})`,
    });
  }
  let open = true;
  return {
    answersStatus: false,
    write: (bytes) => {
      try {
        writeSync(fd, bytes);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(writeFault(path, error));
      }
    },
    ask: () => Promise.resolve(null),
    close: () => {
      if (open) closeSync(fd);
      open = false;
      return Promise.resolve();
    },
    destroy: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
