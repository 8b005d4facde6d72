/**
 * USB HID POS input reports (scanners.md §2), pure. Layout as node-hid reads it, 64 bytes:
 *
 *   0 report id 0x02 | 1 data length (≤ 56) | 2–4 AIM id (may be zeros) | 5–60 data, zero padded
 *   61 vendor symbology byte | 62 reserved | 63 bit 0 = more reports follow
 *
 * Some stacks strip the report id, shifting everything left by one (63 bytes). The layout is
 * found defensively: a candidate offset is accepted only if its length, AIM and data bytes are
 * consistent; the report-id layout is tried first.
 */

export const HID_POS_USAGE_PAGE = 0x8c;
export const HID_POS_REPORT_ID = 0x02;
export const HID_POS_MAX_DATA = 56;

export interface HidPosReport {
  layout: 'report-id' | 'no-report-id';
  /** AIM symbology id (`]Q1`) when the report carries one (not zeros). */
  aim?: string;
  /** The data bytes of this report (length from the length byte, padding removed). */
  data: Uint8Array;
  vendorSymbology: number;
  /** More reports follow with the rest of this code. */
  more: boolean;
}

export type HidParseResult = { ok: true; report: HidPosReport } | { ok: false; detail: string };

const AIM_BRACKET = 0x5d; // ']'

function isLetter(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a));
}

function isAlnum(byte: number | undefined): boolean {
  return byte !== undefined && (isLetter(byte) || (byte >= 0x30 && byte <= 0x39));
}

function tryLayout(bytes: Uint8Array, offset: 0 | 1): HidPosReport | string {
  const length = bytes[offset];
  if (length === undefined) return 'report too short';
  if (length > HID_POS_MAX_DATA) return `length byte ${length} is more than ${HID_POS_MAX_DATA}`;
  const dataStart = offset + 4;
  if (dataStart + length > bytes.length) {
    return `length byte ${length} runs past the end of a ${bytes.length}-byte report`;
  }
  const a0 = bytes[offset + 1] ?? 0;
  const a1 = bytes[offset + 2] ?? 0;
  const a2 = bytes[offset + 3] ?? 0;
  let aim: string | undefined;
  if (a0 === 0 && a1 === 0 && a2 === 0) aim = undefined;
  else if (a0 === AIM_BRACKET && isLetter(a1) && isAlnum(a2)) aim = String.fromCharCode(a0, a1, a2);
  else return 'bytes where the AIM id belongs are neither zeros nor ]<letter><modifier>';
  const data = bytes.slice(dataStart, dataStart + length);
  if (data.includes(0)) return 'a zero byte inside the data';
  const vendorSymbology = bytes[offset + 60] ?? 0;
  const flags = bytes[offset + 62] ?? 0;
  const report: HidPosReport = {
    layout: offset === 1 ? 'report-id' : 'no-report-id',
    data,
    vendorSymbology,
    more: (flags & 0x01) === 1,
  };
  if (aim !== undefined) report.aim = aim;
  return report;
}

export function parseHidPosReport(bytes: Uint8Array): HidParseResult {
  const problems: string[] = [];
  if (bytes[0] === HID_POS_REPORT_ID) {
    const withId = tryLayout(bytes, 1);
    if (typeof withId !== 'string') return { ok: true, report: withId };
    problems.push(`with report id: ${withId}`);
  }
  const withoutId = tryLayout(bytes, 0);
  if (typeof withoutId !== 'string') return { ok: true, report: withoutId };
  problems.push(`without report id: ${withoutId}`);
  return { ok: false, detail: `not a HID POS scan report (${problems.join('; ')})` };
}

/** Joins the reports of one code (continuation flag) into one read. */
export interface AssembledRead {
  data: Uint8Array;
  aim?: string;
  vendorSymbology: number;
  reports: number;
}

export class HidPosAssembler {
  private parts: Uint8Array[] = [];
  private first: HidPosReport | undefined;
  private total = 0;

  constructor(private readonly maxBytes = 4096) {}

  /** true while a multi-report code is incomplete. */
  get pending(): boolean {
    return this.first !== undefined;
  }

  get pendingBytes(): number {
    return this.total;
  }

  /**
   * Adds one report; returns the whole read when it is complete, `undefined` while more
   * reports are expected, or 'too-long' when the read passed `maxBytes` (the rest is dropped).
   */
  push(report: HidPosReport): AssembledRead | 'too-long' | undefined {
    if (!this.first) this.first = report;
    this.parts.push(report.data);
    this.total += report.data.length;
    if (this.total > this.maxBytes) {
      this.reset();
      return 'too-long';
    }
    if (report.more) return undefined;
    const first = this.first;
    const data = new Uint8Array(this.total);
    let at = 0;
    for (const part of this.parts) {
      data.set(part, at);
      at += part.length;
    }
    const reports = this.parts.length;
    this.reset();
    const read: AssembledRead = { data, vendorSymbology: first.vendorSymbology, reports };
    if (first.aim !== undefined) read.aim = first.aim;
    return read;
  }

  /** Drops a partial read; returns its bytes so far. */
  reset(): Uint8Array {
    const partial = new Uint8Array(this.total);
    let at = 0;
    for (const part of this.parts) {
      partial.set(part, at);
      at += part.length;
    }
    this.parts = [];
    this.first = undefined;
    this.total = 0;
    return partial;
  }
}
