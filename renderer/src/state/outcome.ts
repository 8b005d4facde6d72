/** What a finished sale means to the cashier (and to the customer display). */
import type { SaleView } from '../../../shared/ipc/contract.ts';

/**
 * What the cashier is told. A sale nobody waits for any more (the customer's deadline passed,
 * or the cashier stopped waiting) is not paid as far as the till is concerned: the terminal
 * still resolves it in the background and refunds it automatically if it turns out paid.
 */
export type Outcome =
  | 'paid'
  | 'declined'
  | 'closed'
  | 'unknown'
  | 'not-confirmed'
  | 'stopped'
  | 'auto-refunded'
  | 'auto-refund-declined';

export function outcomeOf(sale: Pick<SaleView, 'status' | 'abandoned' | 'reasonCode'>): Outcome {
  if (sale.status === 'paid') {
    if (sale.reasonCode === 'auto-refunded') return 'auto-refunded';
    if (sale.reasonCode === 'auto-refund-declined') return 'auto-refund-declined';
    return 'paid';
  }
  if (sale.status === 'unknown' && sale.abandoned) {
    if (sale.reasonCode === 'customer-timeout') return 'not-confirmed';
    if (sale.reasonCode === 'cancelled') return 'stopped';
  }
  const { status } = sale;
  return status === 'declined' || status === 'closed' ? status : 'unknown';
}
