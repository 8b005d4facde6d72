/**
 * Keyboard-wedge detector: tells a barcode scanner that "types" from a person typing, by
 * the timing of the keystrokes alone. Pure logic, no DOM: it is fed plain key records
 * (timestamps from `performance.now()`), and it is polled at the time `nextDeadline()`
 * names. The DOM adapter (renderer/src/wedge/) owns the timer and the KeyboardEvents.
 *
 * It decides *before* delivery: every key that could be part of a scan is held back
 * (`hold: true`) until the burst is known to be a scan (→ `scan`) or a person (→ `typed`,
 * the held text handed back to whoever the person typed for). Rules:
 *  - characters come from `KeyboardEvent.code` (Digit0–9, Numpad0–9) so AZERTY and other
 *    layouts, and a Chinese IME composing (keyCode 229), still give digits;
 *  - scanner speed: every gap ≤ `maxGapMs`; human typing (> 50 ms) never forms a scan;
 *  - Enter, NumpadEnter or Tab ends a scan at once; without a suffix, `silenceMs` of
 *    silence ends it;
 *  - one larger gap (≤ `stallGapMs`) inside an otherwise fast burst is tolerated (each
 *    further one only with `fastPerStall` more fast gaps), and a burst that is plainly the
 *    first part of a payment code waits for the rest — from its second key on, when those
 *    two came at scanner speed — so a browser stall does not split one scan in two, while a
 *    person, whose every gap is slow, never gets more than the one; (a stall right after
 *    the very first key cannot be told from a person's single keystroke: that key is
 *    handed back at once);
 *  - a fast burst the IME swallowed (no usable `code`) is reported as `ime-blocked`, so
 *    the cashier can be told to switch the input method off: a scan is never lost silently.
 */

export interface WedgeKeyRecord {
  /** 'keydown' is decoded; every other type (keyup, composition…) is ignored. */
  type: string;
  code: string;
  key: string;
  keyCode: number;
  isComposing: boolean;
  /** performance.now() when the key was handled. */
  time: number;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

export interface WedgeOptions {
  /** Fewest characters a scan has (default 8). */
  minLength: number;
  /** Largest gap between two keystrokes of a scan (scanners: 1–20 ms). */
  maxGapMs: number;
  /** Silence after the last keystroke that ends a scan without a suffix. */
  silenceMs: number;
  /** One gap up to this long is tolerated inside a fast burst (a browser stall). */
  stallGapMs: number;
  /** Fast gaps a burst needs per tolerated stall beyond the first. */
  fastPerStall: number;
  /** True when the text so far is plainly the start of something longer (wait for it). */
  expectMore: (text: string) => boolean;
}

export type WedgeSuffix = 'enter' | 'tab' | 'none';

export type WedgeOutput =
  | {
      kind: 'scan';
      text: string;
      suffix: WedgeSuffix;
      keys: number;
      firstAt: number;
      lastAt: number;
    }
  /** Keys held back that were a person typing: deliver them where the person meant. */
  | { kind: 'typed'; text: string }
  /** A scanner-speed burst whose keys the input method swallowed (no usable code). */
  | { kind: 'ime-blocked'; keys: number; lastAt: number };

export interface WedgeFeedResult {
  /** True when the key belongs to the detector: the caller must not deliver it. */
  hold: boolean;
  /** Decisions taken by this key (in order), e.g. an earlier burst released as typing. */
  outputs: WedgeOutput[];
}

const WECHAT_PREFIX = /^1[0-5]/;
const ALIPAY_PREFIX = /^(2[5-9]|30)/;

/**
 * True for digits that are the start of a wallet payment code but too short to be one
 * (WeChat: 18 digits from 10–15; Alipay: 16–24 digits from 25–30).
 */
export function looksLikePartialPaymentCode(text: string): boolean {
  if (!/^\d+$/.test(text)) return false;
  if (WECHAT_PREFIX.test(text)) return text.length < 18;
  if (ALIPAY_PREFIX.test(text)) return text.length < 16;
  return false;
}

export const DEFAULT_WEDGE_OPTIONS: WedgeOptions = {
  minLength: 8,
  maxGapMs: 30,
  silenceMs: 30,
  stallGapMs: 200,
  fastPerStall: 4,
  expectMore: looksLikePartialPaymentCode,
};

type KeyKind =
  | { kind: 'char'; char: string }
  | { kind: 'unusable' }
  | { kind: 'suffix'; suffix: 'enter' | 'tab' }
  | { kind: 'modifier' }
  | { kind: 'other' };

const MODIFIER_KEYS = new Set([
  'Shift',
  'Control',
  'Alt',
  'AltGraph',
  'Meta',
  'CapsLock',
  'NumLock',
  'OS',
]);
const DIGIT_CODE = /^(?:Digit|Numpad)([0-9])$/;
const LETTER_CODE = /^Key([A-Z])$/;

/** What one keydown means to the detector. Exported for the adapter and the tests. */
export function classifyKey(record: WedgeKeyRecord): KeyKind {
  const { code, key } = record;
  if (code === 'Enter' || code === 'NumpadEnter') return { kind: 'suffix', suffix: 'enter' };
  if (code === 'Tab' && !record.shiftKey) return { kind: 'suffix', suffix: 'tab' };
  if (MODIFIER_KEYS.has(key) || /^(Shift|Control|Alt|Meta)(Left|Right)$/.test(code)) {
    return { kind: 'modifier' };
  }
  if (record.ctrlKey || record.altKey || record.metaKey) return { kind: 'other' };
  const digit = DIGIT_CODE.exec(code);
  if (digit) return { kind: 'char', char: digit[1] ?? '' };
  const composing = record.isComposing || record.keyCode === 229 || key === 'Process';
  if (composing) {
    const letter = LETTER_CODE.exec(code);
    if (letter) return { kind: 'char', char: (letter[1] ?? '').toLowerCase() };
    if (key === 'Enter' && (code === '' || code === 'Unidentified')) {
      return { kind: 'suffix', suffix: 'enter' };
    }
    return { kind: 'unusable' };
  }
  if (key === 'Enter') return { kind: 'suffix', suffix: 'enter' };
  if (key === 'Tab' && !record.shiftKey) return { kind: 'suffix', suffix: 'tab' };
  if (key.length === 1) return { kind: 'char', char: key };
  return { kind: 'other' };
}

interface Burst {
  chars: string[];
  unusable: number;
  firstAt: number;
  lastAt: number;
  /** Gaps ≤ maxGapMs, and tolerated larger ones (stalls), so far. */
  fastGaps: number;
  stalls: number;
  /** The silence deadline passed but the text looked unfinished: wait up to stallGapMs. */
  deferred: boolean;
}

export class WedgeDetector {
  readonly options: WedgeOptions;
  private burst: Burst | null = null;

  constructor(options: Partial<WedgeOptions> = {}) {
    const merged = { ...DEFAULT_WEDGE_OPTIONS, ...options };
    // A silence shorter than the largest allowed gap would cut scans in two.
    merged.silenceMs = Math.max(merged.silenceMs, merged.maxGapMs);
    merged.stallGapMs = Math.max(merged.stallGapMs, merged.silenceMs);
    merged.minLength = Math.max(2, Math.floor(merged.minLength));
    this.options = merged;
  }

  /** True while keys are held back, waiting for a decision. */
  get pending(): boolean {
    return this.burst !== null;
  }

  /** When `poll` should next be called (same clock as the records), or null. */
  nextDeadline(): number | null {
    if (!this.burst) return null;
    return (
      this.burst.lastAt + (this.burst.deferred ? this.options.stallGapMs : this.options.silenceMs)
    );
  }

  feed(record: WedgeKeyRecord): WedgeFeedResult {
    if (record.type !== 'keydown') return { hold: false, outputs: [] };
    const key = classifyKey(record);
    const outputs: WedgeOutput[] = [];
    switch (key.kind) {
      case 'modifier':
        return { hold: false, outputs };
      case 'other':
        // A person is editing or navigating: whatever was held is theirs.
        this.finish('none', outputs);
        return { hold: false, outputs };
      case 'suffix': {
        const burst = this.burst;
        if (!burst) return { hold: false, outputs };
        if (!this.continues(burst, record.time)) {
          this.finish('none', outputs);
          return { hold: false, outputs };
        }
        burst.lastAt = Math.max(burst.lastAt, record.time);
        const decided = this.finish(key.suffix, outputs);
        return { hold: decided !== 'typed', outputs };
      }
      case 'char':
      case 'unusable': {
        let burst = this.burst;
        if (burst && !this.continues(burst, record.time)) {
          this.finish('none', outputs);
          burst = null;
        }
        if (!burst) {
          burst = {
            chars: [],
            unusable: 0,
            firstAt: record.time,
            lastAt: record.time,
            fastGaps: 0,
            stalls: 0,
            deferred: false,
          };
          this.burst = burst;
        }
        if (key.kind === 'char') burst.chars.push(key.char);
        else burst.unusable += 1;
        burst.lastAt = Math.max(burst.lastAt, record.time);
        burst.deferred = false;
        return { hold: true, outputs };
      }
    }
  }

  /** Decides a burst whose silence deadline has passed; `now` on the records' clock. */
  poll(now: number): WedgeOutput[] {
    const burst = this.burst;
    if (!burst) return [];
    const quiet = now - burst.lastAt;
    if (quiet < this.options.silenceMs) return [];
    if (quiet < this.options.stallGapMs && this.looksUnfinished(burst)) {
      burst.deferred = true;
      return [];
    }
    const outputs: WedgeOutput[] = [];
    this.finish('none', outputs);
    return outputs;
  }

  /** Decides at once whatever is held (screen change, focus moved): no waiting. */
  flush(): WedgeOutput[] {
    const outputs: WedgeOutput[] = [];
    this.finish('none', outputs);
    return outputs;
  }

  /** Drops whatever is held without a decision. */
  reset(): void {
    this.burst = null;
  }

  /** Whether a key at `time` still belongs to the burst (using the one stall if needed). */
  private continues(burst: Burst, time: number): boolean {
    const gap = time - burst.lastAt;
    if (gap <= this.options.maxGapMs) {
      burst.fastGaps += 1;
      return true;
    }
    if (gap > this.options.stallGapMs || !this.affordsStall(burst)) return false;
    burst.stalls += 1;
    return true;
  }

  /** The first stall is free; each further one needs `fastPerStall` fast gaps of its own. */
  private affordsStall(burst: Burst): boolean {
    return burst.stalls === 0 || burst.fastGaps >= this.options.fastPerStall * burst.stalls;
  }

  private keysIn(burst: Burst): number {
    return burst.chars.length + burst.unusable;
  }

  private looksUnfinished(burst: Burst): boolean {
    if (!this.affordsStall(burst)) return false;
    const keys = this.keysIn(burst);
    if (keys < 2) return false;
    const startOfCode = burst.unusable === 0 && this.options.expectMore(burst.chars.join(''));
    // Two keys: only when they came at scanner speed and start a payment code (a person's
    // two quick keys are handed back after the silence, not after a stall's wait).
    if (keys === 2) return burst.fastGaps > 0 && startOfCode;
    return keys < this.options.minLength || startOfCode;
  }

  private finish(suffix: WedgeSuffix, outputs: WedgeOutput[]): 'scan' | 'typed' | 'ime' | 'none' {
    const burst = this.burst;
    this.burst = null;
    if (!burst) return 'none';
    const keys = this.keysIn(burst);
    if (keys >= this.options.minLength) {
      if (burst.unusable > 0) {
        outputs.push({ kind: 'ime-blocked', keys, lastAt: burst.lastAt });
        return 'ime';
      }
      outputs.push({
        kind: 'scan',
        text: burst.chars.join(''),
        suffix,
        keys,
        firstAt: burst.firstAt,
        lastAt: burst.lastAt,
      });
      return 'scan';
    }
    if (burst.chars.length > 0) outputs.push({ kind: 'typed', text: burst.chars.join('') });
    return 'typed';
  }
}
