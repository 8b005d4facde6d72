/**
 * The customer display's decisions: what it shows for each state of the sale at the till
 * (customerScreenFor), its two languages, and its API that only reads.
 */
import { describe, expect, it } from 'vitest';
import type { PosApi } from '../../../shared/ipc/contract.ts';
import { CUSTOMER_READ_CHANNELS, isCustomerViewUrl } from '../../../shared/ipc/customerDisplay.ts';
import { readOnlyApi, READ_ONLY_CODE } from '../../../renderer/src/api/readOnly.ts';
import { createCustomerStore } from '../../../renderer/src/state/customerStore.ts';
import { customerLanguages } from '../../../renderer/src/components/CustomerDisplay.tsx';
import {
  customerScreenFor,
  RESULT_SHOWN_MS,
  type CustomerSale,
} from '../../../renderer/src/state/customerDisplay.ts';

function sale(patch: Partial<CustomerSale> = {}): CustomerSale {
  return {
    orderId: 'T1',
    status: 'awaiting-scan',
    amountMinor: 1230,
    currency: 'CNY',
    abandoned: false,
    reasonCode: null,
    remainingMs: null,
    ...patch,
  };
}

const at = (s: CustomerSale | null, now = 1_000, extra = {}) =>
  customerScreenFor({ sale: s, saleSeenAt: 1_000, now, wallNow: 5_000_000, ...extra });

describe('customerScreenFor', () => {
  it('welcomes when there is no sale, and asks for the code with the amount while the till waits for it', () => {
    expect(at(null)).toEqual({ kind: 'welcome' });
    expect(at(sale())).toEqual({ kind: 'show-code', amountMinor: 1230, currency: 'CNY' });
    expect(at(sale({ status: 'submitting' })).kind).toBe('processing');
  });

  it('counts down while the customer confirms, from when the sale arrived', () => {
    const waiting = sale({ status: 'waiting-for-customer', remainingMs: 30_000 });
    expect(at(waiting, 11_000)).toMatchObject({ kind: 'confirm', remainingMs: 20_000 });
    expect(at(waiting, 99_000)).toMatchObject({ kind: 'confirm', remainingMs: 0 });
  });

  it('shows the result for a while, then welcome again', () => {
    expect(at(sale({ status: 'paid' })).kind).toBe('paid');
    expect(at(sale({ status: 'declined' })).kind).toBe('not-paid');
    expect(at(sale({ status: 'closed', reasonCode: 'cancelled' })).kind).toBe('not-paid');
    // Nobody waits any more (deadline, Stop waiting): not paid, as the cashier is told.
    const abandoned = sale({ status: 'unknown', abandoned: true, reasonCode: 'customer-timeout' });
    expect(at(abandoned).kind).toBe('not-paid');
    expect(at(sale({ status: 'unknown' })).kind).toBe('checking');
    expect(at(sale({ status: 'paid', reasonCode: 'auto-refunded' })).kind).toBe('not-paid');
    expect(at(sale({ status: 'paid' }), 1_000 + RESULT_SHOWN_MS + 1).kind).toBe('welcome');
  });

  it('shows the pay-on-phone QR code of a sale while it is valid, with the amount', () => {
    const phone = sale({ paymentUrl: 'https://pay.example/c/1', paymentExpiresAt: 6_000_000 });
    expect(at(phone)).toEqual({
      kind: 'qr',
      text: 'https://pay.example/c/1',
      caption: 'customer.qrPay',
      expiresAt: 6_000_000,
      amount: { amountMinor: 1230, currency: 'CNY' },
    });
    expect(at({ ...phone, paymentExpiresAt: 4_000_000 }).kind).toBe('show-code');
    expect(at({ ...phone, status: 'paid' }).kind).toBe('paid');
  });

  it('shows a member-link QR code when no sale is in hand, until it expires', () => {
    const qr = {
      text: 'https://link.example/m/7',
      caption: 'customer.qrLink',
      expiresAt: 6_000_000,
    };
    expect(at(null, 1_000, { qr })).toMatchObject({ kind: 'qr', text: qr.text, amount: null });
    expect(at(sale(), 1_000, { qr }).kind).toBe('show-code');
    expect(at(null, 1_000, { qr: { ...qr, expiresAt: 1 } }).kind).toBe('welcome');
  });
});

describe('the customer display’s languages', () => {
  it('puts English under Chinese, and under English the Chinese of the region', () => {
    expect(customerLanguages('zh-CN', 'CN')).toEqual(['zh-CN', 'en']);
    expect(customerLanguages('zh-HK', 'HK')).toEqual(['zh-HK', 'en']);
    expect(customerLanguages('en', 'HK')).toEqual(['en', 'zh-HK']);
    expect(customerLanguages('en', 'CN')).toEqual(['en', 'zh-CN']);
  });

  it('is the page /customer or ?view=customer', () => {
    expect(isCustomerViewUrl('http://127.0.0.1:5317/customer')).toBe(true);
    expect(isCustomerViewUrl('app://pospay/index.html?view=customer')).toBe(true);
    expect(isCustomerViewUrl('http://127.0.0.1:5317/')).toBe(false);
    expect(isCustomerViewUrl('app://pospay/index.html')).toBe(false);
  });
});

describe('readOnlyApi', () => {
  it('passes the reads and refuses everything that acts, before it leaves the page', async () => {
    const sent: string[] = [];
    const api: PosApi = {
      invoke: async (channel) => {
        sent.push(channel);
        return null as never;
      },
      on: () => () => undefined,
    };
    const readOnly = readOnlyApi(api);
    for (const channel of CUSTOMER_READ_CHANNELS) await readOnly.invoke(channel, {});
    await expect(readOnly.invoke('sale:start', { amountText: '5' })).rejects.toMatchObject({
      code: READ_ONLY_CODE,
    });
    await expect(
      readOnly.invoke('refund:create', { orderId: 'T1', amountText: '5', pin: '1234' }),
    ).rejects.toMatchObject({ code: READ_ONLY_CODE });
    await expect(readOnly.invoke('settings:save', { language: 'en' })).rejects.toMatchObject({
      code: READ_ONLY_CODE,
    });
    expect(sent).toEqual([...CUSTOMER_READ_CHANNELS]);
  });
});

describe('the customer display’s store', () => {
  it('shows a pending linked-wallet sign-up’s page as a QR code until it is no longer pending', async () => {
    const listeners = new Map<string, (payload: unknown) => void>();
    const api: PosApi = {
      invoke: async () => null as never,
      on: (channel, listener) => {
        listeners.set(channel, listener as (payload: unknown) => void);
        return () => undefined;
      },
    };
    const store = createCustomerStore({ api, clock: () => 0 });
    await store.getState().init();
    const link = {
      linkId: 'L1',
      memberId: 'M1',
      wallet: 'AlipayHK',
      status: 'pending',
      authUrl: 'https://wallet.example/auth/L1',
      expiresAt: 9_000,
    };
    listeners.get('member:link-updated')?.(link);
    expect(store.getState().qr).toEqual({
      text: 'https://wallet.example/auth/L1',
      caption: 'customer.qrLink',
      expiresAt: 9_000,
    });
    listeners.get('member:link-updated')?.({
      ...link,
      linkId: 'L2',
      status: 'active',
      authUrl: null,
    });
    expect(store.getState().qr).not.toBeNull();
    listeners.get('member:link-updated')?.({ ...link, status: 'active', authUrl: null });
    expect(store.getState().qr).toBeNull();
  });

  /** A terminal whose open sign-up is `open()`, its events fed by `emit`. */
  function terminalWith(open: () => unknown) {
    const listeners = new Map<string, (payload: unknown) => void>();
    const api: PosApi = {
      invoke: (async (channel: string) =>
        channel === 'member:open-sign-up' ? open() : null) as PosApi['invoke'],
      on: (channel, listener) => {
        listeners.set(channel, listener as (payload: unknown) => void);
        return () => undefined;
      },
    };
    const store = createCustomerStore({ api, clock: () => 0 });
    return {
      store,
      emit: (channel: string, payload: unknown) => listeners.get(channel)?.(payload),
    };
  }
  const waiting = { linkId: 'L7', authUrl: 'https://wallet.example/auth/L7', expiresAt: 9_000 };

  it('opened while a sign-up waits for the customer: its QR code at once, not at the next change', async () => {
    const { store } = terminalWith(() => waiting);
    await store.getState().init();
    expect(store.getState().qr).toEqual({
      text: waiting.authUrl,
      caption: 'customer.qrLink',
      expiresAt: 9_000,
    });
  });

  it('back after a break: a sign-up that ended meanwhile leaves the screen', async () => {
    let open: unknown = waiting;
    const { store } = terminalWith(() => open);
    await store.getState().init();
    store.getState().setOnline(false);
    open = null;
    store.getState().setOnline(true);
    await expect.poll(() => store.getState().qr).toBeNull();
  });

  it('an event that came while the question was out is newer than its answer', async () => {
    let answer: (value: unknown) => void = () => undefined;
    const { store, emit } = terminalWith(() => new Promise((resolve) => (answer = resolve)));
    const starting = store.getState().init();
    emit('member:link-updated', {
      ...waiting,
      memberId: 'M7',
      wallet: 'Alipay',
      status: 'active',
      authUrl: null,
    });
    answer(waiting);
    await starting;
    expect(store.getState().qr).toBeNull();
  });

  it('a terminal without members (the call refused): no QR code, the rest of the display works', async () => {
    const { store } = terminalWith(() => Promise.reject(new Error('not ready')));
    await store.getState().init();
    expect(store.getState().qr).toBeNull();
  });
});
