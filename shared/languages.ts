/** The languages the cashier's screen speaks (renderer/src/i18n has one file each). */
export const LANGUAGE_CODES = ['en', 'zh-HK', 'zh-CN'] as const;
export type Language = (typeof LANGUAGE_CODES)[number];

/** Each language's name in itself, as the settings screen lists it. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  en: 'English',
  'zh-HK': '繁體中文',
  'zh-CN': '简体中文',
};
