/**
 * When the installed terminal updates itself (pure; electron/shell/updater.ts wires it to
 * electron-updater and main.ts to the app's lifecycle).
 *
 * The feed: electron-builder's `generic` provider, the store's intranet server. POS_UPDATE_URL
 * (a machine-wide environment variable IT sets) names it, or `off`; without it the URL the
 * installer was built with (resources/app-update.yml) — unless that is the placeholder of
 * electron-builder.yml (a .invalid host): then the terminal does not look for updates.
 *
 * Checking and downloading happen in the background (at start, then every few hours). Installing
 * happens only when the app quits outside trading hours (POS_TRADING_HOURS, default 07:00-23:00
 * local time; "HH:MM-HH:MM", overnight ranges allowed), never when Windows is ending the session
 * (an installer killed half-way by a shutdown leaves no app), and the app starts again after it.
 * The app never restarts itself to install: PosPay is installed per machine, so the installer
 * asks Windows for elevation; on an unattended till that prompt would leave the till without its
 * app until someone answers it. Stores that want unattended updates push the installer silently
 * (`PosPay-Setup-<version>-x64.exe /S`, as SYSTEM: no prompt) from their software deployment;
 * the terminal then finds nothing newer.
 */

export const DEFAULT_TRADING_HOURS = '07:00-23:00';
/** The first check, a while after start (the till is busy starting), then every 4 hours. */
export const FIRST_CHECK_DELAY_MS = 2 * 60_000;
export const CHECK_INTERVAL_MS = 4 * 60 * 60_000;

/** Minutes after local midnight: open (inclusive) to close (exclusive); close < open: overnight. */
export interface TradingHours {
  open: number;
  close: number;
}

const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;

function minutesOf(text: string): number | null {
  const match = CLOCK.exec(text.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** "07:00-23:00" → { open: 420, close: 1380 }; null for anything else (or an empty range). */
export function parseTradingHours(text: string): TradingHours | null {
  const parts = text.split('-');
  if (parts.length !== 2) return null;
  const open = minutesOf(parts[0]!);
  const close = minutesOf(parts[1]!);
  if (open === null || close === null || open === close) return null;
  return { open, close };
}

/** The trading hours from the environment, with a warning when POS_TRADING_HOURS is unusable. */
export function tradingHoursFrom(env: Record<string, string | undefined>): {
  hours: TradingHours;
  warning?: string;
} {
  const text = env.POS_TRADING_HOURS?.trim();
  const fallback = parseTradingHours(DEFAULT_TRADING_HOURS)!;
  if (!text) return { hours: fallback };
  const hours = parseTradingHours(text);
  if (hours) return { hours };
  return {
    hours: fallback,
    warning: `POS_TRADING_HOURS="${text}" is not HH:MM-HH:MM: using ${DEFAULT_TRADING_HOURS}`,
  };
}

export function isTradingTime(hours: TradingHours, minutesAfterMidnight: number): boolean {
  const m = minutesAfterMidnight;
  return hours.open < hours.close
    ? m >= hours.open && m < hours.close
    : m >= hours.open || m < hours.close;
}

/** Local time of day, in minutes after midnight. */
export function localMinutes(date: Date): number {
  return date.getHours() * 60 + date.getMinutes();
}

export interface QuitInput {
  /** The version electron-updater has downloaded and verified, if any. */
  downloaded: string | null;
  /** Local minutes after midnight when the app quits. */
  minutes: number;
  hours: TradingHours;
  /** Windows is logging off or shutting down. */
  sessionEnding: boolean;
}

export type QuitDecision =
  | { install: true; version: string }
  | { install: false; reason: 'nothing-downloaded' | 'trading-hours' | 'session-ending' };

/** Whether quitting now installs the downloaded update. */
export function decideOnQuit(input: QuitInput): QuitDecision {
  if (input.downloaded === null) return { install: false, reason: 'nothing-downloaded' };
  if (input.sessionEnding) return { install: false, reason: 'session-ending' };
  if (isTradingTime(input.hours, input.minutes)) return { install: false, reason: 'trading-hours' };
  return { install: true, version: input.downloaded };
}

export type UpdateFeed =
  { url: string; source: 'environment' | 'installer' } | { url: null; reason: string };

/** The `url:` electron-builder wrote into resources/app-update.yml (generic provider). */
export function feedUrlFromAppUpdateYml(text: string): string | null {
  if (!/^provider:\s*generic\s*$/m.test(text)) return null;
  const match = /^url:\s*['"]?([^'"\s]+)['"]?\s*$/m.exec(text);
  return match?.[1] ?? null;
}

function usableUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') && !/\.invalid$/i.test(url.hostname)
    );
  } catch {
    return false;
  }
}

/** Where updates come from, or why there are none. */
export function updateFeed(input: {
  env: Record<string, string | undefined>;
  /** Contents of resources/app-update.yml, null when there is none. */
  appUpdateYml: string | null;
}): UpdateFeed {
  const fromEnv = input.env.POS_UPDATE_URL?.trim();
  if (fromEnv) {
    if (fromEnv.toLowerCase() === 'off') return { url: null, reason: 'POS_UPDATE_URL=off' };
    if (!usableUrl(fromEnv)) {
      return { url: null, reason: `POS_UPDATE_URL="${fromEnv}" is not an http(s) address` };
    }
    return { url: fromEnv.endsWith('/') ? fromEnv : `${fromEnv}/`, source: 'environment' };
  }
  const built = input.appUpdateYml === null ? null : feedUrlFromAppUpdateYml(input.appUpdateYml);
  if (built && usableUrl(built)) return { url: built, source: 'installer' };
  return {
    url: null,
    reason: 'no update server: set POS_UPDATE_URL to the store server (or push the installer)',
  };
}
