/**
 * A refusal before anything is sent (a linked wallet's limit, a renewal not yet due…) reaches
 * the screen as an IpcError with its reasonCode: a Chinese screen shows that reason's words,
 * not the engine's English sentence nor a bare "error".
 */
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { mapError } from '../../../electron/app/errors.ts';
import { EngineError } from '../../../electron/engine/errors.ts';
import { resources } from '../../../renderer/src/i18n/index.ts';
import { chargeRefusal } from '../../../shared/members.ts';
import { explainError } from '../../../renderer/src/i18n/explain.ts';
import { toUiError } from '../../../renderer/src/state/store.ts';

async function translator(language: string) {
  const instance = i18next.createInstance();
  await instance.init({ resources, lng: language, fallbackLng: 'en', initAsync: false });
  return instance.t;
}

describe('a refusal before sending, on screen', () => {
  // As electron/engine/tenders.ts refuses a linked-wallet charge above the wallet's limit.
  const limit = chargeRefusal('Alipay', 50_001, 'CNY');
  if (!limit) throw new Error('CNY 500.01 must be above the Alipay limit');
  const refusal = new EngineError('amount-invalid', limit.reason, limit.reasonCode);

  it('crosses the boundary with its reasonCode', () => {
    expect(mapError(refusal).body).toMatchObject({ reasonCode: 'link-limit-exceeded' });
  });

  it.each([
    ['zh-CN', '超出绑定钱包的单笔限额'],
    ['zh-HK', '超出綁定錢包的單筆限額'],
  ])('is shown in %s words', async (language, words) => {
    const t = await translator(language);
    const error = toUiError(mapError(refusal).body);
    expect(error.reasonCode).toBe('link-limit-exceeded');
    expect(explainError(t, error)).toContain(words);
    expect(explainError(t, error)).not.toMatch(/limit|invalid/i);
  });
});
