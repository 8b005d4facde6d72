import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDomWedge, type WedgeScan } from '../../../renderer/src/wedge/domWedge.ts';

/** Just enough of a KeyboardEvent (and its target) for the adapter. */
function keyEvent(
  code: string,
  key: string,
  target: { closest(sel: string): unknown } | null = null,
) {
  return {
    type: 'keydown',
    code,
    key,
    keyCode: 0,
    isComposing: false,
    shiftKey: false,
    ctrlKey: false,
    altKey: false,
    metaKey: false,
    target,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    stopPropagation() {},
  };
}

const field = (captures = false) => ({
  closest: (selector: string) =>
    selector === '[data-wedge-capture]'
      ? captures
        ? {}
        : null
      : selector.includes('input')
        ? {}
        : null,
});

describe('the keyboard wedge in the page', () => {
  let capturing = true;
  const scans: WedgeScan[] = [];
  const typed: string[] = [];
  let imeBlocked = 0;

  const make = () =>
    createDomWedge(
      {
        capturing: () => capturing,
        onScan: (scan) => scans.push(scan),
        onTyped: (text) => typed.push(text),
        onImeBlocked: () => (imeBlocked += 1),
      },
      {},
      () => Date.now(), // the fake clock: advancing timers advances it
    );

  /** Keys arrive `gap` ms apart; the page's timers run in between, as in a browser. */
  const press = (wedge: ReturnType<typeof make>, digits: string, gap: number, target = null) =>
    [...digits].map((d) => {
      const event = keyEvent(`Digit${d}`, d, target);
      const held = wedge.handleKeyDown(event as unknown as KeyboardEvent);
      vi.advanceTimersByTime(gap);
      return { held, prevented: event.defaultPrevented };
    });

  beforeEach(() => {
    vi.useFakeTimers({ now: 1000 });
    capturing = true;
    scans.length = 0;
    typed.length = 0;
    imeBlocked = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('keeps a fast burst from the page and reports it after the silence, without Enter', () => {
    const wedge = make();
    const keys = press(wedge, '134567890123456789', 5);
    expect(keys.every((k) => k.held && k.prevented)).toBe(true);
    expect(scans).toEqual([]);
    vi.advanceTimersByTime(30);
    expect(scans.map((s) => s.text)).toEqual(['134567890123456789']);
    expect(typed).toEqual([]);
  });

  it('hands slow typing back as typed text, one key at a time', () => {
    const wedge = make();
    press(wedge, '12', 200);
    expect(typed).toEqual(['1', '2']);
    expect(scans).toEqual([]);
  });

  it('leaves every key alone where the screen does not capture (settings, PIN…)', () => {
    capturing = false;
    const wedge = make();
    const keys = press(wedge, '134567890123456789', 5);
    vi.advanceTimersByTime(200);
    expect(keys.some((k) => k.held || k.prevented)).toBe(false);
    expect(scans).toEqual([]);
  });

  it('leaves a person typing into an ordinary field alone, even on a capturing screen', () => {
    const wedge = make();
    const keys = press(wedge, '134567890123456789', 5, field(false) as never);
    vi.advanceTimersByTime(200);
    expect(keys.some((k) => k.prevented)).toBe(false);
    expect(scans).toEqual([]);
  });

  it('captures in a field that opts in (the manual code field of the payment screen)', () => {
    const wedge = make();
    press(wedge, '134567890123456789', 5, field(true) as never);
    const enter = keyEvent('Enter', 'Enter', field(true));
    expect(wedge.handleKeyDown(enter as unknown as KeyboardEvent)).toBe(true);
    expect(enter.defaultPrevented).toBe(true);
    expect(scans.map((s) => [s.text, s.suffix])).toEqual([['134567890123456789', 'enter']]);
  });

  it('lets queued keys in first when its timer fires late after a stall', () => {
    const wedge = make();
    // Not the start of a payment code, so nothing else would make the detector wait.
    press(wedge, '9876543210', 5);
    // The page stalls for 80 ms: no timer runs, the rest of the scan queues up.
    vi.setSystemTime(Date.now() + 80);
    // When the stall ends the overdue timer fires first, sees it is late and yields once…
    vi.advanceTimersToNextTimer();
    expect(scans).toEqual([]);
    // …so the queued keys are handled before anything is decided.
    press(wedge, '12345678', 0);
    vi.advanceTimersByTime(200);
    expect(scans.map((s) => s.text)).toEqual(['987654321012345678']);
  });

  it('reports an IME-swallowed burst so the cashier can be told', () => {
    const wedge = make();
    for (let i = 0; i < 18; i += 1) {
      const event = { ...keyEvent('', 'Process'), keyCode: 229, isComposing: true };
      wedge.handleKeyDown(event as unknown as KeyboardEvent);
      vi.advanceTimersByTime(4);
    }
    vi.advanceTimersByTime(200);
    expect(imeBlocked).toBe(1);
    expect(scans).toEqual([]);
  });

  it('stops its timer when disposed', () => {
    const wedge = make();
    press(wedge, '1345678901234', 5);
    wedge.dispose();
    vi.advanceTimersByTime(500);
    expect(scans).toEqual([]);
    expect(typed).toEqual([]);
  });
});
