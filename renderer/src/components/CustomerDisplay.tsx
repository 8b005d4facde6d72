/**
 * The customer-facing display: read-only, no controls. It shows what customerScreenFor
 * decides, in two languages: the till's language first, then English under Chinese (a
 * visitor in Hong Kong or Shenzhen may read only English) or, under English, the Chinese of
 * the till's region (most customers read Chinese).
 */
import { useEffect, useState } from 'react';
import i18next, { type TFunction } from 'i18next';
import type { StoreApi } from 'zustand';
import { useStore } from 'zustand';
import type { Language } from '../../../shared/languages.ts';
import type { Region } from '../../../shared/paymentMethods.ts';
import { money, secondsLeft } from '../format.ts';
import { customerScreenFor, type CustomerScreen } from '../state/customerDisplay.ts';
import type { CustomerState } from '../state/customerStore.ts';
import { QrCode } from './QrCode.tsx';

/** The two languages of the customer display, the till's own first. */
export function customerLanguages(language: Language, region: Region): [Language, Language] {
  if (language === 'en') return ['en', region === 'HK' ? 'zh-HK' : 'zh-CN'];
  return [language, 'en'];
}

/** A translator of one language, with its language (for the lang attribute). */
interface Tr {
  t: TFunction;
  lang: Language;
}

const trOf = (lang: Language): Tr => ({ t: i18next.getFixedT(lang), lang });

/** One message in both languages: the first large, the second under it. */
function Lines({
  ts,
  text,
  testId,
  className = 'customer-line',
}: {
  ts: [Tr, Tr];
  text: (t: TFunction) => string;
  testId?: string;
  className?: string;
}) {
  const [first, second] = [text(ts[0].t), text(ts[1].t)];
  return (
    <div className={className} data-testid={testId}>
      <p className="primary" lang={ts[0].lang}>
        {first}
      </p>
      {second !== first ? (
        <p className="secondary" lang={ts[1].lang}>
          {second}
        </p>
      ) : null}
    </div>
  );
}

function useNow(intervalMs: number): { now: number; wallNow: number } {
  const [now, setNow] = useState(() => ({ now: performance.now(), wallNow: Date.now() }));
  useEffect(() => {
    const id = setInterval(
      () => setNow({ now: performance.now(), wallNow: Date.now() }),
      intervalMs,
    );
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

function Body({ screen, ts, wallNow }: { screen: CustomerScreen; ts: [Tr, Tr]; wallNow: number }) {
  if (screen.kind === 'welcome') {
    return (
      <>
        <Lines ts={ts} text={(t) => t('customer.welcome')} testId="customer-message" />
        <p className="customer-brands">{ts[0].t('customer.welcomeHelp')}</p>
      </>
    );
  }
  if (screen.kind === 'qr') {
    const seconds =
      screen.expiresAt === null ? null : secondsLeft(Math.max(0, screen.expiresAt - wallNow));
    return (
      <>
        {screen.amount ? (
          <div className="customer-amount" data-testid="customer-amount">
            {money(screen.amount.amountMinor, screen.amount.currency)}
          </div>
        ) : null}
        <QrCode text={screen.text} label={ts[0].t(screen.caption)} />
        <Lines ts={ts} text={(t) => t(screen.caption)} testId="customer-message" />
        {seconds !== null ? (
          <p className="customer-small">{ts[0].t('customer.qrValid', { seconds })}</p>
        ) : null}
      </>
    );
  }
  const amount = (
    <div className="customer-amount" data-testid="customer-amount">
      <span className="customer-amount-label">{ts[0].t('customer.amount')}</span>
      {money(screen.amountMinor, screen.currency)}
    </div>
  );
  switch (screen.kind) {
    case 'show-code':
      return (
        <>
          {amount}
          <Lines ts={ts} text={(t) => t('customer.showCode')} testId="customer-message" />
          <p className="customer-small">{ts[0].t('customer.showCodeHelp')}</p>
        </>
      );
    case 'processing':
      return (
        <>
          {amount}
          <Lines ts={ts} text={(t) => t('customer.processing')} testId="customer-message" />
        </>
      );
    case 'confirm':
      return (
        <>
          {amount}
          <Lines ts={ts} text={(t) => t('customer.confirm')} testId="customer-message" />
          {screen.remainingMs !== null ? (
            <p className="customer-countdown" data-testid="customer-countdown">
              {ts[0].t('customer.remaining', { seconds: secondsLeft(screen.remainingMs) })}
            </p>
          ) : null}
        </>
      );
    case 'checking':
      return (
        <>
          {amount}
          <Lines ts={ts} text={(t) => t('customer.checking')} testId="customer-message" />
        </>
      );
    case 'paid':
      return (
        <>
          <div className="customer-icon" aria-hidden="true">
            ✓
          </div>
          {amount}
          <Lines ts={ts} text={(t) => t('customer.paid')} testId="customer-message" />
        </>
      );
    case 'not-paid':
      return (
        <>
          <div className="customer-icon" aria-hidden="true">
            ✕
          </div>
          {amount}
          <Lines ts={ts} text={(t) => t('customer.notPaid')} testId="customer-message" />
          <Lines ts={ts} text={(t) => t('customer.notPaidHelp')} className="customer-help" />
        </>
      );
  }
}

export function CustomerDisplay({ store }: { store: StoreApi<CustomerState> }) {
  const settings = useStore(store, (s) => s.settings);
  const sale = useStore(store, (s) => s.sale);
  const saleSeenAt = useStore(store, (s) => s.saleSeenAt);
  const qr = useStore(store, (s) => s.qr);
  const online = useStore(store, (s) => s.online);
  const { now, wallNow } = useNow(250);
  const screen = customerScreenFor({ sale, saleSeenAt, now, wallNow, qr });
  const [first, second] = customerLanguages(settings?.language ?? 'en', settings?.region ?? 'CN');
  const ts: [Tr, Tr] = [trOf(first), trOf(second)];
  return (
    <main
      className={`customer-display customer-${screen.kind}`}
      data-testid="customer-display"
      data-screen={screen.kind}
      data-ready={settings ? 'true' : 'false'}
      data-online={online ? 'true' : 'false'}
      lang={first}
    >
      {settings?.trainingMode ? (
        <div className="customer-training" role="note">
          {ts[0].t('app.training')}
        </div>
      ) : null}
      <Body screen={screen} ts={ts} wallNow={wallNow} />
    </main>
  );
}
