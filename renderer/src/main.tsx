import './zodConfig.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { PosApi } from '../../shared/ipc/contract.ts';
import { isCustomerViewUrl } from '../../shared/ipc/customerDisplay.ts';
import { App } from './App.tsx';
import {
  createHttpApi,
  fetchCustomerDisplayToken,
  forgetLaunchToken,
  takeLaunchToken,
  toApiError,
  validatingApi,
} from './api/client.ts';
import { readOnlyApi } from './api/readOnly.ts';
import { CustomerDisplay } from './components/CustomerDisplay.tsx';
import { browserLanguage, TokenRequired } from './components/TokenRequired.tsx';
import { initI18n, setLanguage } from './i18n/index.ts';
import { AppContext } from './state/context.ts';
import { createCustomerStore } from './state/customerStore.ts';
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
/** The customer display (/customer, or ?view=customer in Electron): read-only, no controls. */
const customerView = isCustomerViewUrl(window.location.href);
const api = validatingApi(transport, (channel, message) =>
  store
    .getState()
    .notify({ tone: 'error', text: `${channel}: ${message}`, key: 'errors.bad-response' }),
);
const store = createPosStore({ api, onSettings: (settings) => setLanguage(settings.language) });

/**
 * Browser mode: the customer display opens as a window of its own. It never gets this
 * launch's token: the terminal gives it a token of its own, which may only read.
 */
const openCustomerDisplay =
  http && token
    ? () => {
        // Opened at once (the cashier's click allows a window), its address once the token comes.
        const display = window.open('', 'pospay-customer', 'popup,width=1024,height=768');
        if (!display) return;
        fetchCustomerDisplayToken(window.location.origin, token).then(
          (displayToken) => {
            display.location.replace(`/customer?token=${encodeURIComponent(displayToken)}`);
          },
          (error: unknown) => {
            display.close();
            store.getState().notify({ tone: 'error', text: toApiError(error).message });
          },
        );
      }
    : undefined;

if (http && !token) {
  // Nothing would be answered: not a single request, just the message.
  showTokenRequired();
} else if (customerView) {
  const customer = createCustomerStore({
    api: readOnlyApi(validatingApi(transport)),
    onSettings: (settings) => setLanguage(settings.language),
  });
  (http ?? window.pospay)?.onConnection?.((online) => customer.getState().setOnline(online));
  void customer.getState().init();
  reactRoot?.render(
    <StrictMode>
      <CustomerDisplay store={customer} />
    </StrictMode>,
  );
} else {
  (http ?? window.pospay)?.onConnection?.((online) => store.getState().setOnline(online));
  void store.getState().init();
  reactRoot?.render(
    <StrictMode>
      <AppContext.Provider value={{ store, api, openCustomerDisplay }}>
        <App />
      </AppContext.Provider>
    </StrictMode>,
  );
}
