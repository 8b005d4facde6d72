import { afterEach, describe, expect, it } from 'vitest';
import { SerialPortMock } from 'serialport';
import { SerialScanner } from '../../../electron/scanners/serialSource.ts';
import { parseScannerSpec, type SerialSpec } from '../../../electron/scanners/spec.ts';
import type { ScannerEvents } from '../../../electron/scanners/types.ts';
import { record } from '../../support/eventTools.ts';

// The binding SerialPortMock really uses (importing @serialport/binding-mock directly may load a
// second copy of it under Vitest).
const MockBinding = SerialPortMock.binding;

/** Serial source on @serialport/binding-mock: framing and rejection without real hardware. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const scanners: SerialScanner[] = [];
afterEach(async () => {
  await Promise.all(scanners.splice(0).map((s) => s.close()));
  MockBinding.reset();
});

async function openMock(spec: string, options: { staleMs?: number; maxLength?: number } = {}) {
  const parsed = parseScannerSpec(spec) as SerialSpec;
  MockBinding.createPort(parsed.path, { echo: false, record: false });
  let port: SerialPortMock | undefined;
  const scanner = new SerialScanner(parsed, {
    ...options,
    createPort: (portOptions) => {
      port = new SerialPortMock(portOptions);
      return port;
    },
  });
  scanners.push(scanner);
  const events = record<ScannerEvents>(scanner, ['scan', 'rejected', 'state', 'error']);
  await scanner.open();
  const emit = (data: string | Buffer) => {
    if (!port?.port) throw new Error('port not open');
    port.port.emitData(data);
  };
  return { scanner, events, emit, port: () => port };
}

describe('serial framing (mock binding)', () => {
  it('opens the port with the line settings of the spec', async () => {
    const { scanner, port } = await openMock('serial:/dev/ttyMOCK0@19200,7S2');
    expect(scanner.state()).toMatchObject({ connected: true });
    expect(scanner.state().detail).toBe('connected to /dev/ttyMOCK0 at 19200 7S2, CR suffix');
    expect(port()?.port?.openOptions).toMatchObject({
      baudRate: 19200,
      dataBits: 7,
      parity: 'space',
      stopBits: 2,
    });
  });

  it('an over-long line is rejected once; its tail is not taken for a scan; the next scan works', async () => {
    const { events, emit } = await openMock('serial:/dev/ttyMOCK0', { maxLength: 64 });
    emit('9'.repeat(50));
    emit('9'.repeat(50));
    emit('9'.repeat(30) + '\r');
    emit('134567890123456789\r');
    await events.waitFor('scan');
    expect(events.seen.rejected.map((r) => r.reason)).toEqual(['too-long']);
    expect(events.seen.scan.map((s) => s.text)).toEqual(['134567890123456789']);
  });

  it('a partial read that never gets its suffix is dropped with a hint about the suffix setting', async () => {
    const { events, emit } = await openMock('serial:/dev/ttyMOCK0@9600,suffix=CR', { staleMs: 30 });
    emit('134567890123456789');
    const rejected = await events.waitFor('rejected');
    expect(rejected.reason).toBe('incomplete');
    expect(rejected.detail).toMatch(/no CR, LF or CRLF .*send a suffix after each code/);
    emit('287654321098765432\r');
    await expect(events.waitFor('scan')).resolves.toMatchObject({ text: '287654321098765432' });
    expect(events.seen.scan.map((s) => s.text)).toEqual(['287654321098765432']);
  });

  const CODES = [
    '134567890123456781',
    '134567890123456782',
    '287654321098765433',
    '284567890123456784',
  ];
  for (const suffix of ['CR', 'LF', 'CRLF'] as const) {
    it(`a port set to ${suffix} takes CR, LF and CRLF as the end of a scan, in any order`, async () => {
      const { events, emit } = await openMock(`serial:/dev/ttyMOCK0@9600,suffix=${suffix}`, {
        staleMs: 30,
      });
      const [one, two, three, four] = CODES;
      emit(`${one}\r`);
      await events.waitFor('scan', (s) => s.text === one);
      emit(`${two}\n`);
      await events.waitFor('scan', (s) => s.text === two);
      emit(`${three}\r\n`);
      await events.waitFor('scan', (s) => s.text === three);
      emit(`${four}\r`);
      await events.waitFor('scan', (s) => s.text === four);
      await pause(60); // past staleMs: nothing is left over to be rejected as incomplete
      expect(events.seen.scan.map((s) => s.text)).toEqual(CODES);
      expect(events.seen.rejected).toEqual([]);
    });
  }

  it('LF, CR and CRLF endings in one read are one scan each', async () => {
    const { events, emit } = await openMock('serial:/dev/ttyMOCK0', { staleMs: 30 });
    emit(`${CODES[0]}\n${CODES[1]}\r\n${CODES[2]}\r${CODES[3]}\n`);
    await events.waitFor('scan', (s) => s.text === CODES[3]);
    expect(events.seen.scan.map((s) => s.text)).toEqual(CODES);
    expect(events.seen.rejected).toEqual([]);
  });

  it('a CRLF split between two reads is one ending: no empty scan, no rejection', async () => {
    const { events, emit } = await openMock('serial:/dev/ttyMOCK0@9600,suffix=LF', { staleMs: 30 });
    emit(`${CODES[0]}\r`);
    await events.waitFor('scan', (s) => s.text === CODES[0]);
    await pause(10);
    emit('\n');
    emit(`${CODES[1]}\r`);
    await pause(5);
    emit(`\n${CODES[2]}\r\n`);
    await events.waitFor('scan', (s) => s.text === CODES[2]);
    await pause(60);
    expect(events.seen.scan.map((s) => s.text)).toEqual(CODES.slice(0, 3));
    expect(events.seen.rejected).toEqual([]);
  });

  it('a CRLF scanner on a CR port still yields clean scans (the stray LF is dropped)', async () => {
    const { events, emit } = await openMock('serial:/dev/ttyMOCK0', { staleMs: 30 });
    emit('134567890123456789\r\n');
    emit('287654321098765432\r\n');
    await events.waitFor('scan', (s) => s.text === '287654321098765432');
    expect(events.seen.scan.map((s) => s.text)).toEqual([
      '134567890123456789',
      '287654321098765432',
    ]);
    expect(events.seen.rejected).toHaveLength(0);
  });

  it('without a suffix a read still ends at the pause, its CR/LF ending dropped', async () => {
    const { events, emit } = await openMock('serial:/dev/ttyMOCK0@9600,suffix=none,gap=20');
    emit(CODES[0]!.slice(0, 9));
    emit(`${CODES[0]!.slice(9)}\r\n`);
    await events.waitFor('scan');
    await pause(60);
    emit(CODES[1]!);
    await events.waitFor('scan', (s) => s.text === CODES[1]);
    expect(events.seen.scan.map((s) => s.text)).toEqual(CODES.slice(0, 2));
    expect(events.seen.rejected).toEqual([]);
  });

  it('without a suffix, an over-long burst is rejected once and not split into scans', async () => {
    const { events, emit } = await openMock('serial:/dev/ttyMOCK0@9600,suffix=none,gap=20', {
      maxLength: 64,
    });
    emit('7'.repeat(200));
    await events.waitFor('rejected');
    await pause(100); // the scanner is quiet for a while before the next read
    emit('134567890123456789');
    await events.waitFor('scan');
    expect(events.seen.rejected.map((r) => r.reason)).toEqual(['too-long']);
    expect(events.seen.scan.map((s) => s.text)).toEqual(['134567890123456789']);
  });
});
