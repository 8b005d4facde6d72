import { describe, expect, it } from 'vitest';
import { HidPosAssembler, parseHidPosReport } from '../../../electron/scanners/hidReport.ts';

/** A zero-filled report with bytes placed at explicit offsets: the fixtures spell the layout out. */
function report(size: number, at: Record<number, number[] | string>): Uint8Array {
  const bytes = new Uint8Array(size);
  for (const [offset, value] of Object.entries(at)) {
    bytes.set(typeof value === 'string' ? Buffer.from(value, 'latin1') : value, Number(offset));
  }
  return bytes;
}

const ascii = (data: Uint8Array) => Buffer.from(data).toString('latin1');

describe('HID POS input report', () => {
  it('layout with report id 0x02 at byte 0 (64 bytes): length, AIM, data, vendor byte', () => {
    const fixture = report(64, {
      0: [0x02],
      1: [18],
      2: ']Q1',
      5: '134567890123456789',
      61: [0x31],
      63: [0x00],
    });
    const parsed = parseHidPosReport(fixture);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.report).toMatchObject({
      layout: 'report-id',
      aim: ']Q1',
      vendorSymbology: 0x31,
      more: false,
    });
    expect(ascii(parsed.report.data)).toBe('134567890123456789');
  });

  it('layout without the report id (stripped by the stack, 63 bytes): everything one to the left', () => {
    const fixture = report(63, {
      0: [18],
      1: ']Q1',
      4: '134567890123456789',
      60: [0x31],
      62: [0x00],
    });
    const parsed = parseHidPosReport(fixture);
    expect(parsed.ok && parsed.report.layout).toBe('no-report-id');
    expect(parsed.ok && ascii(parsed.report.data)).toBe('134567890123456789');
    expect(parsed.ok && parsed.report.aim).toBe(']Q1');
  });

  it('AIM bytes may be zeros: no symbology, data still read', () => {
    const fixture = report(64, { 0: [0x02], 1: [16], 5: '2812345678901234' });
    const parsed = parseHidPosReport(fixture);
    expect(parsed.ok && parsed.report.aim).toBeUndefined();
    expect(parsed.ok && ascii(parsed.report.data)).toBe('2812345678901234');
  });

  it('zero padding after the data is not part of the code', () => {
    const fixture = report(64, { 0: [0x02], 1: [3], 5: '123' });
    const parsed = parseHidPosReport(fixture);
    expect(parsed.ok && Array.from(parsed.report.data)).toEqual([0x31, 0x32, 0x33]);
  });

  it('a no-id report whose length byte happens to be 2 is not mistaken for the report-id layout', () => {
    const fixture = report(63, { 0: [2], 4: '42' });
    const parsed = parseHidPosReport(fixture);
    expect(parsed.ok && parsed.report.layout).toBe('no-report-id');
    expect(parsed.ok && ascii(parsed.report.data)).toBe('42');
  });

  it('continuation flag: bit 0 of the last byte', () => {
    const first = parseHidPosReport(report(64, { 0: [2], 1: [2], 5: 'ab', 63: [0x01] }));
    const last = parseHidPosReport(report(64, { 0: [2], 1: [2], 5: 'cd', 63: [0x02] }));
    expect(first.ok && first.report.more).toBe(true);
    expect(last.ok && last.report.more).toBe(false);
  });

  it.each([
    ['a length byte past 56', report(64, { 0: [0x02], 1: [57] }), /more than 56/],
    [
      'AIM bytes that are neither zeros nor ]xy',
      report(64, { 0: [0x02], 1: [1], 2: 'Q1x', 5: '1' }),
      /AIM/,
    ],
    [
      'a zero byte inside the data',
      report(64, { 0: [0x02], 1: [4], 5: [0x31, 0, 0x32, 0x33] }),
      /zero byte/,
    ],
    [
      'a report too short for its length byte',
      report(8, { 0: [0x02], 1: [20], 5: '123' }),
      /runs past the end/,
    ],
  ])('rejects %s, naming the problem', (_name, fixture, detail) => {
    const parsed = parseHidPosReport(fixture);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.detail).toMatch(detail);
  });
});

describe('joining a code that spans reports', () => {
  const part = (data: string, more: boolean, aim?: string) => {
    const at: Record<number, number[] | string> = {
      0: [0x02],
      1: [data.length],
      5: data,
      61: [0x51],
      63: [more ? 1 : 0],
    };
    if (aim) at[2] = aim;
    const parsed = parseHidPosReport(report(64, at));
    if (!parsed.ok) throw new Error(parsed.detail);
    return parsed.report;
  };

  it('a 100-character QR payload in two reports becomes one read with the first AIM id', () => {
    const text = 'https://example.com/' + 'x'.repeat(80);
    const assembler = new HidPosAssembler();
    expect(assembler.push(part(text.slice(0, 56), true, ']Q1'))).toBeUndefined();
    expect(assembler.pending).toBe(true);
    const read = assembler.push(part(text.slice(56), false));
    expect(read).toMatchObject({ aim: ']Q1', vendorSymbology: 0x51, reports: 2 });
    expect(read !== undefined && read !== 'too-long' && ascii(read.data)).toBe(text);
    expect(assembler.pending).toBe(false);
  });

  it('a read growing past the limit is refused and the assembler starts afresh', () => {
    const assembler = new HidPosAssembler(100);
    expect(assembler.push(part('1'.repeat(56), true))).toBeUndefined();
    expect(assembler.push(part('1'.repeat(56), true))).toBe('too-long');
    const next = assembler.push(part('134567890123456789', false));
    expect(next !== undefined && next !== 'too-long' && ascii(next.data)).toBe(
      '134567890123456789',
    );
  });
});
