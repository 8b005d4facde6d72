import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventChannels, invokeChannels } from '../../../shared/ipc/contract.ts';
import { createPosApi, type BridgeTransport } from '../../../electron/shell/bridge.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../../../electron/shell/channels.ts';
import { CONTENT_SECURITY_POLICY } from '../../../electron/shell/csp.ts';
import { checkInvoke } from '../../../electron/shell/ipc.ts';
import { chooseLaunch, fallbackMessage } from '../../../electron/shell/launch.ts';
import { createRedactionHook } from '../../../electron/shell/logging.ts';
import {
  CUSTOMER_ENTRY_URL,
  CUSTOMER_READ_ONLY,
  customerDisplayFor,
  customerInvokeRefusal,
  customerWindowOptions,
} from '../../../electron/shell/customerDisplay.ts';
import {
  isNavigationAllowed,
  isTrustedSender,
  permissionDecision,
  resolveAppAsset,
  windowOpenDecision,
  windowOptions,
  withCspHeader,
} from '../../../electron/shell/security.ts';

describe('window options', () => {
  it('isolate the page: context isolation, sandbox, no Node, web security on', () => {
    for (const kiosk of [false, true]) {
      const options = windowOptions({ preloadPath: '/app/preload.cjs', kiosk });
      expect(options.webPreferences).toMatchObject({
        preload: '/app/preload.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
      });
    }
  });

  it('in kiosk mode fill the screen and close the developer tools', () => {
    const kiosk = windowOptions({ preloadPath: 'p', kiosk: true });
    expect(kiosk).toMatchObject({ kiosk: true, fullscreen: true });
    expect(kiosk.webPreferences?.devTools).toBe(false);
  });
});

describe('navigation, windows and permissions', () => {
  it('allows only the app itself', () => {
    expect(isNavigationAllowed('app://pospay/index.html')).toBe(true);
    for (const url of [
      'https://evil.example/',
      'http://127.0.0.1:5317/',
      'file:///etc/passwd',
      'app://other/index.html',
      'app://user:pw@pospay/index.html',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isNavigationAllowed(url), url).toBe(false);
    }
  });

  it('denies every new window and every permission', () => {
    expect(windowOpenDecision({ url: 'app://pospay/index.html' })).toEqual({ action: 'deny' });
    expect(windowOpenDecision({ url: 'https://pingpongx.com' })).toEqual({ action: 'deny' });
    for (const permission of ['media', 'notifications', 'hid', 'serial', 'geolocation']) {
      expect(permissionDecision(permission)).toBe(false);
    }
  });
});

describe('IPC sender check', () => {
  it('trusts only the main frame of the app', () => {
    expect(isTrustedSender({ url: 'app://pospay/index.html', isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ url: 'app://pospay/index.html', isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/x.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: '', isMainFrame: true })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});

describe('CSP', () => {
  it('allows no inline script, no eval and no other origin', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|https?:/);
  });

  it('is forced on responses, replacing a weaker one', () => {
    const headers = withCspHeader({
      'content-security-policy': ["default-src *; script-src 'unsafe-inline'"],
      'Content-Type': 'text/html',
    });
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['Content-Type']).toEqual(['text/html']);
  });
});

describe('app:// asset mapping', () => {
  const root = path.resolve('/opt/pospay/dist/renderer');

  it('maps app files into the renderer folder', () => {
    expect(resolveAppAsset(root, 'app://pospay/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppAsset(root, 'app://pospay/assets/index-abc.js')).toBe(
      path.join(root, 'assets', 'index-abc.js'),
    );
  });

  it('refuses anything outside it', () => {
    expect(resolveAppAsset(root, 'app://pospay/..%2f..%2fsettings.json')).toBeNull();
    expect(resolveAppAsset(root, 'app://pospay/%00index.html')).toBeNull();
    expect(resolveAppAsset(root, 'app://evil/index.html')).toBeNull();
    expect(resolveAppAsset(root, 'file:///etc/passwd')).toBeNull();
  });
});

describe('preload bridge (window.pospay)', () => {
  it('lists exactly the contract channels', () => {
    expect([...INVOKE_CHANNELS].sort()).toEqual(Object.keys(invokeChannels).sort());
    expect([...EVENT_CHANNELS].sort()).toEqual(Object.keys(eventChannels).sort());
  });

  function transport(answer: unknown) {
    const sent: Array<{ channel: string; request: unknown }> = [];
    const listeners = new Set<(channel: string, payload: unknown) => void>();
    const t: BridgeTransport = {
      invoke: async (channel, request) => {
        sent.push({ channel, request });
        return answer;
      },
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const emit = (channel: string, payload: unknown) => {
      for (const l of listeners) l(channel, payload);
    };
    return { t, sent, emit, listeners };
  }

  it('passes contract invokes and unwraps the answer', async () => {
    const { t, sent } = transport({ ok: true, value: null });
    const api = createPosApi(t);
    await expect(api.invoke('sale:current', {})).resolves.toBeNull();
    expect(sent).toEqual([{ channel: 'sale:current', request: {} }]);
  });

  it('rejects with {error, code} for a refused invoke', async () => {
    const { t } = transport({
      ok: false,
      status: 422,
      error: { error: 'Wrong PIN', code: 'pin-wrong' },
    });
    const api = createPosApi(t);
    await expect(
      api.invoke('refund:create', { orderId: 'A', amountText: '1', pin: '0' }),
    ).rejects.toMatchObject({ error: 'Wrong PIN', code: 'pin-wrong', message: 'Wrong PIN' });
  });

  it('does not send a channel outside the contract', async () => {
    const { t, sent } = transport({ ok: true, value: 1 });
    const api = createPosApi(t) as unknown as {
      invoke(channel: string, request: unknown): Promise<unknown>;
      on(channel: string, listener: () => void): () => void;
    };
    await expect(api.invoke('fs:read', { path: '/etc/passwd' })).rejects.toMatchObject({
      code: 'unknown-channel',
    });
    expect(sent).toEqual([]);
    expect(() => api.on('ipc:raw', () => {})).toThrow(/No event channel/);
  });

  it('reports the connection to the terminal core, booleans only, until unsubscribed', () => {
    const listeners = new Set<(connected: boolean) => void>();
    const api = createPosApi({
      invoke: async () => null,
      subscribe: () => () => {},
      subscribeConnection: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
    const got: boolean[] = [];
    const off = api.onConnection((connected) => got.push(connected));
    for (const l of listeners) (l as (value: unknown) => void)('yes');
    for (const l of listeners) l(false);
    for (const l of listeners) l(true);
    off();
    expect(got).toEqual([false, true]);
    expect(listeners.size).toBe(0);
    // Over a transport without one, there is nothing to report.
    const plain = createPosApi({ invoke: async () => null, subscribe: () => () => {} });
    expect(typeof plain.onConnection(() => {})).toBe('function');
  });

  it('delivers only the subscribed event, until unsubscribed', () => {
    const { t, emit, listeners } = transport(null);
    const api = createPosApi(t);
    const got: unknown[] = [];
    const off = api.on('scan:rejected', (payload) => got.push(payload));
    emit('sale:updated', { orderId: 'X' });
    emit('scan:rejected', { reason: 'no sale', text: '1234' });
    off();
    emit('scan:rejected', { reason: 'later', text: '5678' });
    expect(got).toEqual([{ reason: 'no sale', text: '1234' }]);
    expect(listeners.size).toBe(0);
  });
});

describe('main checks each invoke against the contract before the core sees it', () => {
  it('passes a contract request, stripped to its fields', () => {
    expect(checkInvoke('sale:start', { amountText: '12.30', extra: 'x' })).toEqual({
      ok: true,
      channel: 'sale:start',
      request: { amountText: '12.30' },
    });
    expect(checkInvoke('sale:current', undefined)).toEqual({
      ok: true,
      channel: 'sale:current',
      request: {},
    });
  });

  it('refuses another channel or a request that does not match', () => {
    expect(checkInvoke('fs:read', { path: '/etc/passwd' })).toMatchObject({
      ok: false,
      result: { ok: false, status: 404, error: { code: 'unknown-channel' } },
    });
    expect(checkInvoke({ toString: () => 'sale:start' }, {})).toMatchObject({
      ok: false,
      result: { status: 404 },
    });
    expect(checkInvoke('__proto__', {})).toMatchObject({ ok: false, result: { status: 404 } });
    const invalid = checkInvoke('sale:submit-code', { orderId: 'A', code: 7, source: 'wedge' });
    expect(invalid).toMatchObject({
      ok: false,
      result: { status: 400, error: { code: 'invalid-request' } },
    });
    expect(invalid.ok ? '' : JSON.stringify(invalid.result)).toMatch(/code/);
  });
});

describe('npm start launch choice', () => {
  const base = { exists: () => true, platform: 'linux' as const, env: { DISPLAY: ':0' } };

  it('uses Electron when its binary is installed and there is a display', () => {
    expect(chooseLaunch({ ...base, resolveElectron: () => '/e/electron' })).toEqual({
      mode: 'electron',
      electronPath: '/e/electron',
    });
  });

  it('falls back to browser mode with the reason when the runtime is missing', () => {
    const throwing = chooseLaunch({
      ...base,
      resolveElectron: () => {
        throw new Error('Electron failed to install correctly');
      },
    });
    expect(throwing).toEqual({
      mode: 'browser',
      reason: 'Electron runtime not installed on this machine',
    });
    const missingFile = chooseLaunch({ ...base, exists: () => false, resolveElectron: () => '/x' });
    expect(missingFile.mode).toBe('browser');
    const headless = chooseLaunch({ ...base, env: {}, resolveElectron: () => '/e/electron' });
    expect(headless).toMatchObject({ mode: 'browser', reason: expect.stringMatching(/display/i) });
    expect(
      fallbackMessage('Electron runtime not installed on this machine', 'http://127.0.0.1:5317'),
    ).toBe(
      'Electron runtime not installed on this machine — serving the terminal in browser mode at http://127.0.0.1:5317',
    );
  });
});

describe('log redaction', () => {
  it('removes the salt from every logged value before any transport writes it', () => {
    const hook = createRedactionHook(() => ['F78BC96A55548B2319EE68E0']);
    const message = hook({
      level: 'info',
      data: [
        'signing with F78BC96A55548B2319EE68E0',
        { nested: ['xF78BC96A55548B2319EE68E0x'] },
        3,
      ],
    });
    expect(JSON.stringify(message)).not.toContain('F78BC96A55548B2319EE68E0');
    expect(message.data[2]).toBe(3);
    expect(message.level).toBe('info');
  });
});

describe('the customer display window', () => {
  const cashier = { id: 1, bounds: { x: 0, y: 0, width: 1366, height: 768 } };
  const second = { id: 2, bounds: { x: 1366, y: 0, width: 1024, height: 768 } };
  const third = { id: 3, bounds: { x: 2390, y: 0, width: 800, height: 600 } };

  it('goes on the first monitor that is not the cashier’s, none with one monitor, or off', () => {
    expect(customerDisplayFor([cashier, second, third], 1, 'auto')).toBe(second);
    expect(customerDisplayFor([second, cashier], 1, 'auto')).toBe(second);
    expect(customerDisplayFor([cashier], 1, 'auto')).toBeNull();
    expect(customerDisplayFor([cashier, second], 1, 'off')).toBeNull();
  });

  it('goes on the monitor chosen by number, never over the cashier’s screen', () => {
    expect(customerDisplayFor([cashier, second, third], 1, 3)).toBe(third);
    expect(customerDisplayFor([cashier, second], 1, 1)).toBeNull();
    expect(customerDisplayFor([cashier, second], 1, 4)).toBeNull();
  });

  it('keeps the cashier window’s isolation, fills its monitor and never takes the keyboard', () => {
    const options = customerWindowOptions('/app/preload.cjs', second.bounds);
    expect(options).toMatchObject({
      ...second.bounds,
      fullscreen: true,
      focusable: false,
      frame: false,
    });
    expect(options.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      devTools: false,
    });
    expect(isNavigationAllowed(CUSTOMER_ENTRY_URL)).toBe(true);
    expect(isTrustedSender({ url: CUSTOMER_ENTRY_URL, isMainFrame: true })).toBe(true);
  });

  it('lets the customer display read, and refuses it everything that acts', () => {
    expect(customerInvokeRefusal(CUSTOMER_ENTRY_URL, 'sale:current')).toBeNull();
    expect(customerInvokeRefusal(CUSTOMER_ENTRY_URL, 'settings:get')).toBeNull();
    for (const channel of ['sale:start', 'sale:cancel', 'refund:create', 'settings:save', 42]) {
      expect(customerInvokeRefusal(CUSTOMER_ENTRY_URL, channel)).toEqual(CUSTOMER_READ_ONLY);
    }
    // The cashier's window is not limited.
    expect(customerInvokeRefusal('app://pospay/index.html', 'sale:start')).toBeNull();
  });
});
