/**
 * The gateway's 6-digit result codes (gateway.md, "Codes") sorted into the categories the
 * terminal acts on, with one short, cashier-readable reason per category.
 *
 * The table names exact codes and ranges; where a documented block is wider than the codes
 * listed (101xxx, 20xxxx, 30xxxx, 5xxxxx, 6xxxxx) the whole block gets the block's meaning,
 * so that an unlisted code of a known block is never read as success.
 */

export type ResultCategory =
  | 'success'
  | 'accepted'
  | 'processing'
  | 'config-error'
  | 'invalid-parameter'
  | 'auth-error'
  | 'bad-signature'
  | 'code-expired'
  | 'duplicate'
  | 'not-found'
  | 'refund-refused'
  | 'risk-declined'
  | 'issuer-declined'
  | 'gateway-error'
  | 'upstream-error'
  | 'unrecognised';

/** Inclusive numeric ranges, checked in order: the first match wins. */
const RANGES: ReadonlyArray<readonly [number, number, ResultCategory]> = [
  [0, 0, 'success'],
  [1000, 1000, 'accepted'],
  [2000, 2000, 'processing'],
  [101000, 101999, 'config-error'],
  [102000, 102000, 'invalid-parameter'],
  [103000, 103000, 'auth-error'],
  [104000, 104000, 'bad-signature'],
  [105000, 105000, 'code-expired'],
  [107000, 107000, 'duplicate'],
  [107001, 107001, 'not-found'],
  [108000, 108003, 'refund-refused'],
  [303000, 303000, 'refund-refused'],
  [200000, 209999, 'risk-declined'],
  [300000, 309999, 'issuer-declined'],
  [500000, 599999, 'gateway-error'],
  [600000, 699999, 'upstream-error'],
];

/** The category of a result code; anything that is not a known 6-digit code is `unrecognised`. */
export function categoryOf(code: string): ResultCategory {
  if (!/^\d{6}$/.test(code)) return 'unrecognised';
  const value = Number(code);
  for (const [from, to, category] of RANGES) {
    if (value >= from && value <= to) return category;
  }
  return 'unrecognised';
}

export const CATEGORY_REASONS: Readonly<Record<ResultCategory, string>> = {
  success: 'Payment succeeded.',
  accepted: 'The gateway accepted the request.',
  processing: 'Waiting for the customer to confirm in the wallet.',
  'config-error': 'The store account is disabled or misconfigured. Call support.',
  'invalid-parameter': 'The gateway rejected the request as invalid. Call support.',
  'auth-error': 'The store credentials were refused. Check the store ID and key.',
  'bad-signature': 'The gateway could not verify the request. Check the store key.',
  'code-expired':
    'The payment code has expired or was already used: ask the customer for a fresh code.',
  duplicate: 'This order was already submitted. Check its status instead of charging again.',
  'not-found': 'The gateway has no record of this transaction.',
  'refund-refused': 'The refund was refused.',
  'risk-declined': 'Declined by the risk check. Ask for another payment method.',
  'issuer-declined':
    'Declined by the wallet. The customer may try again with a new code or another method.',
  'gateway-error': 'The gateway had an internal error: the outcome is not known yet.',
  'upstream-error': 'The wallet did not answer in time: the outcome is not known yet.',
  unrecognised: 'The gateway answered with an unrecognised code.',
};

/** Finer reasons where one category covers codes a cashier should tell apart. */
const CODE_REASONS: Readonly<Record<string, string>> = {
  '108000': 'Refund refused: the amount is more than the payment.',
  '108003': 'Refund refused: the amount is more than what is left to refund.',
  '303000': 'Refund refused: this payment cannot be refunded.',
};

export function reasonForCategory(category: ResultCategory): string {
  return CATEGORY_REASONS[category];
}

/** The cashier-readable reason for one code (the category's reason unless a finer one exists). */
export function reasonForCode(code: string): string {
  return CODE_REASONS[code] ?? CATEGORY_REASONS[categoryOf(code)];
}
