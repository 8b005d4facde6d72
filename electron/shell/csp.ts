/**
 * The one Content-Security-Policy of the cashier screen, sent by browser mode and by the
 * Electron shell (response headers) and repeated in renderer/index.html: only the app's own
 * scripts, styles and connections; no inline script, no eval, no plugins, no framing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
