/**
 * What "Try again" does after a sale that was not paid: the same tender with the same amount.
 * A scanned sale asks for a new code; a linked wallet is charged again; the customer's phone
 * gets a new page of the same brand. A membership's first payment and a renewal open the
 * member on Members (the cashier chooses again there: a renewal needs the supervisor PIN, a
 * membership its terms, and a plain sale would leave the period unpaid). A linked wallet or a
 * phone page whose first try may still be paid goes back to the amount. A code scanned on the
 * result screen is always a scanned sale: the customer showed it.
 */
import type { SaleView } from '../../../shared/ipc/contract.ts';
import { isFinal } from '../../../shared/sale.ts';
import {
  isCheckoutBrand,
  isLinkWallet,
  type CheckoutBrand,
  type LinkWallet,
} from '../../../shared/paymentMethods.ts';

export type Retry =
  | { kind: 'scan' }
  | { kind: 'member'; memberId: string; wallet: LinkWallet }
  | { kind: 'checkout'; brand: CheckoutBrand | null }
  /** A membership's first payment or a renewal: the member on the Members screen. */
  | { kind: 'open-member'; memberId: string }
  | { kind: 'amount' };

export function retryOf(sale: SaleView): Retry {
  // Its outcome not known yet (cancelled while being sent, a deadline passed): it may still
  // go through, so the same wallet or page now could be paid twice. The cashier chooses.
  if (!isFinal(sale.status) && sale.tender !== undefined && sale.tender !== 'code') {
    return { kind: 'amount' };
  }
  switch (sale.tender ?? 'code') {
    case 'code':
      return { kind: 'scan' };
    case 'linked-wallet':
      return sale.memberId && isLinkWallet(sale.method)
        ? { kind: 'member', memberId: sale.memberId, wallet: sale.method }
        : { kind: 'amount' };
    case 'checkout':
      // With a member: a membership's first payment (its terms are chosen on Members).
      if (sale.memberId) return { kind: 'open-member', memberId: sale.memberId };
      return { kind: 'checkout', brand: isCheckoutBrand(sale.method) ? sale.method : null };
    case 'renewal':
      return sale.memberId ? { kind: 'open-member', memberId: sale.memberId } : { kind: 'amount' };
    default:
      return { kind: 'amount' };
  }
}
