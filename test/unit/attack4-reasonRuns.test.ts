/**
 * Attack (fixed defect): a Chinese gateway description loses its order id, amount and code.
 *
 * Before 69142a6, shared/reasonTexts.ts factsInWords gave a sentence with any Han character
 * whole. Now it keeps only HAN_RUNS (shared/reasonTexts.ts:264): runs that START with a Han
 * character and go on with Han, ASCII digits and CJK/full-width marks. Everything else of the
 * gateway's own Chinese description — an order id, an amount, a code in ASCII brackets, or a
 * full-width bracket after a space — is dropped from the Chinese line of the CSV export
 * (electron/engine/reports.ts:116 reasonLine) and the Members screen (memberUi.tsx:48).
 * E.g. 'Declined by the wallet: 订单 ORD-7781 已退款，请勿重复支付' gives
 * 被钱包拒绝（订单；已退款，请勿重复支付） — which order is gone.
 *
 * Expected: the Chinese line still drops the terminal's English frame ("Declined by the
 * wallet") but keeps what the gateway's Chinese description says, ids and amounts included.
 *
 * Fixed: factsInWords keeps the gateway's Chinese description whole from its first Chinese
 * character on, only an appended English clause dropped (chineseDescription).
 */
import { describe, expect, it } from 'vitest';
import { reasonLine } from '../../shared/reasonTexts.ts';

const CASES: { description: string; keeps: string[] }[] = [
  { description: '订单 ORD-7781 已退款，请勿重复支付', keeps: ['ORD-7781'] },
  { description: '超过单笔限额 HK$5,000.00，请分开支付', keeps: ['5,000.00'] },
  { description: '余额不足 [E301]', keeps: ['E301'] },
  { description: '余额不足 （错误码 Q-12）', keeps: ['Q-12'] },
];

describe('a Chinese gateway description in a Chinese reason line', () => {
  for (const { description, keeps } of CASES) {
    it(`keeps ${keeps.join(', ')} of “${description}”`, () => {
      for (const language of ['zh-CN', 'zh-HK'] as const) {
        const line =
          reasonLine(language, {
            reason: `Declined by the wallet: ${description}`,
            reasonCode: 'declined',
          }) ?? '';
        expect(line).not.toMatch(/Declined by the wallet/);
        for (const fact of keeps) expect(line, `${language}: ${line}`).toContain(fact);
      }
    });
  }
});
