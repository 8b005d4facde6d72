/**
 * Attack (fixed defect): Try again of a not-final linked-wallet sale pre-fills its amount in
 * the till's currency.
 *
 * 69142a6 sends Try again of a linked-wallet or phone-page sale that is not final back to the
 * amount (renderer/src/state/tryAgain.ts retryOf → { kind: 'amount' }), and
 * renderer/src/state/store.ts tryAgain sets amountText to the failed sale's amount — but not
 * its currency. A Chinese Alipay linked wallet at a Hong Kong till is charged in CNY; after
 * such a CNY 12.30 charge is cancelled while being sent (unknown, abandoned), Try again leaves
 * "12.30" on the HKD till's amount screen, and the customer's code scanned next (chargeCode →
 * charge() without a currency, store.ts) starts HKD 12.30 — another amount than the sale the
 * cashier retried. The scanned retry was fixed to charge "in the failed sale's currency";
 * the amount retry was not.
 *
 * Expected: the retried amount is never charged in another currency (it keeps the sale's
 * currency, or the amount is not pre-filled when the currencies differ).
 *
 * Fixed: Try again that goes back to the amount leaves no amount typed when the sale's
 * currency is not the till's.
 */
import { describe, expect, it } from 'vitest';
import { readyStore, SETTINGS, view } from '../support/posStoreTerminal.ts';

/** An HKD till whose scanned sales start in the currency asked for. */
async function ready() {
  const terminal = await readyStore({
    'settings:get': () => ({ ...SETTINGS, region: 'HK', currency: 'HKD' }),
    'sale:start': (r) =>
      view({ orderId: 'T2', currency: (r as { currency?: 'HKD' }).currency ?? 'HKD' }),
    'sale:submit-code': () => view({ orderId: 'T2', status: 'submitting' }),
  });
  const starts = () => terminal.requestsTo('sale:start') as object[];
  return { store: terminal.store, starts };
}

describe('Try again of a CNY linked-wallet charge still being checked, at an HKD till', () => {
  it('the amount it leaves is not charged as HKD', async () => {
    const { store, starts } = await ready();
    store.getState().showSale(
      view({
        status: 'unknown',
        abandoned: true,
        reasonCode: 'cancelled',
        reason: 'Cancelled — checking with the gateway that nothing was charged',
        updatedAt: 2000,
        tender: 'linked-wallet',
        method: 'Alipay',
        currency: 'CNY',
        memberId: 'M-9',
      }),
    );
    await store.getState().tryAgain();
    expect(store.getState().sale).toBeNull(); // back to the amount (the defence of 69142a6)
    // The customer then shows a payment code.
    store.getState().wedgeScan('134567890123456789');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(starts()).not.toContainEqual(
      expect.objectContaining({ amountText: '12.30', currency: 'HKD' }),
    );
  });
});
