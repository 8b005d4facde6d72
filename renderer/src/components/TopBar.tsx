import { useTranslation } from 'react-i18next';
import { usePos } from '../state/context.ts';
import { PRESETS } from './SettingsScreen.tsx';
import type { View } from '../state/store.ts';
import { KEY_OF_VIEW } from '../keyboard.ts';

const VIEWS: View[] = ['sale', 'history', 'members', 'report', 'settings'];

function ScannerIndicator() {
  const { t } = useTranslation();
  const scanner = usePos((s) => s.scanner);
  let state: 'wedge' | 'connected' | 'disconnected' | 'none' = 'none';
  if (scanner?.spec === 'wedge') state = 'wedge';
  else if (scanner?.spec) state = scanner.connected ? 'connected' : 'disconnected';
  else if (scanner) state = 'wedge';
  const title = [scanner?.spec, scanner?.detail].filter(Boolean).join(' — ');
  return (
    <div
      className={`scanner scanner-${state}`}
      data-testid="scanner-state"
      data-connected={state === 'connected' || state === 'wedge' ? 'true' : 'false'}
      title={title}
      role="status"
    >
      <span className="dot" aria-hidden="true" />
      {t(`scanner.${state}`)}
      {scanner?.spec && scanner.spec !== 'wedge' ? (
        <span className="spec">{scanner.spec}</span>
      ) : null}
    </div>
  );
}

export function TopBar() {
  const { t } = useTranslation();
  const view = usePos((s) => s.view);
  const setView = usePos((s) => s.setView);
  return (
    <header className="topbar">
      <div className="brand">{t('app.title')}</div>
      <nav className="nav" aria-label="Main">
        {VIEWS.map((v) => (
          <button
            key={v}
            type="button"
            className={v === view ? 'nav-button active' : 'nav-button'}
            aria-current={v === view ? 'page' : undefined}
            data-testid={`nav-${v}`}
            data-shortcut={KEY_OF_VIEW[v]}
            aria-keyshortcuts={KEY_OF_VIEW[v]}
            onMouseDown={(e) => e.preventDefault()}
            onClick={(e) => {
              setView(v);
              // Back at the till, Enter must charge, not press this button again.
              if (v === 'sale') e.currentTarget.blur();
            }}
          >
            {t(`nav.${v}`)}
          </button>
        ))}
      </nav>
      <ScannerIndicator />
    </header>
  );
}

export function Banners() {
  const { t } = useTranslation();
  const training = usePos((s) => s.settings?.trainingMode ?? false);
  const online = usePos((s) => s.online);
  const sandbox = usePos((s) => s.settings?.gatewayUrl === PRESETS.sandbox);
  return (
    <>
      {sandbox ? (
        <div className="mode-banner sandbox-banner" data-testid="sandbox-banner" role="note">
          {t('app.sandbox')}
        </div>
      ) : null}
      {training ? (
        <div className="mode-banner" data-testid="mode-banner" role="note">
          {t('app.training')}
        </div>
      ) : null}
      {online ? null : (
        <div className="offline-banner" data-testid="offline-banner" role="alert">
          {t('app.offline')}
        </div>
      )}
    </>
  );
}

export function Notices() {
  const { t, i18n } = useTranslation();
  const notices = usePos((s) => s.notices);
  const dismiss = usePos((s) => s.dismiss);
  if (notices.length === 0) return null;
  return (
    <ul className="notices" aria-live="polite">
      {notices.map((n) => {
        const params = n.params?.status
          ? { ...n.params, status: t(`status.${n.params.status}`) }
          : n.params;
        const keyed = n.key && i18n.exists(n.key) ? t(n.key, params) : null;
        const text = i18n.language === 'en' && n.text ? n.text : (keyed ?? n.text ?? '');
        return (
          <li key={n.id} className={`notice notice-${n.tone}`} data-testid="notice">
            <span>{text}</span>
            <button type="button" className="notice-close" onClick={() => dismiss(n.id)}>
              {t('app.dismiss')}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
