/**
 * Under a sale's result: whether its receipt printed ("receipt not printed: <why>" with
 * reprint), or the "print receipt?" question when printing is set to ask.
 */
import type { SaleView } from '../../../../shared/ipc/contract.ts';

export function ReceiptNotice(_props: { sale: SaleView }) {
  return null;
}
