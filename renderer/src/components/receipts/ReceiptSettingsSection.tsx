/**
 * The receipts part of Settings (unlocked): store name and address, the printer (a discovered
 * serial port or HID printer, or a typed spec), paper width, codepage, when to print, and a
 * test page. Saved through settings:save with the supervisor PIN the screen was unlocked with.
 * POS_PRINTER, when set, wins for this run: the section says so.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView } from '../../../../shared/ipc/contract.ts';
import type {
  PrintResultView,
  PrinterDevice,
  ReceiptState,
} from '../../../../shared/ipc/receiptChannels.ts';
import {
  codepageFor,
  parsePrinterSpec,
  RECEIPT_WHEN,
  type PaperWidth,
  type ReceiptCodepage,
  type ReceiptWhen,
} from '../../../../shared/ipc/receiptSettings.ts';
import { useApi, usePos } from '../../state/context.ts';
import { toUiError } from '../../state/store.ts';
import { ErrorLine, useCall } from '../common.tsx';
import { useReasonOfPrinter } from './useReceipts.ts';
import './receipts.css';

const NONE = '';
const TYPED = '__typed__';
const WHEN_KEY: Record<ReceiptWhen, string> = {
  always: 'receipts.settings.whenAlways',
  ask: 'receipts.settings.whenAsk',
  never: 'receipts.settings.whenNever',
};

export function ReceiptSettingsSection({ settings, pin }: { settings: SettingsView; pin: string }) {
  const { t } = useTranslation();
  const api = useApi();
  const applySettings = usePos((s) => s.applySettings);
  const reasonText = useReasonOfPrinter();
  const saved = settings.receipts;
  const [storeName, setStoreName] = useState(saved.storeName);
  const [storeAddress, setStoreAddress] = useState(saved.storeAddress);
  const [devices, setDevices] = useState<PrinterDevice[]>([]);
  const [listed, setListed] = useState<string | null>(null);
  const [choice, setChoice] = useState(saved.printer === null ? NONE : TYPED);
  const [typed, setTyped] = useState(saved.printer ?? '');
  const [paperWidth, setPaperWidth] = useState<PaperWidth>(saved.paperWidth);
  const [codepage, setCodepage] = useState<ReceiptCodepage | null>(saved.codepage);
  const [when, setWhen] = useState<ReceiptWhen>(saved.when);
  const [state, setState] = useState<ReceiptState | null>(null);
  const { busy, error, setError, call } = useCall();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    let live = true;
    api.invoke('receipt:state', {}).then(
      (s) => live && setState(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, settings]);

  const find = async () => {
    setError(null);
    try {
      const found = await api.invoke('printer:list', {});
      setDevices(found.devices);
      setListed(
        found.devices.length === 0
          ? t('receipts.settings.noneFound')
          : t('receipts.settings.found', { count: found.devices.length }),
      );
      // A saved spec that is one of the devices is shown as that device.
      if (choice === TYPED && found.devices.some((d) => d.spec === typed)) setChoice(typed);
    } catch (e) {
      setError(toUiError(e));
    }
  };

  const printer = choice === NONE ? null : choice === TYPED ? typed.trim() : choice;
  const specProblem =
    printer !== null && printer !== '' && !parsePrinterSpec(printer).ok
      ? (parsePrinterSpec(printer) as { message: string }).message
      : null;

  const save = () =>
    call(async () => {
      setMessage(null);
      const view = await api.invoke('settings:save', {
        pin,
        receipts: {
          storeName,
          storeAddress,
          printer: printer === '' ? null : printer,
          paperWidth,
          codepage,
          when,
        },
      });
      applySettings(view);
      setMessage({ ok: true, text: t('receipts.settings.saved') });
    });

  const testPage = () =>
    call(async () => {
      setMessage(null);
      const result: PrintResultView = await api.invoke('receipt:test-page', {
        ...(printer ? { printer, pin } : {}),
        paperWidth,
        ...(codepage ? { codepage } : {}),
        storeName,
        storeAddress,
      });
      setMessage(
        result.printed
          ? { ok: true, text: t('receipts.settings.testPrinted') }
          : {
              ok: false,
              text: t('receipts.settings.testNotPrinted', { reason: reasonText(result.reason) }),
            },
      );
    });

  const deviceLabel = (d: PrinterDevice) =>
    `${d.kind === 'serial' ? t('receipts.settings.serialDevice', { path: d.path }) : t('receipts.settings.hidDevice', { id: `${d.vendorId ?? '?'}:${d.productId ?? '?'}` })}${d.name ? ` — ${d.name}` : ''} (${d.spec})`;
  const others = (state?.environment ?? []).filter((name) => name !== 'POS_PRINTER');

  return (
    <form
      className="settings-form receipt-settings"
      data-testid="receipt-settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 className="wide">{t('receipts.settings.title')}</h2>
      {state?.printerSource === 'environment' ? (
        <p className="wide warn-line" role="note" data-testid="receipt-env-printer">
          {t('receipts.settings.envPrinter', { printer: state.printer ?? '' })}
        </p>
      ) : null}
      {others.length > 0 ? (
        <p className="wide" role="note" data-testid="receipt-env-other">
          {t('receipts.settings.envOther', { names: others.join(', ') })}
        </p>
      ) : null}
      {state && state.problems.length > 0 ? (
        <p className="wide warn-line" role="note">
          {t('receipts.settings.problems', { problems: state.problems.join('; ') })}
        </p>
      ) : null}
      <label>
        {t('receipts.settings.storeName')}
        <input
          data-testid="receipt-store-name"
          maxLength={64}
          value={storeName}
          onChange={(e) => setStoreName(e.target.value)}
        />
      </label>
      <label>
        {t('receipts.settings.storeAddress')}
        <input
          data-testid="receipt-store-address"
          maxLength={160}
          value={storeAddress}
          onChange={(e) => setStoreAddress(e.target.value)}
        />
      </label>
      <fieldset className="wide receipt-printer">
        <legend>{t('receipts.settings.printer')}</legend>
        <select
          aria-label={t('receipts.settings.printer')}
          data-testid="receipt-printer-choice"
          value={choice}
          onChange={(e) => setChoice(e.target.value)}
        >
          <option value={NONE}>{t('receipts.settings.printerNone')}</option>
          {devices.map((d) => (
            <option key={d.spec} value={d.spec}>
              {deviceLabel(d)}
            </option>
          ))}
          <option value={TYPED}>{t('receipts.settings.printerTyped')}</option>
        </select>
        <button
          type="button"
          className="small"
          data-testid="receipt-find-printers"
          onClick={() => void find()}
        >
          {t('receipts.settings.findPrinters')}
        </button>
        {choice === TYPED ? (
          <input
            aria-label={t('receipts.settings.printerSpec')}
            data-testid="receipt-printer-spec"
            autoComplete="off"
            spellCheck={false}
            placeholder="serial:COM3"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        ) : null}
        {listed ? <small data-testid="receipt-printers-found">{listed}</small> : null}
        {specProblem ? (
          <small className="warn-line" data-testid="receipt-spec-problem">
            {specProblem}
          </small>
        ) : null}
        <small>{t('receipts.settings.printerHelp')}</small>
      </fieldset>
      <fieldset>
        <legend>{t('receipts.settings.width')}</legend>
        {([58, 80] as const).map((w) => (
          <label key={w} className="radio">
            <input
              type="radio"
              name="receipt-width"
              data-testid={`receipt-width-${w}`}
              checked={paperWidth === w}
              onChange={() => setPaperWidth(w)}
            />
            {t(`receipts.settings.width${w}`)}
          </label>
        ))}
      </fieldset>
      <label>
        {t('receipts.settings.codepage')}
        <select
          data-testid="receipt-codepage"
          value={codepage ?? ''}
          onChange={(e) =>
            setCodepage(e.target.value === '' ? null : (e.target.value as ReceiptCodepage))
          }
        >
          <option value="">
            {t('receipts.settings.codepageAuto', {
              codepage: t(`receipts.settings.${codepageFor(null, settings.region)}`),
            })}
          </option>
          <option value="gb18030">{t('receipts.settings.gb18030')}</option>
          <option value="big5">{t('receipts.settings.big5')}</option>
        </select>
      </label>
      <fieldset className="wide">
        <legend>{t('receipts.settings.when')}</legend>
        {RECEIPT_WHEN.map((w) => (
          <label key={w} className="radio">
            <input
              type="radio"
              name="receipt-when"
              data-testid={`receipt-when-${w}`}
              checked={when === w}
              onChange={() => setWhen(w)}
            />
            {t(WHEN_KEY[w])}
          </label>
        ))}
      </fieldset>
      <div className="wide receipt-buttons">
        <ErrorLine error={error} testId="receipt-settings-error" />
        {message ? (
          <p
            className={message.ok ? 'ok-line' : 'warn-line'}
            role="status"
            data-testid="receipt-settings-message"
          >
            {message.text}
          </p>
        ) : null}
        <button
          type="submit"
          className="primary"
          data-testid="receipt-settings-save"
          disabled={busy || specProblem !== null}
        >
          {t('receipts.settings.save')}
        </button>
        <button
          type="button"
          data-testid="receipt-test-page"
          disabled={busy || specProblem !== null}
          onClick={() => void testPage()}
        >
          {t('receipts.settings.testPage')}
        </button>
      </div>
    </form>
  );
}
