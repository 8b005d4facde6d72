/**
 * Printing a receipt: connect, ask the printer's status (DLE EOT), write, ask again (paper
 * that ended during the receipt), close. A receipt is
 * never a condition of a sale: every printer problem becomes `{ printed: false, reason }`;
 * this never throws for one.
 */
import type { HidPrinterBackend } from './hid.ts';
import { openLink, PrinterFault } from './links.ts';
import { parsePrinterSpec, type PrinterSpec } from './spec.ts';
import {
  DLE_EOT_PAPER,
  DLE_EOT_PRINTER,
  noAnswer,
  paperStatusProblem,
  printerStatusProblem,
  type PrinterProblem,
} from './status.ts';

export type PrintResult = { printed: true } | { printed: false; reason: string };

export interface PrintOptions {
  /** How long the printer may take to answer a status request before it is "offline". */
  statusTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** USB HID printers (default: node-hid); tests give a fake. */
  hid?: HidPrinterBackend;
  /**
   * How long the whole receipt may take once connected (status and writing): a printer that
   * stops taking data (flow control held, a network printer that stops reading) is let go
   * after this, not waited for forever.
   */
  writeDeadlineMs?: number;
}

export const DEFAULT_STATUS_TIMEOUT_MS = 1500;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
export const DEFAULT_WRITE_DEADLINE_MS = 45_000;

/** Checks the printer's status (where it can answer); null when it may print. */
export async function checkStatus(
  ask: (command: Uint8Array, timeoutMs: number) => Promise<number | null>,
  timeoutMs: number,
  silenceIsFine = false,
): Promise<PrinterProblem | null> {
  const printer = await ask(DLE_EOT_PRINTER, timeoutMs);
  if (printer === null) return silenceIsFine ? null : noAnswer(timeoutMs);
  const offline = printerStatusProblem(printer);
  if (offline) return offline;
  const paper = await ask(DLE_EOT_PAPER, timeoutMs);
  if (paper === null) return silenceIsFine ? null : noAnswer(timeoutMs);
  return paperStatusProblem(paper);
}

/** Sends `bytes` to the printer `spec` names (a PrinterSpec or its text). */
export async function printBytes(
  spec: PrinterSpec | string,
  bytes: Uint8Array,
  options: PrintOptions = {},
): Promise<PrintResult> {
  let parsed: PrinterSpec;
  if (typeof spec === 'string') {
    const result = parsePrinterSpec(spec);
    if (!result.ok) return { printed: false, reason: result.message };
    parsed = result.spec;
  } else {
    parsed = spec;
  }
  const statusTimeoutMs = options.statusTimeoutMs ?? DEFAULT_STATUS_TIMEOUT_MS;
  let link;
  try {
    link = await openLink(parsed, {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      ...(options.hid ? { hid: options.hid } : {}),
    });
  } catch (error) {
    return notPrinted(error);
  }
  const opened = link;
  const deadlineMs = options.writeDeadlineMs ?? DEFAULT_WRITE_DEADLINE_MS;
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const job = (async (): Promise<PrintResult> => {
    if (opened.answersStatus) {
      const problem = await checkStatus(
        (c, t) => opened.ask(c, t),
        statusTimeoutMs,
        opened.statusOptional === true,
      );
      if (problem) return { printed: false, reason: problem.reason };
    }
    await opened.write(bytes);
    if (opened.answersStatus) {
      // Asked again once the receipt is sent: a roll that ended (or a cover opened) during
      // it leaves a receipt cut short. Silence now is not a failure: the job was taken.
      const after = await checkStatus((c, t) => opened.ask(c, t), statusTimeoutMs, true);
      if (after) {
        return {
          printed: false,
          reason:
            after.problem === 'out-of-paper'
              ? 'the printer ran out of paper during the receipt: load paper and reprint'
              : `${after.reason} during the receipt: reprint it`,
        };
      }
    }
    return { printed: true };
  })();
  const giveUp = new Promise<PrintResult>((resolve) => {
    timer = setTimeout(() => {
      stalled = true;
      resolve({
        printed: false,
        reason: `the printer stopped taking the receipt (not done within ${Math.round(deadlineMs / 1000)} s)`,
      });
    }, deadlineMs);
  });
  try {
    return await Promise.race([job, giveUp]);
  } catch (error) {
    return notPrinted(error);
  } finally {
    clearTimeout(timer);
    job.catch(() => undefined);
    // A stalled link is torn down, not closed politely (that would wait for it too).
    if (stalled) opened.destroy();
    else await opened.close().catch(() => undefined);
  }
}

function notPrinted(error: unknown): PrintResult {
  if (error instanceof PrinterFault) return { printed: false, reason: error.message };
  return {
    printed: false,
    reason: `printer error: ${error instanceof Error ? error.message : String(error)}`,
  };
}
