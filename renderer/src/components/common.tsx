import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SaleView } from '../../../shared/ipc/contract.ts';
import { explainError, explainReason } from '../i18n/explain.ts';
import { usePos } from '../state/context.ts';
import { toUiError, type UiError } from '../state/store.ts';

/**
 * A form's call to the terminal: `busy` while it runs, its error kept to show (cleared when the
 * next call starts). `onError` runs after a failure (e.g. to leave a confirmation step).
 */
export function useCall(): {
  busy: boolean;
  error: UiError | null;
  setError: (error: UiError | null) => void;
  call: (work: () => Promise<void>, onError?: () => void) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const call = useCallback(async (work: () => Promise<void>, onError?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(toUiError(e));
      onError?.();
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, call };
}

/** An error in the cashier's language, with its facts (English: the terminal's own words). */
export function useErrorText(): (error: UiError) => string {
  const { t, i18n } = useTranslation();
  return (error) => {
    if (i18n.language !== 'en') return explainError(t, error);
    const key = `errors.${error.code}`;
    return error.text || (i18n.exists(key) ? t(key) : error.code);
  };
}

/** The supervisor PIN input (refunds, unlocking the settings). */
export function PinField({ pin, onPin }: { pin: string; onPin: (pin: string) => void }) {
  const { t } = useTranslation();
  return (
    <label>
      {t('history.pin')}
      <input
        data-testid="pin-input"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={16}
        value={pin}
        onChange={(e) => onPin(e.target.value)}
      />
    </label>
  );
}

export function ErrorLine({ error, testId }: { error: UiError | null; testId: string }) {
  const text = useErrorText();
  if (!error) return null;
  return (
    <p className="error-line" role="alert" data-testid={testId} data-code={error.code}>
      {text(error)}
    </p>
  );
}

/**
 * Why a sale was not paid, in the cashier's language: English shows the engine's words; the
 * other languages the translation of its reasonCode with its facts as detail.
 */
export function useReasonText(): (sale: Pick<SaleView, 'reason' | 'reasonCode' | 'status'>) => {
  reason: string | null;
  detail: string | null;
} {
  const { t, i18n } = useTranslation();
  return (sale) => explainReason(t, i18n.language, sale);
}

/**
 * History and the Z report show the sales of the mode the till is in (training or live);
 * `other` flips them to the other mode's. Returns the `training` option for the request:
 * absent by default (the terminal's current mode), else the other mode.
 */
export function useOtherMode(other: boolean): boolean | undefined {
  const currentTraining = usePos((s) => s.settings?.trainingMode);
  if (!other || currentTraining === undefined) return undefined;
  return !currentTraining;
}

/** The switch to the other mode's sales, and a note saying whose sales are on screen. */
export function ModeToggle({
  other,
  onChange,
  testId,
}: {
  other: boolean;
  onChange: (other: boolean) => void;
  testId: string;
}) {
  const { t } = useTranslation();
  const training = usePos((s) => s.settings?.trainingMode);
  if (training === undefined) return null;
  return (
    <label className="mode-toggle">
      <input
        type="checkbox"
        data-testid={testId}
        checked={other}
        onChange={(e) => onChange(e.target.checked)}
      />
      {training ? t('modeView.showLive') : t('modeView.showTraining')}
    </label>
  );
}

export function ModeNote({ training, testId }: { training: boolean | undefined; testId: string }) {
  const { t } = useTranslation();
  if (training === undefined) return null;
  return (
    <p className="warn-line" role="note" data-testid={testId} data-training={String(training)}>
      {training ? t('modeView.viewingTraining') : t('modeView.viewingLive')}
    </p>
  );
}
