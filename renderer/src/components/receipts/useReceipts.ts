/**
 * What the receipt components share: the receipt state of a sale (asked once, then kept
 * current by the `receipt:status` events), printing, the preview, and a printer's reason in
 * the cashier's language.
 */
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  PrintResultView,
  ReceiptState,
  ReceiptStatus,
} from '../../../../shared/ipc/receiptChannels.ts';
import { useApi } from '../../state/context.ts';
import { toUiError, type UiError } from '../../state/store.ts';

export interface SaleReceipts {
  /** The printer in force etc.; null until the terminal answered. */
  state: ReceiptState | null;
  /** The receipt of the sale (refundId null) or of one refund. */
  statusOf(refundId: string | null): ReceiptStatus | undefined;
  /** Prints (reprints); the outcome also arrives as a status event. */
  print(refundId: string | null): Promise<PrintResultView | null>;
  decline(refundId: string | null): Promise<void>;
  busy: string | null;
  error: UiError | null;
}

const keyOf = (refundId: string | null) => refundId ?? '';

export function useSaleReceipts(orderId: string): SaleReceipts {
  const api = useApi();
  const [state, setState] = useState<ReceiptState | null>(null);
  const [statuses, setStatuses] = useState<Map<string, ReceiptStatus>>(new Map());
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);

  const merge = useCallback((list: ReceiptStatus[]) => {
    setStatuses((current) => {
      const next = new Map(current);
      for (const s of list) {
        const known = next.get(keyOf(s.refundId));
        if (!known || known.at <= s.at) next.set(keyOf(s.refundId), s);
      }
      return next;
    });
  }, []);

  useEffect(() => {
    let live = true;
    const off = api.on('receipt:status', (status) => {
      if (status.orderId === orderId) merge([status]);
    });
    api.invoke('receipt:state', { orderId }).then(
      (answer) => {
        if (!live) return;
        setState(answer);
        merge(answer.receipts);
      },
      () => undefined,
    );
    return () => {
      live = false;
      off();
    };
  }, [api, orderId, merge]);

  const print = async (refundId: string | null) => {
    setBusy(keyOf(refundId));
    setError(null);
    try {
      return await api.invoke('receipt:print', {
        orderId,
        ...(refundId !== null ? { refundId } : {}),
      });
    } catch (e) {
      setError(toUiError(e));
      return null;
    } finally {
      setBusy(null);
    }
  };
  const decline = async (refundId: string | null) => {
    setError(null);
    try {
      merge([
        await api.invoke('receipt:decline', {
          orderId,
          ...(refundId !== null ? { refundId } : {}),
        }),
      ]);
    } catch (e) {
      setError(toUiError(e));
    }
  };
  return {
    state,
    statusOf: (refundId) => statuses.get(keyOf(refundId)),
    print,
    decline,
    busy,
    error,
  };
}

/** The receipt's picture (SVG text from the terminal) as an image address. */
export function usePreview(
  orderId: string,
  refundId: string | null,
  enabled: boolean,
  version: unknown,
): string | null {
  const api = useApi();
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    api.invoke('receipt:preview', { orderId, ...(refundId !== null ? { refundId } : {}) }).then(
      ({ svg }) => {
        if (live) setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, orderId, refundId, enabled, version]);
  return src;
}

/** A printer's reason (the terminal's English words) in the cashier's language. */
export function useReasonOfPrinter(): (reason: string | null) => string {
  const { t, i18n } = useTranslation();
  return (reason) => {
    if (reason === null) return '';
    if (i18n.language === 'en') return reason;
    if (/out of paper/.test(reason)) return t('receipts.reason.outOfPaper');
    if (/stopped while this receipt was printing/.test(reason)) {
      return t('receipts.reason.interrupted');
    }
    if (/stopped taking the receipt/.test(reason)) return t('receipts.reason.stalled');
    if (/offline/.test(reason)) return t('receipts.reason.offline');
    if (/^no printer is set/.test(reason)) return t('receipts.reason.noPrinter');
    if (/not an HID printer|USB printers are not supported/.test(reason)) {
      return t('receipts.reason.usb');
    }
    const unreachable = /^no printer at (.*)$/.exec(reason);
    if (unreachable?.[1]) return t('receipts.reason.unreachable', { detail: unreachable[1] });
    return reason;
  };
}
