import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { zhCN } from './zhCN.ts';
import { zhHK } from './zhHK.ts';

export type Language = 'en' | 'zh-HK' | 'zh-CN';

export const LANGUAGES: { code: Language; label: string }[] = [
  { code: 'en', label: 'English' },
  { code: 'zh-HK', label: '繁體中文' },
  { code: 'zh-CN', label: '简体中文' },
];

export const resources = {
  en: { translation: en },
  'zh-HK': { translation: zhHK },
  'zh-CN': { translation: zhCN },
};

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
