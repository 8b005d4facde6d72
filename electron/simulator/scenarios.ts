/**
 * The scenario table of simulator.md: the last minor-unit digit of the amount picks what the
 * simulated gateway does. Delays are in unscaled milliseconds; the caller applies timeScale.
 */

export type Scenario =
  | { digit: 0; kind: 'success' }
  | { digit: 1; kind: 'declined'; resultCode: string; resultDescription: string }
  | { digit: 2; kind: 'processing'; after: number; becomes: 'SUCCESS' }
  | {
      digit: 3;
      kind: 'processing';
      after: number;
      becomes: 'FAILED';
      resultCode: string;
      resultDescription: string;
    }
  | { digit: 4; kind: 'processing'; after: number; becomes: 'CLOSED' }
  | { digit: 5; kind: 'charge-then-drop' }
  | { digit: 6; kind: 'charge-then-late'; after: number }
  | { digit: 7; kind: 'charge-bad-signature' }
  | { digit: 8; kind: 'expired-code' }
  | { digit: 9; kind: 'first-attempt-500' };

export const PAYER_CONFIRMS_MS = 3_000;
export const ORDER_CLOSES_MS = 60_000;
export const LATE_ANSWER_MS = 30_000;

export const DECLINED_CODE = '301000';
export const DECLINED_DESCRIPTION = 'Declined by the wallet: insufficient balance';
export const CANCELLED_CODE = '300000';
export const CANCELLED_DESCRIPTION = 'Declined: the payer cancelled the payment';

export function scenarioFor(amountMinor: number): Scenario {
  const digit = Math.abs(amountMinor) % 10;
  switch (digit) {
    case 0:
      return { digit, kind: 'success' };
    case 1:
      return {
        digit,
        kind: 'declined',
        resultCode: DECLINED_CODE,
        resultDescription: DECLINED_DESCRIPTION,
      };
    case 2:
      return { digit, kind: 'processing', after: PAYER_CONFIRMS_MS, becomes: 'SUCCESS' };
    case 3:
      return {
        digit,
        kind: 'processing',
        after: PAYER_CONFIRMS_MS,
        becomes: 'FAILED',
        resultCode: CANCELLED_CODE,
        resultDescription: CANCELLED_DESCRIPTION,
      };
    case 4:
      return { digit, kind: 'processing', after: ORDER_CLOSES_MS, becomes: 'CLOSED' };
    case 5:
      return { digit, kind: 'charge-then-drop' };
    case 6:
      return { digit, kind: 'charge-then-late', after: LATE_ANSWER_MS };
    case 7:
      return { digit, kind: 'charge-bad-signature' };
    case 8:
      return { digit, kind: 'expired-code' };
    default:
      return { digit: 9, kind: 'first-attempt-500' };
  }
}
