/** On the report screen: print the day's Z report. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrintResultView } from '../../../../shared/ipc/receiptChannels.ts';
import { useApi } from '../../state/context.ts';
import { toUiError, type UiError } from '../../state/store.ts';
import { ErrorLine } from '../common.tsx';
import { useReasonOfPrinter } from './useReceipts.ts';
import './receipts.css';

export function ReportPrintButton({
  day,
  training,
}: {
  day: string;
  training?: boolean | undefined;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const reasonText = useReasonOfPrinter();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PrintResultView | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const print = async () => {
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      setResult(
        await api.invoke('receipt:print-report', {
          day,
          ...(training !== undefined ? { training } : {}),
        }),
      );
    } catch (e) {
      setError(toUiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="report-print">
      <button type="button" data-testid="report-print" disabled={busy} onClick={() => void print()}>
        {t('receipts.printReport')}
      </button>
      {result?.printed === true ? (
        <span className="ok-line" role="status" data-testid="report-print-result">
          {t('receipts.reportPrinted')}
        </span>
      ) : null}
      {result?.printed === false ? (
        <span className="warn-line" role="alert" data-testid="report-print-result">
          {t('receipts.reportNotPrinted', { reason: reasonText(result.reason) })}
        </span>
      ) : null}
      <ErrorLine error={error} testId="report-print-error" />
    </span>
  );
}
