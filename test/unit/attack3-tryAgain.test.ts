/**
 * Attack (defences that hold): the cashier store's "Try again" with the same tender
 * (renderer/src/state/tryAgain.ts, store.ts tryAgain/showSale) and the scan taker of the member
 * picker (PosState.scanTaker), driven at the store level with a scripted terminal.
 *
 * - Enter and a click on "Try again" at once (and a scan on the result at the same instant):
 *   one new charge, never two.
 * - "Try again" while the retry is still starting: nothing more is sent.
 * - A linked-wallet sale whose method is not a link wallet, or that names no member: back to
 *   the amount, nothing charged (never another member, never a guessed wallet).
 * - The retry charges the failed sale's member, wallet, amount and currency.
 * - A paid sale (not auto-refunded), a sale still in progress: no Try again at all.
 * - The scan taker: a scan while a sale is on screen goes to the sale, not to a taker; once
 *   the picker has closed (taker removed) a scan goes to the sale again; a scan on another
 *   screen never reaches the taker.
 */
import { describe, expect, it } from 'vitest';
import { readyStore as ready, settle, view } from '../support/posStoreTerminal.ts';

const CODE = '134567890123456789';

describe('Try again: pressed twice, or a scan at the same time', () => {
  it('a failed linked-wallet charge: Enter and a click start one new charge', async () => {
    const { store, requestsTo } = await ready({
      'sale:start-member': async () => {
        await settle();
        return view({ orderId: 'T2', status: 'submitting', tender: 'linked-wallet' });
      },
    });
    store.getState().showSale(
      view({
        status: 'declined',
        updatedAt: 2000,
        tender: 'linked-wallet',
        method: 'Alipay',
        memberId: 'M-9',
      }),
    );
    await Promise.all([store.getState().tryAgain(), store.getState().tryAgain()]);
    await store.getState().tryAgain(); // the new sale is on screen now: nothing to try again
    expect(requestsTo('sale:start-member')).toEqual([
      { amountText: '12.30', currency: 'CNY', memberId: 'M-9', wallet: 'Alipay' },
    ]);
    expect(store.getState().sale?.orderId).toBe('T2');
  });

  it('a failed phone payment: Enter, a click and a scanned code at once start one sale', async () => {
    const { store, charges } = await ready({
      'sale:start-checkout': async () => {
        await settle();
        return view({ orderId: 'T2', status: 'waiting-for-customer', tender: 'checkout' });
      },
      'sale:start': async () => view({ orderId: 'T3' }),
      'sale:submit-code': async () => view({ orderId: 'T3', status: 'submitting' }),
    });
    store.getState().showSale(
      view({
        status: 'declined',
        updatedAt: 2000,
        tender: 'checkout',
        method: 'ApplePay',
        memberId: null,
      }),
    );
    const first = store.getState().tryAgain();
    store.getState().wedgeScan(CODE); // lands while the retry is starting
    await Promise.all([first, store.getState().tryAgain()]);
    await settle();
    expect(charges().map((c) => c.channel)).toEqual(['sale:start-checkout']);
  });

  it('a scanned sale: Enter and a click ask for one new sale', async () => {
    const { store, charges } = await ready({
      'sale:start': async () => {
        await settle();
        return view({ orderId: 'T2' });
      },
    });
    store.getState().showSale(view({ status: 'declined', updatedAt: 2000, tender: 'code' }));
    await Promise.all([store.getState().tryAgain(), store.getState().tryAgain()]);
    expect(charges().map((c) => c.channel)).toEqual(['sale:start']);
  });
});

describe('Try again: what the retry charges', () => {
  it('a linked-wallet sale whose method is not a link wallet, or that names no member: nothing charged', async () => {
    for (const failed of [
      { tender: 'linked-wallet', method: 'Wechat-Offline', memberId: 'M-9' },
      { tender: 'linked-wallet', method: null, memberId: 'M-9' },
      { tender: 'linked-wallet', method: 'Alipay', memberId: null },
      { tender: 'linked-wallet', method: 'Alipay', memberId: '' },
    ] as const) {
      const { store, charges } = await ready();
      store.getState().showSale(view({ status: 'declined', updatedAt: 2000, ...failed }));
      await store.getState().tryAgain();
      expect(charges(), JSON.stringify(failed)).toEqual([]);
      expect(store.getState().sale).toBeNull();
      expect(store.getState().amountText).toBe('12.30');
    }
  });

  it("the retry of an HKD linked-wallet sale charges HKD 12.30 to the same member's AlipayHK", async () => {
    const { store, requestsTo } = await ready({
      'sale:start-member': () => view({ orderId: 'T2', tender: 'linked-wallet' }),
    });
    store.getState().showSale(
      view({
        status: 'closed',
        updatedAt: 2000,
        currency: 'HKD',
        amountMinor: 100_05,
        tender: 'linked-wallet',
        method: 'AlipayHK',
        memberId: 'M-HK',
      }),
    );
    await store.getState().tryAgain();
    expect(requestsTo('sale:start-member')).toEqual([
      { amountText: '100.05', currency: 'HKD', memberId: 'M-HK', wallet: 'AlipayHK' },
    ]);
  });

  it('a paid sale, or one still in progress: Try again charges nothing', async () => {
    for (const shown of [
      view({
        status: 'paid',
        updatedAt: 2000,
        tender: 'linked-wallet',
        method: 'Alipay',
        memberId: 'M-9',
      }),
      view({
        status: 'submitting',
        updatedAt: 2000,
        tender: 'linked-wallet',
        method: 'Alipay',
        memberId: 'M-9',
      }),
      view({
        status: 'waiting-for-customer',
        updatedAt: 2000,
        tender: 'checkout',
        method: 'Card',
        memberId: null,
      }),
      view({
        status: 'unknown',
        updatedAt: 2000,
        abandoned: false,
        tender: 'checkout',
        method: 'Card',
        memberId: null,
      }),
    ]) {
      const { store, charges } = await ready();
      store.getState().showSale(shown);
      await store.getState().tryAgain();
      expect(charges(), shown.status).toEqual([]);
      expect(store.getState().sale?.orderId).toBe('T1');
    }
  });
});

describe('the scan taker (member picker)', () => {
  it('a scan while a sale is on screen goes to the sale, not to the picker left registered', async () => {
    const { store, requestsTo } = await ready({
      'sale:submit-code': () => view({ status: 'submitting', updatedAt: 2000 }),
    });
    store.getState().showSale(view());
    const taken: string[] = [];
    store.getState().setScanTaker((text) => taken.push(text));
    store.getState().wedgeScan(CODE);
    await settle();
    expect(taken).toEqual([]);
    expect(requestsTo('sale:submit-code')).toHaveLength(1);
  });

  it('a scan on the history screen never reaches the picker', async () => {
    const { store } = await ready();
    const taken: string[] = [];
    store.getState().setScanTaker((text) => taken.push(text));
    store.getState().setView('history');
    store.getState().wedgeScan(CODE);
    expect(taken).toEqual([]);
    expect(store.getState().historyScan?.text).toBe(CODE);
  });

  it('the picker closed (its taker removed): the next scan with an amount typed is charged', async () => {
    const { store, requestsTo } = await ready({
      'sale:start': () => view(),
      'sale:submit-code': () => view({ status: 'submitting', updatedAt: 2000 }),
    });
    store.getState().typeAmount('12.3');
    const taken: string[] = [];
    store.getState().setScanTaker((text) => taken.push(text));
    store.getState().wedgeScan('MEMBER-CARD-1');
    store.getState().setScanTaker(null);
    store.getState().wedgeScan(CODE);
    await settle();
    await settle();
    expect(taken).toEqual(['MEMBER-CARD-1']);
    expect(requestsTo('sale:start')).toEqual([{ amountText: '12.3', currency: 'CNY' }]);
    expect(requestsTo('sale:submit-code')).toHaveLength(1);
  });
});
