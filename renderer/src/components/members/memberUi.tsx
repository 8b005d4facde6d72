/**
 * What the members screens share: the member reference a cashier typed or scanned, a
 * countdown to an epoch-ms expiry, and reasons and errors of the member channels in the
 * cashier's language.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGE_CODES } from '../../../../shared/languages.ts';
import { reasonLine } from '../../../../shared/reasonTexts.ts';
import { factsOf } from '../../i18n/explain.ts';
import type { UiError } from '../../state/store.ts';
import { useErrorText } from '../common.tsx';
import './members.css';
import { memberReasonOf } from './memberText.ts';

export { memberReasonOf, memberRef } from './memberText.ts';

/** Seconds left until `expiresAt` (epoch ms), ticking; null without an expiry. */
export function useSecondsLeft(expiresAt: number | null | undefined): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (expiresAt === null || expiresAt === undefined) return;
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [expiresAt]);
  if (expiresAt === null || expiresAt === undefined) return null;
  return Math.max(0, Math.ceil((expiresAt - now) / 1000));
}

/**
 * The reason of a refusal: the one the terminal sent with it (IpcError.reasonCode, once the
 * api client passes it on), else recognised from its sentence.
 */
function reasonCodeOf(error: UiError & { reasonCode?: string }): string | null {
  return error.reasonCode ?? memberReasonOf(error.text);
}

/**
 * A state's reason (a link's, a membership's) in the till's language: the terminal's own
 * sentence in English; in Chinese the words of its code with its facts (shared/reasonTexts).
 */
export function useReasonLine(): (record: {
  reason: string | null;
  reasonCode: string | null;
}) => string | null {
  const { i18n } = useTranslation();
  const language = LANGUAGE_CODES.find((code) => code === i18n.language) ?? 'en';
  return (record) => reasonLine(language, record);
}

/** An error of a member channel: English as the terminal said it, else translated with facts. */
export function useMemberErrorText(): (error: UiError) => string {
  const { t, i18n } = useTranslation();
  const generic = useErrorText();
  return (error) => {
    if (i18n.language === 'en') return generic(error);
    const code = reasonCodeOf(error);
    if (!code) return generic(error);
    const reason = t(`reasons.${code}`, { defaultValue: '' });
    if (!reason) return generic(error);
    const facts = factsOf(error.text).map((p) => t(p.key, p.params));
    return facts.length > 0 ? `${reason}（${facts.join(t('facts.separator'))}）` : reason;
  };
}

export function MemberErrorLine({ error, testId }: { error: UiError | null; testId: string }) {
  const text = useMemberErrorText();
  if (!error) return null;
  return (
    <p
      className="error-line"
      role="alert"
      data-testid={testId}
      data-code={error.code}
      data-reason-code={reasonCodeOf(error) ?? ''}
    >
      {text(error)}
    </p>
  );
}
