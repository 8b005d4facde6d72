/**
 * The payment methods this terminal charges (gateway.md: the offline wallet methods), each
 * with its facts: the wallet whose codes it takes, the store region it serves, the one
 * currency the gateway charges it in and what a cashier calls it. The one definition: the
 * contract's zod enum, the classifier, the engine, the CLI and the simulator derive from it.
 */
import type { Currency } from './money.ts';

export const PAYMENT_METHODS = ['Wechat-Offline', 'AlipayCN-Offline', 'AlipayHK-Offline'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** The store's region: decides which Alipay method an Alipay code is charged as. */
export const REGIONS = ['CN', 'HK'] as const;
export type Region = (typeof REGIONS)[number];

/** Whose payment codes a method takes (shared/paymentCode.ts: the code rules). */
export type Wallet = 'wechat' | 'alipay';

export interface MethodFacts {
  wallet: Wallet;
  /** The region whose Alipay codes it takes; null: every region's. */
  region: Region | null;
  /** The gateway's method table: each offline method takes exactly one currency. */
  currency: Currency;
  /** How a cashier names it ("WeChat Pay"), and with its article ("a WeChat Pay"). */
  name: string;
  a: string;
}

export const METHODS = {
  'Wechat-Offline': {
    wallet: 'wechat',
    region: null,
    currency: 'CNY',
    name: 'WeChat Pay',
    a: 'a WeChat Pay',
  },
  'AlipayCN-Offline': {
    wallet: 'alipay',
    region: 'CN',
    currency: 'CNY',
    name: 'Alipay (mainland)',
    a: 'an Alipay (mainland)',
  },
  'AlipayHK-Offline': {
    wallet: 'alipay',
    region: 'HK',
    currency: 'HKD',
    name: 'AlipayHK',
    a: 'an AlipayHK',
  },
} as const satisfies Record<PaymentMethod, MethodFacts>;

/** The currencies the methods are charged in (CNY, HKD). */
export type CodeCurrency = (typeof METHODS)[PaymentMethod]['currency'];

export function isPaymentMethod(value: unknown): value is PaymentMethod {
  return typeof value === 'string' && (PAYMENT_METHODS as readonly string[]).includes(value);
}

export function isRegion(value: unknown): value is Region {
  return typeof value === 'string' && (REGIONS as readonly string[]).includes(value);
}

/** The one currency the gateway charges `method` in. */
export function methodCurrency(method: PaymentMethod): CodeCurrency {
  return METHODS[method].currency;
}

/** What a cashier calls `method` ("WeChat Pay", "Alipay (mainland)", "AlipayHK"). */
export function methodName(method: PaymentMethod): string {
  return METHODS[method].name;
}

/** The methods that take `wallet`'s codes, in PAYMENT_METHODS order. */
export function methodsOf(wallet: Wallet): PaymentMethod[] {
  return PAYMENT_METHODS.filter((method) => METHODS[method].wallet === wallet);
}

/** The method a `wallet` code is charged as in a store of `region`. */
export function methodFor(wallet: Wallet, region: Region): PaymentMethod {
  const method = methodsOf(wallet).find((m) => [null, region].includes(METHODS[m].region));
  if (method === undefined) throw new RangeError(`no ${wallet} method for region ${region}`);
  return method;
}

/** The currencies a sale can be charged in: those of the methods. */
export const CHARGEABLE_CURRENCIES: ReadonlySet<Currency> = new Set(
  PAYMENT_METHODS.map(methodCurrency),
);

/**
 * The methods of a sale paid without a scanned code: a linked wallet (CodeGrant, the
 * gateway's `paymentMethod.type`, shared/members.ts) or the customer's phone (hosted
 * checkout: the brand, or the card page). They are not code methods: the classifier and
 * PAYMENT_METHODS know nothing of them.
 */
/** Wallets the terminal links with CodeGrant (not WeChat Pay: it has no CodeGrant). */
export const LINK_WALLETS = ['AlipayHK', 'Alipay'] as const;
export type LinkWallet = (typeof LINK_WALLETS)[number];

export function isLinkWallet(value: unknown): value is LinkWallet {
  return typeof value === 'string' && (LINK_WALLETS as readonly string[]).includes(value);
}

export const CHECKOUT_BRANDS = ['ApplePay', 'GooglePay'] as const;
export type CheckoutBrand = (typeof CHECKOUT_BRANDS)[number];

export function isCheckoutBrand(value: unknown): value is CheckoutBrand {
  return typeof value === 'string' && (CHECKOUT_BRANDS as readonly string[]).includes(value);
}

/** A checkout without a brand: the gateway's card page. */
export const CARD_METHOD = 'Card';
export const CHECKOUT_METHODS = [...CHECKOUT_BRANDS, CARD_METHOD] as const;

/** Every method a sale can record: a code method, a linked wallet or a checkout brand. */
export const SALE_METHODS = [...PAYMENT_METHODS, ...LINK_WALLETS, ...CHECKOUT_METHODS] as const;
export type SaleMethod = (typeof SALE_METHODS)[number];

const OTHER_METHOD_NAMES: Record<Exclude<SaleMethod, PaymentMethod>, string> = {
  AlipayHK: 'AlipayHK (linked)',
  Alipay: 'Alipay (linked)',
  ApplePay: 'Apple Pay',
  GooglePay: 'Google Pay',
  Card: 'card',
};

export function isSaleMethod(value: unknown): value is SaleMethod {
  return typeof value === 'string' && (SALE_METHODS as readonly string[]).includes(value);
}

/** What a cashier calls any sale method. */
export function saleMethodName(method: SaleMethod): string {
  return isPaymentMethod(method) ? methodName(method) : OTHER_METHOD_NAMES[method];
}
