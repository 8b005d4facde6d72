/**
 * When the installed terminal updates: the feed, trading hours, the decision at quit (pure,
 * electron/app/updatePolicy.ts), and electron/shell/updater.ts driving an updater with
 * electron-updater's members.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CHECK_INTERVAL_MS,
  decideOnQuit,
  FIRST_CHECK_DELAY_MS,
  feedUrlFromAppUpdateYml,
  isTradingTime,
  parseTradingHours,
  tradingHoursFrom,
  updateFeed,
} from '../../../electron/app/updatePolicy.ts';
import { startUpdates, type UpdaterLike } from '../../../electron/shell/updater.ts';

const at = (hh: number, mm = 0): number => hh * 60 + mm;
const APP_UPDATE_YML =
  'provider: generic\nurl: https://pos-updates.store.lan/pospay/\nupdaterCacheDirName: pospay-terminal-updater\n';
const PLACEHOLDER_YML = 'provider: generic\nurl: https://updates.pospay.invalid/pospay/\n';

describe('trading hours', () => {
  it('parses HH:MM-HH:MM, day and overnight ranges; refuses anything else', () => {
    expect(parseTradingHours('07:00-23:00')).toEqual({ open: at(7), close: at(23) });
    expect(parseTradingHours('18:30-02:00')).toEqual({ open: at(18, 30), close: at(2) });
    for (const bad of ['', '7-23', '07:00', '07:00-24:00', '09:00-09:00', 'always']) {
      expect(parseTradingHours(bad), bad).toBeNull();
    }
  });

  it('open is inclusive, close exclusive, across midnight too', () => {
    const day = parseTradingHours('07:00-23:00')!;
    expect(isTradingTime(day, at(6, 59))).toBe(false);
    expect(isTradingTime(day, at(7))).toBe(true);
    expect(isTradingTime(day, at(22, 59))).toBe(true);
    expect(isTradingTime(day, at(23))).toBe(false);
    const night = parseTradingHours('18:00-02:00')!;
    expect(isTradingTime(night, at(1, 30))).toBe(true);
    expect(isTradingTime(night, at(2))).toBe(false);
    expect(isTradingTime(night, at(12))).toBe(false);
    expect(isTradingTime(night, at(18))).toBe(true);
  });

  it('come from POS_TRADING_HOURS, else 07:00-23:00, with a warning for a bad value', () => {
    expect(tradingHoursFrom({ POS_TRADING_HOURS: '06:00-22:00' })).toEqual({
      hours: { open: at(6), close: at(22) },
    });
    expect(tradingHoursFrom({}).hours).toEqual({ open: at(7), close: at(23) });
    const bad = tradingHoursFrom({ POS_TRADING_HOURS: 'all day' });
    expect(bad.hours).toEqual({ open: at(7), close: at(23) });
    expect(bad.warning).toContain('all day');
  });
});

describe('decideOnQuit', () => {
  const hours = parseTradingHours('07:00-23:00')!;
  it('installs a downloaded update when the app quits outside trading hours', () => {
    expect(
      decideOnQuit({ downloaded: '0.2.0', minutes: at(23, 30), hours, sessionEnding: false }),
    ).toEqual({ install: true, version: '0.2.0' });
  });
  it('never during trading hours, never while Windows ends the session, not without a download', () => {
    expect(
      decideOnQuit({ downloaded: '0.2.0', minutes: at(12), hours, sessionEnding: false }),
    ).toEqual({ install: false, reason: 'trading-hours' });
    expect(
      decideOnQuit({ downloaded: '0.2.0', minutes: at(3), hours, sessionEnding: true }),
    ).toEqual({ install: false, reason: 'session-ending' });
    expect(decideOnQuit({ downloaded: null, minutes: at(3), hours, sessionEnding: false })).toEqual(
      {
        install: false,
        reason: 'nothing-downloaded',
      },
    );
  });
});

describe('updateFeed', () => {
  it('takes POS_UPDATE_URL first, with a trailing slash', () => {
    expect(
      updateFeed({
        env: { POS_UPDATE_URL: 'http://10.0.0.5/pospay' },
        appUpdateYml: APP_UPDATE_YML,
      }),
    ).toEqual({ url: 'http://10.0.0.5/pospay/', source: 'environment' });
  });
  it('else the URL the installer was built with', () => {
    expect(feedUrlFromAppUpdateYml(APP_UPDATE_YML)).toBe('https://pos-updates.store.lan/pospay/');
    expect(updateFeed({ env: {}, appUpdateYml: APP_UPDATE_YML })).toEqual({
      url: 'https://pos-updates.store.lan/pospay/',
      source: 'installer',
    });
  });
  it('is off with POS_UPDATE_URL=off, a bad URL, the placeholder or no app-update.yml', () => {
    for (const [env, yml] of [
      [{ POS_UPDATE_URL: 'off' }, APP_UPDATE_YML],
      [{ POS_UPDATE_URL: 'ftp://server/pospay' }, APP_UPDATE_YML],
      [{}, PLACEHOLDER_YML],
      [{}, null],
      [{}, 'provider: github\nowner: x\n'],
    ] as const) {
      expect(updateFeed({ env, appUpdateYml: yml }).url).toBeNull();
    }
  });
});

class FakeUpdater implements UpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = true;
  feeds: string[] = [];
  checks = 0;
  installs: [boolean | undefined, boolean | undefined][] = [];
  private listeners = new Map<string, (arg: never) => void>();
  setFeedURL(options: { provider: 'generic'; url: string }): void {
    this.feeds.push(`${options.provider} ${options.url}`);
  }
  checkForUpdates(): Promise<unknown> {
    this.checks += 1;
    return Promise.resolve(null);
  }
  on(event: string, listener: (arg: never) => void): this {
    this.listeners.set(event, listener);
    return this;
  }
  emit(event: 'update-downloaded', info: { version: string }): void {
    (this.listeners.get(event) as (info: { version: string }) => void)(info);
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push([isSilent, isForceRunAfter]);
  }
}

describe('startUpdates', () => {
  const log = { info: vi.fn(), warn: vi.fn() };
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const local = (hh: number): Date => new Date(2025, 0, 2, hh, 15);

  it('points electron-updater at the feed, checks after start then every 4 hours', () => {
    const updater = new FakeUpdater();
    const updates = startUpdates({ updater, env: {}, appUpdateYml: APP_UPDATE_YML, log });
    expect(updater.feeds).toEqual(['generic https://pos-updates.store.lan/pospay/']);
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(false);
    expect(updater.checks).toBe(0);
    vi.advanceTimersByTime(FIRST_CHECK_DELAY_MS);
    expect(updater.checks).toBe(1);
    vi.advanceTimersByTime(CHECK_INTERVAL_MS * 2);
    expect(updater.checks).toBe(3);
    updates.stop();
    vi.advanceTimersByTime(CHECK_INTERVAL_MS * 2);
    expect(updater.checks).toBe(3);
  });

  it('installs silently and restarts the app on a quit at night, not on one at noon', () => {
    const noon = new FakeUpdater();
    const day = startUpdates({
      updater: noon,
      env: {},
      appUpdateYml: APP_UPDATE_YML,
      log,
      now: () => local(12),
    });
    noon.emit('update-downloaded', { version: '0.2.0' });
    expect(day.onWillQuit()).toEqual({ install: false, reason: 'trading-hours' });
    expect(noon.installs).toEqual([]);

    const night = new FakeUpdater();
    const late = startUpdates({
      updater: night,
      env: {},
      appUpdateYml: APP_UPDATE_YML,
      log,
      now: () => local(23),
    });
    expect(late.onWillQuit()).toEqual({ install: false, reason: 'nothing-downloaded' });
    const again = startUpdates({
      updater: night,
      env: {},
      appUpdateYml: APP_UPDATE_YML,
      log,
      now: () => local(23),
    });
    night.emit('update-downloaded', { version: '0.2.0' });
    expect(again.onWillQuit()).toEqual({ install: true, version: '0.2.0' });
    // Quitting goes through will-quit more than once: one install.
    again.onWillQuit();
    expect(night.installs).toEqual([[true, true]]);
  });

  it('does not install when Windows ends the session', () => {
    const updater = new FakeUpdater();
    const updates = startUpdates({
      updater,
      env: {},
      appUpdateYml: APP_UPDATE_YML,
      log,
      now: () => local(2),
    });
    updater.emit('update-downloaded', { version: '0.2.0' });
    updates.onSessionEnd();
    expect(updates.onWillQuit()).toEqual({ install: false, reason: 'session-ending' });
    expect(updater.installs).toEqual([]);
  });

  it('does nothing at all without a feed', () => {
    const updater = new FakeUpdater();
    const updates = startUpdates({ updater, env: {}, appUpdateYml: PLACEHOLDER_YML, log });
    expect(updates.feedUrl).toBe('');
    vi.advanceTimersByTime(CHECK_INTERVAL_MS * 3);
    expect(updater.feeds).toEqual([]);
    expect(updater.checks).toBe(0);
    expect(updater.autoInstallOnAppQuit).toBe(false);
  });
});
