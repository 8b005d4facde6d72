/**
 * Attack (fixed defects): a membership's reason in Chinese (shared/reasonTexts.ts reasonLine,
 * shown on the Members screen since dd927ba through memberUi useReasonLine).
 *
 * 1. Old records. Before dd927ba every membership whose first payment made no membership was
 *    journaled with reasonCode 'subscription-missing' (memberService saleFinal). Nothing
 *    rewrites those records, and MemberService.subscriptionView passes rec.reasonCode through
 *    (electron/members/memberService.ts:375): in zh-CN / zh-HK the Members screen lists the
 *    membership with the words "找不到这个会员订阅" / "找不到這個會員訂閱" ("there is no such
 *    membership") under it, instead of why it was not sold.
 *    Expected: the words of why it was not sold (the sentence says "The first payment was not
 *    made", the words of 'subscription-first-unpaid'), never "there is no such
 *    membership" for a membership the screen shows.
 *
 * 2. An English sentence with the gateway's Chinese words in it and no fact the dictionary
 *    knows is given whole in the Chinese line: factsInWords returns the whole text when it has
 *    any Han character (shared/reasonTexts.ts:273), so reasonLine('zh-CN', {reason: 'Declined
 *    by the wallet: 用户余额不足', reasonCode: 'declined'}) is
 *    '被钱包拒绝（Declined by the wallet: 用户余额不足）' (declineReason, engine/reasons.ts:176,
 *    makes such sentences for a Chinese gateway description). The function's own comment
 *    says English the language does not know is left out.
 *    Expected: no English words in the Chinese line (the Chinese gateway words may stay).
 *
 * Fixed: subscriptionView reads an old 'subscription-missing' of a failed membership from its
 * sentence (reasonCodeOf); factsInWords keeps the gateway's Chinese description, not the
 * terminal's English frame (chineseDescription).
 */
import { describe, expect, it } from 'vitest';
import { reasonLine, reasonWords } from '../../shared/reasonTexts.ts';
import { useOfflineMembers } from '../support/offlineMembers.ts';

const offlineMembers = useOfflineMembers();

const ENGLISH = /(?!IT\b)[A-Za-z]{2,}/;

describe('a membership journaled before the reason codes', () => {
  it("failed with 'subscription-missing': the Chinese line does not say there is no such membership", () => {
    const { s, journal } = offlineMembers({ now: () => Date.UTC(2026, 11, 2, 5, 0, 0) });

    const { subscriptionId } = s.beginSubscription({
      memberId: 'M1',
      orderId: 'T1-OLD-1',
      amountMinor: 45_00,
      currency: 'HKD',
      method: 'Card',
      schedule: {
        startDate: '2026-11-02',
        intervalUnit: 'month',
        intervalCount: 1,
        endDate: '2027-11-02',
      },
    });
    const pending = journal.members.subscription(subscriptionId);
    if (!pending) throw new Error('no subscription');
    // As saleFinal journaled a declined first payment before dd927ba.
    journal.members.saveSubscription(
      {
        ...pending,
        status: 'failed',
        reason: 'The first payment was not made: declined',
        reasonCode: 'subscription-missing',
        updatedAt: pending.updatedAt + 1,
      },
      { kind: 'subscription-failed', detail: { orderId: 'T1-OLD-1', status: 'declined' } },
    );

    const listed = s.find({ memberId: 'M1' })?.subscriptions ?? [];
    expect(listed.map((v) => v.subscriptionId)).toEqual([subscriptionId]);
    const v = listed[0];
    if (!v) throw new Error('not listed');
    for (const language of ['zh-CN', 'zh-HK'] as const) {
      const line = reasonLine(language, v) ?? '';
      expect(line, line).not.toContain(reasonWords(language, 'subscription-missing') ?? '?');
      expect(line, line).not.toBe('');
    }
  });
});

describe("an English reason with the gateway's Chinese words in it", () => {
  it('the Chinese line keeps the Chinese words and drops the English', () => {
    for (const record of [
      { reason: 'Declined by the wallet: 用户余额不足', reasonCode: 'declined' },
      {
        reason: "Declined by the wallet's risk check: 交易存在风险 — ask for another way to pay",
        reasonCode: 'risk-declined',
      },
    ]) {
      for (const language of ['zh-CN', 'zh-HK'] as const) {
        const line = reasonLine(language, record) ?? '';
        expect(line.startsWith(reasonWords(language, record.reasonCode) ?? '?'), line).toBe(true);
        expect(line, line).not.toMatch(ENGLISH);
      }
    }
  });
});
