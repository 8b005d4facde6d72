/**
 * When the till sounds (PURE decision + the store subscription): once, when the sale on
 * screen reaches its outcome — the paid tone for a payment received, the not-paid tone for
 * every end without one (declined, not confirmed, stopped, refunded late, refund refused).
 * "Not known yet" is not an outcome: no tone until it is.
 */
import type { StoreApi } from 'zustand';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import { DEFAULT_SCREEN_SETTINGS } from '../../../shared/ipc/screenSettings.ts';
import { isInProgress } from '../../../shared/sale.ts';
import type { Tone } from '../sound.ts';
import { outcomeOf } from './outcome.ts';
import type { PosState } from './store.ts';

export function toneOf(sale: SaleView | null): Tone | null {
  if (!sale || isInProgress(sale.status)) return null;
  const outcome = outcomeOf(sale);
  if (outcome === 'paid') return 'paid';
  if (outcome === 'unknown') return null;
  return 'not-paid';
}

/** The tone to play as the screen's sale changes from `prev` to `next` (same sale only). */
export function toneForChange(prev: SaleView | null, next: SaleView | null): Tone | null {
  if (!prev || !next || prev.orderId !== next.orderId) return null;
  const tone = toneOf(next);
  return tone !== null && toneOf(prev) === null ? tone : null;
}

/** Plays the tones of the store's sale, at the screen settings' volume. Returns unsubscribe. */
export function soundSales(
  store: StoreApi<PosState>,
  play: (tone: Tone, volume: number) => void,
): () => void {
  return store.subscribe((state, previous) => {
    if (state.sale === previous.sale) return;
    const tone = toneForChange(previous.sale, state.sale);
    if (!tone) return;
    const screen = state.settings?.screen ?? DEFAULT_SCREEN_SETTINGS;
    if (screen.sound && screen.soundVolume > 0) play(tone, screen.soundVolume);
  });
}
