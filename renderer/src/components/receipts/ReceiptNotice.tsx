/**
 * Under a sale's result: whether its receipt printed ("receipt not printed: <why>" with
 * reprint), or the "print receipt?" question when printing is set to ask; the receipt's
 * picture, small (tap to enlarge).
 */
import { useTranslation } from 'react-i18next';
import type { SaleView } from '../../../../shared/ipc/contract.ts';
import { ErrorLine } from '../common.tsx';
import { ReceiptPreview } from './ReceiptPreview.tsx';
import { useReasonOfPrinter, useSaleReceipts } from './useReceipts.ts';
import './receipts.css';

export function ReceiptNotice({ sale }: { sale: SaleView }) {
  if (sale.status !== 'paid') return null;
  return <PaidReceipt sale={sale} />;
}

function PaidReceipt({ sale }: { sale: SaleView }) {
  const { t } = useTranslation();
  const receipts = useSaleReceipts(sale.orderId);
  const reasonText = useReasonOfPrinter();
  const status = receipts.statusOf(null);
  const printerSet = receipts.state !== null && receipts.state.printer !== null;
  const busy = receipts.busy !== null || status?.state === 'printing';
  const printButton = (label: string) => (
    <button
      type="button"
      className="small"
      data-testid="receipt-reprint"
      disabled={busy}
      onClick={() => void receipts.print(null)}
    >
      {label}
    </button>
  );

  let body = null;
  switch (status?.state) {
    case 'printing':
      body = <p role="status">{t('receipts.printing')}</p>;
      break;
    case 'printed':
      body = (
        <>
          <p className="ok-line" role="status">
            {t('receipts.printed')}
          </p>
          {printButton(t('receipts.reprint'))}
        </>
      );
      break;
    case 'not-printed':
      body = (
        <>
          <p className="warn-line" role="alert" data-testid="receipt-not-printed">
            {t('receipts.notPrinted', { reason: reasonText(status.reason) })}
          </p>
          {printButton(t('receipts.reprint'))}
        </>
      );
      break;
    case 'ask':
      body = (
        <>
          <p className="receipt-ask" data-testid="receipt-ask">
            {t('receipts.ask')}
          </p>
          <button
            type="button"
            className="primary"
            data-testid="receipt-print-yes"
            disabled={busy}
            onClick={() => void receipts.print(null)}
          >
            {t('receipts.yes')}
          </button>
          <button
            type="button"
            className="small"
            data-testid="receipt-print-no"
            onClick={() => void receipts.decline(null)}
          >
            {t('receipts.no')}
          </button>
        </>
      );
      break;
    default:
      // Never printed (printing set to never, or declined): printing is one tap away.
      body = printerSet ? (
        <>
          {status?.state === 'declined' ? <p>{t('receipts.declined')}</p> : null}
          {printButton(t('receipts.print'))}
        </>
      ) : null;
  }
  return (
    <div
      className="receipt-notice"
      data-testid="receipt-notice"
      data-state={status?.state ?? 'none'}
    >
      <ReceiptPreview orderId={sale.orderId} version={sale.updatedAt} />
      <div className="receipt-side">
        <div className="receipt-line">{body}</div>
        <ErrorLine error={receipts.error} testId="receipt-error" />
      </div>
    </div>
  );
}
