/**
 * The keystrokes a keyboard-wedge scanner sends, per keyboard layout / input method: shared by
 * the detector's unit tests and the Chromium end-to-end tests (no browser needed to build them).
 */

/** One keystroke as a keyboard wedge (or an IME in front of it) delivers it. */
export interface KeySpec {
  code: string;
  key: string;
  keyCode?: number;
  isComposing?: boolean;
  shiftKey?: boolean;
}

const AZERTY_DIGITS: Record<string, string> = {
  '1': '&',
  '2': 'é',
  '3': '"',
  '4': "'",
  '5': '(',
  '6': '-',
  '7': 'è',
  '8': '_',
  '9': 'ç',
  '0': 'à',
};

export type WedgeLayout = 'qwerty' | 'azerty' | 'numpad' | 'ime' | 'ime-no-code';

/** The keystrokes a scanner sends for `digits` on a given keyboard layout / input method. */
export function scanKeys(
  digits: string,
  layout: WedgeLayout = 'qwerty',
  suffix: 'enter' | 'none' = 'none',
): KeySpec[] {
  const keys = [...digits].map((d, i): KeySpec => {
    const n = Number(d);
    switch (layout) {
      case 'qwerty':
        return { code: `Digit${d}`, key: d, keyCode: 48 + n };
      case 'azerty':
        return { code: `Digit${d}`, key: AZERTY_DIGITS[d] ?? d, keyCode: 48 + n };
      case 'numpad':
        return { code: `Numpad${d}`, key: d, keyCode: 96 + n };
      case 'ime':
        return { code: `Digit${d}`, key: 'Process', keyCode: 229, isComposing: i > 0 };
      case 'ime-no-code':
        return { code: '', key: 'Process', keyCode: 229, isComposing: i > 0 };
    }
  });
  if (suffix === 'enter') {
    const composing = layout === 'ime' || layout === 'ime-no-code';
    keys.push(
      composing
        ? { code: 'Enter', key: 'Process', keyCode: 229, isComposing: true }
        : { code: 'Enter', key: 'Enter', keyCode: 13 },
    );
  }
  return keys;
}
