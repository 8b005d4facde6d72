/** In a sale's detail in History: reprint its receipt (and the last print's outcome). */
import type { SaleView } from '../../../../shared/ipc/contract.ts';

export function ReceiptActions(_props: { sale: SaleView }) {
  return null;
}
