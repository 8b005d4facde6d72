import { describe, expect, it } from 'vitest';
import { TypedEvents } from '../../../electron/scanners/events.ts';
import {
  ScannerManager,
  createScanner,
  type ScannerManagerEvents,
} from '../../../electron/scanners/manager.ts';
import { ScannerSpecError, type ScannerSpec } from '../../../electron/scanners/spec.ts';
import { SerialScanner } from '../../../electron/scanners/serialSource.ts';
import { HidScanner } from '../../../electron/scanners/hidSource.ts';
import { createDedupe } from '../../../electron/scanners/dedupe.ts';
import type { Scanner, ScannerEvents, StateEvent } from '../../../electron/scanners/types.ts';
import { record } from '../../support/eventTools.ts';

/** A scanner the test drives by hand. */
class FakeScanner extends TypedEvents<ScannerEvents> implements Scanner {
  readonly source = 'serial' as const;
  opened = false;
  closed = false;
  private current: StateEvent = { connected: false, detail: 'not opened' };
  constructor(readonly spec: string) {
    super();
  }
  state(): StateEvent {
    return { ...this.current };
  }
  async open(): Promise<void> {
    this.opened = true;
    this.setState({ connected: true, detail: `connected to ${this.spec}` });
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  setState(state: StateEvent): void {
    this.current = state;
    this.emit('state', state);
  }
  scan(text: string, at: number): void {
    this.emit('scan', { text, source: 'serial', at });
  }
}

function setup(dedupeWindowMs?: number) {
  const made: FakeScanner[] = [];
  const manager = new ScannerManager({
    ...(dedupeWindowMs === undefined ? {} : { dedupeWindowMs }),
    create: (spec: ScannerSpec) => {
      const fake = new FakeScanner(spec.kind === 'serial' ? spec.path : spec.kind);
      made.push(fake);
      return fake;
    },
  });
  const events = record<ScannerManagerEvents>(manager, [
    'scan',
    'rejected',
    'state',
    'duplicate',
    'error',
  ]);
  return { manager, made, events };
}

describe('ScannerManager', () => {
  it('opens the configured scanner and shows its connection state with the spec', async () => {
    const { manager, made, events } = setup();
    expect(manager.state()).toEqual({
      spec: null,
      connected: false,
      detail: 'no scanner configured',
    });
    const state = await manager.use('serial:/dev/ttyUSB0@9600');
    expect(made[0]?.opened).toBe(true);
    expect(state).toEqual({
      spec: 'serial:/dev/ttyUSB0@9600',
      connected: true,
      detail: 'connected to /dev/ttyUSB0',
    });
    made[0]?.setState({ connected: false, detail: 'unplugged' });
    expect(events.seen.state.at(-1)).toEqual({
      spec: 'serial:/dev/ttyUSB0@9600',
      connected: false,
      detail: 'unplugged',
    });
  });

  it('a double read of the same code within the window yields one scan; a different code passes', async () => {
    const { manager, made, events } = setup(1000);
    await manager.use('serial:/dev/ttyUSB0');
    const fake = made[0]!;
    fake.scan('134567890123456789', 10_000);
    fake.scan('134567890123456789', 10_030);
    fake.scan('134567890123456789', 10_400);
    fake.scan('287654321098765432', 10_450);
    expect(events.seen.scan.map((s) => s.text)).toEqual([
      '134567890123456789',
      '287654321098765432',
    ]);
    expect(events.seen.duplicate).toHaveLength(2);
  });

  it('the same code after the window is a new scan; resetDedupe accepts it at once', async () => {
    const { manager, made, events } = setup(1000);
    await manager.use('serial:/dev/ttyUSB0');
    const fake = made[0]!;
    fake.scan('134567890123456789', 0);
    fake.scan('134567890123456789', 2500);
    manager.resetDedupe();
    fake.scan('134567890123456789', 2600);
    expect(events.seen.scan).toHaveLength(3);
  });

  it('switching spec at runtime closes the old source; its late scans are not forwarded', async () => {
    const { manager, made, events } = setup();
    await manager.use('serial:/dev/ttyUSB0');
    await manager.use('serial:/dev/ttyUSB1');
    const [old, current] = made;
    expect(old?.closed).toBe(true);
    expect(current?.opened).toBe(true);
    old?.scan('134567890123456789', 1);
    old?.setState({ connected: false, detail: 'gone' });
    current?.scan('287654321098765432', 2);
    expect(events.seen.scan.map((s) => s.text)).toEqual(['287654321098765432']);
    expect(manager.state()).toMatchObject({ spec: 'serial:/dev/ttyUSB1', connected: true });
  });

  it('the same spec again keeps the open source', async () => {
    const { manager, made } = setup();
    await manager.use('serial:/dev/ttyUSB0');
    await manager.use(' serial:/dev/ttyUSB0 ');
    expect(made).toHaveLength(1);
    expect(made[0]?.closed).toBe(false);
  });

  it('a malformed spec is refused with a clear error and the current scanner stays', async () => {
    const { manager, made } = setup();
    await manager.use('serial:/dev/ttyUSB0');
    await expect(manager.use('serial:/dev/ttyUSB0@9600,9N1')).rejects.toThrow(ScannerSpecError);
    expect(made[0]?.closed).toBe(false);
    expect(manager.state()).toMatchObject({ spec: 'serial:/dev/ttyUSB0', connected: true });
  });

  it('wedge: nothing to open in the main process; null: no scanner', async () => {
    const { manager, made } = setup();
    await manager.use('serial:/dev/ttyUSB0');
    expect(await manager.use('wedge')).toMatchObject({ spec: 'wedge', connected: true });
    expect(made[0]?.closed).toBe(true);
    expect(await manager.use(null)).toEqual({
      spec: null,
      connected: false,
      detail: 'no scanner configured',
    });
  });

  it('a listener that throws does not break the scanner or the process', async () => {
    const { manager, made, events } = setup();
    manager.on('scan', () => {
      throw new Error('listener bug');
    });
    await manager.use('serial:/dev/ttyUSB0');
    made[0]?.scan('134567890123456789', 1);
    made[0]?.scan('287654321098765432', 2);
    expect(events.seen.scan).toHaveLength(2);
    expect(events.seen.error.map((e) => e.message)).toEqual(['listener bug', 'listener bug']);
  });

  it('createScanner makes the source for each hardware kind and refuses the wedge', () => {
    expect(createScanner('serial:/dev/ttyUSB0@9600')).toBeInstanceOf(SerialScanner);
    expect(createScanner('hid:0c2e:0b61')).toBeInstanceOf(HidScanner);
    expect(() => createScanner('wedge')).toThrow(/keyboard-wedge/);
    expect(createScanner('serial:COM3', { serialLine: { baudRate: 115200 } }).spec).toBe(
      'serial:COM3@115200,8N1',
    );
  });
});

describe('double-read window', () => {
  it('holding a code under the beam (repeats closer than the window) yields one scan', () => {
    const dedupe = createDedupe(1000);
    const accepted = [0, 300, 600, 900, 1200, 1500].map((at) =>
      dedupe.accept('134567890123456789', at),
    );
    expect(accepted).toEqual([true, false, false, false, false, false]);
    expect(dedupe.accept('134567890123456789', 2600)).toBe(true);
  });

  it('window 0 turns suppression off', () => {
    const dedupe = createDedupe(0);
    expect([dedupe.accept('a', 0), dedupe.accept('a', 0)]).toEqual([true, true]);
  });
});
