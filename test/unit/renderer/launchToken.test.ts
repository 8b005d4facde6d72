import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createHttpApi,
  forgetLaunchToken,
  takeLaunchToken,
  type TokenWindow,
} from '../../../renderer/src/api/client.ts';

/** A tab: its address, its history and its sessionStorage. */
function tab(href: string): TokenWindow & { address(): string; stored: Map<string, string> } {
  const stored = new Map<string, string>();
  let current = new URL(href);
  return {
    stored,
    location: {
      get href() {
        return current.href;
      },
    },
    history: {
      state: null,
      replaceState(_data, _unused, url) {
        if (url !== undefined) current = new URL(url, current);
      },
    },
    sessionStorage: {
      getItem: (key) => stored.get(key) ?? null,
      setItem: (key, value) => void stored.set(key, value),
      removeItem: (key) => void stored.delete(key),
    },
    address: () => current.href,
  };
}

afterEach(() => vi.unstubAllGlobals());

describe('the launch token in the page', () => {
  it('is taken from the printed address, kept for the tab, and removed from the address bar', () => {
    const page = tab('http://127.0.0.1:5317/?token=abc-DEF_123&lang=en#history');
    expect(takeLaunchToken(page)).toBe('abc-DEF_123');
    expect(page.address()).toBe('http://127.0.0.1:5317/?lang=en#history');
    // A reload: the address no longer has it, the tab still does.
    expect(takeLaunchToken(page)).toBe('abc-DEF_123');
  });

  it('is null when the page was opened without it, or after it was forgotten', () => {
    expect(takeLaunchToken(tab('http://127.0.0.1:5317/'))).toBeNull();
    const page = tab('http://127.0.0.1:5317/?token=old-launch');
    takeLaunchToken(page);
    forgetLaunchToken(page);
    expect(takeLaunchToken(page)).toBeNull();
  });

  it('is sent on every request (X-PosPay-Token) and on the event stream (?token=)', async () => {
    const headers: Array<Record<string, string>> = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      headers.push(init.headers as Record<string, string>);
      return new Response('null', { status: 200 });
    });
    const opened: string[] = [];
    vi.stubGlobal(
      'EventSource',
      class {
        constructor(url: string) {
          opened.push(url);
        }
        addEventListener() {}
        close() {}
      },
    );
    const api = createHttpApi('http://127.0.0.1:5317', { token: 'a+b/c=' });
    await api.invoke('sale:current', {});
    api.on('sale:updated', () => undefined);
    expect(headers[0]).toMatchObject({ 'X-PosPay-Token': 'a+b/c=' });
    expect(opened).toEqual(['http://127.0.0.1:5317/api/events?token=a%2Bb%2Fc%3D']);
  });

  it('refused by the terminal (401): the page is told once, with the error to show', async () => {
    const refusal = { error: 'This page needs the address…', code: 'launch-token-required' };
    let status = 401;
    vi.stubGlobal(
      'fetch',
      async () =>
        new Response(JSON.stringify(status === 401 ? refusal : { error: 'x', code: 'pin-wrong' }), {
          status,
        }),
    );
    const refused = vi.fn();
    const api = createHttpApi('', { token: 'stale', onTokenRefused: refused });
    await expect(api.invoke('settings:get', {})).rejects.toMatchObject({
      code: 'launch-token-required',
    });
    await expect(api.invoke('scanner:state', {})).rejects.toBeDefined();
    expect(refused).toHaveBeenCalledTimes(1);

    status = 422;
    const other = vi.fn();
    const api2 = createHttpApi('', { token: 'good', onTokenRefused: other });
    await expect(api2.invoke('settings:get', {})).rejects.toMatchObject({ code: 'pin-wrong' });
    expect(other).not.toHaveBeenCalled();
  });
});
