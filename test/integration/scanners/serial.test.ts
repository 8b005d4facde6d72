/**
 * The serial source on real pseudo-terminals: `serialport` opens one end of a socat pty pair,
 * the test writes what a scanner would send into the other end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SerialScanner } from '../../../electron/scanners/serialSource.ts';
import { ScannerManager, type ScannerManagerEvents } from '../../../electron/scanners/manager.ts';
import { parseScannerSpec, type SerialSpec } from '../../../electron/scanners/spec.ts';
import type { ScannerEvents } from '../../../electron/scanners/types.ts';
import { startSocatPair, stopAllSocat, type SocatPair } from '../../support/socatPair.ts';
import { record } from '../../support/eventTools.ts';

const WECHAT = '134567890123456789';
const ALIPAY = '287654321098765432';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const closers: (() => Promise<void>)[] = [];
const linkDir = mkdtempSync(join(tmpdir(), 'pospay-scan-'));

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await stopAllSocat();
});
afterAll(() => rmSync(linkDir, { recursive: true, force: true }));

async function openScanner(pair: SocatPair, settings = '') {
  const spec = parseScannerSpec(`serial:${pair.a}@9600${settings}`) as SerialSpec;
  const scanner = new SerialScanner(spec, { retryInitialMs: 50, retryMaxMs: 200 });
  closers.push(() => scanner.close());
  const events = record<ScannerEvents>(scanner, ['scan', 'rejected', 'state', 'error']);
  await scanner.open();
  expect(scanner.state()).toMatchObject({ connected: true });
  return { scanner, events };
}

describe('serial scanner on a socat pty pair', () => {
  it('CR suffix: one scan per code, source serial', async () => {
    const pair = await startSocatPair();
    const { events } = await openScanner(pair);
    pair.write(`${WECHAT}\r`);
    const scan = await events.waitFor('scan');
    expect(scan).toMatchObject({ text: WECHAT, source: 'serial' });
    expect(scan.symbology).toBeUndefined();
  });

  it('CRLF suffix: two codes in one write are two scans', async () => {
    const pair = await startSocatPair();
    const { events } = await openScanner(pair, ',suffix=CRLF');
    pair.write(`${WECHAT}\r\n${ALIPAY}\r\n`);
    await events.waitFor('scan', (s) => s.text === ALIPAY);
    expect(events.seen.scan.map((s) => s.text)).toEqual([WECHAT, ALIPAY]);
  });

  it('LF suffix', async () => {
    const pair = await startSocatPair();
    const { events } = await openScanner(pair, ',suffix=LF');
    pair.write(`${ALIPAY}\n`);
    await expect(events.waitFor('scan')).resolves.toMatchObject({ text: ALIPAY });
  });

  it('CR, LF, CRLF and CR endings from the same scanner are exactly four scans', async () => {
    const pair = await startSocatPair();
    const { events } = await openScanner(pair, ',suffix=CR');
    const codes = [WECHAT, ALIPAY, '134567890123456780', '287654321098765430'];
    const endings = ['\r', '\n', '\r\n', '\r'];
    for (const [i, code] of codes.entries()) {
      pair.write(`${code}${endings[i]}`);
      await events.waitFor('scan', (s) => s.text === code);
    }
    await pause(100);
    expect(events.seen.scan.map((s) => s.text)).toEqual(codes);
    expect(events.seen.rejected).toEqual([]);
  });

  it('no suffix: a read ends after the inter-byte silence', async () => {
    const pair = await startSocatPair();
    const { events } = await openScanner(pair, ',suffix=none,gap=30');
    pair.write(WECHAT);
    await events.waitFor('scan', (s) => s.text === WECHAT);
    pair.write(ALIPAY);
    await events.waitFor('scan', (s) => s.text === ALIPAY);
    expect(events.seen.scan.map((s) => s.text)).toEqual([WECHAT, ALIPAY]);
  });

  it('a scan split across writes is joined into one', async () => {
    const pair = await startSocatPair();
    const { events } = await openScanner(pair);
    pair.write(WECHAT.slice(0, 7));
    await pause(30);
    pair.write(WECHAT.slice(7, 12));
    await pause(30);
    pair.write(`${WECHAT.slice(12)}\r`);
    const scan = await events.waitFor('scan');
    expect(scan.text).toBe(WECHAT);
    expect(events.seen.scan).toHaveLength(1);
  });

  it('a leading AIM id is stripped and recorded as the symbology', async () => {
    const pair = await startSocatPair();
    const { events } = await openScanner(pair);
    pair.write(`]Q1${ALIPAY}\r`);
    await expect(events.waitFor('scan')).resolves.toMatchObject({ text: ALIPAY, symbology: ']Q1' });
  });

  it('garbage bytes are rejected with a reason, never emitted as a scan', async () => {
    const pair = await startSocatPair();
    const { events } = await openScanner(pair);
    pair.write(Buffer.from([0x00, 0x1b, 0x5b, 0x41, 0x0d]));
    pair.write(Buffer.concat([Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('1234\r')]));
    pair.write(`${WECHAT}\r`);
    await events.waitFor('scan');
    expect(events.seen.rejected.map((r) => r.reason)).toEqual([
      'control-characters',
      'invalid-utf8',
    ]);
    expect(events.seen.rejected[0]?.text).toBe('\\x00\\x1b[A');
    expect(events.seen.scan.map((s) => s.text)).toEqual([WECHAT]);
  });

  it('the other end going away → disconnected; back on the same path → reconnects and the next scan arrives', async () => {
    const links = { linkA: join(linkDir, 'scanner'), linkB: join(linkDir, 'feed') };
    const first = await startSocatPair(links);
    const { scanner, events } = await openScanner(first);
    first.write(`${WECHAT}\r`);
    await events.waitFor('scan', (s) => s.text === WECHAT);

    await first.stop(); // unplugged
    const down = await events.waitFor('state', (s) => !s.connected);
    expect(down.detail).toContain(links.linkA);
    expect(scanner.state().connected).toBe(false);

    const statesSoFar = events.seen.state.length;
    const second = await startSocatPair(links); // plugged back in (a new pty behind the same link)
    expect(second.ptyA).not.toBe('');
    await events.waitFor('state', (s) => s.connected, { from: statesSoFar });
    second.write(`${ALIPAY}\r`);
    await events.waitFor('scan', (s) => s.text === ALIPAY);
    expect(events.seen.scan.map((s) => s.text)).toEqual([WECHAT, ALIPAY]);
    expect(
      events.seen.error.filter((e) => !/disconnect|descriptor|closed|I\/O/i.test(e.message)),
    ).toEqual([]);
  });

  it('a port that is not there yet: waiting state, connects when it appears', async () => {
    const links = { linkA: join(linkDir, 'later'), linkB: join(linkDir, 'later-feed') };
    const spec = parseScannerSpec(`serial:${links.linkA}`) as SerialSpec;
    const scanner = new SerialScanner(spec, { retryInitialMs: 50, retryMaxMs: 200 });
    closers.push(() => scanner.close());
    const events = record<ScannerEvents>(scanner, ['scan', 'rejected', 'state', 'error']);
    await scanner.open();
    expect(scanner.state().connected).toBe(false);
    expect(scanner.state().detail).toMatch(/^waiting for .*later/);
    const pair = await startSocatPair(links);
    await events.waitFor('state', (s) => s.connected);
    pair.write(`${WECHAT}\r`);
    await expect(events.waitFor('scan')).resolves.toMatchObject({ text: WECHAT });
  });

  it('through the ScannerManager: a double read of the same code yields one scan', async () => {
    const pair = await startSocatPair();
    const manager = new ScannerManager({ serial: { retryInitialMs: 50 } });
    closers.push(() => manager.close());
    const events = record<ScannerManagerEvents>(manager, [
      'scan',
      'duplicate',
      'rejected',
      'state',
      'error',
    ]);
    const state = await manager.use(`serial:${pair.a}`);
    expect(state).toMatchObject({ spec: `serial:${pair.a}`, connected: true });
    pair.write(`${WECHAT}\r${WECHAT}\r`);
    await events.waitFor('duplicate');
    pair.write(`${ALIPAY}\r`);
    await events.waitFor('scan', (s) => s.text === ALIPAY);
    expect(events.seen.scan.map((s) => s.text)).toEqual([WECHAT, ALIPAY]);
    expect(events.seen.duplicate.map((s) => s.text)).toEqual([WECHAT]);
  });
});
