/** In a sale's detail in History: reprint its receipt and refund slips (and the last outcome). */
import { useTranslation } from 'react-i18next';
import type { SaleView } from '../../../../shared/ipc/contract.ts';
import { money } from '../../format.ts';
import { ErrorLine } from '../common.tsx';
import { ReceiptPreview } from './ReceiptPreview.tsx';
import { useReasonOfPrinter, useSaleReceipts } from './useReceipts.ts';
import './receipts.css';

export function ReceiptActions({ sale }: { sale: SaleView }) {
  const { t } = useTranslation();
  const receipts = useSaleReceipts(sale.orderId);
  const reasonText = useReasonOfPrinter();
  if (sale.status !== 'paid') return null;
  const slips = sale.refunds.filter((r) => r.status === 'refunded');

  const outcome = (refundId: string | null) => {
    const status = receipts.statusOf(refundId);
    if (!status) return null;
    if (status.state === 'not-printed') {
      return (
        <p className="warn-line" role="alert" data-testid="receipt-not-printed">
          {t('receipts.notPrinted', { reason: reasonText(status.reason) })}
        </p>
      );
    }
    if (status.state === 'printed') return <p className="ok-line">{t('receipts.printed')}</p>;
    if (status.state === 'printing') return <p role="status">{t('receipts.printing')}</p>;
    return null;
  };
  const button = (refundId: string | null, label: string) => (
    <button
      type="button"
      className="small"
      data-testid={refundId === null ? 'receipt-reprint' : 'refund-slip-reprint'}
      data-refund-id={refundId ?? undefined}
      disabled={receipts.busy !== null || receipts.statusOf(refundId)?.state === 'printing'}
      onClick={() => void receipts.print(refundId)}
    >
      {label}
    </button>
  );
  /** Sent to the printer before (printed or not): "Reprint". */
  const printed = (refundId: string | null) =>
    ['printing', 'printed', 'not-printed'].includes(receipts.statusOf(refundId)?.state ?? '');

  return (
    <div className="receipt-actions" data-testid="receipt-actions">
      <div className="receipt-line">
        {button(null, printed(null) ? t('receipts.reprint') : t('receipts.print'))}
        {outcome(null)}
      </div>
      {slips.map((r) => (
        <div className="receipt-line" key={r.refundId}>
          <span>{t('receipts.refundSlip', { amount: money(r.amountMinor, r.currency) })}</span>
          {button(
            r.refundId,
            printed(r.refundId) ? t('receipts.reprintSlip') : t('receipts.printSlip'),
          )}
          {outcome(r.refundId)}
        </div>
      ))}
      <ErrorLine error={receipts.error} testId="receipt-error" />
      <ReceiptPreview orderId={sale.orderId} version={sale.updatedAt} />
    </div>
  );
}
