import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PosApi } from '../../../shared/ipc/contract.ts';
import {
  ApiError,
  createHttpApi,
  toApiError,
  validatingApi,
} from '../../../renderer/src/api/client.ts';

const SCANNER = { spec: 'wedge', connected: true, detail: null };

function stubFetch(reply: () => Promise<Response>) {
  const calls: { url: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, body: JSON.parse(String(init.body)) });
    return reply();
  });
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('browser-mode transport', () => {
  it('posts the request to /api/invoke/<channel> and returns the answer', async () => {
    const calls = stubFetch(async () => new Response(JSON.stringify(SCANNER), { status: 200 }));
    const api = createHttpApi('http://127.0.0.1:5317');
    await expect(api.invoke('scanner:state', {})).resolves.toEqual(SCANNER);
    expect(calls).toEqual([{ url: 'http://127.0.0.1:5317/api/invoke/scanner:state', body: {} }]);
  });

  it("turns the terminal's {error, code} answer into an error the screen can show", async () => {
    stubFetch(
      async () =>
        new Response(JSON.stringify({ error: 'Wrong supervisor PIN', code: 'pin-wrong' }), {
          status: 422,
        }),
    );
    const api = createHttpApi('');
    const failure = await api
      .invoke('refund:create', { orderId: 'T1', amountText: '1', pin: '0' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ code: 'pin-wrong', message: 'Wrong supervisor PIN' });
  });

  it('says plainly when the terminal cannot be reached', async () => {
    stubFetch(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(createHttpApi('').invoke('scanner:state', {})).rejects.toMatchObject({
      code: 'offline',
    });
  });
});

describe('contract checks at the boundary', () => {
  const raw = (answer: unknown): PosApi => ({
    invoke: async () => answer as never,
    on: () => () => undefined,
  });

  it('refuses an answer outside the contract instead of showing nonsense', async () => {
    const api = validatingApi(raw({ spec: 42 }));
    await expect(api.invoke('scanner:state', {})).rejects.toMatchObject({ code: 'bad-response' });
  });

  it('refuses to send a request outside the contract', async () => {
    const api = validatingApi(raw(SCANNER));
    await expect(
      api.invoke('sale:submit-code', { orderId: 'T1', code: 'x'.repeat(600), source: 'wedge' }),
    ).rejects.toMatchObject({ code: 'invalid-request' });
  });

  it('drops an event outside the contract and reports it', () => {
    let emit: (payload: unknown) => void = () => undefined;
    const bad: string[] = [];
    const api = validatingApi(
      {
        invoke: async () => null as never,
        on: (_channel, listener) => {
          emit = listener as (payload: unknown) => void;
          return () => undefined;
        },
      },
      (channel) => bad.push(channel),
    );
    const seen: unknown[] = [];
    api.on('scanner:state', (state) => seen.push(state));
    emit({ connected: 'yes' });
    emit(SCANNER);
    expect(seen).toEqual([SCANNER]);
    expect(bad).toEqual(['scanner:state']);
  });

  it("reads the Electron bridge's rejection as the terminal's error", () => {
    const bridge = {
      name: 'PosApiError',
      message: 'Wrong PIN',
      error: 'Wrong PIN',
      code: 'pin-wrong',
    };
    expect(toApiError(bridge)).toMatchObject({ code: 'pin-wrong', message: 'Wrong PIN' });
  });
});
