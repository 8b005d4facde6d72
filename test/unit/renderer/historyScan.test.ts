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
