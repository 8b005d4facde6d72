import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CurrencySchema,
  RegionSchema,
  type InvokeRequest,
  type SettingsView,
} from '../../../shared/ipc/contract.ts';
import { formatForGateway, parseAmount } from '../../../shared/money.ts';
import { LANGUAGES, type Language } from '../i18n/index.ts';
import { useApi, usePos } from '../state/context.ts';
import { toUiError, type UiError } from '../state/store.ts';
import { ErrorLine, PinField } from './common.tsx';
import { ScreenPrefs } from './ScreenPrefs.tsx';
import { ReceiptSettingsSection } from './receipts/ReceiptSettingsSection.tsx';

type SaveRequest = InvokeRequest<'settings:save'>;
type Preset = 'simulator' | 'sandbox' | 'production' | 'custom';

/** The gateway hosts of the gateway documentation; `simulator` is the embedded one. */
export const PRESETS: Record<Exclude<Preset, 'custom'>, string> = {
  simulator: 'simulator',
  sandbox: 'https://sandbox-acquirer-payment.pingpongx.com',
  production: 'https://acquirer-payment.pingpongx.com',
};

/** The customer's deadline the terminal accepts, in seconds (settings: 10 s to 10 min). */
const DEADLINE_SECONDS = { min: 10, max: 600 } as const;

function presetOf(url: string): Preset {
  const found = (Object.keys(PRESETS) as (keyof typeof PRESETS)[]).find((k) => PRESETS[k] === url);
  return found ?? 'custom';
}

function useSave(): (
  request: SaveRequest,
) => Promise<{ ok: true; view: SettingsView } | { ok: false; error: UiError }> {
  const api = useApi();
  const applySettings = usePos((s) => s.applySettings);
  return async (request) => {
    try {
      const view = await api.invoke('settings:save', request);
      applySettings(view);
      return { ok: true, view };
    } catch (e) {
      return { ok: false, error: toUiError(e) };
    }
  };
}

function SettingsForm({
  settings,
  pin,
  onPin,
}: {
  settings: SettingsView;
  pin: string;
  onPin: (p: string) => void;
}) {
  const { t } = useTranslation();
  const save = useSave();
  const [region, setRegion] = useState(settings.region);
  const [currency, setCurrency] = useState(settings.currency);
  const [preset, setPreset] = useState<Preset>(presetOf(settings.gatewayUrl));
  const [customUrl, setCustomUrl] = useState(
    presetOf(settings.gatewayUrl) === 'custom' ? settings.gatewayUrl : '',
  );
  const [accId, setAccId] = useState(settings.accId);
  const [salt, setSalt] = useState('');
  const [scanner, setScanner] = useState(settings.scanner ?? '');
  const [deadline, setDeadline] = useState(String(Math.round(settings.customerDeadlineMs / 1000)));
  const [ceiling, setCeiling] = useState(
    formatForGateway(settings.amountCeilingMinor, settings.currency),
  );
  const [newPin, setNewPin] = useState('');
  const [newPinAgain, setNewPinAgain] = useState('');
  const [error, setError] = useState<UiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setError(null);
    setMessage(null);
    const request: SaveRequest = {};
    if (region !== settings.region) request.region = region;
    if (currency !== settings.currency) request.currency = currency;
    const gatewayUrl = preset === 'custom' ? customUrl.trim() : PRESETS[preset];
    if (gatewayUrl !== settings.gatewayUrl) request.gatewayUrl = gatewayUrl;
    if (accId.trim() !== settings.accId) request.accId = accId.trim();
    if (salt) request.salt = salt;
    if (scanner.trim() !== (settings.scanner ?? '')) request.scanner = scanner.trim() || null;
    const seconds = /^\s*\d+\s*$/.test(deadline) ? Number(deadline) : Number.NaN;
    if (!(seconds >= DEADLINE_SECONDS.min && seconds <= DEADLINE_SECONDS.max)) {
      setError({ code: 'deadline-invalid', text: t('errors.deadline-invalid', DEADLINE_SECONDS) });
      return;
    }
    const deadlineMs = seconds * 1000;
    if (deadlineMs !== settings.customerDeadlineMs) request.customerDeadlineMs = deadlineMs;
    const parsed = parseAmount(ceiling, currency, { ceilingMinor: Number.MAX_SAFE_INTEGER });
    if (!parsed.ok) {
      setError({ code: `amount-${parsed.rejection}`, text: parsed.message });
      return;
    }
    if (parsed.minor !== settings.amountCeilingMinor) request.amountCeilingMinor = parsed.minor;
    if (newPin || newPinAgain) {
      if (!/^\d{4,8}$/.test(newPin)) {
        setError({ code: 'pin-format', text: t('settings.pinFormat') });
        return;
      }
      if (newPin !== newPinAgain) {
        setError({ code: 'pin-mismatch', text: t('settings.pinMismatch') });
        return;
      }
      request.supervisorPin = newPin;
    }
    if (Object.keys(request).length === 0) {
      setMessage(t('settings.nothing'));
      return;
    }
    setBusy(true);
    const result = await save({ ...request, pin });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setSalt('');
    setNewPin('');
    setNewPinAgain('');
    if (request.supervisorPin) onPin(request.supervisorPin);
    setMessage(t('settings.saved'));
  };

  return (
    <form
      className="settings-form"
      data-testid="settings-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        {t('settings.region')}
        <select
          data-testid="settings-region"
          value={region}
          onChange={(e) => setRegion(RegionSchema.parse(e.target.value))}
        >
          {RegionSchema.options.map((r) => (
            <option key={r} value={r}>
              {t(`settings.regionName.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('settings.currency')}
        <select
          data-testid="settings-currency"
          value={currency}
          onChange={(e) => setCurrency(CurrencySchema.parse(e.target.value))}
        >
          {CurrencySchema.options.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="wide">
        <legend>{t('settings.gateway')}</legend>
        {(['simulator', 'sandbox', 'production', 'custom'] as const).map((p) => (
          <label key={p} className="radio">
            <input
              type="radio"
              name="gateway"
              value={p}
              data-testid={`settings-gateway-${p}`}
              checked={preset === p}
              onChange={() => setPreset(p)}
            />
            {t(`settings.gateway${p[0]?.toUpperCase()}${p.slice(1)}`)}
          </label>
        ))}
        {preset === 'custom' ? (
          <input
            aria-label={t('settings.customUrl')}
            data-testid="settings-gateway-url"
            type="url"
            placeholder="https://"
            value={customUrl}
            onChange={(e) => setCustomUrl(e.target.value)}
          />
        ) : null}
      </fieldset>
      <label>
        {t('settings.accId')}
        <input
          data-testid="settings-accid"
          autoComplete="off"
          value={accId}
          onChange={(e) => setAccId(e.target.value)}
        />
      </label>
      <label>
        {t('settings.salt')}
        <input
          data-testid="settings-salt"
          type="password"
          autoComplete="new-password"
          value={salt}
          onChange={(e) => setSalt(e.target.value)}
        />
        <small>{settings.saltConfigured ? t('settings.saltSet') : t('settings.saltUnset')}</small>
        {settings.saltStorage === 'memory-only' ? (
          <small className="warn-line" data-testid="salt-memory-only">
            {t('settings.saltMemoryOnly')}
          </small>
        ) : null}
      </label>
      <label>
        {t('settings.scanner')}
        <input
          data-testid="settings-scanner"
          autoComplete="off"
          spellCheck={false}
          value={scanner}
          onChange={(e) => setScanner(e.target.value)}
        />
        <small>{t('settings.scannerHelp')}</small>
      </label>
      <label>
        {t('settings.deadline')}
        <input
          data-testid="settings-deadline"
          inputMode="numeric"
          value={deadline}
          onChange={(e) => setDeadline(e.target.value)}
        />
      </label>
      <label>
        {t('settings.ceiling')} ({currency})
        <input
          data-testid="settings-ceiling"
          inputMode="decimal"
          value={ceiling}
          onChange={(e) => setCeiling(e.target.value)}
        />
      </label>
      <label>
        {t('settings.newPin')}
        <input
          data-testid="settings-new-pin"
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          value={newPin}
          onChange={(e) => setNewPin(e.target.value)}
        />
      </label>
      <label>
        {t('settings.newPinAgain')}
        <input
          data-testid="settings-new-pin-again"
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          value={newPinAgain}
          onChange={(e) => setNewPinAgain(e.target.value)}
        />
      </label>
      <div className="wide">
        <ErrorLine error={error} testId="settings-error" />
        {message ? (
          <p className="ok-line" role="status" data-testid="settings-saved">
            {message}
          </p>
        ) : null}
        <button type="submit" className="primary" data-testid="settings-save" disabled={busy}>
          {t('settings.save')}
        </button>
      </div>
    </form>
  );
}

export function SettingsScreen() {
  const { t } = useTranslation();
  const settings = usePos((s) => s.settings);
  const api = useApi();
  const save = useSave();
  const [pin, setPin] = useState('');
  const [unlocked, setUnlocked] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);
  if (!settings) return null;

  const changeLanguage = async (language: Language) => {
    setError(null);
    const result = await save({ language });
    if (!result.ok) setError(result.error);
  };
  const unlock = async () => {
    setBusy(true);
    setError(null);
    // The terminal checks the PIN (throttled like every PIN); nothing is saved.
    try {
      await api.invoke('pin:check', { pin });
      setUnlocked(pin);
    } catch (e) {
      setError(toUiError(e));
    }
    setBusy(false);
    setPin('');
  };

  return (
    <section className="settings-screen">
      <label className="language">
        {t('settings.language')}
        <select
          data-testid="settings-language"
          value={settings.language}
          onChange={(e) => void changeLanguage(e.target.value as Language)}
        >
          {LANGUAGES.map((l) => (
            <option key={l.code} value={l.code}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      {settings.supervisorPinIsDefault ? (
        <p className="warn-line" role="note">
          {t('settings.defaultPin')}
        </p>
      ) : null}
      <ErrorLine error={error} testId="settings-lock-error" />
      {unlocked === null ? (
        <form
          className="pin-gate"
          onSubmit={(e) => {
            e.preventDefault();
            void unlock();
          }}
        >
          <p>{t('settings.locked')}</p>
          <PinField pin={pin} onPin={setPin} />
          <button
            type="submit"
            className="primary"
            data-testid="settings-unlock"
            disabled={busy || !pin}
          >
            {t('settings.unlock')}
          </button>
        </form>
      ) : (
        <>
          <button type="button" className="small lock-button" onClick={() => setUnlocked(null)}>
            {t('settings.lock')}
          </button>
          <SettingsForm settings={settings} pin={unlocked} onPin={setUnlocked} />
          <ReceiptSettingsSection settings={settings} pin={unlocked} />
        </>
      )}
      {/* This screen's own preferences: open without the PIN. */}
      <ScreenPrefs settings={settings} />
    </section>
  );
}
