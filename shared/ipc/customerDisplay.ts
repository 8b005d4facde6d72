/**
 * The customer-facing display: the same renderer in a read-only view (Electron: a second
 * window on the customer's monitor, `index.html?view=customer`; browser mode: the page
 * /customer). It reads, it never acts: these are the only invoke channels it may use (the
 * renderer gives it an API that refuses the others; Electron's main process refuses them
 * from that window as well). Events are all read.
 */
import type { InvokeChannel } from './contract.ts';

export const CUSTOMER_VIEW = 'customer';

export const CUSTOMER_READ_CHANNELS = [
  'sale:current',
  'settings:get',
  'member:open-sign-up',
] as const satisfies readonly InvokeChannel[];

export function isCustomerReadChannel(channel: string): boolean {
  return (CUSTOMER_READ_CHANNELS as readonly string[]).includes(channel);
}

/**
 * Whether a page address is the customer display's (path /customer or ?view=customer).
 * (shared/ is pure: no URL class; the address is read as text.)
 */
export function isCustomerViewUrl(url: string): boolean {
  const [beforeHash = ''] = url.split('#');
  const [path = '', query = ''] = beforeHash.split('?');
  const pathname = path.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  return query.split('&').includes(`view=${CUSTOMER_VIEW}`) || /\/customer\/?$/.test(pathname);
}
