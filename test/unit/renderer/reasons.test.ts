/**
 * The cashier reads why a sale is not (or not yet) paid in their own language: the screen
 * translates the engine's reasonCode (renderer/src/i18n `reasons.<code>`). Every code the
 * engine can emit must have words in every language, or a zh-HK/zh-CN cashier would get the
 * engine's English sentence instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  abandonReason,
  amountMismatchReason,
  closedReason,
  declineReason,
  refundDeclinedReason,
  rejectedReason,
} from '../../../electron/engine/reasons.ts';
import { en } from '../../../renderer/src/i18n/en.ts';
import { zhCN } from '../../../renderer/src/i18n/zhCN.ts';
import { zhHK } from '../../../renderer/src/i18n/zhHK.ts';

const LANGUAGES = [
  ['en', en],
  ['zh-HK', zhHK],
  ['zh-CN', zhCN],
] as const;

/**
 * Every reason code the engine can emit: the union ReasonCode (shared/sale.ts), which the
 * English translations are typed by (`Record<ReasonCode, string>`: exactly its members).
 */
const REASON_CODES: readonly string[] = Object.keys(en.reasons);

function reasonText(resource: (typeof LANGUAGES)[number][1], code: string): string | undefined {
  return (resource.reasons as Record<string, string | undefined>)[code];
}

describe('reason translations', () => {
  it('the reason codes the engine can emit include the two new unknown outcomes', () => {
    expect(REASON_CODES).toEqual(
      expect.arrayContaining(['gateway-credentials', 'amount-mismatch']),
    );
    expect(new Set(REASON_CODES).size).toBe(REASON_CODES.length);
  });

  it('the union covers every code the reason builders produce', () => {
    const answer = (code: string) => ({ code, resultCode: code, description: 'x' });
    const built = [
      declineReason(answer('FAILED')),
      declineReason(answer('105000')),
      declineReason(answer('200001')),
      rejectedReason(answer('100001'), 'bad request'),
      closedReason(null),
      closedReason('deadline'),
      closedReason('cancel'),
      abandonReason('deadline'),
      abandonReason('cancel'),
      amountMismatchReason('¥10.00', '¥1.00'),
      refundDeclinedReason(answer('FAILED'), 'no'),
    ].map((r) => r.reasonCode);
    for (const code of built) expect(REASON_CODES, code).toContain(code);
  });

  it('the union covers every reasonCode the engine writes literally', () => {
    const dir = path.resolve('electron/engine');
    const literals = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      for (const m of source.matchAll(/reasonCode\s*(?::|===)\s*'([a-z0-9-]+)'/g)) {
        literals.add(m[1] as string);
      }
    }
    expect(literals.size).toBeGreaterThan(0);
    for (const code of literals) expect(REASON_CODES, code).toContain(code);
  });

  for (const [language, resource] of LANGUAGES) {
    it(`${language} has words for every reason code the engine can emit`, () => {
      const missing = REASON_CODES.filter((code) => !reasonText(resource, code)?.trim());
      expect(missing).toEqual([]);
    });
  }

  it('tells the cashier not to charge again and to call the supervisor when the credentials are refused', () => {
    expect(reasonText(en, 'gateway-credentials')).toMatch(/do not charge again/i);
    expect(reasonText(en, 'gateway-credentials')).toMatch(/supervisor\/IT/);
    // The real cause, named: a refused signature points at the salt.
    expect(reasonText(en, 'gateway-credentials')).toMatch(/refused our signature.*check the salt/);
    expect(reasonText(zhHK, 'gateway-credentials')).toMatch(/簽名.*密鑰（salt）/);
    expect(reasonText(zhCN, 'gateway-credentials')).toMatch(/签名.*密钥（salt）/);
    expect(reasonText(zhHK, 'gateway-credentials')).toMatch(/請勿再次收款.*主管／IT/);
    expect(reasonText(zhCN, 'gateway-credentials')).toMatch(/请勿再次收款.*主管／IT/);
  });

  it('tells the cashier the sale is not paid and to call the supervisor when the amount differs', () => {
    expect(reasonText(en, 'amount-mismatch')).toMatch(/NOT paid.*Do not charge again.*supervisor/);
    expect(reasonText(zhHK, 'amount-mismatch')).toMatch(/並非已付款.*請勿再次收款.*主管/);
    expect(reasonText(zhCN, 'amount-mismatch')).toMatch(/并未支付成功.*请勿再次收款.*主管/);
  });
});
