/** On the report screen: print the day's Z report. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrintResultView } from '../../../../shared/ipc/receiptChannels.ts';
import { useApi } from '../../state/context.ts';
import { ErrorLine, useCall } from '../common.tsx';
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
  const { busy, error, call } = useCall();
  const [result, setResult] = useState<PrintResultView | null>(null);
  const print = () =>
    call(async () => {
      setResult(null);
      setResult(
        await api.invoke('receipt:print-report', {
          day,
          ...(training !== undefined ? { training } : {}),
        }),
      );
    });
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
