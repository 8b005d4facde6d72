/** The receipt's picture, small; a tap shows it full size (the same layout the printer gets). */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePreview } from './useReceipts.ts';
import './receipts.css';

export function ReceiptPreview({
  orderId,
  refundId = null,
  version,
}: {
  orderId: string;
  refundId?: string | null;
  /** Changes when the sale changes (a refund): the picture is asked for again. */
  version: unknown;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const src = usePreview(orderId, refundId, true, version);
  if (src === null) return null;
  return (
    <figure className={`receipt-preview${open ? ' open' : ''}`}>
      <button
        type="button"
        className="receipt-preview-toggle"
        data-testid="receipt-preview-toggle"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <img
          src={src}
          alt={t('receipts.preview')}
          data-testid="receipt-preview"
          data-order-id={orderId}
        />
        <span>{open ? t('receipts.hidePreview') : t('receipts.showPreview')}</span>
      </button>
    </figure>
  );
}
