/**
 * Scanner spec strings (interfaces.md): `serial:PATH[@BAUD]`, `hid:VID:PID`, `hid:PATH`, `wedge`.
 *
 * Serial line settings may follow the baud rate, comma separated, after the last `@`:
 *   serial:/dev/ttyUSB0@9600                 9600 8N1, CR/LF/CRLF suffix
 *   serial:COM3@9600,7S2                     7 data bits, space parity, 2 stop bits
 *   serial:/dev/ttyACM0@115200,suffix=none,gap=30
 *                                            no suffix: a read ends after 30 ms of silence
 * Keys: baud, dataBits (5–8), parity (none|even|odd|mark|space), stopBits (1|1.5|2),
 * suffix (CR|LF|CRLF|none), gap (ms, for suffix=none), or a frame like 8N1 / 7E1 / 8N1.5.
 */

export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';
export type DataBits = 5 | 6 | 7 | 8;
export type StopBits = 1 | 1.5 | 2;
export type Suffix = 'CR' | 'LF' | 'CRLF' | 'none';

export interface SerialLineSettings {
  baudRate: number;
  dataBits: DataBits;
  parity: Parity;
  stopBits: StopBits;
  /** How a read ends. CR, LF and CRLF all accept the other two endings too (see serialSource). */
  suffix: Suffix;
  /** suffix `none`: silence in ms that ends a read. */
  interByteTimeoutMs: number;
}

export interface SerialSpec extends SerialLineSettings {
  kind: 'serial';
  path: string;
}

export type HidSpec =
  | { kind: 'hid'; vendorId: number; productId: number; path?: undefined }
  | { kind: 'hid'; path: string; vendorId?: undefined; productId?: undefined };

export type ScannerSpec = SerialSpec | HidSpec | { kind: 'wedge' };

export const DEFAULT_SERIAL: SerialLineSettings = {
  baudRate: 9600,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
  suffix: 'CR',
  interByteTimeoutMs: 40,
};

export class ScannerSpecError extends Error {
  constructor(
    readonly spec: string,
    detail: string,
  ) {
    super(`invalid scanner spec ${JSON.stringify(spec)}: ${detail}`);
    this.name = 'ScannerSpecError';
  }
}

const USAGE =
  'expected serial:PATH[@BAUD[,8N1][,suffix=CR|LF|CRLF|none][,gap=MS]], hid:VID:PID (hex), hid:PATH or wedge';

const PARITY_LETTERS: Record<string, Parity> = {
  N: 'none',
  E: 'even',
  O: 'odd',
  M: 'mark',
  S: 'space',
};

/** Parses a spec string; throws ScannerSpecError with a message that says what is wrong. */
export function parseScannerSpec(input: string): ScannerSpec {
  const spec = input.trim();
  if (spec === '') throw new ScannerSpecError(input, `it is empty; ${USAGE}`);
  if (spec.toLowerCase() === 'wedge') return { kind: 'wedge' };
  const colon = spec.indexOf(':');
  const scheme = colon < 0 ? spec.toLowerCase() : spec.slice(0, colon).toLowerCase();
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  if (scheme === 'serial') return parseSerial(input, rest);
  if (scheme === 'hid') return parseHid(input, rest);
  throw new ScannerSpecError(input, `unknown scanner kind "${scheme}"; ${USAGE}`);
}

/** Applies line-setting overrides (e.g. from settings) to a parsed serial spec, validating them. */
export function withSerialOverrides(
  spec: SerialSpec,
  overrides: Partial<SerialLineSettings>,
): SerialSpec {
  const merged: SerialSpec = { ...spec };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    applySetting(spec.path, merged, key, String(value));
  }
  return merged;
}

function parseSerial(input: string, rest: string): SerialSpec {
  const at = rest.lastIndexOf('@');
  const path = (at < 0 ? rest : rest.slice(0, at)).trim();
  if (path === '') {
    throw new ScannerSpecError(
      input,
      'serial needs a port path, e.g. serial:/dev/ttyUSB0 or serial:COM3',
    );
  }
  const spec: SerialSpec = { kind: 'serial', path, ...DEFAULT_SERIAL };
  if (at < 0) return spec;
  const settings = rest.slice(at + 1).trim();
  if (settings === '')
    throw new ScannerSpecError(input, 'nothing after "@"; give a baud rate, e.g. @9600');
  for (const raw of settings.split(',')) {
    const item = raw.trim();
    if (item === '') throw new ScannerSpecError(input, 'empty item in the line settings');
    const eq = item.indexOf('=');
    try {
      if (eq >= 0) applySetting(path, spec, item.slice(0, eq).trim(), item.slice(eq + 1).trim());
      else if (/^\d+$/.test(item)) applySetting(path, spec, 'baud', item);
      else if (/^[5-8][NEOMS](1|1\.5|2)$/i.test(item)) {
        applySetting(path, spec, 'dataBits', item.slice(0, 1));
        applySetting(path, spec, 'parity', PARITY_LETTERS[item.charAt(1).toUpperCase()] ?? '');
        applySetting(path, spec, 'stopBits', item.slice(2));
      } else if (/^(cr|lf|crlf|none)$/i.test(item)) applySetting(path, spec, 'suffix', item);
      else {
        throw new Error(
          `"${item}" is not a baud rate, a frame like 8N1 or 7E1, or a key=value setting`,
        );
      }
    } catch (error) {
      throw new ScannerSpecError(input, error instanceof Error ? error.message : String(error));
    }
  }
  return spec;
}

function applySetting(path: string, spec: SerialSpec, key: string, value: string): void {
  switch (key.toLowerCase()) {
    case 'baud':
    case 'baudrate': {
      const baud = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(baud) || baud < 50 || baud > 4_000_000) {
        throw new Error(`baud rate "${value}" must be a whole number between 50 and 4000000`);
      }
      spec.baudRate = baud;
      return;
    }
    case 'databits': {
      const bits = Number(value);
      if (bits !== 5 && bits !== 6 && bits !== 7 && bits !== 8) {
        throw new Error(`data bits "${value}" must be 5, 6, 7 or 8`);
      }
      spec.dataBits = bits;
      return;
    }
    case 'parity': {
      const parity = value.toLowerCase();
      if (!['none', 'even', 'odd', 'mark', 'space'].includes(parity)) {
        throw new Error(`parity "${value}" must be none, even, odd, mark or space`);
      }
      spec.parity = parity as Parity;
      return;
    }
    case 'stopbits': {
      const stop = Number(value);
      if (stop !== 1 && stop !== 1.5 && stop !== 2) {
        throw new Error(`stop bits "${value}" must be 1, 1.5 or 2`);
      }
      spec.stopBits = stop;
      return;
    }
    case 'suffix': {
      const suffix = value.toUpperCase();
      if (suffix === 'CR' || suffix === 'LF' || suffix === 'CRLF') spec.suffix = suffix;
      else if (suffix === 'NONE') spec.suffix = 'none';
      else throw new Error(`suffix "${value}" must be CR, LF, CRLF or none`);
      return;
    }
    case 'gap':
    case 'interbytetimeoutms':
    case 'timeout': {
      const ms = Number(value);
      if (!/^\d+$/.test(value) || ms < 1 || ms > 10_000) {
        throw new Error(
          `inter-byte gap "${value}" must be a whole number of ms between 1 and 10000`,
        );
      }
      spec.interByteTimeoutMs = ms;
      return;
    }
    default:
      throw new Error(
        `unknown serial setting "${key}" for ${path} (known: baud, dataBits, parity, stopBits, suffix, gap)`,
      );
  }
}

const HEX_ID = /^(0x)?[0-9a-f]{1,4}$/i;

function parseHid(input: string, rest: string): HidSpec {
  const body = rest.trim();
  if (body === '') {
    throw new ScannerSpecError(
      input,
      'hid needs VID:PID in hex (e.g. hid:0c2e:0b61) or a device path',
    );
  }
  const parts = body.split(':');
  if (parts.length === 2 && parts.every((p) => /^(0x)?[0-9a-f]*$/i.test(p))) {
    const [vid = '', pid = ''] = parts;
    if (!HEX_ID.test(vid) || !HEX_ID.test(pid)) {
      throw new ScannerSpecError(
        input,
        `"${body}" is not VID:PID; both ids are hex numbers up to ffff, e.g. hid:0c2e:0b61`,
      );
    }
    return { kind: 'hid', vendorId: parseInt(vid, 16), productId: parseInt(pid, 16) };
  }
  // A device path: /dev/hidraw0, \\?\hid#vid_0c2e&pid_…, DevSrvsID:4294969145 (macOS).
  if (!/[/\\:]/.test(body)) {
    throw new ScannerSpecError(
      input,
      `"${body}" is neither VID:PID (hex, e.g. hid:0c2e:0b61) nor a device path (e.g. hid:/dev/hidraw0)`,
    );
  }
  return { kind: 'hid', path: body };
}

/** The canonical spec string, e.g. for showing on the screen. */
export function formatScannerSpec(spec: ScannerSpec): string {
  if (spec.kind === 'wedge') return 'wedge';
  if (spec.kind === 'hid') {
    if (spec.path !== undefined) return `hid:${spec.path}`;
    return `hid:${hex4(spec.vendorId)}:${hex4(spec.productId)}`;
  }
  const parityLetter = spec.parity.charAt(0).toUpperCase();
  let text = `serial:${spec.path}@${spec.baudRate},${spec.dataBits}${parityLetter}${spec.stopBits}`;
  if (spec.suffix !== 'CR') text += `,suffix=${spec.suffix}`;
  if (spec.suffix === 'none') text += `,gap=${spec.interByteTimeoutMs}`;
  return text;
}

export function hex4(id: number): string {
  return id.toString(16).padStart(4, '0');
}
