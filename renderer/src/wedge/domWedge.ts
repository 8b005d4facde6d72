/**
 * DOM adapter of the keyboard-wedge detector (shared/wedge/detector.ts): turns
 * KeyboardEvents into key records stamped with performance.now(), keeps held keys from the
 * page, owns the silence timer, and reports decisions.
 *
 * Capture happens only where the cashier's screen says so (`capturing()`), and never for a
 * key aimed at an editable field unless that field opts in with `data-wedge-capture`: in
 * settings, a PIN, a search box or a refund amount a person's typing is left alone.
 */
import {
  WedgeDetector,
  type WedgeKeyRecord,
  type WedgeOptions,
  type WedgeOutput,
} from '../../../shared/wedge/detector.ts';

export interface WedgeScan {
  text: string;
  suffix: 'enter' | 'tab' | 'none';
  /** performance.now() of the last keystroke of the scan. */
  lastKeyAt: number;
}

export interface DomWedgeHandlers {
  /** Whether keys are captured now (payment and amount screens). */
  capturing(): boolean;
  onScan(scan: WedgeScan): void;
  /** Held keys that were a person typing: deliver them as if typed. */
  onTyped(text: string): void;
  /** A scanner-speed burst the input method swallowed: tell the cashier to switch it off. */
  onImeBlocked(): void;
}

export interface DomWedge {
  /** Call first for every keydown; true when the key was taken (default prevented). */
  handleKeyDown(event: KeyboardEvent): boolean;
  /** Decide whatever is held now (e.g. the screen changes). */
  flush(): void;
  dispose(): void;
}

/** Fields a person types into (the screen's key handler leaves them alone too). */
export const EDITABLE = 'input, textarea, select, [contenteditable=""], [contenteditable="true"]';

function isPersonalField(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const element = target as Element;
  return element.closest(EDITABLE) !== null && element.closest('[data-wedge-capture]') === null;
}

export function toKeyRecord(event: KeyboardEvent, time: number): WedgeKeyRecord {
  return {
    type: event.type,
    code: event.code,
    key: event.key,
    keyCode: event.keyCode,
    isComposing: event.isComposing,
    time,
    shiftKey: event.shiftKey,
    ctrlKey: event.ctrlKey,
    altKey: event.altKey,
    metaKey: event.metaKey,
  };
}

/** A timer that fires this much after its deadline means the page was stalled. */
const LATE_MS = 12;

export function createDomWedge(
  handlers: DomWedgeHandlers,
  options: Partial<WedgeOptions> = {},
  now: () => number = () => performance.now(),
): DomWedge {
  const detector = new WedgeDetector(options);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let yieldedOnce = false;

  const deliver = (outputs: WedgeOutput[]): void => {
    for (const output of outputs) {
      if (output.kind === 'scan') {
        handlers.onScan({ text: output.text, suffix: output.suffix, lastKeyAt: output.lastAt });
      } else if (output.kind === 'typed') {
        handlers.onTyped(output.text);
      } else {
        handlers.onImeBlocked();
      }
    }
  };

  const fire = (): void => {
    timer = null;
    const deadline = detector.nextDeadline();
    if (deadline === null) return;
    const t = now();
    if (t - deadline > LATE_MS && !yieldedOnce) {
      // The page was stalled: keystrokes may be queued behind this timer. Let them in first.
      yieldedOnce = true;
      timer = setTimeout(fire, 0);
      return;
    }
    yieldedOnce = false;
    deliver(detector.poll(t));
    schedule();
  };

  const schedule = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const deadline = detector.nextDeadline();
    if (deadline === null) return;
    timer = setTimeout(fire, Math.max(0, deadline - now()));
  };

  return {
    handleKeyDown(event) {
      const t = now();
      if (!handlers.capturing() || isPersonalField(event.target)) {
        if (detector.pending) {
          deliver(detector.flush());
          schedule();
        }
        return false;
      }
      const result = detector.feed(toKeyRecord(event, t));
      yieldedOnce = false;
      deliver(result.outputs);
      schedule();
      if (result.hold) {
        event.preventDefault();
        event.stopPropagation();
      }
      return result.hold;
    },
    flush() {
      deliver(detector.flush());
      schedule();
    },
    dispose() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      detector.reset();
    },
  };
}
