/** Strings of the members, linked wallets and pay-on-phone screens (en.ts/zhCN.ts/zhHK.ts include them). */
export const membersEn = {};

export type MembersResources = typeof membersEn;

export const membersZhCN: MembersResources = {};

export const membersZhHK: MembersResources = {};
