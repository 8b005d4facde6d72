/**
 * The contract's channels for receipts and printers. Spread into invokeChannels /
 * eventChannels of contract.ts: defined here once.
 */
export const receiptInvokeChannels = {} as const;

export const receiptEventChannels = {} as const;
