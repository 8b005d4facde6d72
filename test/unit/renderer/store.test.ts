import { describe, expect, it } from 'vitest';
import type { InvokeChannel, SaleView } from '../../../shared/ipc/contract.ts';
import { ApiError } from '../../../renderer/src/api/client.ts';
import { phaseOf } from '../../../renderer/src/state/store.ts';
import { readyStore as ready, settle, view, type Handler } from '../../support/posStoreTerminal.ts';

describe('cashier state: amount and charge', () => {
  it('keeps the typed amount and shows the reason when the terminal refuses it', async () => {
    const { store } = await ready({
      'sale:start': () => {
        throw new ApiError('amount-above-ceiling', "The amount is above this till's limit");
      },
    });
    store.getState().typeAmount('99999');
    await store.getState().charge();
    const state = store.getState();
    expect(state.amountText).toBe('99999');
    expect(state.error).toEqual({
      code: 'amount-above-ceiling',
      text: "The amount is above this till's limit",
    });
    expect(phaseOf(state.sale)).toBe('amount');
  });

  it('asks the terminal to open its gateway connection when the first digit is typed, once', async () => {
    const { store, callsTo } = await ready({ 'gateway:warm': () => ({ ok: true }) });
    store.getState().typeAmount('1');
    store.getState().typeAmount('2');
    expect(callsTo('gateway:warm')).toHaveLength(1);
    store.getState().clearAmount();
    store.getState().typeAmount('5');
    expect(callsTo('gateway:warm')).toHaveLength(2);
  });

  it('charges the typed amount in the store currency and moves to the scan prompt', async () => {
    const { store, callsTo } = await ready({ 'sale:start': () => view() });
    store.getState().typeAmount('12.3');
    await store.getState().charge();
    expect(callsTo('sale:start').map((c) => c.request)).toEqual([
      { amountText: '12.3', currency: 'CNY' },
    ]);
    expect(phaseOf(store.getState().sale)).toBe('scan');
  });

  it('does not start a second sale while one is in progress', async () => {
    const { store, callsTo } = await ready({ 'sale:start': () => view() });
    store.getState().typeAmount('5');
    await Promise.all([store.getState().charge(), store.getState().charge()]);
    await store.getState().charge();
    expect(callsTo('sale:start')).toHaveLength(1);
  });

  it('tells the cashier to type the amount when a scan arrives on the amount screen without one', async () => {
    const { store, callsTo } = await ready();
    store.getState().wedgeScan('134567890123456789');
    expect(store.getState().error?.code).toBe('scan-needs-amount');
    expect(callsTo('sale:start')).toEqual([]);
    expect(callsTo('sale:submit-code')).toEqual([]);
    store.getState().typeAmount('1');
    expect(store.getState().error).toBeNull();
  });

  it('types what the wedge handed back as a person typing into the amount', async () => {
    const { store } = await ready();
    store.getState().wedgeTyped('4');
    store.getState().wedgeTyped('2.5');
    expect(store.getState().amountText).toBe('42.5');
  });
});

describe('cashier state: scanning and the sale updates', () => {
  async function onScanScreen(submit: Handler = () => view({ status: 'submitting' })) {
    const ctx = await ready({ 'sale:start': () => view(), 'sale:submit-code': submit });
    ctx.store.getState().typeAmount('12.3');
    await ctx.store.getState().charge();
    return ctx;
  }

  it('sends a wedge scan to the terminal as the code, with source "wedge"', async () => {
    const { store, callsTo } = await onScanScreen();
    store.getState().wedgeScan('134567890123456789');
    await settle();
    expect(callsTo('sale:submit-code').map((c) => c.request)).toEqual([
      { orderId: 'T1', code: '134567890123456789', source: 'wedge' },
    ]);
  });

  it('ignores a double read of the same code quietly, and says so for another code', async () => {
    let release: (v: SaleView) => void = () => undefined;
    const { store, callsTo } = await onScanScreen(
      () => new Promise<SaleView>((resolve) => (release = resolve)),
    );
    store.getState().wedgeScan('134567890123456789');
    store.getState().wedgeScan('134567890123456789');
    expect(store.getState().notices).toEqual([]);
    store.getState().wedgeScan('134567890123456780');
    expect(store.getState().notices.map((n) => n.key)).toEqual(['scan.busy']);
    release(view({ status: 'paid', updatedAt: 2000 }));
    await settle();
    expect(callsTo('sale:submit-code')).toHaveLength(1);
    expect(store.getState().sale?.status).toBe('paid');
  });

  it('keeps the sale waiting for a scan and shows why when a code is refused', async () => {
    const { store } = await onScanScreen(() => {
      throw new ApiError('code-invalid', 'This is an EAN-13 product barcode, not a payment code');
    });
    await store.getState().submitCode('4006381333931', 'manual');
    expect(store.getState().sale?.status).toBe('awaiting-scan');
    expect(store.getState().error?.text).toMatch(/product barcode/);
  });

  it('follows the sale through its events, never back from a final state', async () => {
    const { store, emit } = await onScanScreen();
    emit(
      'sale:updated',
      view({ status: 'waiting-for-customer', remainingMs: 59_000, updatedAt: 2000 }),
    );
    expect(store.getState().sale?.remainingMs).toBe(59_000);
    emit('sale:updated', view({ status: 'submitting', updatedAt: 1500 })); // late, older
    expect(store.getState().sale?.status).toBe('waiting-for-customer');
    emit('sale:updated', view({ status: 'paid', updatedAt: 3000 }));
    emit('sale:updated', view({ status: 'waiting-for-customer', updatedAt: 3000 }));
    expect(store.getState().sale?.status).toBe('paid');
    expect(phaseOf(store.getState().sale)).toBe('result');
  });

  it('a sale started in another window of the terminal is shown here too, not lost', async () => {
    const { store, emit } = await ready();
    store.getState().typeAmount('5');
    emit('sale:updated', view({ orderId: 'OTHER-TAB', status: 'awaiting-scan', amountMinor: 990 }));
    expect(store.getState().sale?.orderId).toBe('OTHER-TAB');
    expect(phaseOf(store.getState().sale)).toBe('scan');
    // A sale nobody waits for any more is not taken over.
    const other = await ready();
    other.emit('sale:updated', view({ orderId: 'OLD', status: 'unknown', abandoned: true }));
    expect(other.store.getState().sale).toBeNull();
  });

  it('on a paid result screen, typing starts the next sale and a scan is not taken', async () => {
    const { store, callsTo } = await onScanScreen(() => view({ status: 'paid', updatedAt: 2000 }));
    await store.getState().submitCode('134567890123456789', 'wedge');
    expect(phaseOf(store.getState().sale)).toBe('result');
    store.getState().wedgeScan('134567890123456780');
    expect(phaseOf(store.getState().sale)).toBe('result');
    expect(store.getState().error?.code).toBe('scan-on-result');
    expect(callsTo('sale:submit-code')).toHaveLength(1);
    store.getState().wedgeTyped('7');
    expect(phaseOf(store.getState().sale)).toBe('amount');
    expect(store.getState().amountText).toBe('7');
  });

  it('puts human typing on the scan screen into the manual code field', async () => {
    const { store } = await onScanScreen();
    store.getState().wedgeTyped('1345');
    store.getState().wedgeTyped('67');
    expect(store.getState().manualCode).toBe('134567');
  });

  it('asks to switch the IME off, and forgets the warning once a code goes through', async () => {
    const { store } = await onScanScreen();
    store.getState().wedgeImeBlocked();
    expect(store.getState().imeBlocked).toBe(true);
    await store.getState().submitCode('134567890123456789', 'wedge');
    expect(store.getState().imeBlocked).toBe(false);
  });

  it('tells the cashier when a sale left unresolved is settled later', async () => {
    const { store, emit } = await onScanScreen(() =>
      view({ status: 'unknown', reason: 'No answer from the gateway', updatedAt: 2000 }),
    );
    await store.getState().submitCode('134567890123456789', 'wedge');
    expect(phaseOf(store.getState().sale)).toBe('result');
    store.getState().newSale();
    expect(phaseOf(store.getState().sale)).toBe('amount');
    emit('sale:updated', view({ status: 'paid', updatedAt: 5000 }));
    expect(store.getState().notices).toEqual([
      expect.objectContaining({
        tone: 'warn',
        key: 'notices.background',
        params: { amount: '¥12.30', order: 'T1', status: 'paid' },
      }),
    ]);
    expect(phaseOf(store.getState().sale)).toBe('amount');
  });
});

describe('cashier state: start-up', () => {
  it('resumes a sale still waiting for a scan after a reload', async () => {
    const { store } = await ready({ 'sale:current': () => view({ orderId: 'T9' }) });
    expect(store.getState().sale?.orderId).toBe('T9');
    expect(phaseOf(store.getState().sale)).toBe('scan');
  });

  it('shows a failure to load instead of losing it', async () => {
    const { store } = await ready({
      'scanner:state': () => {
        throw new ApiError('offline', 'The terminal service cannot be reached.');
      },
    });
    expect(store.getState().notices).toEqual([
      expect.objectContaining({ tone: 'error', text: 'The terminal service cannot be reached.' }),
    ]);
    expect(store.getState().settings?.currency).toBe('CNY');
  });

  it('shows a hardware scan the terminal could not use on the scan screen', async () => {
    const { store, emit } = await ready({ 'sale:start': () => view() });
    store.getState().typeAmount('1');
    await store.getState().charge();
    emit('scan:rejected', {
      reason: 'A product barcode (EAN-13), not a payment code',
      text: ']E04006381333931',
    });
    expect(store.getState().error).toEqual({
      code: 'scan-rejected',
      text: 'A product barcode (EAN-13), not a payment code',
    });
  });
});

describe('cashier state: wallet override', () => {
  it('restarts a sale not yet scanned with the Alipay wallet the cashier picked', async () => {
    let started = 0;
    const { store, callsTo } = await ready({
      'sale:start': () => view({ orderId: `T${++started}` }),
      'sale:cancel': () => view({ status: 'closed', updatedAt: 2000 }),
    });
    store.getState().typeAmount('88');
    await store.getState().charge();
    await store.getState().setMethodOverride('AlipayHK-Offline');
    expect(callsTo('sale:cancel').map((c) => c.request)).toEqual([{ orderId: 'T1' }]);
    expect(callsTo('sale:start').map((c) => c.request)).toEqual([
      { amountText: '88', currency: 'CNY' },
      { amountText: '88', currency: 'CNY', methodOverride: 'AlipayHK-Offline' },
    ]);
    expect(store.getState().sale?.orderId).toBe('T2');
    expect(phaseOf(store.getState().sale)).toBe('scan');
  });
});

describe('cashier state: Try again with the same tender', () => {
  /** A store whose sale on screen is `failed` (not paid), the answers as given. */
  async function after(
    failed: Partial<SaleView>,
    handlers: Partial<Record<InvokeChannel, Handler>>,
  ) {
    const terminal = await ready({ 'history:list': () => [], ...handlers });
    terminal.store.getState().showSale(view({ status: 'declined', updatedAt: 2000, ...failed }));
    return terminal;
  }

  it('pay on phone: a new page of the same brand for the same amount, shown on the sale screens', async () => {
    const { store, callsTo } = await after(
      { tender: 'checkout', method: 'GooglePay', memberId: null },
      {
        'sale:start-checkout': () =>
          view({ orderId: 'T2', status: 'waiting-for-customer', tender: 'checkout' }),
      },
    );
    await store.getState().tryAgain();
    expect(callsTo('sale:start-checkout').map((c) => c.request)).toEqual([
      { amountText: '12.30', currency: 'CNY', brand: 'GooglePay' },
    ]);
    expect(callsTo('sale:start')).toEqual([]);
    expect(store.getState().sale?.orderId).toBe('T2');
  });

  it('the card page again has no brand', async () => {
    const { store, callsTo } = await after(
      { tender: 'checkout', method: 'Card', memberId: null },
      { 'sale:start-checkout': () => view({ orderId: 'T2', tender: 'checkout' }) },
    );
    await store.getState().tryAgain();
    expect(callsTo('sale:start-checkout').map((c) => c.request)).toEqual([
      { amountText: '12.30', currency: 'CNY' },
    ]);
  });

  it('a linked wallet: the same member and wallet charged again', async () => {
    const { store, callsTo } = await after(
      { tender: 'linked-wallet', method: 'Alipay', memberId: 'M-9' },
      { 'sale:start-member': () => view({ orderId: 'T2', tender: 'linked-wallet' }) },
    );
    await store.getState().tryAgain();
    expect(callsTo('sale:start-member').map((c) => c.request)).toEqual([
      { amountText: '12.30', currency: 'CNY', memberId: 'M-9', wallet: 'Alipay' },
    ]);
  });

  it('refused again (e.g. the link ended meanwhile): the amount stays typed, the reason beside it', async () => {
    const { store } = await after(
      { tender: 'linked-wallet', method: 'Alipay', memberId: 'M-9' },
      {
        'sale:start-member': () => {
          throw new ApiError('link-unbound', 'The Alipay link was ended');
        },
      },
    );
    await store.getState().tryAgain();
    expect(store.getState().sale).toBeNull();
    expect(store.getState().amountText).toBe('12.30');
    expect(store.getState().error?.code).toBe('link-unbound');
  });

  it("a membership's first payment or a renewal: the member on Members, nothing started", async () => {
    for (const failed of [
      { tender: 'checkout', method: 'Card', memberId: 'M-9' },
      { tender: 'renewal', method: 'Card', memberId: 'M-9' },
    ] as const) {
      const { store, calls } = await after(failed, {});
      const before = calls.length;
      await store.getState().tryAgain();
      expect(calls.slice(before).map((c) => c.channel)).toEqual([]);
      expect(store.getState()).toMatchObject({
        sale: null,
        view: 'members',
        memberToOpen: 'M-9',
        // No amount left typed: a plain sale of it would leave the period unpaid.
        amountText: '',
      });
      store.getState().memberOpened();
      expect(store.getState().memberToOpen).toBeNull();
    }
  });

  it('a code scanned on the result of a failed phone payment is charged as a scan', async () => {
    const { store, callsTo } = await after(
      { tender: 'checkout', method: 'GooglePay', memberId: null },
      {
        'sale:start': () => view({ orderId: 'T2' }),
        'sale:submit-code': () => view({ orderId: 'T2', status: 'submitting', updatedAt: 3000 }),
      },
    );
    await store.getState().tryAgain('134567890123456789');
    expect(callsTo('sale:start-checkout')).toEqual([]);
    expect(callsTo('sale:start').map((c) => c.request)).toEqual([
      { amountText: '12.30', currency: 'CNY' },
    ]);
    expect(callsTo('sale:submit-code')).toHaveLength(1);
  });
});

describe('cashier state: a dialog that reads scans', () => {
  it('gets the scan (a member card) instead of the sale while it is open, and no longer once closed', async () => {
    const { store, callsTo } = await ready({ 'sale:start': () => view() });
    store.getState().typeAmount('12');
    const taken: string[] = [];
    store.getState().setScanTaker((text) => taken.push(text));
    store.getState().wedgeScan('990000123456789012');
    await settle();
    expect(taken).toEqual(['990000123456789012']);
    expect(callsTo('sale:start')).toEqual([]);

    store.getState().setScanTaker(null);
    store.getState().wedgeScan('134567890123456789');
    await settle();
    expect(taken).toHaveLength(1);
    expect(callsTo('sale:start')).toHaveLength(1);
  });
});
