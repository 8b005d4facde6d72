/**
 * The cashier store (renderer/src/state/store.ts) against a terminal the test scripts: its
 * answers per channel, every call recorded, events pushed. For store-level unit tests.
 *
 *   const { store, requestsTo, emit } = await readyStore({ 'sale:start': () => view() });
 */
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
import { saleView } from './saleViews.ts';
import { DEFAULT_RECEIPT_SETTINGS } from '../../shared/ipc/receiptSettings.ts';
import { DEFAULT_SCREEN_SETTINGS } from '../../shared/ipc/screenSettings.ts';

export const SETTINGS: SettingsView = {
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

/** A sale waiting for its code, as the screen sees it; `patch` makes it what a test needs. */
export function view(patch: Partial<SaleView> = {}): SaleView {
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

export type Handler = (request: unknown) => unknown;

/** A terminal the test scripts: answers per channel, records calls, pushes events. */
export function fakeTerminal(handlers: Partial<Record<InvokeChannel, Handler>> = {}) {
  const calls: { channel: InvokeChannel; request: unknown }[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
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
    on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
  const emit = <C extends EventChannel>(channel: C, payload: EventPayload<C>) =>
    listeners.get(channel)?.forEach((l) => l(payload));
  const callsTo = (channel: InvokeChannel) => calls.filter((c) => c.channel === channel);
  /** What was asked on `channel`, in order. */
  const requestsTo = (channel: InvokeChannel) => callsTo(channel).map((c) => c.request);
  /** The calls that can move money (CHARGE_CHANNELS), in order. */
  const charges = () => calls.filter((c) => CHARGE_CHANNELS.includes(c.channel));
  return { api, emit, calls, callsTo, requestsTo, charges };
}

export async function readyStore(handlers: Partial<Record<InvokeChannel, Handler>> = {}) {
  const terminal = fakeTerminal(handlers);
  const store = createPosStore({ api: terminal.api, clock: () => 0 });
  await store.getState().init();
  return { store, ...terminal };
}

/** The calls that can move money: starting a sale of any tender, or sending a code. */
export const CHARGE_CHANNELS: readonly InvokeChannel[] = [
  'sale:start',
  'sale:start-member',
  'sale:start-checkout',
  'sale:submit-code',
];

/** Lets pending promise callbacks run. */
export const settle = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 0));
