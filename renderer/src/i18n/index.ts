import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { LANGUAGE_CODES, LANGUAGE_NAMES, type Language } from '../../../shared/languages.ts';
import { en } from './en.ts';
import { zhCN } from './zhCN.ts';
import { zhHK } from './zhHK.ts';

export type { Language };

export const LANGUAGES: { code: Language; label: string }[] = LANGUAGE_CODES.map((code) => ({
  code,
  label: LANGUAGE_NAMES[code],
}));

export const resources = {
  en: { translation: en },
  'zh-HK': { translation: zhHK },
  'zh-CN': { translation: zhCN },
} satisfies Record<Language, unknown>;

export function initI18n(language: Language = 'en'): typeof i18next {
  void i18next.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    initAsync: false,
  });
  return i18next;
}

export function setLanguage(language: Language): void {
  if (i18next.language !== language) void i18next.changeLanguage(language);
  document.documentElement.lang = language;
}
