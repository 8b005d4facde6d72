/**
 * The cashier's screen state (zustand, vanilla so it runs in unit tests without a DOM).
 * Every call to the terminal goes through the PosApi it is given; every failure ends up on
 * screen (`error` for the sale in hand, `notices` for everything else) — nothing is lost.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  InvokeRequest,
  PosApi,
  SaleView,
  ScannerState,
  SettingsView,
} from '../../../shared/ipc/contract.ts';
import { formatForDisplay, formatForGateway, type Currency } from '../../../shared/money.ts';
import { isFinal, isInProgress } from '../../../shared/sale.ts';
import { toApiError } from '../api/client.ts';
import type { ScanContext } from '../i18n/explain.ts';
import { backspaceAmount, typeAmountChars, type EntryHint } from './amountEntry.ts';
import { retryOf } from './tryAgain.ts';

export type View = 'sale' | 'history' | 'members' | 'report' | 'settings';
/** A wallet a scanned code may be charged to (the HK Alipay choice). */
export type Method = NonNullable<InvokeRequest<'sale:start'>['methodOverride']>;
export type Phase = 'amount' | 'scan' | 'result';

/** An error the terminal answered with: `code` picks a translation, `text` is its own words. */
export interface UiError {
  code: string;
  text: string;
  /** For `code-invalid`: what was scanned, so the screen can say why in its own words. */
  scan?: ScanContext;
  /** A refusal before anything was sent (a member's limit, a renewal not due…): its words. */
  reasonCode?: string;
}

/** Any failure of a call to the terminal, as the screens show it. */
export function toUiError(error: unknown): UiError {
  const e = toApiError(error);
  return { code: e.code, text: e.message, ...(e.reasonCode ? { reasonCode: e.reasonCode } : {}) };
}

export interface Notice {
  id: number;
  tone: 'info' | 'warn' | 'error' | 'ok';
  /** A translation key with its parameters, or a message as given (`text`). */
  key?: string;
  params?: Record<string, string>;
  text?: string;
}

/** The sale is still on the scan screen (shared/sale.ts: no outcome yet). */
export const isActive = isInProgress;
export { isFinal };

export function phaseOf(sale: SaleView | null): Phase {
  if (!sale) return 'amount';
  return isActive(sale.status) ? 'scan' : 'result';
}

/**
 * Whether the sale ended without the customer paying, so the same amount may simply be tried
 * again: declined (an expired code too), closed, or nobody waits for it any more (deadline,
 * Stop waiting; refunded automatically should it turn out paid). Never a sale the terminal
 * is still unsure about for another reason (refused credentials, an amount mismatch): there
 * the cashier must not charge again.
 */
export function canTryAgain(sale: SaleView | null): boolean {
  if (!sale) return false;
  if (sale.status === 'declined' || sale.status === 'closed') return true;
  if (sale.status === 'paid') return sale.reasonCode === 'auto-refunded';
  return (
    sale.status === 'unknown' &&
    sale.abandoned &&
    (sale.reasonCode === 'customer-timeout' || sale.reasonCode === 'cancelled')
  );
}

/** Keeps the newest view of a sale: a final state never goes back to a waiting one. */
export function newerView(current: SaleView, incoming: SaleView): boolean {
  if (isFinal(current.status) && !isFinal(incoming.status)) return false;
  if (incoming.updatedAt < current.updatedAt) return false;
  return true;
}

export interface PosState {
  view: View;
  settings: SettingsView | null;
  scanner: ScannerState | null;
  /** False while the event stream to the terminal is down (browser mode). */
  online: boolean;
  amountText: string;
  amountHint: EntryHint | null;
  methodOverride: Method | null;
  sale: SaleView | null;
  /** clock() when `sale` arrived (its remainingMs counts from then). */
  saleSeenAt: number;
  manualCode: string;
  pending: null | 'start' | 'submit' | 'cancel';
  error: UiError | null;
  /** A scan was swallowed by the input method: tell the cashier to switch it off. */
  imeBlocked: boolean;
  notices: Notice[];
  /** Changes whenever any sale changed: lists refetch on it. */
  historyVersion: number;
  /** The last amounts charged on this screen, newest first (quick amounts beside the configured). */
  recentAmounts: string[];
  /** The last sale this screen finished (look it up, reprint its receipt). */
  lastSale: SaleView | null;
  /** The history's search text (a scan or keys typed on the history screen land here too). */
  historySearch: string;
  /** The latest scan on the history screen (a payment code or a receipt's order id). */
  historyScan: { text: string; seq: number } | null;
  /**
   * A dialog on the sale screen that reads a scan itself (the member picker: a member's card),
   * or null: while set, a scan goes to it, wherever the focus is, never to the sale.
   */
  scanTaker: ((text: string) => void) | null;
  /** The member the Members screen opens next (Try again of a membership's sale), or null. */
  memberToOpen: string | null;

  init(): Promise<void>;
  setView(view: View): void;
  typeAmount(chars: string): void;
  backspace(): void;
  clearAmount(): void;
  /** A quick amount: the amount becomes this one (then Charge, or just scan). */
  setQuickAmount(text: string): void;
  /** Opens a sale's detail in History (the last sale's "Show in History"). */
  showInHistory(orderId: string): void;
  setMethodOverride(method: Method | null): Promise<void>;
  /** Starts a scanned sale of the typed amount, in `currency` (default: the till's). */
  charge(currency?: Currency): Promise<void>;
  setManualCode(code: string): void;
  submitCode(code: string, source: 'wedge' | 'manual'): Promise<void>;
  wedgeScan(text: string): void;
  setScanTaker(taker: ((text: string) => void) | null): void;
  /** The Members screen opened the member asked for (memberToOpen). */
  memberOpened(): void;
  /** A code scanned on the amount screen: charged at once when an amount is typed. */
  chargeCode(code: string): Promise<void>;
  wedgeTyped(text: string): void;
  wedgeImeBlocked(): void;
  cancel(): Promise<void>;
  newSale(): void;
  /**
   * After a failure: the same amount again with the same tender (state/tryAgain.ts): the
   * scan prompt (with `code`, charged at once), the linked wallet, the customer's phone.
   */
  tryAgain(code?: string): Promise<void>;
  /**
   * A sale another tender started (linked wallet, pay on phone, renewal) shown on the sale
   * screens; its latest state is fetched too (events sent before it was shown are not lost).
   */
  showSale(view: SaleView): void;
  receiveSale(view: SaleView): void;
  setHistorySearch(text: string): void;
  applySettings(settings: SettingsView): void;
  /** The link to the terminal went down or came back (what it said while down is cleared). */
  setOnline(online: boolean): void;
  notify(notice: Omit<Notice, 'id'>): void;
  dismiss(id: number): void;
}

export interface StoreDeps {
  api: PosApi;
  clock?: () => number;
  /** Called when settings (language) change. */
  onSettings?: (settings: SettingsView) => void;
}

const MAX_NOTICES = 6;

export function createPosStore({
  api,
  clock = () => performance.now(),
  onSettings,
}: StoreDeps): StoreApi<PosState> {
  let noticeId = 0;
  /** Sales left unresolved on screen: the cashier is told when they settle. */
  const watched = new Set<string>();
  /** The last code sent, per sale: a scanner's double read of it is ignored quietly. */
  let lastSubmitted: { orderId: string; code: string } | null = null;

  return createStore<PosState>()((set, get) => {
    const fail = (error: unknown): void => {
      set({ error: toUiError(error) });
    };
    const notifyError = (error: unknown): void => {
      const e = toApiError(error);
      get().notify({ tone: 'error', key: `errors.${e.code}`, text: e.message });
    };

    return {
      view: 'sale',
      settings: null,
      scanner: null,
      online: true,
      amountText: '',
      amountHint: null,
      methodOverride: null,
      sale: null,
      saleSeenAt: 0,
      manualCode: '',
      pending: null,
      error: null,
      imeBlocked: false,
      notices: [],
      historyVersion: 0,
      historySearch: '',
      historyScan: null,
      scanTaker: null,
      memberToOpen: null,
      recentAmounts: [],
      lastSale: null,

      async init() {
        api.on('sale:updated', (view) => get().receiveSale(view));
        api.on('scanner:state', (scanner) => set({ scanner }));
        api.on('scan:rejected', ({ reason, text }) => {
          if (phaseOf(get().sale) === 'scan')
            set({ error: { code: 'scan-rejected', text: reason } });
          else
            get().notify({ tone: 'warn', key: 'notices.scanRejected', params: { reason, text } });
        });
        const results = await Promise.allSettled([
          api.invoke('settings:get', {}).then((settings) => get().applySettings(settings)),
          api.invoke('scanner:state', {}).then((scanner) => set({ scanner })),
          api.invoke('sale:current', {}).then((sale) => {
            if (sale && isActive(sale.status) && !get().sale) {
              set({ sale, saleSeenAt: clock(), amountText: '' });
            }
          }),
        ]);
        for (const result of results) if (result.status === 'rejected') notifyError(result.reason);
      },

      setView(view) {
        set({ view });
      },

      typeAmount(chars) {
        const { amountText, settings, sale } = get();
        if (sale) return;
        const result = typeAmountChars(amountText, chars, settings?.currency ?? 'CNY');
        set({ amountText: result.text, amountHint: result.hint, error: null });
        if (amountText === '' && result.text !== '') {
          // A sale begins: the terminal opens its gateway connection while the amount is
          // typed, so that the code (even scanned at once) does not wait for a handshake.
          api.invoke('gateway:warm', {}).catch(() => undefined);
        }
      },
      backspace() {
        if (get().sale) return;
        set({ amountText: backspaceAmount(get().amountText), amountHint: null, error: null });
      },
      clearAmount() {
        if (get().sale) return;
        set({ amountText: '', amountHint: null, error: null });
      },

      setQuickAmount(text) {
        if (get().sale || get().pending) return;
        set({ amountText: '', amountHint: null, error: null });
        get().typeAmount(text); // as if typed: the gateway connection is asked for too
      },

      showInHistory(orderId) {
        set((s) => ({
          view: 'history',
          historyScan: { text: orderId, seq: (s.historyScan?.seq ?? 0) + 1 },
        }));
      },

      async setMethodOverride(method) {
        const { sale, pending } = get();
        set({ methodOverride: method });
        if (!sale || sale.status !== 'awaiting-scan' || pending) return;
        // Nothing was charged yet: start the same sale again with the chosen wallet.
        set({ pending: 'cancel', error: null });
        try {
          await api.invoke('sale:cancel', { orderId: sale.orderId });
          set({ sale: null, pending: null });
          await get().charge();
        } catch (error) {
          set({ pending: null });
          fail(error);
        }
      },

      async charge(currency) {
        const { pending, sale, amountText, settings, methodOverride } = get();
        if (pending || sale) return;
        set({ pending: 'start', error: null, amountHint: null });
        const chargedIn = currency ?? settings?.currency;
        try {
          const view = await api.invoke('sale:start', {
            amountText,
            ...(chargedIn ? { currency: chargedIn } : {}),
            ...(methodOverride ? { methodOverride } : {}),
          });
          const current = get().sale;
          if (!current || current.orderId !== view.orderId || newerView(current, view)) {
            set({ sale: view, saleSeenAt: clock(), manualCode: '', imeBlocked: false });
          }
          const amount = formatForGateway(view.amountMinor, view.currency);
          set((s) => ({
            recentAmounts: [amount, ...s.recentAmounts.filter((a) => a !== amount)].slice(0, 3),
          }));
        } catch (error) {
          fail(error); // the typed amount stays, with the reason beside it
        } finally {
          set({ pending: null });
        }
      },

      setManualCode(code) {
        set({ manualCode: code.replace(/\s+/g, ''), error: null });
      },

      async submitCode(code, source) {
        const { sale, pending } = get();
        if (!sale) {
          set({ error: { code: 'scan-needs-amount', text: '' } });
          return;
        }
        const repeat = lastSubmitted?.orderId === sale.orderId && lastSubmitted.code === code;
        if (sale.status !== 'awaiting-scan' || pending) {
          if (source === 'wedge' && !repeat) get().notify({ tone: 'info', key: 'scan.busy' });
          return;
        }
        lastSubmitted = { orderId: sale.orderId, code };
        set({ pending: 'submit', error: null, imeBlocked: false });
        try {
          const view = await api.invoke('sale:submit-code', {
            orderId: sale.orderId,
            code,
            source,
          });
          get().receiveSale(view);
          set({ manualCode: '' });
          if (view.status === 'awaiting-scan' && view.reason) {
            set({ error: { code: view.reasonCode ?? 'code-rejected', text: view.reason } });
          }
        } catch (error) {
          const e = toUiError(error);
          const region = get().settings?.region;
          if (e.code === 'code-invalid' && region) {
            const override = get().methodOverride;
            e.scan = { code, region, override, saleCurrency: sale.currency };
          }
          set({ error: e });
        } finally {
          set({ pending: null });
        }
      },

      wedgeScan(text) {
        if (get().view === 'history') {
          // A payment code or a receipt's order barcode: the history finds that sale.
          set((s) => ({ historyScan: { text, seq: (s.historyScan?.seq ?? 0) + 1 } }));
          return;
        }
        if (get().view !== 'sale') return;
        const taker = get().scanTaker;
        if (taker && !get().sale) {
          taker(text);
          return;
        }
        const phase = phaseOf(get().sale);
        if (phase === 'scan') void get().submitCode(text, 'wedge');
        else if (phase === 'amount') void get().chargeCode(text);
        else if (canTryAgain(get().sale)) void get().tryAgain(text);
        else set({ error: { code: 'scan-on-result', text: '' } });
      },

      setScanTaker(taker) {
        set({ scanTaker: taker });
      },

      memberOpened() {
        set({ memberToOpen: null });
      },

      async chargeCode(code) {
        const { amountText, pending } = get();
        if (pending) return;
        if (!/[1-9]/.test(amountText)) {
          set({ error: { code: 'scan-needs-amount', text: '' } });
          return;
        }
        // An amount and a code: unambiguous. Start the sale and charge the code at once.
        await get().charge();
        if (get().sale?.status === 'awaiting-scan') await get().submitCode(code, 'wedge');
      },

      wedgeTyped(text) {
        if (get().view === 'history') {
          set((s) => ({ historySearch: (s.historySearch + text).slice(0, 64) }));
          return;
        }
        if (get().view !== 'sale') return;
        const phase = phaseOf(get().sale);
        if (phase === 'result') get().newSale(); // typing the next amount starts the next sale
        if (phaseOf(get().sale) === 'amount') get().typeAmount(text);
        else if (phase === 'scan' && get().sale?.status === 'awaiting-scan') {
          get().setManualCode(get().manualCode + text);
        }
      },

      wedgeImeBlocked() {
        set({ imeBlocked: true });
      },

      async cancel() {
        const { sale, pending } = get();
        if (!sale || !isActive(sale.status) || pending === 'cancel') return;
        set({ pending: 'cancel', error: null });
        try {
          const view = await api.invoke('sale:cancel', { orderId: sale.orderId });
          get().receiveSale(view);
        } catch (error) {
          fail(error);
        } finally {
          set({ pending: null });
        }
      },

      newSale() {
        const { sale } = get();
        if (sale && isActive(sale.status)) return;
        if (sale && !isFinal(sale.status)) watched.add(sale.orderId);
        set({
          ...(sale ? { lastSale: sale } : {}),
          sale: null,
          amountText: '',
          amountHint: null,
          manualCode: '',
          methodOverride: null,
          error: null,
          imeBlocked: false,
        });
      },

      async tryAgain(code) {
        const { sale, pending } = get();
        if (pending || !sale || !canTryAgain(sale)) return;
        const { methodOverride } = get();
        get().newSale();
        const amountText = formatForGateway(sale.amountMinor, sale.currency);
        set({ amountText, methodOverride });
        const retry = code === undefined ? retryOf(sale) : ({ kind: 'scan' } as const);
        if (retry.kind === 'amount') {
          // The cashier chooses again with the amount typed — only in the till's currency
          // (the amount screen charges in it): another currency's amount is not left there.
          if (get().settings && get().settings?.currency !== sale.currency) set({ amountText: '' });
          return;
        }
        if (retry.kind === 'open-member') {
          set({ amountText: '', view: 'members', memberToOpen: retry.memberId });
          return;
        }
        if (retry.kind === 'scan') {
          await get().charge(sale.currency); // the same amount: in the failed sale's currency
          if (code !== undefined && get().sale?.status === 'awaiting-scan') {
            await get().submitCode(code, 'wedge');
          }
          return;
        }
        const currency = { currency: sale.currency };
        set({ pending: 'start', error: null });
        try {
          const view =
            retry.kind === 'member'
              ? await api.invoke('sale:start-member', {
                  amountText,
                  ...currency,
                  memberId: retry.memberId,
                  wallet: retry.wallet,
                })
              : await api.invoke('sale:start-checkout', {
                  amountText,
                  ...currency,
                  ...(retry.brand ? { brand: retry.brand } : {}),
                });
          get().showSale(view);
        } catch (error) {
          fail(error); // the amount stays typed, with the reason beside it
        } finally {
          set({ pending: null });
        }
      },

      showSale(view) {
        set({
          sale: view,
          saleSeenAt: clock(),
          manualCode: '',
          imeBlocked: false,
          error: null,
          view: 'sale',
        });
        api.invoke('history:list', { search: view.orderId, limit: 5 }).then(
          (views) => {
            const latest = views.find((v) => v.orderId === view.orderId);
            if (latest) get().receiveSale(latest);
          },
          () => undefined, // the next event brings it
        );
      },

      receiveSale(view) {
        set((s) => ({
          historyVersion: s.historyVersion + 1,
          ...(s.lastSale?.orderId === view.orderId && newerView(s.lastSale, view)
            ? { lastSale: view }
            : {}),
        }));
        const current = get().sale;
        if (current && current.orderId === view.orderId) {
          if (!newerView(current, view)) return;
          if (!isActive(view.status) && view.abandoned && !isFinal(view.status)) {
            watched.add(view.orderId);
          }
          if (isFinal(view.status)) watched.delete(view.orderId); // seen on screen
          set({ sale: view, saleSeenAt: clock() });
          return;
        }
        if (!current && !get().pending && isActive(view.status) && !view.abandoned) {
          // A sale started in another window of this terminal: shown here too (one sale at a
          // time per terminal), so it can be scanned or cancelled from either. Not while this
          // window is starting its own: its answer shows it, and a scan meanwhile is not lost.
          set({ sale: view, saleSeenAt: clock() });
          return;
        }
        if (isFinal(view.status) && (watched.has(view.orderId) || view.recovered)) {
          watched.delete(view.orderId);
          const params = {
            amount: formatForDisplay(view.amountMinor, view.currency),
            order: view.orderId,
            status: view.status,
          };
          const lateCode = view.status === 'paid' ? view.reasonCode : null;
          if (lateCode === 'auto-refunded' || lateCode === 'auto-refund-declined') {
            // The cashier was told "not paid": say that it came in late, and what became of it.
            get().notify({
              tone: lateCode === 'auto-refunded' ? 'warn' : 'error',
              key:
                lateCode === 'auto-refunded'
                  ? 'notices.autoRefunded'
                  : 'notices.autoRefundDeclined',
              params,
            });
          } else {
            get().notify({
              tone: view.status === 'paid' ? 'warn' : 'info',
              key: 'notices.background',
              params,
            });
          }
        }
      },

      setHistorySearch(text) {
        set({ historySearch: text.slice(0, 64) });
      },

      setOnline(online) {
        const was = get().online;
        set({ online });
        if (!online || was) return;
        // Back: "cannot be reached" is no longer true, wherever it was said.
        set((s) => ({
          notices: s.notices.filter((n) => n.key !== 'errors.offline'),
          error: s.error?.code === 'offline' ? null : s.error,
        }));
        // Started while the terminal could not be reached: what the screen needs, again.
        if (!get().settings) {
          api.invoke('settings:get', {}).then(
            (settings) => get().applySettings(settings),
            (error: unknown) => notifyError(error),
          );
          api.invoke('scanner:state', {}).then(
            (scanner) => set({ scanner }),
            () => undefined,
          );
        }
        // What happened to the sale on screen meanwhile (events sent while down are lost).
        const { sale } = get();
        if (sale && !isFinal(sale.status)) {
          api.invoke('history:list', { search: sale.orderId, limit: 5 }).then(
            (views) => {
              const view = views.find((v) => v.orderId === sale.orderId);
              if (view) get().receiveSale(view);
            },
            () => undefined, // the next event or reconnect brings it
          );
        }
      },

      applySettings(settings) {
        set({ settings });
        onSettings?.(settings);
      },

      notify(notice) {
        set((s) => {
          const same = s.notices.find(
            (n) =>
              n.key === notice.key &&
              n.text === notice.text &&
              JSON.stringify(n.params) === JSON.stringify(notice.params),
          );
          if (same) return {};
          noticeId += 1;
          const notices = [...s.notices, { ...notice, id: noticeId }];
          return { notices: notices.slice(-MAX_NOTICES) };
        });
      },

      dismiss(id) {
        set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
      },
    };
  });
}
