/**
 * One keydown listener for the whole screen. The keyboard wedge sees every key first (on
 * the sale screens and the history; never in a field a person types in), so a scan is
 * never taken for shortcuts; what it does not take drives the screen. Everywhere: F1 sale,
 * F2 history, F3 Z report, F4 settings; Esc goes back (closes what is open, else back to
 * the sale). On the sale screens: digits and '.' type the amount, Backspace deletes, Esc
 * clears, Enter charges. On a result screen Enter tries the same amount again after a
 * failure (else starts the next sale), Esc starts the next sale.
 */
import { useEffect } from 'react';
import type { StoreApi } from 'zustand';
import { createDomWedge, EDITABLE } from './wedge/domWedge.ts';
import { canTryAgain, phaseOf, type PosState, type View } from './state/store.ts';

/** The function keys of the screens (shown on the top bar's buttons). */
export const VIEW_KEYS: Readonly<Record<string, View>> = {
  F1: 'sale',
  F2: 'history',
  F3: 'report',
  F4: 'settings',
};
export const KEY_OF_VIEW: Readonly<Partial<Record<View, string>>> = Object.fromEntries(
  Object.entries(VIEW_KEYS).map(([key, view]) => [view, key]),
);

/**
 * The button Esc presses on this screen, if any: the enabled `[data-esc]` with the highest
 * value (a confirmation's "Change" before the panel's "Close").
 */
function escapeButton(root: ParentNode): HTMLElement | null {
  const candidates = [...root.querySelectorAll<HTMLElement>('[data-esc]')].filter(
    (el) => !(el as HTMLButtonElement).disabled,
  );
  candidates.sort((a, b) => Number(b.dataset.esc ?? 0) - Number(a.dataset.esc ?? 0));
  return candidates[0] ?? null;
}

/** F1–F4 anywhere, Esc outside the sale screens. True when the key was a shortcut. */
export function handleShortcut(event: KeyboardEvent, store: StoreApi<PosState>): boolean {
  if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return false;
  const state = store.getState();
  const view = VIEW_KEYS[event.key];
  if (view) {
    event.preventDefault(); // not the browser's help (F1) or find (F3)
    state.setView(view);
    // Back at the till, Enter must charge, not press a button left focused.
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    return true;
  }
  if (event.key !== 'Escape' || state.view === 'sale') return false;
  event.preventDefault();
  const button = escapeButton(document);
  if (button) button.click();
  else {
    state.setView('sale');
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  }
  return true;
}

const ACTIVATABLE = 'button, a[href], [role="button"], summary';

/** The character an amount key stands for, from the physical key first (any layout). */
export function amountChar(event: KeyboardEvent): string | null {
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(event.code);
  if (digit) return digit[1] ?? null;
  if (event.code === 'NumpadDecimal' || event.key === '.' || event.key === ',') return '.';
  if (/^[0-9]$/.test(event.key)) return event.key;
  return null;
}

/**
 * The wedge owns the keyboard on the till's own screens and on the history (a scan there
 * finds the sale), never in the report or settings.
 */
function wedgeCaptures(state: PosState): boolean {
  return state.view === 'sale' || state.view === 'history';
}

export function handleScreenKey(event: KeyboardEvent, store: StoreApi<PosState>): void {
  if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
  const state = store.getState();
  if (state.view !== 'sale') return;
  const target = event.target instanceof Element ? event.target : null;
  if (target?.closest(EDITABLE)) return;
  const isEnter = event.key === 'Enter' || event.code === 'NumpadEnter';
  // A focused button answers Enter and Space itself.
  if (target?.closest(ACTIVATABLE) && (isEnter || event.key === ' ')) return;
  const phase = phaseOf(state.sale);
  let handled = true;
  if (phase === 'amount') {
    const char = amountChar(event);
    if (char) state.typeAmount(char);
    else if (isEnter) void state.charge();
    else if (event.key === 'Backspace') state.backspace();
    else if (event.key === 'Escape' || event.key === 'Delete') state.clearAmount();
    else handled = false;
  } else if (phase === 'scan') {
    const awaiting = state.sale?.status === 'awaiting-scan';
    if (event.key === 'Escape' && state.manualCode) state.setManualCode('');
    else if (event.key === 'Escape' && awaiting) void state.cancel();
    else if (event.key === 'Backspace' && state.manualCode) {
      state.setManualCode(state.manualCode.slice(0, -1));
    } else if (isEnter && state.manualCode) void state.submitCode(state.manualCode, 'manual');
    else handled = false;
  } else if (isEnter && canTryAgain(state.sale)) void state.tryAgain();
  else if (isEnter || event.key === 'Escape') state.newSale();
  else handled = false;
  if (handled) event.preventDefault();
}

export function useKeyboard(store: StoreApi<PosState>, minLength?: number): void {
  useEffect(() => {
    const wedge = createDomWedge(
      {
        capturing: () => wedgeCaptures(store.getState()),
        onScan: (scan) => store.getState().wedgeScan(scan.text),
        onTyped: (text) => store.getState().wedgeTyped(text),
        onImeBlocked: () => store.getState().wedgeImeBlocked(),
      },
      minLength === undefined ? {} : { minLength },
    );
    const onKeyDown = (event: KeyboardEvent): void => {
      if (wedge.handleKeyDown(event)) return;
      if (handleShortcut(event, store)) return;
      handleScreenKey(event, store);
    };
    window.addEventListener('keydown', onKeyDown, true);
    return () => {
      window.removeEventListener('keydown', onKeyDown, true);
      wedge.dispose();
    };
  }, [store, minLength]);
}
