/**
 * The sale screens' part of the member tenders (SaleScreens.tsx places them):
 * - SaleTenderPanel, on the waiting screen: for pay on phone the QR of the checkout page,
 *   small (the customer display shows it big), with the time left on the page; for a linked
 *   wallet or a renewal, whose wallet of which member is being charged.
 * - SaleTenderFacts, in a result's facts: how it was paid (tender) and the member.
 * A scanned code's sale shows neither.
 */
import './members.css';
import { useTranslation } from 'react-i18next';
import type { SaleView } from '../../../../shared/ipc/contract.ts';
import { isFinal } from '../../../../shared/sale.ts';
import { QrCode } from '../QrCode.tsx';
import { useSecondsLeft } from './memberUi.tsx';

function methodName(t: (key: string) => string, method: SaleView['method']): string {
  return method ? t(`members.method.${method}`) : t('members.method.Card');
}

export function SaleTenderPanel({ sale }: { sale: SaleView }) {
  const { t } = useTranslation();
  const seconds = useSecondsLeft(sale.tender === 'checkout' ? sale.paymentExpiresAt : null);
  if (!sale.tender || sale.tender === 'code') return null;
  if (sale.tender === 'checkout') {
    const showQr = Boolean(sale.paymentUrl) && !isFinal(sale.status) && seconds !== 0;
    return (
      <div className="tender-panel checkout-panel" data-testid="checkout-panel">
        {showQr && sale.paymentUrl ? (
          <QrCode
            text={sale.paymentUrl}
            label={t('members.checkout.qrLabel')}
            testId="cashier-checkout-qr"
          />
        ) : null}
        <div className="tender-panel-text">
          <p className="tender-line" data-testid="checkout-method">
            {t('members.checkout.waiting', { method: methodName(t, sale.method) })}
          </p>
          {seconds !== null && !isFinal(sale.status) ? (
            <p className="muted" data-testid="checkout-countdown">
              {t('members.checkout.remaining', { seconds: String(seconds) })}
            </p>
          ) : null}
        </div>
      </div>
    );
  }
  return (
    <p className="tender-panel tender-line" data-testid="member-charge-line">
      {t(sale.tender === 'renewal' ? 'members.charge.renewal' : 'members.charge.linked', {
        member: sale.memberId ?? '—',
        method: methodName(t, sale.method),
      })}
    </p>
  );
}

export function SaleTenderFacts({ sale }: { sale: SaleView }) {
  const { t } = useTranslation();
  if (!sale.tender || sale.tender === 'code') return null;
  return (
    <>
      <dt>{t('members.facts.tender')}</dt>
      <dd data-testid="result-tender" data-tender={sale.tender}>
        {t(`members.tender.${sale.tender}`)} · {methodName(t, sale.method)}
      </dd>
      {sale.memberId ? (
        <>
          <dt>{t('members.facts.member')}</dt>
          <dd data-testid="result-member">{sale.memberId}</dd>
        </>
      ) : null}
    </>
  );
}
