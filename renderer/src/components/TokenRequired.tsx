import { useTranslation } from 'react-i18next';
import type { Language } from '../i18n/index.ts';

/** The browser's language among the screen's, as no settings can be read without the token. */
export function browserLanguage(): Language {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lower = tag.toLowerCase();
    if (/^zh-(hk|mo|tw|hant)/.test(lower)) return 'zh-HK';
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

/**
 * Browser mode opened without this launch's token (or with one from an earlier launch): the
 * terminal answers nothing, so the cashier is told which address to open instead.
 */
export function TokenRequired() {
  const { t } = useTranslation();
  return (
    <div className="app" data-ready="false" data-view="token-required">
      <header className="topbar">
        <div className="brand">{t('app.title')}</div>
      </header>
      <main className="main">
        <div className="result-screen result-declined" role="alert" data-testid="token-required">
          <h1 className="result-title">{t('app.tokenRequired')}</h1>
          <p className="result-help">{t('app.tokenHelp')}</p>
        </div>
      </main>
    </div>
  );
}
