/**
 * Double-read suppression (scanners.md, "Double reads"): a scanner in continuous mode sends
 * the same code again within milliseconds. The same text seen again within `windowMs` of its
 * previous sighting is a repeat; holding a code under the beam therefore yields one scan.
 */
export const DEFAULT_DEDUPE_WINDOW_MS = 1000;

export interface Dedupe {
  /** true when the scan should be passed on; false for a repeat. `at` is monotonic ms. */
  accept(text: string, at: number): boolean;
  reset(): void;
}

export function createDedupe(windowMs = DEFAULT_DEDUPE_WINDOW_MS): Dedupe {
  let lastText: string | undefined;
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    accept(text, at) {
      const repeat = windowMs > 0 && text === lastText && at - lastAt < windowMs;
      lastText = text;
      lastAt = at;
      return !repeat;
    },
    reset() {
      lastText = undefined;
      lastAt = Number.NEGATIVE_INFINITY;
    },
  };
}
