/**
 * Every security decision of the Electron shell, as pure functions (tested under Node):
 * the window's options, which navigations and windows are allowed (none outside the app),
 * which IPC senders are trusted (the app's own top frame only), permissions (none), and
 * which file a request for the app's custom protocol maps to.
 */
import path from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';
import { CONTENT_SECURITY_POLICY } from './csp.ts';

/** The renderer is served from `app://pospay/…` (a standard, secure custom scheme). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'pospay';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export interface WindowChoices {
  preloadPath: string;
  /** Kiosk: full screen, no way out to the desktop (a till's normal mode). */
  kiosk?: boolean;
}

export function windowOptions(choices: WindowChoices): BrowserWindowConstructorOptions {
  const kiosk = choices.kiosk ?? false;
  return {
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 600,
    show: false,
    backgroundColor: '#ffffff',
    title: 'PosPay',
    autoHideMenuBar: true,
    kiosk,
    fullscreen: kiosk,
    webPreferences: {
      preload: choices.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      enableBlinkFeatures: '',
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !kiosk,
      safeDialogs: true,
    },
  };
}

/** True only for a URL of the app itself (`app://pospay/…`). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === `${APP_SCHEME}:` &&
      parsed.host === APP_HOST &&
      parsed.username === '' &&
      parsed.password === ''
    );
  } catch {
    return false;
  }
}

/** `will-navigate` / `will-redirect`: the cashier screen never leaves the app. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** `setWindowOpenHandler`: no new windows, ever. */
export function windowOpenDecision(_details: { url: string }): { action: 'deny' } {
  return { action: 'deny' };
}

/** Permission requests and checks (camera, notifications, HID, serial…): all refused. */
export function permissionDecision(_permission: string): boolean {
  return false;
}

/** An IPC sender is trusted only if it is the app's own top-level frame. */
export interface SenderFrameInfo {
  url: string | undefined | null;
  /** True when the frame is its page's main frame (no iframes talk to the main process). */
  isMainFrame: boolean;
}

export function isTrustedSender(frame: SenderFrameInfo | null | undefined): boolean {
  if (!frame || !frame.isMainFrame) return false;
  return isAppUrl(frame.url);
}

/** Response headers with the app's CSP forced (replacing any the response had). */
export function withCspHeader(
  headers: Record<string, string[] | string> | undefined,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === 'content-security-policy') continue;
    out[key] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  out['X-Content-Type-Options'] = ['nosniff'];
  return out;
}

/**
 * The file an `app://pospay/…` request maps to inside the built renderer, or null when it
 * is not the app's (another host, a path escaping the folder, an encoded NUL…).
 */
export function resolveAppAsset(rendererRoot: string, requestUrl: string): string | null {
  if (!isAppUrl(requestUrl)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const relative =
    pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const root = path.resolve(rendererRoot);
  const file = path.resolve(root, relative);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
};

export function mimeTypeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
