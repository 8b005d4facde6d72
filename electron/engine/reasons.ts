/**
 * What the cashier reads when a sale is not (or not yet) paid: one short sentence each, with
 * a stable reasonCode next to it for the screen's translations and for tests.
 */
import type { GatewayAnswer } from '../../shared/gateway/outcome.ts';
import { categoryOf } from '../../shared/gateway/resultCodes.ts';
import type { ReasonCode } from '../../shared/sale.ts';
import type { AbandonCause } from '../journal/journal.ts';
import { ASK_SCAN_OR_RELINK } from '../../shared/members.ts';

export type { ReasonCode };

export interface Reason {
  reason: string;
  /** One of shared/sale.ts's ReasonCode: the screen has words for each in every language. */
  reasonCode: ReasonCode;
}

export const REASONS = {
  customerTimeout: {
    reason: 'Customer did not confirm in time',
    reasonCode: 'customer-timeout',
  },
  cancelled: {
    reason: 'Cancelled — checking with the gateway that nothing was charged',
    reasonCode: 'cancelled',
  },
  closedAfterTimeout: {
    reason: 'Customer did not confirm in time — nothing was charged',
    reasonCode: 'customer-timeout',
  },
  closedAfterCancel: {
    reason: 'Cancelled — nothing was charged',
    reasonCode: 'cancelled',
  },
  closed: {
    reason: 'The customer did not confirm — the order was closed, nothing was charged',
    reasonCode: 'closed',
  },
  codeExpired: {
    reason: 'Payment code expired — ask the customer for a fresh code',
    reasonCode: 'code-expired',
  },
  /** "Payment code expired" answered to a linked-wallet or renewal charge: there is no code. */
  tokenChargeExpired: {
    reason:
      'The wallet refused the charge as expired — nothing was charged; ask the customer to check their wallet app, or to scan their payment code instead',
    reasonCode: 'token-charge-expired',
  },
  notSent: {
    reason: 'The payment did not reach the gateway — nothing was charged',
    reasonCode: 'not-sent',
  },
  autoRefunded: {
    reason: 'Paid after the till stopped waiting — refunded automatically',
    reasonCode: 'auto-refunded',
  },
  autoRefundDeclined: {
    reason:
      'Paid after the till stopped waiting — the automatic refund was refused by the gateway ' +
      '(it is tried again): the customer has NOT been refunded yet; call the supervisor.',
    reasonCode: 'auto-refund-declined',
  },
  inProgress: {
    reason: 'Already a payment in progress — finish it first',
    reasonCode: 'sale-in-progress',
  },
  /** An unverifiable 103000/104000: the till's credentials were refused — or it was forged. */
  credentialsRefused: {
    reason:
      "The gateway refused this till's credentials — the payment could not be confirmed. " +
      'Do not charge again; call the supervisor/IT to check the store key in Settings.',
    reasonCode: 'gateway-credentials',
  },
  checkoutExpired: {
    reason: 'The customer did not pay on the phone before the page closed — nothing was charged',
    reasonCode: 'checkout-expired',
  },
  checkoutCancelledOpen: {
    reason:
      'Cancelled — the payment page stays open until it closes; should the customer pay ' +
      'anyway, it is refunded automatically',
    reasonCode: 'checkout-cancelled',
  },
  checkoutCancelled: {
    reason: 'Cancelled — the payment page closed, nothing was charged',
    reasonCode: 'checkout-cancelled',
  },
  memberTokenMismatch: {
    reason:
      'The gateway does not know this member’s token ("token does not exist": the member id ' +
      'differs from the sign-up’s) — nothing was charged; an integration fault, reported to IT. ' +
      `For now ${ASK_SCAN_OR_RELINK}`,
    reasonCode: 'member-token-mismatch',
  },
} as const satisfies Record<string, Reason>;

/** The linked wallet refused as not active (the wallet names the token's state). */
export function linkUnboundReason(wallet: string, state: string): Reason {
  return {
    reason: `The customer’s linked ${wallet} no longer works (${state}) — nothing was charged; ${ASK_SCAN_OR_RELINK}`,
    reasonCode: 'link-unbound',
  };
}

/** A renewal refused because the kept payment token is revoked or expired. */
export function renewalTokenReason(state: string): Reason {
  return {
    reason:
      `The membership’s payment token no longer works (${state}) — nothing was charged; ` +
      'ask the customer to pay on their phone again to renew the membership',
    reasonCode: 'subscription-token-revoked',
  };
}

/** A checkout the customer's payment on the phone failed (or the gateway declined). */
export function checkoutFailedReason(answer: GatewayAnswer): Reason {
  const description = clean(answer.description);
  return {
    reason: `The payment on the customer’s phone failed${description ? ` (${description})` : ''} — nothing was charged; ask for another way to pay`,
    reasonCode: 'checkout-failed',
  };
}

/** A gateway text shown to the cashier: one line, bounded. */
function clean(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}

/**
 * 104000 (bad signature) or 103000 (authentication), unsigned: the real cause, named, for the
 * cashier and for IT. The payment may still have gone through (the answer cannot be
 * verified), so the sale stays unknown and is resolved by query.
 */
export function credentialsReason(answer: { code: string; resultCode: string }): Reason {
  const codes = [answer.code, answer.resultCode];
  const signature = codes.some((c) => categoryOf(c) === 'bad-signature');
  const code = codes.find((c) => ['auth-error', 'bad-signature'].includes(categoryOf(c))) ?? '';
  return {
    reason: signature
      ? `The gateway refused our signature (${code}): check the salt (store key) in Settings. ` +
        'The payment could not be confirmed — do not charge again; call the supervisor/IT.'
      : `The gateway refused this till's credentials (${code}): check the store id (accId) ` +
        'and the salt in Settings. The payment could not be confirmed — do not charge again; ' +
        'call the supervisor/IT.',
    reasonCode: REASONS.credentialsRefused.reasonCode,
  };
}

export function isCredentialsReason(reasonCode: string | null): boolean {
  return reasonCode === REASONS.credentialsRefused.reasonCode;
}

/** Why a payment was declined (FAILED, 105000, 20xxxx, 30xxxx). */
/**
 * Why the wallet declined. `tokenCharge`: a linked wallet's or a renewal's charge, where no
 * code was scanned — the cashier is never told to ask for a fresh code.
 */
export function declineReason(answer: GatewayAnswer, tokenCharge = false): Reason {
  const codes = [answer.code, answer.resultCode];
  if (codes.some((c) => categoryOf(c) === 'code-expired')) {
    return tokenCharge ? REASONS.tokenChargeExpired : REASONS.codeExpired;
  }
  const description = clean(answer.description);
  if (codes.some((c) => categoryOf(c) === 'risk-declined')) {
    return {
      reason: `Declined by the wallet's risk check${description ? `: ${description}` : ''} — ask for another way to pay`,
      reasonCode: 'risk-declined',
    };
  }
  let reason = tokenCharge
    ? 'Declined by the wallet — ask the customer to check their wallet app, or to scan their payment code'
    : 'Declined by the wallet — the customer may try again with a new code';
  if (/^declined\b/i.test(description)) reason = description;
  else if (description) reason = `Declined by the wallet: ${description}`;
  return { reason, reasonCode: 'declined' };
}

/** The gateway refused the request itself (configuration, credentials, parameters). */
export function rejectedReason(answer: GatewayAnswer, text: string): Reason {
  return {
    reason: `The gateway refused the payment (${answer.code}): ${clean(text)}`,
    reasonCode: 'gateway-rejected',
  };
}

export function closedReason(abandoned: AbandonCause | null): Reason {
  if (abandoned === 'deadline') return REASONS.closedAfterTimeout;
  if (abandoned === 'cancel') return REASONS.closedAfterCancel;
  return REASONS.closed;
}

export function abandonReason(cause: AbandonCause): Reason {
  return cause === 'deadline' ? REASONS.customerTimeout : REASONS.cancelled;
}

/** The gateway reports the payment with another amount or currency than the sale's. */
export function amountMismatchReason(expected: string, stated: string): Reason {
  return {
    reason:
      `The gateway reports ${stated} paid for this ${expected} sale — it is NOT shown as paid. ` +
      'Do not charge again and do not refund; call the supervisor.',
    reasonCode: 'amount-mismatch',
  };
}

export function refundDeclinedReason(answer: GatewayAnswer, text: string): Reason {
  return { reason: `Refund refused by the gateway: ${clean(text)}`, reasonCode: 'refund-declined' };
}
