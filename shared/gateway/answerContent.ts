/**
 * The fields of an answer's bizContent that the terminal reads (gateway.md, "Response
 * bizContent"), as one zod schema, and the facts (ids, amount, times) taken from them.
 *
 * Every field is optional and unknown fields pass through. A field is text: a JSON string,
 * or a JSON number read as its text (`12` → "12"). A field of any other type (an object, an
 * array, true, null) is read as absent, as the client always has; the answer rules decide
 * what an absent field means (a SUCCESS that names no payment is never paid). bizContent
 * that is not a JSON object, and an amount that cannot be read exactly in a known currency,
 * make the answer malformed.
 */
import { z } from 'zod';
import { isCurrency, parseGatewayAmount } from '../money.ts';
import type { PaymentFacts, RefundFacts } from './outcome.ts';

/** Text as the gateway sends it; any other type is absent. */
const TEXT = z
  .union([z.string(), z.number().transform(String)])
  .optional()
  .catch(undefined);

/** Epoch ms, sent as digits (a string or a whole number); anything else is absent. */
const EPOCH_MS = TEXT.transform((text) => {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
});

export const ANSWER_CONTENT = z.looseObject({
  resultCode: TEXT,
  resultDescription: TEXT,
  status: TEXT,
  merchantTransactionId: TEXT,
  requestId: TEXT,
  transactionId: TEXT,
  merchantRefundId: TEXT,
  refundId: TEXT,
  amount: TEXT,
  currency: TEXT,
  transactionTime: EPOCH_MS,
  refundTime: EPOCH_MS,
  paymentMethod: z.looseObject({ type: TEXT }).optional().catch(undefined),
  // Linked wallets (CodeGrant) and hosted checkout.
  merchantUserId: TEXT,
  /** A sign-up's token, a checkout session, or (a subscription's paid order) the payment token. */
  token: TEXT,
  authUrl: TEXT,
  paymentUrl: TEXT,
});

export type AnswerContent = z.infer<typeof ANSWER_CONTENT>;

/** The text of one top-level envelope field (`code`, `description`), by the same rule. */
export function textOf(value: unknown): string | undefined {
  return TEXT.parse(value);
}

/**
 * Reads an answer's raw bizContent (after its signature was verified over that string):
 * absent or empty is no content; null when it is not a JSON object.
 */
export function parseAnswerContent(bizContent: unknown): AnswerContent | null {
  if (typeof bizContent !== 'string' || bizContent === '') return ANSWER_CONTENT.parse({});
  let inner: unknown;
  try {
    inner = JSON.parse(bizContent);
  } catch {
    return null;
  }
  const parsed = ANSWER_CONTENT.safeParse(inner);
  return parsed.success ? parsed.data : null;
}

type Amount = { amountMinor?: number; currency?: string };

/** The stated currency, and the amount in minor units when the currency is known; null: unreadable. */
function amountOf(content: AnswerContent): Amount | null {
  const { amount, currency } = content;
  const facts: Amount = {};
  if (currency !== undefined) facts.currency = currency;
  if (amount !== undefined && currency !== undefined && isCurrency(currency)) {
    const parsed = parseGatewayAmount(amount, currency);
    if (!parsed.ok) return null;
    facts.amountMinor = parsed.minor;
  }
  return facts;
}

type IdField =
  | 'transactionId'
  | 'merchantTransactionId'
  | 'requestId'
  | 'refundId'
  | 'merchantRefundId'
  | 'merchantUserId';

/** The named ids the answer states; absent ones left out. */
function idsOf<K extends IdField>(
  content: AnswerContent,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const texts: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const text = content[key];
    if (text !== undefined) texts[key] = text;
  }
  return texts;
}

/** What a payment answer states; null when its amount cannot be read. */
export function paymentFacts(content: AnswerContent): PaymentFacts | null {
  const amount = amountOf(content);
  if (amount === null) return null;
  const facts: PaymentFacts = {
    ...amount,
    ...idsOf(content, ['transactionId', 'merchantTransactionId', 'requestId', 'merchantUserId']),
  };
  if (content.transactionTime !== undefined) facts.transactionTime = content.transactionTime;
  const method = content.paymentMethod?.type;
  if (method !== undefined) facts.methodType = method;
  return facts;
}

/** What a refund answer states; null when its amount cannot be read. */
export function refundFacts(content: AnswerContent): RefundFacts | null {
  const amount = amountOf(content);
  if (amount === null) return null;
  const facts: RefundFacts = { ...amount, ...idsOf(content, ['refundId', 'merchantRefundId']) };
  if (content.refundTime !== undefined) facts.refundTime = content.refundTime;
  return facts;
}
