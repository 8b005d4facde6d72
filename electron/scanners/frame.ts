/**
 * Turns one framed read (the bytes between two suffixes, or one burst) into either the
 * scanned text or a rejection with a reason. Line noise, garbage bytes, invalid UTF-8 and
 * over-long reads are never passed on as a scan.
 */
import type { RejectReason } from './types.ts';
import { stripAimId } from '../../shared/paymentCode.ts';

/** The IPC contract caps a code at 512 characters; nothing a wallet shows comes close. */
export const DEFAULT_MAX_LENGTH = 512;

export type FrameResult =
  | { ok: true; text: string; symbology?: string }
  | { ok: false; reason: RejectReason; detail: string; text: string }
  /** Only line endings / nothing: not a read at all. */
  | { ok: 'empty' };

const CR = 0x0d;
const LF = 0x0a;
/** GS (FNC1 separator in GS1 codes): the one control character a scanner legitimately sends. */
const GS = 0x1d;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function checkRead(input: Uint8Array, maxLength = DEFAULT_MAX_LENGTH): FrameResult {
  let start = 0;
  let end = input.length;
  // A device sending CRLF to a port configured for CR (or the reverse) leaves a stray line
  // ending at one side of the read: tolerate it rather than reject every scan.
  while (start < end && (input[start] === CR || input[start] === LF)) start += 1;
  while (end > start && (input[end - 1] === CR || input[end - 1] === LF)) end -= 1;
  if (start === end) return { ok: 'empty' };
  const bytes = input.subarray(start, end);
  if (bytes.length > maxLength) {
    return {
      ok: false,
      reason: 'too-long',
      detail: `read of ${bytes.length} bytes is longer than the ${maxLength} a scan may have`,
      text: printable(bytes.subarray(0, 64)) + '…',
    };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return {
      ok: false,
      reason: 'invalid-utf8',
      detail: 'the bytes are not valid text (line noise or a wrong baud rate/parity?)',
      text: printable(bytes),
    };
  }
  const bad = firstControl(text);
  if (bad !== undefined) {
    return {
      ok: false,
      reason: 'control-characters',
      detail: `contains control character 0x${bad.toString(16).padStart(2, '0')} (line noise or a wrong line setting?)`,
      text: printable(bytes),
    };
  }
  const stripped = stripAimId(text);
  if (stripped.text === '') return { ok: 'empty' };
  return stripped.symbology === undefined
    ? { ok: true, text: stripped.text }
    : { ok: true, text: stripped.text, symbology: stripped.symbology };
}

function firstControl(text: string): number | undefined {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code === GS) continue;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0xfffd) return code;
  }
  return undefined;
}

/** The read made readable: printable ASCII (and valid non-control UTF-8) as is, the rest as \xNN. */
export function printable(bytes: Uint8Array): string {
  let decoded: string | undefined;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    decoded = undefined;
  }
  if (decoded !== undefined) {
    let out = '';
    for (const char of decoded) {
      const code = char.codePointAt(0) ?? 0;
      if (code < 0x20 || (code >= 0x7f && code <= 0x9f))
        out += `\\x${code.toString(16).padStart(2, '0')}`;
      else if (char === '\\') out += '\\\\';
      else out += char;
    }
    return out;
  }
  let out = '';
  for (const byte of bytes) {
    if (byte >= 0x20 && byte < 0x7f) out += byte === 0x5c ? '\\\\' : String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}
