import { useTranslation } from 'react-i18next';
import type { UiError } from '../state/store.ts';

/** An error in the cashier's language when we have the words, else the terminal's own. */
export function useErrorText(): (error: UiError) => string {
  const { t, i18n } = useTranslation();
  return (error) => {
    const key = `errors.${error.code}`;
    if (i18n.language !== 'en' && i18n.exists(key)) {
      // The cashier's language first; the terminal's own words keep the details.
      return error.text ? `${t(key)} (${error.text})` : t(key);
    }
    return error.text || (i18n.exists(key) ? t(key) : error.code);
  };
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
