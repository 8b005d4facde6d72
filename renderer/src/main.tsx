import './zodConfig.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { PosApi } from '../../shared/ipc/contract.ts';
import { App } from './App.tsx';
import { createHttpApi, forgetLaunchToken, takeLaunchToken, validatingApi } from './api/client.ts';
import { browserLanguage, TokenRequired } from './components/TokenRequired.tsx';
import { initI18n, setLanguage } from './i18n/index.ts';
import { AppContext } from './state/context.ts';
import { createPosStore } from './state/store.ts';
import './styles.css';

declare global {
  interface Window {
    /**
     * Exposed by the Electron preload; absent in browser mode. `onConnection` reports the
     * terminal core going away and coming back (it runs in its own process).
     */
    pospay?: PosApi & { onConnection?(listener: (connected: boolean) => void): () => void };
  }
}

initI18n('en');

const container = document.getElementById('root');
const reactRoot = container ? createRoot(container) : null;

/** Browser mode opened without this launch's token (or with an old one): say what to open. */
function showTokenRequired(): void {
  http?.close();
  forgetLaunchToken();
  setLanguage(browserLanguage());
  reactRoot?.render(
    <StrictMode>
      <TokenRequired />
    </StrictMode>,
  );
}

// Browser mode: the token comes with the address the terminal printed (/?token=…).
const token = window.pospay ? null : takeLaunchToken();
const http = window.pospay
  ? null
  : createHttpApi(window.location.origin, { token, onTokenRefused: showTokenRequired });
const transport: PosApi = window.pospay ?? (http as PosApi);
const api = validatingApi(transport, (channel, message) =>
  store
    .getState()
    .notify({ tone: 'error', text: `${channel}: ${message}`, key: 'errors.bad-response' }),
);
const store = createPosStore({ api, onSettings: (settings) => setLanguage(settings.language) });

if (http && !token) {
  // Nothing would be answered: not a single request, just the message.
  showTokenRequired();
} else {
  (http ?? window.pospay)?.onConnection?.((online) => store.getState().setOnline(online));
  void store.getState().init();
  reactRoot?.render(
    <StrictMode>
      <AppContext.Provider value={{ store, api }}>
        <App />
      </AppContext.Provider>
    </StrictMode>,
  );
}
