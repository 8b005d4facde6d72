import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  MethodSchema,
  SaleStatusSchema,
  type InvokeRequest,
  type SaleView,
} from '../../../shared/ipc/contract.ts';
import { formatForGateway, parseAmount } from '../../../shared/money.ts';
import { maskCode } from '../../../shared/paymentCode.ts';
import { localDay, money, time } from '../format.ts';
import { useApi, usePos, usePosStore } from '../state/context.ts';
import { toUiError, type UiError } from '../state/store.ts';
import {
  ErrorLine,
  ModeNote,
  ModeToggle,
  PinField,
  useOtherMode,
  useReasonText,
} from './common.tsx';
import { ReceiptActions } from './receipts/ReceiptActions.tsx';

type Filter = InvokeRequest<'history:list'>;

/** The amount a search stands for ("88.80", "¥88.80", "HK$ 1,200.5"), as digits with a dot. */
export function amountQuery(text: string): string | null {
  const bare = text.replace(/^(?:HK\$|US\$|\$|¥|￥|CNY|HKD|RMB)\s*/i, '').replace(/[,\s]/g, '');
  if (!/^\d+(?:\.\d+)?$/.test(bare)) return null;
  if (bare === text.trim() && !bare.includes('.')) return null; // plain digits: an id or code
  return bare;
}

/**
 * What the terminal is asked to search for: a whole payment code (typed or scanned into the
 * search) becomes its masked form (first 6 and last 4 digits) — the journal keeps only that,
 * never the code; anything else (an order id, part of one, a transaction id) as it is.
 */
export function historySearchText(text: string): string {
  const bare = text.trim();
  return /^\d{16,24}$/.test(bare) ? maskCode(bare) : bare;
}

function amountMatches(sale: SaleView, amount: string): boolean {
  const [whole = '', fraction = ''] = amount.split('.');
  const [saleWhole = '', saleFraction = ''] = formatForGateway(
    sale.amountMinor,
    sale.currency,
  ).split('.');
  return (
    Number(whole) === Number(saleWhole) &&
    fraction.replace(/0+$/, '') === saleFraction.replace(/0+$/, '')
  );
}

function RefundPanel({ sale, onDone }: { sale: SaleView; onDone: (view: SaleView) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const refundable = sale.amountMinor - sale.refundedMinor;
  // Never pre-filled: the supervisor types the amount, then confirms it in words.
  const [amountText, setAmountText] = useState('');
  const [confirming, setConfirming] = useState<number | null>(null);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // Selecting a sale (Enter on its row) leads straight to the amount: refunds by keyboard.
  // (Without scrolling: the panel is placed in view already.)
  const amountRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    amountRef.current?.focus({ preventScroll: true });
  }, []);

  const result = done ? (
    <p className="ok-line" role="status" data-testid="refund-result">
      {done}
    </p>
  ) : null;
  if (sale.status !== 'paid') return <p className="muted">{t('history.notRefundable')}</p>;
  if (refundable <= 0) {
    return (
      <>
        {result}
        <p className="muted">{t('history.fullyRefunded')}</p>
      </>
    );
  }

  /** First step: the amount as typed is checked and put in words for the supervisor to confirm. */
  const review = (): void => {
    setError(null);
    setDone(null);
    const parsed = parseAmount(amountText, sale.currency, {
      ceilingMinor: Number.MAX_SAFE_INTEGER,
    });
    if (!parsed.ok) {
      setError({ code: `amount-${parsed.rejection}`, text: parsed.message });
      return;
    }
    if (parsed.minor > refundable) {
      setError({
        code: 'refund-exceeds-balance',
        text: t('errors.refund-exceeds-balance'),
      });
      return;
    }
    setConfirming(parsed.minor);
  };

  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const view = await api.invoke('refund:create', { orderId: sale.orderId, amountText, pin });
      const latest = view.refunds.reduce<SaleView['refunds'][number] | null>(
        (a, r) => (!a || r.createdAt >= a.createdAt ? r : a),
        null,
      );
      if (latest) {
        setDone(
          t('history.refundDone', {
            amount: money(latest.amountMinor, latest.currency),
            status: t(`history.refundStatus.${latest.status}`),
          }) + (latest.reason && latest.status !== 'refunded' ? ` — ${latest.reason}` : ''),
        );
      }
      setPin('');
      setAmountText('');
      setConfirming(null);
      onDone(view);
    } catch (e) {
      setError(toUiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="refund-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (confirming === null) review(); // Enter never sends a refund unconfirmed
      }}
    >
      <h3>{t('history.refundTitle')}</h3>
      <label>
        {t('history.refundAmount')}
        <input
          data-testid="refund-amount-input"
          inputMode="decimal"
          autoComplete="off"
          ref={amountRef}
          placeholder={t('history.refundUpTo', { amount: money(refundable, sale.currency) })}
          value={amountText}
          readOnly={confirming !== null}
          onChange={(e) => setAmountText(e.target.value)}
        />
      </label>
      <PinField pin={pin} onPin={setPin} />
      <ErrorLine error={error} testId="refund-error" />
      {result}
      {confirming === null ? (
        <button
          type="submit"
          data-testid="refund-button"
          className="refund-button"
          disabled={busy || !pin || !amountText}
        >
          {t('history.refund')}
        </button>
      ) : (
        <div className="refund-confirm" role="group">
          <p className="warn-line" data-testid="refund-confirm-text">
            {t('history.refundConfirm', {
              amount: money(confirming, sale.currency),
              total: money(sale.amountMinor, sale.currency),
              method: sale.method ? t(`method.${sale.method}`) : t('method.none'),
            })}
          </p>
          <button
            type="button"
            data-testid="refund-confirm"
            className="refund-button"
            autoFocus
            disabled={busy || !pin}
            onClick={() => void submit()}
          >
            {t('history.refundYes', { amount: money(confirming, sale.currency) })}
          </button>
          <button
            type="button"
            data-testid="refund-back"
            data-esc="2"
            aria-keyshortcuts="Escape"
            disabled={busy}
            onClick={() => setConfirming(null)}
          >
            {t('history.refundChange')}
          </button>
        </div>
      )}
    </form>
  );
}

function SaleDetail({ sale, onRefunded }: { sale: SaleView; onRefunded: (v: SaleView) => void }) {
  const { t, i18n } = useTranslation();
  const reasonText = useReasonText();
  const { reason, detail } =
    sale.status === 'paid' && sale.reasonCode === null
      ? { reason: null, detail: null }
      : reasonText(sale);
  const refundReason = (r: SaleView['refunds'][number]): string => {
    const words = reasonText({
      reason: r.reason,
      reasonCode: r.status === 'declined' ? 'refund-declined' : null,
      status: 'unknown',
    });
    if (i18n.language === 'en' || r.status === 'declined') {
      return [words.reason, words.detail].filter(Boolean).join(' — ');
    }
    return words.detail ?? '';
  };
  return (
    <div className="sale-detail" data-testid="sale-detail" data-order-id={sale.orderId}>
      <h2>
        {money(sale.amountMinor, sale.currency)}{' '}
        <span className={`badge badge-${sale.status}`}>{t(`status.${sale.status}`)}</span>
      </h2>
      <dl className="result-facts">
        <dt>{t('result.order')}</dt>
        <dd>{sale.orderId}</dd>
        <dt>{t('result.method')}</dt>
        <dd>{sale.method ? t(`method.${sale.method}`) : t('method.none')}</dd>
        <dt>{t('result.code')}</dt>
        <dd>{sale.maskedCode ?? t('method.none')}</dd>
        <dt>{t('history.time')}</dt>
        <dd>{time(sale.createdAt, i18n.language)}</dd>
      </dl>
      {reason ? (
        <p className="result-reason small" data-testid="detail-reason">
          {reason}
        </p>
      ) : null}
      {detail ? <p className="result-detail small">{detail}</p> : null}
      {sale.refunds.length ? (
        <>
          <h3>{t('history.refunds')}</h3>
          <ul className="refund-list">
            {sale.refunds.map((r) => (
              <li key={r.refundId} data-testid="refund-row" data-status={r.status}>
                {money(r.amountMinor, r.currency)} — {t(`history.refundStatus.${r.status}`)}
                {r.automatic ? ` (${t('history.automatic')})` : ''}
                {r.reason && r.status !== 'refunded' ? ` — ${refundReason(r)}` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <RefundPanel key={sale.orderId} sale={sale} onDone={onRefunded} />
      {/* After the refund (its button stays in view on a small till); also when fully refunded. */}
      <ReceiptActions sale={sale} />
    </div>
  );
}

/** The latest history scan each store's History has acted on (kept across its mounts). */
const handledScans = new WeakMap<object, number>();

export function HistoryScreen() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const version = usePos((s) => s.historyVersion);
  const [day, setDay] = useState(() => localDay(Date.now()));
  const [status, setStatus] = useState('');
  const [method, setMethod] = useState('');
  const search = usePos((s) => s.historySearch);
  const setSearch = usePos((s) => s.setHistorySearch);
  const historyScan = usePos((s) => s.historyScan);
  const store = usePosStore();
  const [scanNote, setScanNote] = useState<{ found: boolean; text: string } | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [query, setQuery] = useState('');
  const [rows, setRows] = useState<SaleView[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [reload, setReload] = useState(0);
  const [otherMode, setOtherMode] = useState(false);
  const training = useOtherMode(otherMode);

  // Searching waits for a pause in typing.
  useEffect(() => {
    const id = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(id);
  }, [search]);

  const filter = useMemo<Filter>(() => {
    const f: Filter = { limit: 200 };
    if (day) f.day = day;
    const s = SaleStatusSchema.safeParse(status);
    if (s.success) f.status = s.data;
    const m = MethodSchema.safeParse(method);
    if (m.success) f.method = m.data;
    if (query) f.search = historySearchText(query).slice(0, 64);
    if (training !== undefined) f.training = training;
    return f;
  }, [day, status, method, query, training]);

  useEffect(() => {
    let live = true;
    // "88.80", "¥88.80", "HK$1,200": the terminal searches order ids and codes, so the sales
    // of that amount are picked here from the list without the search.
    const amount = amountQuery(query);
    const searches: Promise<SaleView[]>[] = [api.invoke('history:list', filter)];
    if (amount !== null) {
      const { search: _search, ...rest } = filter;
      searches.push(
        api
          .invoke('history:list', { ...rest, limit: 1000 })
          .then((list) => list.filter((sale) => amountMatches(sale, amount))),
      );
    }
    Promise.all(searches).then(
      (lists) => {
        if (!live) return;
        const seen = new Set<string>();
        const merged = lists
          .flat()
          .filter((sale) => !seen.has(sale.orderId) && Boolean(seen.add(sale.orderId)))
          .sort((a, b) => b.createdAt - a.createdAt);
        setRows(merged);
        setError(null);
      },
      (e: unknown) => {
        if (!live) return;
        setError(toUiError(e));
      },
    );
    return () => {
      live = false;
    };
  }, [api, filter, query, version, reload]);

  // A scan here (a payment code, or a receipt's order barcode = the order id) opens that sale,
  // whatever day it was: the list shows every sale it matches, the newest opened.
  useEffect(() => {
    if (!historyScan || historyScan.seq === (handledScans.get(store) ?? 0)) return;
    handledScans.set(store, historyScan.seq); // once: not again each time History opens
    const text = historySearchText(historyScan.text);
    const shown = /^\d{16,24}$/.test(historyScan.text.trim()) ? text : historyScan.text.trim();
    let live = true;
    api
      .invoke('history:list', {
        search: text.slice(0, 64),
        limit: 20,
        ...(training !== undefined ? { training } : {}),
      })
      .then(
        (found) => {
          if (!live) return;
          const sale = found.find((f) => f.orderId === text) ?? found[0];
          store.getState().setHistorySearch(text);
          setQuery(text);
          setDay('');
          if (sale) {
            setSelected(sale.orderId);
            setScanNote({
              found: true,
              text: t('historyScan.found', { code: shown, order: sale.orderId }),
            });
          } else {
            setSelected(null);
            setScanNote({ found: false, text: t('historyScan.notFound', { code: shown }) });
          }
        },
        (e: unknown) => live && setError(toUiError(e)),
      );
    return () => {
      live = false;
    };
  }, [historyScan, api, store, t, training]);

  // Arrow keys move along the list (from the search field or from nowhere); Enter opens a row.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
      const target = event.target instanceof HTMLElement ? event.target : null;
      const inList = target?.dataset.testid === 'history-row';
      const fromSearch = target?.dataset.testid === 'history-search';
      if (!inList && !fromSearch && target !== document.body) return;
      const buttons = [
        ...(listRef.current?.querySelectorAll<HTMLElement>('[data-testid="history-row"]') ?? []),
      ];
      if (buttons.length === 0) return;
      const at = inList ? buttons.indexOf(target as HTMLElement) : -1;
      const next = event.key === 'ArrowDown' ? Math.min(buttons.length - 1, at + 1) : at - 1;
      event.preventDefault();
      if (next < 0) document.querySelector<HTMLElement>('[data-testid="history-search"]')?.focus();
      else buttons[next]?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const current = rows.find((r) => r.orderId === selected) ?? null;
  const replaceRow = (view: SaleView) =>
    setRows((list) => list.map((r) => (r.orderId === view.orderId ? view : r)));

  return (
    <section className="history-screen">
      <div className="filters" role="search">
        <label>
          {t('history.day')}
          <input
            type="date"
            data-testid="history-day"
            value={day}
            onChange={(e) => setDay(e.target.value)}
          />
        </label>
        <button
          type="button"
          className="small"
          onClick={() => setDay('')}
          data-testid="history-all-days"
        >
          {t('history.allDays')}
        </button>
        <label>
          {t('history.status')}
          <select
            data-testid="history-status"
            value={status}
            onChange={(e) => setStatus(e.target.value)}
          >
            <option value="">{t('history.any')}</option>
            {SaleStatusSchema.options.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('history.method')}
          <select
            data-testid="history-method"
            value={method}
            onChange={(e) => setMethod(e.target.value)}
          >
            <option value="">{t('history.any')}</option>
            {MethodSchema.options.map((m) => (
              <option key={m} value={m}>
                {t(`method.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          {t('history.search')}
          <input
            type="search"
            data-testid="history-search"
            placeholder={t('history.searchPlaceholder')}
            value={search}
            maxLength={64}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <ModeToggle other={otherMode} onChange={setOtherMode} testId="history-other-mode" />
        <button type="button" className="small" onClick={() => setReload((n) => n + 1)}>
          {t('history.refresh')}
        </button>
      </div>
      <ModeNote training={training} testId="history-mode-note" />
      <ErrorLine error={error} testId="history-error" />
      {scanNote ? (
        <p
          className={scanNote.found ? 'ok-line' : 'error-line'}
          role="status"
          data-testid="history-scan"
          data-found={String(scanNote.found)}
        >
          {scanNote.text}
        </p>
      ) : null}
      <div className="history-body">
        <ul className="history-list" ref={listRef}>
          {rows.length === 0 ? <li className="muted">{t('history.empty')}</li> : null}
          {rows.map((sale) => (
            <li key={sale.orderId}>
              <button
                type="button"
                className={sale.orderId === selected ? 'history-row selected' : 'history-row'}
                data-testid="history-row"
                data-order-id={sale.orderId}
                data-status={sale.status}
                aria-pressed={sale.orderId === selected}
                onClick={() => setSelected(sale.orderId)}
              >
                <span className="when">{time(sale.createdAt, i18n.language)}</span>
                <span className="amt">{money(sale.amountMinor, sale.currency)}</span>
                <span className="meth">
                  {sale.method ? t(`method.${sale.method}`) : t('method.none')}
                </span>
                <span className="code">{sale.maskedCode ?? ''}</span>
                <span className={`badge badge-${sale.status}`}>{t(`status.${sale.status}`)}</span>
                <span className="tags">
                  {sale.training ? (
                    <em className="tag tag-training" data-testid="training-badge">
                      {t('history.training')}
                    </em>
                  ) : null}
                  {sale.recovered ? <em className="tag">{t('history.recovered')}</em> : null}
                  {sale.abandoned ? <em className="tag">{t('history.abandoned')}</em> : null}
                  {sale.refundedMinor > 0 ? (
                    <em className="tag tag-refund">
                      {t('history.refunded', { amount: money(sale.refundedMinor, sale.currency) })}
                    </em>
                  ) : null}
                </span>
              </button>
            </li>
          ))}
        </ul>
        <aside className={current ? 'history-side has-selection' : 'history-side'}>
          {current ? (
            <>
              <button
                type="button"
                className="small detail-close"
                data-testid="detail-close"
                data-esc="1"
                aria-keyshortcuts="Escape"
                data-shortcut="Esc"
                onClick={() => {
                  // Back to the row it was opened from (the keyboard carries on from there).
                  const row = document.querySelector<HTMLElement>(
                    `[data-testid="history-row"][data-order-id="${current?.orderId ?? ''}"]`,
                  );
                  setSelected(null);
                  row?.focus();
                }}
              >
                {t('history.close')}
              </button>
              <SaleDetail sale={current} onRefunded={replaceRow} />
            </>
          ) : (
            <p className="muted">{t('history.select')}</p>
          )}
        </aside>
      </div>
    </section>
  );
}
