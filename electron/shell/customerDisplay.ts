/**
 * The customer display's window (PURE decisions, tested under Node): which monitor it goes
 * on, its options (the cashier window's security checklist, and it never takes the keyboard:
 * a scanner's keystrokes stay with the till), and what it may invoke (reads only).
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import {
  CUSTOMER_VIEW,
  isCustomerReadChannel,
  isCustomerViewUrl,
} from '../../shared/ipc/customerDisplay.ts';
import type { CustomerDisplayChoice } from '../../shared/ipc/screenSettings.ts';
import type { InvokeResult } from '../app/handlers.ts';
import { APP_ENTRY_URL, windowOptions } from './security.ts';

/** The same renderer, in its read-only customer view. */
export const CUSTOMER_ENTRY_URL = `${APP_ENTRY_URL}?view=${CUSTOMER_VIEW}`;

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DisplayInfo {
  id: number;
  bounds: Bounds;
}

/**
 * The monitor for the customer display, or null for none: `off`; `auto` = the first monitor
 * that is not the cashier's (none when there is only one); N = the system's Nth monitor,
 * unless that is the cashier's own (the till must never be covered).
 */
export function customerDisplayFor(
  displays: readonly DisplayInfo[],
  cashierDisplayId: number,
  choice: CustomerDisplayChoice,
): DisplayInfo | null {
  if (choice === 'off') return null;
  if (choice === 'auto') return displays.find((d) => d.id !== cashierDisplayId) ?? null;
  const chosen = displays[choice - 1];
  return chosen && chosen.id !== cashierDisplayId ? chosen : null;
}

export function customerWindowOptions(
  preloadPath: string,
  bounds: Bounds,
): BrowserWindowConstructorOptions {
  const cashier = windowOptions({ preloadPath, kiosk: true });
  return {
    ...bounds,
    show: false,
    frame: false,
    fullscreen: true,
    kiosk: false,
    skipTaskbar: true,
    // Never focused: every key (and a keyboard-wedge scan) stays with the cashier's window.
    focusable: false,
    backgroundColor: '#14273d',
    title: 'PosPay — customer display',
    autoHideMenuBar: true,
    webPreferences: { ...cashier.webPreferences, devTools: false },
  };
}

/** What the customer display gets for a channel that acts (and nothing reaches the core). */
export const CUSTOMER_READ_ONLY: InvokeResult = {
  ok: false,
  status: 400,
  error: { error: 'Refused: the customer display only reads.', code: 'customer-display-read-only' },
};

/** null when the frame may invoke the channel; else the refusal to answer with. */
export function customerInvokeRefusal(
  frameUrl: string | null | undefined,
  channel: unknown,
): InvokeResult | null {
  if (!frameUrl || !isCustomerViewUrl(frameUrl)) return null;
  return typeof channel === 'string' && isCustomerReadChannel(channel) ? null : CUSTOMER_READ_ONLY;
}

export function sameBounds(a: Bounds, b: Bounds): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}
