/**
 * Attack (fixed defect): a member's card the member picker takes for a payment code.
 *
 * Since dd34703 the member picker (renderer/src/components/members/OtherTenders.tsx, find(),
 * lines 62-67) first asks classifyPaymentCode(text, { region }): whatever classifies as a
 * payment code closes the picker and is charged as a scan (store.chargeCode) — the member is
 * never looked up. Member ids are "1–64 letters, digits, . - _" and only phone-like ones
 * (7–15 digits) are refused (shared/members.ts memberIdProblem), so a member whose card
 * number is 18 digits starting 10–15 (a common length for loyalty-card barcodes), e.g.
 * 134567890123456789, can be created (member:create) but can never be picked: scanning or
 * typing the card in the picker starts a sale of the typed amount and submits the member's
 * card number to the gateway as a WeChat Pay code.
 *
 * Expected: a member id the terminal accepts is never one the picker takes for a payment
 * code (either such ids are refused like phone numbers, or the picker finds the member
 * first). Checked in both regions.
 *
 * Fixed: memberIdProblem (shared/members.ts) refuses a new member id that reads as a payment
 * code in either region, with what to do (add a letter or a prefix); a member made with one
 * before is still found by it (attack4-legacyCardIds).
 */
import { describe, expect, it } from 'vitest';
import { classifyPaymentCode } from '../../shared/paymentCode.ts';
import { memberIdProblem } from '../../shared/members.ts';

describe('a member card number in the member picker', () => {
  it('a member id the terminal accepts is never charged as a payment code', () => {
    const cards = ['134567890123456789', '100000000000000001', '2800000000000000001'];
    const collisions: string[] = [];
    for (const card of cards) {
      for (const region of ['CN', 'HK'] as const) {
        const accepted = memberIdProblem(card, { creating: true }) === null;
        const takenForCode = classifyPaymentCode(card, { region }).ok;
        if (accepted && takenForCode) collisions.push(`${card} (${region})`);
      }
    }
    expect(collisions).toEqual([]);
  });
});
