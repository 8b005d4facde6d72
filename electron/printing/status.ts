/**
 * ESC/POS real-time status (`DLE EOT n`, 0x10 0x04 n). The printer answers one byte per
 * request: n=1 printer status (bit 3: offline), n=4 paper roll sensor (bits 5+6: paper end,
 * bits 2+3: paper near end). PURE: the bytes, and what an answer means.
 */
export const DLE_EOT_PRINTER = Uint8Array.of(0x10, 0x04, 0x01);
export const DLE_EOT_PAPER = Uint8Array.of(0x10, 0x04, 0x04);

/** Paper end: the roll sensor's bits 5 and 6 (0x60). */
export const PAPER_END_BITS = 0x60;
/** Offline: the printer status byte's bit 3 (0x08). */
export const OFFLINE_BIT = 0x08;

export type PrinterProblem =
  | { problem: 'out-of-paper'; reason: string }
  | { problem: 'offline'; reason: string }
  | { problem: 'unreachable'; reason: string }
  | { problem: 'unsupported'; reason: string }
  | { problem: 'write-failed'; reason: string };

/** What the printer-status byte says; null when it is fine. */
export function printerStatusProblem(byte: number): PrinterProblem | null {
  if ((byte & OFFLINE_BIT) !== 0) {
    return { problem: 'offline', reason: 'the printer is offline (cover open or error)' };
  }
  return null;
}

/** What the paper-sensor byte says; null when there is paper. */
export function paperStatusProblem(byte: number): PrinterProblem | null {
  if ((byte & PAPER_END_BITS) !== 0) {
    return { problem: 'out-of-paper', reason: 'the printer is out of paper' };
  }
  return null;
}

export function noAnswer(timeoutMs: number): PrinterProblem {
  return {
    problem: 'offline',
    reason: `the printer is offline (no answer to a status request within ${timeoutMs} ms)`,
  };
}
