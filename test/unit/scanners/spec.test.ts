import { describe, expect, it } from 'vitest';
import {
  formatScannerSpec,
  parseScannerSpec,
  ScannerSpecError,
  withSerialOverrides,
  type SerialSpec,
} from '../../../electron/scanners/spec.ts';

function serial(spec: string): SerialSpec {
  const parsed = parseScannerSpec(spec);
  if (parsed.kind !== 'serial') throw new Error(`expected a serial spec, got ${parsed.kind}`);
  return parsed;
}

describe('scanner spec strings', () => {
  it('serial with a baud rate, and the 9600 8N1 CR defaults without one', () => {
    expect(serial('serial:/dev/ttyUSB0@19200')).toEqual({
      kind: 'serial',
      path: '/dev/ttyUSB0',
      baudRate: 19200,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      suffix: 'CR',
      interByteTimeoutMs: 40,
    });
    expect(serial('serial:COM3')).toMatchObject({ path: 'COM3', baudRate: 9600, dataBits: 8 });
  });

  it('line settings after the baud rate: frame, suffix and gap', () => {
    expect(serial('serial:COM3@9600,7S2')).toMatchObject({
      baudRate: 9600,
      dataBits: 7,
      parity: 'space',
      stopBits: 2,
    });
    expect(serial('serial:/dev/ttyS1@115200,8M1.5,suffix=none,gap=25')).toMatchObject({
      parity: 'mark',
      stopBits: 1.5,
      suffix: 'none',
      interByteTimeoutMs: 25,
    });
    expect(
      serial('serial:/dev/ttyS1@9600,dataBits=6,parity=odd,stopBits=2,suffix=crlf'),
    ).toMatchObject({ dataBits: 6, parity: 'odd', stopBits: 2, suffix: 'CRLF' });
    expect(serial('serial:/dev/ttyS1@9600,LF').suffix).toBe('LF');
  });

  it('keeps colons in serial paths (Linux by-path names)', () => {
    expect(serial('serial:/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0@9600').path).toBe(
      '/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0',
    );
  });

  it('hid by VID:PID in hex, or by path (including macOS paths with a colon)', () => {
    expect(parseScannerSpec('hid:0c2e:0b61')).toEqual({
      kind: 'hid',
      vendorId: 0x0c2e,
      productId: 0x0b61,
    });
    expect(parseScannerSpec('hid:0x05E0:0x1300')).toEqual({
      kind: 'hid',
      vendorId: 0x05e0,
      productId: 0x1300,
    });
    expect(parseScannerSpec('hid:/dev/hidraw3')).toEqual({ kind: 'hid', path: '/dev/hidraw3' });
    expect(parseScannerSpec('hid:DevSrvsID:4294969145')).toEqual({
      kind: 'hid',
      path: 'DevSrvsID:4294969145',
    });
    expect(parseScannerSpec('WEDGE')).toEqual({ kind: 'wedge' });
  });

  it.each([
    ['', /empty/],
    ['usb:/dev/x', /unknown scanner kind "usb"/],
    ['serial:', /needs a port path/],
    ['serial:/dev/ttyUSB0@', /nothing after "@"/],
    ['serial:/dev/ttyUSB0@fast', /"fast" is not a baud rate/],
    ['serial:/dev/ttyUSB0@9600,9N1', /"9N1" is not a baud rate/],
    [
      'serial:/dev/ttyUSB0@9600,parity=weird',
      /parity "weird" must be none, even, odd, mark or space/,
    ],
    ['serial:/dev/ttyUSB0@9600,stopBits=3', /stop bits "3" must be 1, 1.5 or 2/],
    ['serial:/dev/ttyUSB0@9600,suffix=TAB', /suffix "TAB" must be CR, LF, CRLF or none/],
    ['serial:/dev/ttyUSB0@9600,gap=0', /gap "0"/],
    ['serial:/dev/ttyUSB0@9600,colour=red', /unknown serial setting "colour"/],
    ['serial:/dev/ttyUSB0@9600,,8N1', /empty item/],
    ['hid:', /VID:PID/],
    ['hid:0c2e', /neither VID:PID/],
    ['hid:0c2e:', /not VID:PID/],
    ['hid:12345:1', /not VID:PID/],
  ])('rejects %j with a message that says what is wrong', (spec, message) => {
    expect(() => parseScannerSpec(spec)).toThrow(ScannerSpecError);
    expect(() => parseScannerSpec(spec)).toThrow(message);
  });

  it('settings overrides are validated like the spec string', () => {
    const base = serial('serial:COM4');
    expect(
      withSerialOverrides(base, { baudRate: 38400, suffix: 'none', interByteTimeoutMs: 15 }),
    ).toMatchObject({ baudRate: 38400, suffix: 'none', interByteTimeoutMs: 15, path: 'COM4' });
    expect(() => withSerialOverrides(base, { dataBits: 9 as 8 })).toThrow(/data bits "9"/);
  });

  it('formats a canonical spec that parses back to the same settings', () => {
    for (const text of [
      'serial:COM3@9600,7S2',
      'serial:/dev/x@1200,8N1,suffix=none,gap=20',
      'hid:0c2e:0b61',
    ]) {
      const parsed = parseScannerSpec(text);
      expect(parseScannerSpec(formatScannerSpec(parsed))).toEqual(parsed);
    }
  });
});
