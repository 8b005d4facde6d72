import { describe, expect, it } from 'vitest';
import {
  WedgeDetector,
  looksLikePartialPaymentCode,
  type WedgeKeyRecord,
  type WedgeOptions,
  type WedgeOutput,
} from '../../../shared/wedge/detector.ts';
import { scanKeys, type KeySpec, type WedgeLayout } from '../../support/wedgeKeys.ts';

const WECHAT = '134567890123456789';
const ALIPAY = '2845678901234567890';

/** One keystroke as the page receives it. */
interface Key extends KeySpec {
  /** When the key reached the page (the adapter stamps it when it is handled). */
  at: number;
}

/** The keys a scanner sends for `digits` (same builder as the browser tests), `gap` ms apart. */
function digitKeys(digits: string, start: number, gap: number, layout?: WedgeLayout): Key[] {
  return scanKeys(digits, layout).map((k, i) => ({ ...k, at: start + i * gap }));
}

/** A keydown record with the fields a test does not care about left plain. */
function record(
  fields: Partial<WedgeKeyRecord> & Pick<WedgeKeyRecord, 'code' | 'key'>,
): WedgeKeyRecord {
  return { type: 'keydown', keyCode: 0, isComposing: false, time: 0, ...fields };
}

const enter = (at: number): Key => ({ code: 'Enter', key: 'Enter', keyCode: 13, at });

interface Delivered {
  key: Key;
  hold: boolean;
}

/**
 * Drives the detector the way the DOM adapter does: keys are handled when they reach the
 * page, and the silence timer fires at `nextDeadline()` — except while the page's main
 * thread is stalled, when nothing runs; keys queued during a stall are handled first when
 * it ends (input before timers), each stamped when handled.
 */
function drive(
  keys: Key[],
  options: Partial<WedgeOptions> = {},
  stalls: { from: number; to: number }[] = [],
): { outputs: WedgeOutput[]; delivered: Delivered[]; decidedAt: number[] } {
  const detector = new WedgeDetector(options);
  const outputs: WedgeOutput[] = [];
  const delivered: Delivered[] = [];
  const decidedAt: number[] = [];
  const stalledUntil = (t: number): number => {
    const stall = stalls.find((s) => t >= s.from && t < s.to);
    return stall ? stall.to : t;
  };
  let clock = 0;
  const runTimersUntil = (limit: number): void => {
    for (;;) {
      const deadline = detector.nextDeadline();
      if (deadline === null || deadline > limit) return;
      const firesAt = stalledUntil(Math.max(deadline, clock));
      // A key that reaches the page at the same moment as the timer goes first.
      if (firesAt > limit || (firesAt === limit && limit !== Number.POSITIVE_INFINITY)) return;
      clock = firesAt;
      const out = detector.poll(clock);
      if (out.length) decidedAt.push(clock);
      outputs.push(...out);
    }
  };
  for (const key of keys) {
    const handledAt = Math.max(stalledUntil(key.at), clock);
    runTimersUntil(handledAt);
    clock = handledAt;
    const result = detector.feed(
      record({
        code: key.code,
        key: key.key,
        keyCode: key.keyCode ?? 0,
        isComposing: key.isComposing ?? false,
        shiftKey: key.shiftKey ?? false,
        time: clock,
      }),
    );
    if (result.outputs.length) decidedAt.push(clock);
    outputs.push(...result.outputs);
    delivered.push({ key, hold: result.hold });
    clock += 0.05; // handling a key takes a little time
  }
  runTimersUntil(Number.POSITIVE_INFINITY);
  return { outputs, delivered, decidedAt };
}

const scans = (outputs: WedgeOutput[]) => outputs.filter((o) => o.kind === 'scan');
const typedText = (outputs: WedgeOutput[]) =>
  outputs
    .filter((o) => o.kind === 'typed')
    .map((o) => (o.kind === 'typed' ? o.text : ''))
    .join('');

describe('wedge detector: scanner speed', () => {
  it('takes a fast burst ending in Enter as one scan, decided on the Enter key itself', () => {
    const keys = [...digitKeys(WECHAT, 1000, 5), enter(1000 + 18 * 5)];
    const { outputs, delivered, decidedAt } = drive(keys);
    expect(outputs).toEqual([
      expect.objectContaining({ kind: 'scan', text: WECHAT, suffix: 'enter', keys: 18 }),
    ]);
    // Every key, the Enter included, is kept from the page: nothing lands in a field.
    expect(delivered.every((d) => d.hold)).toBe(true);
    expect(decidedAt).toEqual([1090]);
  });

  it('takes a fast burst without a suffix after a short silence (30 ms by default)', () => {
    const keys = digitKeys(ALIPAY, 500, 8);
    const { outputs, decidedAt } = drive(keys);
    expect(outputs).toEqual([
      expect.objectContaining({ kind: 'scan', text: ALIPAY, suffix: 'none', keys: 19 }),
    ]);
    const lastKeyAt = 500 + 18 * 8;
    expect(decidedAt[0]! - lastKeyAt).toBeGreaterThanOrEqual(30);
    expect(decidedAt[0]! - lastKeyAt).toBeLessThanOrEqual(40);
  });

  it('does not decide before the silence has passed', () => {
    const detector = new WedgeDetector();
    digitKeys(WECHAT, 0, 3).forEach((k) =>
      detector.feed(record({ code: k.code, key: k.key, time: k.at })),
    );
    const last = 17 * 3;
    expect(detector.poll(last + 29)).toEqual([]);
    expect(detector.pending).toBe(true);
    expect(detector.poll(last + 30)).toEqual([
      expect.objectContaining({ kind: 'scan', text: WECHAT }),
    ]);
  });

  it('accepts the whole range of real scanner gaps (1 to 20 ms)', () => {
    for (const gap of [1, 7, 13, 20]) {
      const { outputs } = drive([...digitKeys(WECHAT, 0, gap), enter(18 * gap)]);
      expect(scans(outputs).map((s) => s.text)).toEqual([WECHAT]);
    }
  });

  it('ends a scan at once on NumpadEnter and on Tab, but not on Shift+Tab', () => {
    const numpadEnter = drive([
      ...digitKeys(WECHAT, 0, 4),
      { code: 'NumpadEnter', key: 'Enter', keyCode: 13, at: 72 },
    ]);
    expect(scans(numpadEnter.outputs)).toEqual([
      expect.objectContaining({ text: WECHAT, suffix: 'enter' }),
    ]);
    const tab = drive([...digitKeys(WECHAT, 0, 4), { code: 'Tab', key: 'Tab', at: 72 }]);
    expect(scans(tab.outputs)).toEqual([expect.objectContaining({ text: WECHAT, suffix: 'tab' })]);
    expect(tab.delivered.at(-1)?.hold).toBe(true);
    const shiftTab = drive([
      ...digitKeys(WECHAT, 0, 4),
      { code: 'Tab', key: 'Tab', shiftKey: true, at: 72 },
    ]);
    // Shift+Tab is a person moving focus: it goes through, and the scan is still found.
    expect(shiftTab.delivered.at(-1)?.hold).toBe(false);
    expect(scans(shiftTab.outputs)).toEqual([
      expect.objectContaining({ text: WECHAT, suffix: 'none' }),
    ]);
  });

  it('reads digits from the Numpad codes too', () => {
    const { outputs } = drive([...digitKeys(WECHAT, 0, 5, 'numpad'), enter(90)]);
    expect(scans(outputs).map((s) => s.text)).toEqual([WECHAT]);
  });

  it('keeps letters a scanner sends with Shift (Shift does not break the burst)', () => {
    const keys: Key[] = [
      { code: 'ShiftLeft', key: 'Shift', at: 0 },
      { code: 'KeyA', key: 'A', shiftKey: true, at: 2 },
      { code: 'KeyB', key: 'B', shiftKey: true, at: 4 },
      ...digitKeys('12345678', 6, 3),
      enter(40),
    ];
    const { outputs, delivered } = drive(keys);
    expect(scans(outputs).map((s) => s.text)).toEqual(['AB12345678']);
    expect(delivered[0]?.hold).toBe(false);
  });

  it('honours a configured minimum length', () => {
    const short = digitKeys('123456', 0, 5);
    expect(scans(drive([...short, enter(30)]).outputs)).toEqual([]);
    expect(scans(drive([...short, enter(30)], { minLength: 6 }).outputs)).toEqual([
      expect.objectContaining({ text: '123456' }),
    ]);
  });
});

describe('wedge detector: people typing are left alone', () => {
  it('never takes human-speed typing (120 ms a key) as a scan, and hands every key back', () => {
    const { outputs } = drive(digitKeys(WECHAT, 0, 120));
    expect(scans(outputs)).toEqual([]);
    expect(typedText(outputs)).toBe(WECHAT);
  });

  it('never takes a fast typist (55 ms a key) for a scanner', () => {
    const { outputs } = drive([...digitKeys(WECHAT, 0, 55), enter(18 * 55)]);
    expect(scans(outputs)).toEqual([]);
    expect(typedText(outputs)).toBe(WECHAT);
  });

  it('hands a typed key back soon, before the next human keystroke', () => {
    const { decidedAt } = drive(digitKeys('12', 0, 200));
    expect(decidedAt).toEqual([30, 230]);
  });

  it('lets Enter through when nothing is held (the amount screen charges on Enter)', () => {
    const { delivered, outputs } = drive([enter(0)]);
    expect(delivered[0]?.hold).toBe(false);
    expect(outputs).toEqual([]);
  });

  it('releases held typing before an editing key such as Backspace goes through', () => {
    const detector = new WedgeDetector();
    const k = (code: string, key: string, time: number) => record({ code, key, time });
    expect(detector.feed(k('Digit4', '4', 0)).hold).toBe(true);
    const backspace = detector.feed(k('Backspace', 'Backspace', 10));
    expect(backspace).toEqual({ hold: false, outputs: [{ kind: 'typed', text: '4' }] });
    expect(detector.pending).toBe(false);
  });

  it('ignores keyup and other event types', () => {
    const detector = new WedgeDetector();
    const result = detector.feed(record({ type: 'keyup', code: 'Digit1', key: '1', keyCode: 49 }));
    expect(result).toEqual({ hold: false, outputs: [] });
    expect(detector.pending).toBe(false);
  });

  it('ignores Ctrl/Alt shortcuts', () => {
    const detector = new WedgeDetector();
    const result = detector.feed(record({ code: 'Digit1', key: '1', keyCode: 49, ctrlKey: true }));
    expect(result.hold).toBe(false);
  });
});

describe('wedge detector: stalls do not split a scan', () => {
  it('keeps one scan when the page stalls 90 ms in the middle (keys queue up)', () => {
    const keys = [...digitKeys(WECHAT, 0, 5)];
    // Keys 11–18 reach the page while its main thread is busy until t=135; the timer is
    // late too. Whatever the code looks like, the one stall is absorbed.
    const { outputs } = drive(keys, { expectMore: () => false }, [{ from: 47, to: 135 }]);
    expect(outputs).toEqual([expect.objectContaining({ kind: 'scan', text: WECHAT })]);
  });

  it('without stall tolerance the same stall would have cut the scan in two', () => {
    const keys = [...digitKeys(WECHAT, 0, 5)];
    const { outputs } = drive(keys, { expectMore: () => false, stallGapMs: 0 }, [
      { from: 47, to: 135 },
    ]);
    expect(scans(outputs).map((s) => s.text)).toEqual([WECHAT.slice(0, 10), WECHAT.slice(10)]);
  });

  it('keeps one scan when delivery pauses 80 ms while the timer could fire', () => {
    const first = digitKeys(WECHAT.slice(0, 10), 0, 5);
    const rest = digitKeys(WECHAT.slice(10), 45 + 80, 5);
    const { outputs } = drive([...first, ...rest]);
    expect(outputs).toEqual([expect.objectContaining({ kind: 'scan', text: WECHAT })]);
  });

  it('tolerates a further stall only while the burst stays mostly fast', () => {
    // Two stalls of 90 ms inside 15 fast gaps (a loaded till): still one scan.
    const a = digitKeys(WECHAT.slice(0, 6), 0, 4);
    const b = digitKeys(WECHAT.slice(6, 12), 20 + 90, 4);
    const c = digitKeys(WECHAT.slice(12), 130 + 90, 4);
    const { outputs } = drive([...a, ...b, ...c], { expectMore: () => false }, [
      { from: 21, to: 110 },
      { from: 131, to: 220 },
    ]);
    expect(scans(outputs).map((s) => s.text)).toEqual([WECHAT]);
  });

  it("never joins a person's keys, even when no timer ran in between", () => {
    const detector = new WedgeDetector();
    const outputs: WedgeOutput[] = [];
    digitKeys(WECHAT, 0, 120).forEach((k) => {
      const result = detector.feed(record({ code: k.code, key: k.key, time: k.at }));
      outputs.push(...result.outputs);
    });
    outputs.push(...detector.flush());
    expect(scans(outputs)).toEqual([]);
    expect(typedText(outputs)).toBe(WECHAT);
  });

  /** The keys of `digits`, each reaching the page at the time given (ms). */
  const timedKeys = (digits: string, times: number[]): Key[] =>
    scanKeys(digits).map((k, i) => ({ ...k, at: times[i] ?? Number.NaN }));

  it('keeps one scan the wedge bench split: a stall after the second key, then another', () => {
    // Recorded in Chromium (bench/wedge.bench.ts): the page was idle, delivery paused 69 ms
    // after "13" and 51 ms after the eighth key. "13" used to go out as typing after 30 ms
    // of silence, and the rest waited as a partial code for the next scan to join it.
    const code = '131000000000015838';
    const keys = timedKeys(
      code,
      [
        751.3, 753, 821.9, 830.1, 832.4, 833.8, 835.9, 837.1, 888.5, 900, 901.7, 903.1, 904.3,
        905.4, 906.6, 909.9, 910.8, 911.9,
      ],
    );
    const { outputs, decidedAt } = drive(keys);
    expect(outputs).toEqual([expect.objectContaining({ kind: 'scan', text: code, keys: 18 })]);
    expect(decidedAt).toEqual([911.9 + 30]);
  });

  it('keeps one scan with Enter when a second stall comes four fast gaps after the first', () => {
    // Recorded in the bench: stalls of 31 and 35 ms after the fifth and sixth keys.
    const code = '131000000000134623';
    const keys = timedKeys(
      code,
      [
        22061.3, 22062.8, 22064.5, 22065.7, 22066.8, 22098.1, 22133.3, 22134.5, 22135.6, 22136.7,
        22164.3, 22167.1, 22168.4, 22170.4, 22171.5, 22172.6, 22173.5, 22174.5,
      ],
    );
    const { outputs } = drive([...keys, enter(22175.6)]);
    expect(outputs).toEqual([
      expect.objectContaining({ kind: 'scan', text: code, suffix: 'enter', keys: 18 }),
    ]);
  });

  it('still ends a burst at a second stall without fastPerStall fast gaps of its own', () => {
    // "13", a 60 ms stall, three keys (3 fast gaps in all), another 60 ms stall.
    const a = digitKeys(WECHAT.slice(0, 2), 0, 5);
    const b = digitKeys(WECHAT.slice(2, 5), 65, 5);
    const c = digitKeys(WECHAT.slice(5), 135, 5);
    const { outputs } = drive([...a, ...b, ...c]);
    expect(typedText(outputs)).toBe(WECHAT.slice(0, 5));
    expect(scans(outputs).map((s) => s.text)).toEqual([WECHAT.slice(5)]);
  });

  it('hands back two quick keys that cannot start a payment code after the usual silence', () => {
    const { outputs, decidedAt } = drive(digitKeys('45', 0, 10));
    expect(typedText(outputs)).toBe('45');
    expect(decidedAt).toEqual([40]);
  });

  it('ends the burst at a gap longer than any stall it tolerates', () => {
    const keys = digitKeys(WECHAT, 0, 5);
    const { outputs } = drive(keys, { expectMore: () => false }, [{ from: 47, to: 300 }]);
    expect(scans(outputs).map((s) => s.text)).toEqual([WECHAT.slice(0, 10), WECHAT.slice(10)]);
  });
});

describe('wedge detector: keyboard layouts and input methods', () => {
  it('decodes AZERTY digits from the code, whatever the key says ("&" is Digit1)', () => {
    const { outputs } = drive([...digitKeys(WECHAT, 0, 5, 'azerty'), enter(90)]);
    expect(outputs).toEqual([expect.objectContaining({ kind: 'scan', text: WECHAT })]);
  });

  it('still reads a scan the Chinese IME is composing (keyCode 229) from the code', () => {
    const keys = [
      ...digitKeys(ALIPAY, 0, 4, 'ime'),
      { code: 'Enter', key: 'Process', keyCode: 229, isComposing: true, at: 19 * 4 },
    ];
    const { outputs, delivered } = drive(keys);
    expect(outputs).toEqual([
      expect.objectContaining({ kind: 'scan', text: ALIPAY, suffix: 'enter' }),
    ]);
    expect(delivered.every((d) => d.hold)).toBe(true);
  });

  it('reports "switch the IME off" when composition hides which keys were pressed', () => {
    const keys = [
      ...digitKeys(WECHAT, 0, 5, 'ime-no-code'),
      { code: '', key: 'Enter', keyCode: 13, at: 90 },
    ];
    const { outputs } = drive(keys);
    expect(outputs).toEqual([expect.objectContaining({ kind: 'ime-blocked', keys: 18 })]);
  });

  it('reports the IME problem without a suffix as well: never a silent loss', () => {
    const { outputs } = drive(digitKeys(WECHAT, 0, 5, 'ime-no-code'));
    expect(outputs).toEqual([expect.objectContaining({ kind: 'ime-blocked' })]);
  });
});

describe('looksLikePartialPaymentCode', () => {
  it('knows the start of a WeChat or Alipay code from a finished one', () => {
    expect(looksLikePartialPaymentCode('1345678901')).toBe(true);
    expect(looksLikePartialPaymentCode(WECHAT)).toBe(false);
    expect(looksLikePartialPaymentCode('284567890123')).toBe(true);
    expect(looksLikePartialPaymentCode('2845678901234567')).toBe(false);
    expect(looksLikePartialPaymentCode('6212345678')).toBe(false);
    expect(looksLikePartialPaymentCode('13ab')).toBe(false);
  });
});
