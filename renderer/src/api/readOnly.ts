/**
 * The customer display's API: the terminal's, less everything that acts. Only the reads of
 * shared/ipc/customerDisplay.ts go through; any other channel is refused here, before it
 * leaves the page (Electron's main process refuses them from that window too).
 */
import type { PosApi } from '../../../shared/ipc/contract.ts';
import { isCustomerReadChannel } from '../../../shared/ipc/customerDisplay.ts';
import { ApiError } from './client.ts';

export const READ_ONLY_CODE = 'customer-display-read-only';

export function readOnlyApi(api: PosApi): PosApi {
  return {
    invoke(channel, request) {
      if (!isCustomerReadChannel(channel)) {
        return Promise.reject(
          new ApiError(READ_ONLY_CODE, `The customer display cannot use ${channel}.`),
        );
      }
      return api.invoke(channel, request);
    },
    on: (channel, listener) => api.on(channel, listener),
  };
}
