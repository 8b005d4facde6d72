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
import type {
  EventChannel,
  EventPayload,
  InvokeChannel,
  InvokeRequest,
  InvokeResponse,
  PosApi,
  SaleView,
  SettingsView,
} from '../../shared/ipc/contract.ts';
import { ApiError } from '../../renderer/src/api/client.ts';
import { createPosStore } from '../../renderer/src/state/store.ts';
import { saleView } from '../support/saleViews.ts';
import { DEFAULT_RECEIPT_SETTINGS } from '../../shared/ipc/receiptSettings.ts';
import { DEFAULT_SCREEN_SETTINGS } from '../../shared/ipc/screenSettings.ts';

const HK_TILL: SettingsView = {
  region: 'HK',
  currency: 'HKD',
  gatewayUrl: 'simulator',
  trainingMode: true,
  accId: '2018092714313010016',
  saltConfigured: true,
  scanner: 'wedge',
  amountCeilingMinor: 5_000_000,
  customerDeadlineMs: 60_000,
  language: 'en',
  screen: DEFAULT_SCREEN_SETTINGS,
  receipts: DEFAULT_RECEIPT_SETTINGS,
};

function view(patch: Partial<SaleView> = {}): SaleView {
  return saleView({
    orderId: 'T1',
    status: 'awaiting-scan',
    amountMinor: 1230,
    method: null,
    maskedCode: null,
    createdAt: 1000,
    updatedAt: 1000,
    ...patch,
  });
}

async function ready() {
  const calls: { channel: InvokeChannel; request: unknown }[] = [];
  const handlers: Partial<Record<InvokeChannel, (request: unknown) => unknown>> = {
    'settings:get': () => HK_TILL,
    'scanner:state': () => ({ spec: 'wedge', connected: true, detail: null }),
    'sale:current': () => null,
    'history:list': () => [],
    'gateway:warm': () => ({ ok: true }),
    'sale:start': (r) =>
      view({ orderId: 'T2', currency: (r as { currency?: 'HKD' }).currency ?? 'HKD' }),
    'sale:submit-code': () => view({ orderId: 'T2', status: 'submitting' }),
  };
  const api: PosApi = {
    async invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>) {
      calls.push({ channel, request });
      const handler = handlers[channel];
      if (!handler) throw new ApiError('unexpected', `no handler for ${channel}`);
      return (await handler(request)) as InvokeResponse<C>;
    },
    on<C extends EventChannel>(_channel: C, _listener: (payload: EventPayload<C>) => void) {
      return () => undefined;
    },
  };
  const store = createPosStore({ api, clock: () => 0 });
  await store.getState().init();
  const starts = () =>
    calls.filter((c) => c.channel === 'sale:start').map((c) => c.request as object);
  return { store, starts };
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
