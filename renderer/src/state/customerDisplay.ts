/**
 * What the customer display shows (PURE: tested without a DOM). The display follows the sale
 * at the till: welcome while there is none, the amount and "show your payment code" while the
 * till waits for a scan, the countdown while the customer confirms on the phone, then the
 * result for a while, then welcome again. A QR code for the customer (pay on the phone: a
 * sale with a `paymentUrl`; signing up a linked wallet: a pending member link) takes the
 * screen while it is valid.
 */
import type { SaleView } from '../../../shared/ipc/contract.ts';
import type { Currency } from '../../../shared/money.ts';
import { isFinal } from '../../../shared/sale.ts';
import { outcomeOf } from './outcome.ts';

/** How long a result stays on the customer display (then: welcome). */
export const RESULT_SHOWN_MS = 15_000;

/** A QR code for the customer to scan with the phone. */
export interface CustomerQr {
  /** What the QR code encodes (a URL): shown only as the code, never as text on the page. */
  text: string;
  /** A translation key of the line under it (e.g. customer.qrPay, customer.qrLink). */
  caption: string;
  /** Epoch ms after which the code is no longer offered (null: no expiry). */
  expiresAt: number | null;
}

/** The sale as the display needs it; `paymentUrl` when the customer pays on the phone. */
export type CustomerSale = Pick<
  SaleView,
  | 'orderId'
  | 'status'
  | 'amountMinor'
  | 'currency'
  | 'abandoned'
  | 'reasonCode'
  | 'remainingMs'
  | 'paymentUrl'
  | 'paymentExpiresAt'
>;

export interface CustomerInput {
  sale: CustomerSale | null;
  /** Renderer clock (performance.now) when `sale` arrived: remainingMs counts from then. */
  saleSeenAt: number;
  /** Renderer clock now. */
  now: number;
  /** Epoch ms now (QR expiry). */
  wallNow: number;
  /** A QR code another part of the till offers the customer (a member link), if any. */
  qr?: CustomerQr | null;
}

interface Amount {
  amountMinor: number;
  currency: Currency;
}

export type CustomerScreen =
  | { kind: 'welcome' }
  | ({ kind: 'show-code' } & Amount)
  | ({ kind: 'processing' } & Amount)
  | ({ kind: 'confirm'; remainingMs: number | null } & Amount)
  | ({ kind: 'checking' } & Amount)
  | ({ kind: 'paid' } & Amount)
  | ({ kind: 'not-paid' } & Amount)
  | { kind: 'qr'; text: string; caption: string; expiresAt: number | null; amount: Amount | null };

const amountOf = (sale: CustomerSale): Amount => ({
  amountMinor: sale.amountMinor,
  currency: sale.currency,
});

export function customerScreenFor(input: CustomerInput): CustomerScreen {
  const { sale, now, wallNow } = input;
  const valid = (expiresAt: number | null | undefined) =>
    expiresAt === null || expiresAt === undefined || expiresAt > wallNow;
  if (sale && !isFinal(sale.status) && !sale.abandoned) {
    if (sale.paymentUrl && valid(sale.paymentExpiresAt)) {
      return {
        kind: 'qr',
        text: sale.paymentUrl,
        caption: 'customer.qrPay',
        expiresAt: sale.paymentExpiresAt ?? null,
        amount: amountOf(sale),
      };
    }
  }
  if (input.qr && valid(input.qr.expiresAt) && !(sale && isInHand(sale))) {
    return { kind: 'qr', ...input.qr, amount: null };
  }
  if (!sale) return { kind: 'welcome' };
  const amount = amountOf(sale);
  switch (sale.status) {
    case 'awaiting-scan':
      return { kind: 'show-code', ...amount };
    case 'submitting':
      return { kind: 'processing', ...amount };
    case 'waiting-for-customer': {
      const remainingMs =
        sale.remainingMs === null ? null : Math.max(0, sale.remainingMs - (now - input.saleSeenAt));
      return { kind: 'confirm', remainingMs, ...amount };
    }
    default:
      break;
  }
  if (now - input.saleSeenAt > RESULT_SHOWN_MS) return { kind: 'welcome' };
  const outcome = outcomeOf(sale);
  if (outcome === 'paid') return { kind: 'paid', ...amount };
  // Not sure yet (or paid late and the refund refused): the cashier tells the customer.
  if (outcome === 'unknown' || outcome === 'auto-refund-declined') {
    return { kind: 'checking', ...amount };
  }
  return { kind: 'not-paid', ...amount };
}

/** A sale the till is busy with (a QR of a member link waits until it is done). */
function isInHand(sale: CustomerSale): boolean {
  return !isFinal(sale.status) && !sale.abandoned && sale.status !== 'unknown';
}
