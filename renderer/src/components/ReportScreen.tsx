import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ZReport } from '../../../shared/ipc/contract.ts';
import type { Currency } from '../../../shared/money.ts';
import { localDay, money } from '../format.ts';
import { useApi } from '../state/context.ts';
import { toUiError, type UiError } from '../state/store.ts';
import { ErrorLine, ModeNote, ModeToggle, useOtherMode } from './common.tsx';
import { ReportPrintButton } from './receipts/ReportPrintButton.tsx';

/** UTF-8's byte order mark: how Excel (on Chinese Windows too) knows a CSV is UTF-8. */
const BOM = '\uFEFF';

/** Saves text as a file through a Blob (no server round trip, no inline script). */
export function download(filename: string, text: string, type = 'text/csv'): void {
  const body = type === 'text/csv' && !text.startsWith(BOM) ? BOM + text : text;
  const url = URL.createObjectURL(new Blob([body], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ReportScreen() {
  const { t } = useTranslation();
  const api = useApi();
  const [day, setDay] = useState(() => localDay(Date.now()));
  const [report, setReport] = useState<ZReport | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [otherMode, setOtherMode] = useState(false);
  const training = useOtherMode(otherMode);
  const mode = training === undefined ? {} : { training };

  const run = async <T,>(work: () => Promise<T>): Promise<T | null> => {
    setError(null);
    setSaved(null);
    try {
      return await work();
    } catch (e) {
      setError(toUiError(e));
      return null;
    }
  };
  const show = async () => {
    const r = await run(() => api.invoke('history:report', { day, ...mode }));
    if (r) setReport(r);
  };
  const exportCsv = async () => {
    const r = await run(() => api.invoke('history:export-csv', { day, ...mode }));
    if (r) {
      download(r.filename, r.csv);
      setSaved(r.filename);
    }
  };

  const totals = new Map<Currency, { sales: number; refunds: number; net: number }>();
  for (const row of report?.rows ?? []) {
    const tot = totals.get(row.currency) ?? { sales: 0, refunds: 0, net: 0 };
    tot.sales += row.salesMinor;
    tot.refunds += row.refundsMinor;
    tot.net += row.netMinor;
    totals.set(row.currency, tot);
  }

  return (
    <section className="report-screen">
      <div className="filters">
        <label>
          {t('report.day')}
          <input
            type="date"
            data-testid="report-day"
            value={day}
            onChange={(e) => setDay(e.target.value)}
          />
        </label>
        <button type="button" data-testid="report-show" disabled={!day} onClick={() => void show()}>
          {t('report.show')}
        </button>
        <ReportPrintButton day={day} training={training} />
        <ModeToggle
          other={otherMode}
          onChange={(other) => {
            // The report on screen was of the other mode: the cashier asks for it again.
            setOtherMode(other);
            setReport(null);
            setSaved(null);
          }}
          testId="report-other-mode"
        />
        <button
          type="button"
          data-testid="report-export"
          disabled={!day}
          onClick={() => void exportCsv()}
        >
          {t('report.export')}
        </button>
      </div>
      <ModeNote training={training} testId="report-mode-note" />
      <ErrorLine error={error} testId="report-error" />
      {saved ? (
        <p className="ok-line" role="status">
          {t('report.exported', { filename: saved })}
        </p>
      ) : null}
      {report ? (
        report.rows.length === 0 ? (
          <p className="muted">{t('report.empty')}</p>
        ) : (
          <table className="report-table" data-testid="z-report">
            <thead>
              <tr>
                <th>{t('report.method')}</th>
                <th>{t('report.sales')}</th>
                <th>{t('report.refunds')}</th>
                <th>{t('report.net')}</th>
              </tr>
            </thead>
            <tbody>
              {report.rows.map((row) => (
                <tr key={`${row.method}-${row.currency}`} data-testid="z-report-row">
                  <td>{t(`method.${row.method}`, { defaultValue: row.method })}</td>
                  <td>
                    {row.salesCount} · {money(row.salesMinor, row.currency)}
                  </td>
                  <td>
                    {row.refundsCount} · {money(row.refundsMinor, row.currency)}
                  </td>
                  <td className="num">{money(row.netMinor, row.currency)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              {[...totals].map(([currency, tot]) => (
                <tr key={currency}>
                  <th>
                    {t('report.total')} {currency}
                  </th>
                  <td>{money(tot.sales, currency)}</td>
                  <td>{money(tot.refunds, currency)}</td>
                  <td className="num">{money(tot.net, currency)}</td>
                </tr>
              ))}
            </tfoot>
          </table>
        )
      ) : null}
    </section>
  );
}
