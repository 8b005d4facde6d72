/**
 * Attack (fixed defects): "Try again" (renderer/src/state/store.ts tryAgain,
 * renderer/src/state/tryAgain.ts retryOf) charges again where it must not, or another amount.
 *
 * 1. A linked-wallet charge the cashier cancelled while it was being sent (or whose customer
 *    deadline passed) is `unknown` and abandoned: the engine says "Cancelled — checking with the
 *    gateway that nothing was charged". canTryAgain allows Try again on it, and retryOf sends
 *    sale:start-member for the same member and wallet at once — the engine does not stop it
 *    (an abandoned sale is not in flight, shared/saleTransitions.ts isInFlight), so the
 *    member's wallet is charged a second time, with no customer action, while the first
 *    charge may still go through (it is only refunded automatically later).
 *    Expected: while the first charge's outcome is unknown, Try again charges no linked wallet
 *    (back to the amount, as for a membership), so the wallet is never charged twice.
 *
 * 2. The scan retry charges the till's currency with the failed sale's amount: after a CNY
 *    12.30 sale failed and the till's currency became HKD, Try again starts HKD 12.30, while
 *    the linked-wallet and pay-on-phone retries (same function) keep the sale's currency.
 *    Expected: "the same amount again" — the failed sale's currency, CNY 12.30.
 *
 * Fixed: retryOf goes back to the amount for a linked wallet or a phone page whose first try
 * is not final; the scanned retry charges in the failed sale's currency; and the member
 * service refuses a linked-wallet charge while an earlier one of that wallet is unsettled
 * ('link-unsettled', test/integration/members/linkedWallet.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { readyStore as ready, settle, SETTINGS, view } from '../support/posStoreTerminal.ts';

describe('Try again on a linked-wallet charge whose outcome is unknown', () => {
  it('cancelled while being charged (unknown, abandoned): the wallet is not charged again', async () => {
    for (const reasonCode of ['cancelled', 'customer-timeout'] as const) {
      const { store, charges } = await ready({
        'sale:start-member': () =>
          view({ orderId: 'T2', status: 'submitting', tender: 'linked-wallet' }),
      });
      store.getState().showSale(
        view({
          status: 'unknown',
          abandoned: true,
          reasonCode,
          reason: 'Cancelled — checking with the gateway that nothing was charged',
          updatedAt: 2000,
          tender: 'linked-wallet',
          method: 'Alipay',
          memberId: 'M-9',
        }),
      );
      await store.getState().tryAgain();
      await settle();
      expect(
        charges().map((c) => c.channel),
        reasonCode,
      ).toEqual([]);
    }
  });
});

describe('Try again of a scanned sale charges its own currency', () => {
  it('a CNY 12.30 sale failed, the till now in HKD: the retry is CNY 12.30, not HKD 12.30', async () => {
    const { store, requestsTo } = await ready({ 'sale:start': () => view({ orderId: 'T2' }) });
    store
      .getState()
      .showSale(view({ status: 'declined', updatedAt: 2000, tender: 'code', currency: 'CNY' }));
    store.getState().applySettings({ ...SETTINGS, region: 'HK', currency: 'HKD' });
    await store.getState().tryAgain();
    expect(requestsTo('sale:start')).toEqual([{ amountText: '12.30', currency: 'CNY' }]);
  });
});
