/** Strings of receipts and printers on the screen (en.ts/zhCN.ts/zhHK.ts include them). */
export const receiptsEn = {};

export type ReceiptsResources = typeof receiptsEn;

export const receiptsZhCN: ReceiptsResources = {};

export const receiptsZhHK: ReceiptsResources = {};
