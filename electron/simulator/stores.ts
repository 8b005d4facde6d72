/** The stores (accId + salt) the simulator knows: the two public sandbox stores, plus more. */
import { clientIdFor } from '../../shared/gateway/envelope.ts';

export interface StoreConfig {
  accId: string;
  salt: string;
}

export interface Store extends StoreConfig {
  clientId: string;
}

/** The public sandbox stores of gateway.md. */
export const DEFAULT_STORES: readonly StoreConfig[] = [
  { accId: '2018092714313010016291', salt: 'F78BC96A55548B2319EE68E0' },
  { accId: '2018092714313010016289', salt: 'BCE27A281029F5EAF3CC0E82' },
];

export class StoreRegistry {
  private readonly stores = new Map<string, Store>();

  constructor(extra: readonly StoreConfig[] = []) {
    for (const store of [...DEFAULT_STORES, ...extra]) {
      if (typeof store.accId !== 'string' || !/^\d{4,}$/.test(store.accId)) {
        throw new Error(`simulator: store accId must be digits, got "${String(store.accId)}"`);
      }
      if (typeof store.salt !== 'string' || store.salt === '') {
        throw new Error(`simulator: store ${store.accId} needs a salt`);
      }
      this.stores.set(store.accId, { ...store, clientId: clientIdFor(store.accId) });
    }
  }

  get(accId: string): Store | undefined {
    return this.stores.get(accId);
  }
}
