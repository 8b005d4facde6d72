import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import type { Currency } from '../../../shared/money.ts';
import { methodsOf } from '../../../shared/paymentMethods.ts';
import { money, secondsLeft } from '../format.ts';
import { formatEntry } from '../state/amountEntry.ts';
import { parseAmount } from '../../../shared/money.ts';
import { useApi, usePos } from '../state/context.ts';
import { outcomeOf, type Outcome } from '../state/outcome.ts';
import { canTryAgain, phaseOf, toUiError, type Method } from '../state/store.ts';
import { retryOf } from '../state/tryAgain.ts';
import { ErrorLine, useReasonText } from './common.tsx';
import { OtherTenders } from './members/OtherTenders.tsx';
import { SaleTenderFacts, SaleTenderPanel } from './members/SaleTender.tsx';
import { ReceiptNotice } from './receipts/ReceiptNotice.tsx';
import { useReasonOfPrinter } from './receipts/useReceipts.ts';

const KEYS = ['7', '8', '9', '4', '5', '6', '1', '2', '3', '.', '0', 'back'] as const;
const ALIPAY_CHOICES: Method[] = methodsOf('alipay');

/** Keypad buttons never take the focus: Enter keeps meaning "charge". */
const keepFocus = (event: React.MouseEvent) => event.preventDefault();

function Keypad({ currency }: { currency: Currency }) {
  const { t } = useTranslation();
  const typeAmount = usePos((s) => s.typeAmount);
  const backspace = usePos((s) => s.backspace);
  const clear = usePos((s) => s.clearAmount);
  return (
    <div className="keypad" role="group" aria-label={t('amount.keypad')}>
      {KEYS.map((k) =>
        k === 'back' ? (
          <button
            key={k}
            type="button"
            tabIndex={-1}
            className="key key-back"
            data-testid="key-backspace"
            onMouseDown={keepFocus}
            onClick={backspace}
            aria-label={t('amount.backspace')}
          >
            ⌫
          </button>
        ) : (
          <button
            key={k}
            type="button"
            tabIndex={-1}
            className="key"
            data-testid={`key-${k === '.' ? 'dot' : k}`}
            onMouseDown={keepFocus}
            onClick={() => typeAmount(k)}
            disabled={k === '.' && (currency === 'JPY' || currency === 'KRW')}
          >
            {k}
          </button>
        ),
      )}
      <button
        type="button"
        tabIndex={-1}
        className="key key-clear"
        data-testid="key-clear"
        onMouseDown={keepFocus}
        onClick={clear}
      >
        {t('amount.clear')}
      </button>
    </div>
  );
}

function MethodOverride() {
  const { t } = useTranslation();
  const region = usePos((s) => s.settings?.region);
  const method = usePos((s) => s.methodOverride);
  const setMethod = usePos((s) => s.setMethodOverride);
  const busy = usePos((s) => s.pending !== null);
  if (region !== 'HK') return null;
  return (
    <fieldset className="method-override" data-testid="method-override">
      <legend>{t('method.label')}</legend>
      {[null, ...ALIPAY_CHOICES].map((m) => (
        <button
          key={m ?? 'auto'}
          type="button"
          className={m === method ? 'choice selected' : 'choice'}
          aria-pressed={m === method}
          data-testid={`method-${m ?? 'auto'}`}
          disabled={busy}
          onClick={() => void setMethod(m)}
        >
          {m ? t(`method.${m}`) : t('method.auto')}
        </button>
      ))}
    </fieldset>
  );
}

/** One-touch amounts: the configured ones, then the last amounts charged here. */
function QuickAmounts({ currency }: { currency: Currency }) {
  const { t } = useTranslation();
  const configured = usePos((s) => s.settings?.screen.quickAmounts);
  const recent = usePos((s) => s.recentAmounts);
  const setQuickAmount = usePos((s) => s.setQuickAmount);
  const busy = usePos((s) => s.pending !== null);
  const amounts = quickAmountsOf(configured ?? [], recent, currency);
  if (amounts.length === 0) return null;
  return (
    <div className="quick-amounts" role="group" aria-label={t('quick.label')}>
      {amounts.map((a) => (
        <button
          key={a.text}
          type="button"
          tabIndex={-1}
          className={a.recent ? 'quick recent' : 'quick'}
          data-testid="quick-amount"
          data-amount={a.text}
          disabled={busy}
          onMouseDown={keepFocus}
          onClick={() => setQuickAmount(a.text)}
        >
          {money(a.minor, currency)}
        </button>
      ))}
    </div>
  );
}

/**
 * The quick amounts to offer: the configured ones (in their order), then the last amounts
 * charged that are not among them; each once, at most six, only amounts of this currency.
 */
export function quickAmountsOf(
  configured: readonly string[],
  recent: readonly string[],
  currency: Currency,
): { text: string; minor: number; recent: boolean }[] {
  const out: { text: string; minor: number; recent: boolean }[] = [];
  const seen = new Set<number>();
  for (const [list, isRecent] of [
    [configured, false],
    [recent, true],
  ] as const) {
    for (const text of list) {
      const parsed = parseAmount(text, currency, { ceilingMinor: Number.MAX_SAFE_INTEGER });
      if (!parsed.ok || seen.has(parsed.minor) || out.length >= 6) continue;
      seen.add(parsed.minor);
      out.push({ text, minor: parsed.minor, recent: isRecent });
    }
  }
  return out;
}

/** The last sale this screen finished: its outcome, Show in History, Reprint its receipt. */
function LastSale() {
  const { t } = useTranslation();
  const api = useApi();
  const last = usePos((s) => s.lastSale);
  const showInHistory = usePos((s) => s.showInHistory);
  const reasonOfPrinter = useReasonOfPrinter();
  const [printed, setPrinted] = useState<{ orderId: string; text: string } | null>(null);
  if (!last) return null;
  const reprint = async (): Promise<void> => {
    try {
      const result = await api.invoke('receipt:print', { orderId: last.orderId });
      setPrinted({
        orderId: last.orderId,
        text: result.printed
          ? t('receipts.printed')
          : t('receipts.notPrinted', { reason: reasonOfPrinter(result.reason) }),
      });
    } catch (e) {
      const error = toUiError(e);
      setPrinted({
        orderId: last.orderId,
        text: t('receipts.notPrinted', { reason: reasonOfPrinter(error.text) }),
      });
    }
  };
  return (
    <div className="last-sale" data-testid="last-sale" data-order-id={last.orderId}>
      <span className="last-sale-text">
        {t('lastSale.title')}: {money(last.amountMinor, last.currency)} —{' '}
        {t(`result.outcome.${outcomeOf(last)}`)}
      </span>
      <button
        type="button"
        tabIndex={-1}
        data-testid="last-sale-open"
        onMouseDown={keepFocus}
        onClick={() => showInHistory(last.orderId)}
      >
        {t('lastSale.open')}
      </button>
      {last.status === 'paid' ? (
        <button
          type="button"
          tabIndex={-1}
          data-testid="last-sale-reprint"
          onMouseDown={keepFocus}
          onClick={() => void reprint()}
        >
          {t('lastSale.reprint')}
        </button>
      ) : null}
      {printed?.orderId === last.orderId ? (
        <span role="status" data-testid="last-sale-printed">
          {printed.text}
        </span>
      ) : null}
    </div>
  );
}

function AmountScreen() {
  const { t } = useTranslation();
  const amountText = usePos((s) => s.amountText);
  const hint = usePos((s) => s.amountHint);
  const error = usePos((s) => s.error);
  const currency = usePos((s) => s.settings?.currency ?? 'CNY');
  const pending = usePos((s) => s.pending);
  const charge = usePos((s) => s.charge);
  const { typed, rest } = formatEntry(amountText, currency);
  return (
    <section className="amount-screen">
      <div className="amount-panel">
        <div className="panel-label">{t('amount.title')}</div>
        <output
          className={amountText ? 'amount-display' : 'amount-display empty'}
          data-testid="amount-display"
          aria-live="polite"
        >
          {typed}
          <span className="amount-rest">{rest}</span>
        </output>
        {hint ? (
          <p className="hint" role="status">
            {t(hint.key, hint.params)}
          </p>
        ) : null}
        <ErrorLine error={error} testId="amount-error" />
        <QuickAmounts currency={currency} />
        <MethodOverride />
        <button
          type="button"
          className="charge-button"
          data-testid="charge-button"
          data-shortcut="Enter"
          aria-keyshortcuts="Enter"
          disabled={pending !== null}
          onClick={() => void charge()}
        >
          {t('amount.charge')}
        </button>
        <OtherTenders />
        <LastSale />
        <p className="keys-help">{t('amount.keys')}</p>
      </div>
      <Keypad currency={currency} />
    </section>
  );
}

function Countdown({ remainingMs, seenAt }: { remainingMs: number; seenAt: number }) {
  const { t } = useTranslation();
  const [left, setLeft] = useState(remainingMs);
  useEffect(() => {
    const id = setInterval(() => {
      setLeft(Math.max(0, remainingMs - (performance.now() - seenAt)));
    }, 250);
    return () => clearInterval(id);
  }, [remainingMs, seenAt]);
  const deadline = usePos((s) => s.settings?.customerDeadlineMs ?? remainingMs);
  return (
    <div className="countdown" data-testid="countdown">
      <progress max={Math.max(deadline, remainingMs)} value={left} />
      <span>{t('scan.remaining', { seconds: secondsLeft(left) })}</span>
    </div>
  );
}

function ManualEntry() {
  const { t } = useTranslation();
  const code = usePos((s) => s.manualCode);
  const setCode = usePos((s) => s.setManualCode);
  const submit = usePos((s) => s.submitCode);
  const pending = usePos((s) => s.pending);
  return (
    <div className="manual-entry">
      <label htmlFor="manual-code">{t('scan.manual')}</label>
      <div className="manual-row">
        <input
          id="manual-code"
          data-testid="manual-code-input"
          data-wedge-capture=""
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && code) {
              e.preventDefault();
              void submit(code, 'manual');
            }
          }}
        />
        <button
          type="button"
          data-testid="manual-code-submit"
          disabled={!code || pending !== null}
          onClick={() => void submit(code, 'manual')}
        >
          {t('scan.manualSubmit')}
        </button>
      </div>
    </div>
  );
}

function StatusLine({ sale }: { sale: SaleView }) {
  const { t } = useTranslation();
  return (
    <div
      className={`payment-status status-${sale.status}`}
      data-testid="payment-status"
      data-status={sale.status}
      role="status"
    >
      {t(`status.${sale.status}`)}
    </div>
  );
}

function ScanScreen({ sale }: { sale: SaleView }) {
  const { t } = useTranslation();
  const seenAt = usePos((s) => s.saleSeenAt);
  const error = usePos((s) => s.error);
  const imeBlocked = usePos((s) => s.imeBlocked);
  const pending = usePos((s) => s.pending);
  const cancel = usePos((s) => s.cancel);
  const method = usePos((s) => s.methodOverride);
  const awaiting = sale.status === 'awaiting-scan';
  return (
    <section className="scan-screen" data-testid="scan-prompt">
      <div className="scan-amount">{money(sale.amountMinor, sale.currency)}</div>
      {awaiting ? <h1 className="scan-title">{t('scan.prompt')}</h1> : null}
      {awaiting ? <p className="scan-help">{t('scan.help')}</p> : null}
      <StatusLine sale={sale} />
      <SaleTenderPanel sale={sale} />
      {/* A checkout shows its page's own countdown (SaleTenderPanel): one clock, not two. */}
      {sale.status === 'waiting-for-customer' &&
      sale.remainingMs !== null &&
      sale.tender !== 'checkout' ? (
        <Countdown key={seenAt} remainingMs={sale.remainingMs} seenAt={seenAt} />
      ) : null}
      {imeBlocked ? (
        <p className="ime-warning" role="alert" data-testid="ime-warning">
          {t('scan.imeBlocked')}
        </p>
      ) : null}
      <ErrorLine error={error} testId="scan-error" />
      {awaiting ? <ManualEntry /> : null}
      {awaiting ? (
        <MethodOverride />
      ) : method ? (
        <p className="method-chosen">{t(`method.${method}`)}</p>
      ) : null}
      <button
        type="button"
        className="cancel-button"
        data-testid="cancel-button"
        data-shortcut={sale.status === 'awaiting-scan' ? 'Esc' : undefined}
        aria-keyshortcuts={sale.status === 'awaiting-scan' ? 'Escape' : undefined}
        disabled={pending === 'cancel' || sale.status === 'submitting'}
        onClick={() => void cancel()}
      >
        {/* A checkout's page is closed for the customer: that is a cancel, not a wait. */}
        {awaiting || sale.tender === 'checkout' ? t('scan.cancel') : t('scan.stopWaiting')}
      </button>
    </section>
  );
}

/** Why the sale was not paid: the engine's words, or their translation with them as detail. */
function useReason(sale: SaleView): { reason: string | null; detail: string | null } {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  if (sale.status === 'paid') return { reason: null, detail: null };
  if (sale.reason) return reasonText(sale);
  if (sale.status === 'declined') return { reason: t('result.declinedDefault'), detail: null };
  if (sale.status === 'closed') return { reason: t('result.closedDefault'), detail: null };
  return { reason: t('result.unknownHelp'), detail: null };
}

const OUTCOME_LOOK: Record<Outcome, { tone: string; icon: string }> = {
  paid: { tone: 'paid', icon: '✓' },
  declined: { tone: 'declined', icon: '✕' },
  closed: { tone: 'closed', icon: '✕' },
  unknown: { tone: 'unknown', icon: '?' },
  'not-confirmed': { tone: 'closed', icon: '✕' },
  stopped: { tone: 'closed', icon: '✕' },
  'auto-refunded': { tone: 'closed', icon: '↩' },
  'auto-refund-declined': { tone: 'declined', icon: '!' },
};

function ResultScreen({ sale }: { sale: SaleView }) {
  const { t } = useTranslation();
  const newSale = usePos((s) => s.newSale);
  const error = usePos((s) => s.error);
  const tryAgain = usePos((s) => s.tryAgain);
  const retry = canTryAgain(sale);
  const status = sale.status;
  const outcome = outcomeOf(sale);
  const look = OUTCOME_LOOK[outcome];
  const background = outcome === 'not-confirmed' || outcome === 'stopped';
  const { reason, detail } = useReason(sale);
  return (
    <section className={`result-screen result-${look.tone}`} data-outcome={outcome}>
      <div
        className="result-title payment-status"
        data-testid="payment-status"
        data-status={status}
        data-outcome={outcome}
        role="status"
      >
        <span className="result-icon" aria-hidden="true">
          {look.icon}
        </span>
        {t(`result.outcome.${outcome}`)}
      </div>
      <div className="result-amount">{money(sale.amountMinor, sale.currency)}</div>
      {reason ? (
        <p
          className="result-reason"
          data-testid="result-reason"
          data-reason-code={sale.reasonCode ?? ''}
        >
          {reason}
        </p>
      ) : null}
      {detail ? <p className="result-detail">{detail}</p> : null}
      {outcome === 'unknown' && sale.reason ? (
        <p className="result-help">{t('result.unknownHelp')}</p>
      ) : null}
      {outcome === 'unknown' && sale.abandoned ? (
        <p className="result-help">{t('result.abandoned')}</p>
      ) : null}
      {background ? (
        <p className="result-note" role="note" data-testid="result-note">
          {t('result.backgroundNote')}
        </p>
      ) : null}
      <ErrorLine error={error} testId="result-error" />
      <dl className="result-facts">
        <dt>{t('result.method')}</dt>
        <dd>{sale.method ? t(`method.${sale.method}`) : t('method.none')}</dd>
        <SaleTenderFacts sale={sale} />
        <dt>{t('result.code')}</dt>
        <dd>{sale.maskedCode ?? t('method.none')}</dd>
        <dt>{t('result.order')}</dt>
        <dd>{sale.orderId}</dd>
      </dl>
      <div className="result-actions">
        {retry ? (
          <button
            type="button"
            className="try-again-button"
            data-testid="try-again-button"
            data-shortcut="Enter"
            aria-keyshortcuts="Enter"
            autoFocus
            onClick={() => void tryAgain()}
          >
            {retryOf(sale).kind === 'open-member'
              ? t('result.openMember', { member: sale.memberId ?? '' })
              : t('result.tryAgain', { amount: money(sale.amountMinor, sale.currency) })}
          </button>
        ) : null}
        <button
          type="button"
          className="new-sale-button"
          data-testid="new-sale-button"
          data-shortcut={retry ? 'Esc' : 'Enter'}
          aria-keyshortcuts={retry ? 'Escape' : 'Enter Escape'}
          autoFocus={!retry}
          onClick={newSale}
        >
          {t('result.newSale')}
        </button>
      </div>
      <ReceiptNotice sale={sale} />
    </section>
  );
}

export function SaleScreen() {
  const sale = usePos((s) => s.sale);
  const phase = phaseOf(sale);
  if (phase === 'amount' || !sale) return <AmountScreen />;
  if (phase === 'scan') return <ScanScreen sale={sale} />;
  return <ResultScreen sale={sale} />;
}
