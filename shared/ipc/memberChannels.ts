/**
 * The contract's channels for members, linked wallets (CodeGrant), pay-on-phone checkouts and
 * subscriptions. Spread into invokeChannels / eventChannels of contract.ts: defined here once.
 */
export const memberInvokeChannels = {} as const;

export const memberEventChannels = {} as const;
