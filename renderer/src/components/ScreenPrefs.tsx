/**
 * This screen's own preferences, open to the cashier without the supervisor PIN (like the
 * language): the paid / not-paid tones and their volume, quick amounts, and the customer
 * display (the desktop app's monitor for it; in browser mode a button opens it).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView } from '../../../shared/ipc/contract.ts';
import {
  MAX_QUICK_AMOUNTS,
  type CustomerDisplayChoice,
  type ScreenSettings,
} from '../../../shared/ipc/screenSettings.ts';
import { playTone } from '../sound.ts';
import { useApi, useOpenCustomerDisplay, usePos } from '../state/context.ts';
import { toUiError, type UiError } from '../state/store.ts';
import { ErrorLine } from './common.tsx';

/** "10, 25.5 ，50" → ["10", "25.5", "50"], or null when one is not an amount or too many. */
export function parseQuickAmounts(text: string): string[] | null {
  const parts = text
    .split(/[,，;；\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length > MAX_QUICK_AMOUNTS) return null;
  if (!parts.every((p) => /^\d+(?:\.\d{1,2})?$/.test(p) && /[1-9]/.test(p))) return null;
  return parts;
}

const DISPLAY_CHOICES: CustomerDisplayChoice[] = ['off', 'auto', 1, 2, 3, 4];

export function ScreenPrefs({ settings }: { settings: SettingsView }) {
  const { t } = useTranslation();
  const api = useApi();
  const applySettings = usePos((s) => s.applySettings);
  const openCustomerDisplay = useOpenCustomerDisplay();
  const screen = settings.screen;
  const [sound, setSound] = useState(screen.sound);
  const [volume, setVolume] = useState(screen.soundVolume);
  const [quick, setQuick] = useState(screen.quickAmounts.join(', '));
  const [display, setDisplay] = useState<CustomerDisplayChoice>(screen.customerDisplay);
  const [error, setError] = useState<UiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const save = async (): Promise<void> => {
    setError(null);
    setSaved(false);
    const quickAmounts = parseQuickAmounts(quick);
    if (!quickAmounts) {
      setError({ code: 'quick-invalid', text: t('screenPrefs.quickInvalid') });
      return;
    }
    // Every field, changed or not (a save's `screen` is read with its defaults).
    const next: ScreenSettings = {
      sound,
      soundVolume: volume,
      quickAmounts,
      customerDisplay: display,
    };
    setBusy(true);
    try {
      applySettings(await api.invoke('settings:save', { screen: next }));
      setSaved(true);
    } catch (e) {
      setError(toUiError(e));
    }
    setBusy(false);
  };

  return (
    <form
      className="screen-prefs"
      data-testid="screen-prefs"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{t('screenPrefs.title')}</h2>
      <label className="check">
        <input
          type="checkbox"
          data-testid="prefs-sound"
          checked={sound}
          onChange={(e) => setSound(e.target.checked)}
        />
        {t('screenPrefs.sound')}
      </label>
      <div className="volume-row">
        <label>
          {t('screenPrefs.volume')}
          <input
            type="range"
            min={0}
            max={100}
            step={10}
            data-testid="prefs-volume"
            value={volume}
            disabled={!sound}
            onChange={(e) => setVolume(Number(e.target.value))}
          />
        </label>
        <output>{volume}%</output>
        <button
          type="button"
          className="small"
          data-testid="prefs-sound-test"
          disabled={!sound || volume === 0}
          onClick={() => playTone('paid', volume)}
        >
          {t('screenPrefs.test')}
        </button>
      </div>
      <label>
        {t('screenPrefs.quickAmounts')}
        <input
          data-testid="prefs-quick-amounts"
          inputMode="decimal"
          autoComplete="off"
          placeholder="10, 20, 50"
          value={quick}
          onChange={(e) => setQuick(e.target.value)}
        />
      </label>
      <label>
        {t('screenPrefs.customerDisplay')}
        <select
          data-testid="prefs-customer-display"
          value={String(display)}
          onChange={(e) => {
            const v = e.target.value;
            setDisplay(v === 'off' || v === 'auto' ? v : Number(v));
          }}
        >
          {DISPLAY_CHOICES.map((c) => (
            <option key={String(c)} value={String(c)}>
              {c === 'off'
                ? t('screenPrefs.displayOff')
                : c === 'auto'
                  ? t('screenPrefs.displayAuto')
                  : t('screenPrefs.displayN', { n: c })}
            </option>
          ))}
        </select>
      </label>
      {openCustomerDisplay ? (
        <button
          type="button"
          data-testid="customer-display-open"
          onClick={() => openCustomerDisplay()}
        >
          {t('customer.open')}
        </button>
      ) : null}
      <ErrorLine error={error} testId="prefs-error" />
      {saved ? (
        <p className="ok-line" role="status" data-testid="prefs-saved">
          {t('screenPrefs.saved')}
        </p>
      ) : null}
      <button type="submit" className="primary" data-testid="prefs-save" disabled={busy}>
        {t('screenPrefs.save')}
      </button>
    </form>
  );
}
