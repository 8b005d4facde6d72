/**
 * The customer display's state (zustand, vanilla): the terminal's settings and the sale at
 * the till, followed through the events. It only reads (its API is readOnlyApi).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  InvokeResponse,
  PosApi,
  SaleView,
  SettingsView,
} from '../../../shared/ipc/contract.ts';
import { isInProgress } from '../../../shared/sale.ts';
import type { CustomerQr } from './customerDisplay.ts';
import { newerView } from './store.ts';

export interface CustomerState {
  settings: SettingsView | null;
  sale: SaleView | null;
  /** clock() when `sale` (or its latest change) arrived. */
  saleSeenAt: number;
  online: boolean;
  /** A QR code offered to the customer outside a sale (a member link), fed by its screen. */
  qr: CustomerQr | null;
  init(): Promise<void>;
  receiveSale(view: SaleView): void;
  setOnline(online: boolean): void;
  setQr(qr: CustomerQr | null): void;
}

export interface CustomerStoreDeps {
  api: PosApi;
  clock?: () => number;
  onSettings?: (settings: SettingsView) => void;
}

export function createCustomerStore({
  api,
  clock = () => performance.now(),
  onSettings,
}: CustomerStoreDeps): StoreApi<CustomerState> {
  return createStore<CustomerState>()((set, get) => {
    /** The sign-up whose QR code is on the display. */
    let pendingLink: string | null = null;
    /** Shows a sign-up's wallet page as the QR code (`null`: the sign-up on it ended). */
    const showSignUp = (
      link: { linkId: string; authUrl: string; expiresAt: number | null } | null,
    ): void => {
      pendingLink = link?.linkId ?? null;
      set({
        qr: link
          ? { text: link.authUrl, caption: 'customer.qrLink', expiresAt: link.expiresAt }
          : null,
      });
    };
    const refreshSettings = (): void => {
      api.invoke('settings:get', {}).then(
        (settings) => {
          set({ settings });
          onSettings?.(settings);
        },
        () => undefined,
      );
    };
    /** Sign-up events seen so far: an answer older than the latest event is not used. */
    let linkEvents = 0;
    /**
     * The sign-up waiting when the display opens (or comes back after a break) shows at
     * once; one that ended meanwhile goes away. Unknown (the call failed): left as it is.
     */
    const showOpenSignUp = async (): Promise<void> => {
      const seen = linkEvents;
      let open: InvokeResponse<'member:open-sign-up'>;
      try {
        open = await api.invoke('member:open-sign-up', {});
      } catch {
        return;
      }
      if (seen !== linkEvents) return;
      if (open || pendingLink !== null) showSignUp(open);
    };
    return {
      settings: null,
      sale: null,
      saleSeenAt: 0,
      online: true,
      qr: null,

      async init() {
        api.on('sale:updated', (view) => get().receiveSale(view));
        // A linked-wallet sign-up waiting for the customer: its wallet page as a QR code,
        // until it is no longer pending (active, declined, expired) or lapses.
        api.on('member:link-updated', (link) => {
          linkEvents += 1;
          if (link.status === 'pending' && link.authUrl) {
            showSignUp({ ...link, authUrl: link.authUrl });
          } else if (pendingLink === link.linkId) {
            showSignUp(null);
          }
        });
        const [settings, sale] = await Promise.allSettled([
          api.invoke('settings:get', {}),
          api.invoke('sale:current', {}),
          showOpenSignUp(),
        ]);
        if (settings.status === 'fulfilled') {
          set({ settings: settings.value });
          onSettings?.(settings.value);
        }
        if (sale.status === 'fulfilled' && sale.value && !get().sale) get().receiveSale(sale.value);
      },

      receiveSale(view) {
        const current = get().sale;
        if (current && current.orderId === view.orderId) {
          if (newerView(current, view)) set({ sale: view, saleSeenAt: clock() });
          return;
        }
        // Another sale: only a new one at the till, never an old one settling in the background.
        if (!isInProgress(view.status) || view.abandoned) return;
        set({ sale: view, saleSeenAt: clock() });
        refreshSettings(); // the till's language may have changed since
      },

      setOnline(online) {
        const was = get().online;
        set({ online });
        if (!online || was) return;
        // Back after a break: what the till is doing now (events sent meanwhile are lost).
        refreshSettings();
        void showOpenSignUp();
        api.invoke('sale:current', {}).then(
          (sale) => {
            if (sale) get().receiveSale(sale);
          },
          () => undefined,
        );
      },

      setQr(qr) {
        set({ qr });
      },
    };
  });
}
