/** Loopback host names: the browser-mode server binds only to these; a gateway here is a simulator. */

/** `localhost`, `::1` (bracketed or not) or 127.x.x.x. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
