/** History search of a scanned code (masked, as the journal keeps it) and the store's routing. */
import { describe, expect, it } from 'vitest';
import type { PosApi } from '../../../shared/ipc/contract.ts';
import { historySearchText } from '../../../renderer/src/components/HistoryScreen.tsx';
import { createPosStore } from '../../../renderer/src/state/store.ts';

const api: PosApi = {
  invoke: async () => null as never,
  on: () => () => undefined,
};

describe('history search', () => {
  it('searches a whole payment code by its masked form, anything else as typed', () => {
    expect(historySearchText(' 134567890123451234 ')).toBe('134567********1234');
    expect(historySearchText('T1-20261202140311-abc')).toBe('T1-20261202140311-abc');
    expect(historySearchText('2026120214')).toBe('2026120214');
  });

  it('takes a scan on the history screen for the history, not for a sale', () => {
    const store = createPosStore({ api });
    store.getState().setView('history');
    store.getState().wedgeScan('134567890123451234');
    store.getState().wedgeScan('134567890123451234');
    expect(store.getState().historyScan).toEqual({ text: '134567890123451234', seq: 2 });
    expect(store.getState().sale).toBeNull();
    expect(store.getState().amountText).toBe('');
    store.getState().wedgeTyped('88');
    expect(store.getState().historySearch).toBe('88');
  });
});

describe('quick amounts', () => {
  it('offers the configured amounts, then the last ones charged, each once, at most six', async () => {
    const { quickAmountsOf } = await import('../../../renderer/src/components/SaleScreens.tsx');
    const texts = (c: string[], r: string[]) => quickAmountsOf(c, r, 'CNY').map((a) => a.text);
    expect(texts(['10', '25.50'], ['25.5', '7.70'])).toEqual(['10', '25.50', '7.70']);
    expect(texts(['1', '2', '3', '4', '5'], ['6', '7', '8'])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    expect(quickAmountsOf([], ['0.50'], 'JPY')).toEqual([]);
  });
});
