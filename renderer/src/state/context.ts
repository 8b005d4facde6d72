import { createContext, useContext } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { PosApi } from '../../../shared/ipc/contract.ts';
import type { PosState } from './store.ts';

export interface AppContextValue {
  store: StoreApi<PosState>;
  api: PosApi;
  /** Browser mode: opens the customer display (/customer) in a window of its own. */
  openCustomerDisplay?: (() => void) | undefined;
}

export const AppContext = createContext<AppContextValue | null>(null);

function useAppContext(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('AppContext missing');
  return value;
}

export function usePos<T>(selector: (state: PosState) => T): T {
  return useStore(useAppContext().store, selector);
}

export function usePosStore(): StoreApi<PosState> {
  return useAppContext().store;
}

export function useApi(): PosApi {
  return useAppContext().api;
}

export function useOpenCustomerDisplay(): (() => void) | undefined {
  return useAppContext().openCustomerDisplay;
}
