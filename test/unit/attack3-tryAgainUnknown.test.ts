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

const SETTINGS: SettingsView = {
  region: 'CN',
  currency: 'CNY',
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

type Handler = (request: unknown) => unknown;

async function ready(handlers: Partial<Record<InvokeChannel, Handler>> = {}) {
  const calls: { channel: InvokeChannel; request: unknown }[] = [];
  const defaults: Partial<Record<InvokeChannel, Handler>> = {
    'settings:get': () => SETTINGS,
    'scanner:state': () => ({ spec: 'wedge', connected: true, detail: null }),
    'sale:current': () => null,
    'history:list': () => [],
    'gateway:warm': () => ({ ok: true }),
  };
  const api: PosApi = {
    async invoke<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>) {
      calls.push({ channel, request });
      const handler = handlers[channel] ?? defaults[channel];
      if (!handler) throw new ApiError('unexpected', `no handler for ${channel}`);
      return (await handler(request)) as InvokeResponse<C>;
    },
    on<C extends EventChannel>(_channel: C, _listener: (payload: EventPayload<C>) => void) {
      return () => undefined;
    },
  };
  const store = createPosStore({ api, clock: () => 0 });
  await store.getState().init();
  const callsTo = (channel: InvokeChannel) =>
    calls.filter((c) => c.channel === channel).map((c) => c.request);
  const charges = () =>
    calls.filter((c) =>
      ['sale:start', 'sale:start-member', 'sale:start-checkout', 'sale:submit-code'].includes(
        c.channel,
      ),
    );
  return { store, callsTo, charges };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

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
    const { store, callsTo } = await ready({ 'sale:start': () => view({ orderId: 'T2' }) });
    store
      .getState()
      .showSale(view({ status: 'declined', updatedAt: 2000, tender: 'code', currency: 'CNY' }));
    store.getState().applySettings({ ...SETTINGS, region: 'HK', currency: 'HKD' });
    await store.getState().tryAgain();
    expect(callsTo('sale:start')).toEqual([{ amountText: '12.30', currency: 'CNY' }]);
  });
});
