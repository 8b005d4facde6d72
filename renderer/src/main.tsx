import './zodConfig.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { PosApi } from '../../shared/ipc/contract.ts';
import { App } from './App.tsx';
import { createHttpApi, validatingApi } from './api/client.ts';
import { initI18n, setLanguage } from './i18n/index.ts';
import { AppContext } from './state/context.ts';
import { createPosStore } from './state/store.ts';
import './styles.css';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    pospay?: PosApi;
  }
}

initI18n('en');

const http = window.pospay ? null : createHttpApi(window.location.origin);
const transport: PosApi = window.pospay ?? (http as PosApi);
const api = validatingApi(transport, (channel, message) =>
  store
    .getState()
    .notify({ tone: 'error', text: `${channel}: ${message}`, key: 'errors.bad-response' }),
);
const store = createPosStore({ api, onSettings: (settings) => setLanguage(settings.language) });
http?.onConnection((online) => store.setState({ online }));
void store.getState().init();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AppContext.Provider value={{ store, api }}>
        <App />
      </AppContext.Provider>
    </StrictMode>,
  );
}
