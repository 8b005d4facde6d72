/**
 * The facts a Chinese screen translates are read from the engine's own sentences: these tests
 * build those sentences with the engine's reason builders (and the simulator's gateway
 * texts), so a change of wording there that this screen no longer understands fails here.
 */
import { describe, expect, it } from 'vitest';
import {
  amountMismatchReason,
  closedReason,
  credentialsReason,
  declineReason,
  refundDeclinedReason,
  rejectedReason,
} from '../../../electron/engine/reasons.ts';
import {
  CANCELLED_CODE,
  CANCELLED_DESCRIPTION,
  DECLINED_CODE,
  DECLINED_DESCRIPTION,
} from '../../../electron/simulator/scenarios.ts';
import { reasonForCode } from '../../../shared/gateway/resultCodes.ts';
import { factsOf } from '../../../renderer/src/i18n/explain.ts';

const answer = (code: string, description: string) => ({ code, resultCode: code, description });
const keys = (text: string) => factsOf(text).map((p) => p.key);

describe('the facts of the engine reasons', () => {
  it('tells insufficient balance from a payer who cancelled', () => {
    const balance = declineReason(answer(DECLINED_CODE, DECLINED_DESCRIPTION));
    const cancelled = declineReason(answer(CANCELLED_CODE, CANCELLED_DESCRIPTION));
    expect(keys(balance.reason)).toEqual(['facts.insufficientBalance']);
    expect(keys(cancelled.reason)).toEqual(['facts.payerCancelled']);
  });

  it('keeps "nothing was charged" only where nothing was charged', () => {
    expect(keys(closedReason('deadline').reason)).toEqual(['facts.nothingCharged']);
    expect(keys(closedReason('cancel').reason)).toEqual(['facts.nothingCharged']);
  });

  it('reads both amounts of a mismatch and the code of a refusal', () => {
    expect(factsOf(amountMismatchReason('¥10.00', '¥1.00').reason)).toEqual([
      { key: 'facts.amountMismatch', params: { stated: '¥1.00', expected: '¥10.00' } },
    ]);
    expect(factsOf(rejectedReason(answer('101001', 'x'), 'x').reason)).toEqual([
      { key: 'facts.gatewayCode', params: { code: '101001' } },
    ]);
    expect(keys(credentialsReason(answer('104000', 'x')).reason)).toEqual([
      'facts.badSignature',
      'facts.gatewayCode',
    ]);
  });

  it('names why the gateway refused a refund', () => {
    const refused = (code: string) =>
      keys(refundDeclinedReason(answer(code, ''), reasonForCode(code)).reason);
    expect(refused('108000')).toEqual(['facts.refundOverPayment']);
    expect(refused('108003')).toEqual(['facts.refundOverRemaining']);
    expect(refused('303000')).toEqual(['facts.refundNotPossible']);
  });
});
