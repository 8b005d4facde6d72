/**
 * electron-updater wired to the update policy (electron/app/updatePolicy.ts): the feed,
 * background checks and downloads, and the install decision when the app quits. main.ts
 * passes electron-updater's `autoUpdater` (anything with the same few members, in tests) and
 * calls onSessionEnd() / onWillQuit() from the app's lifecycle.
 */
import {
  CHECK_INTERVAL_MS,
  decideOnQuit,
  FIRST_CHECK_DELAY_MS,
  localMinutes,
  tradingHoursFrom,
  updateFeed,
  type QuitDecision,
} from '../app/updatePolicy.ts';

/** The part of electron-updater's AppUpdater used here. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

export interface UpdatesLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface Updates {
  /** Where updates come from ('' when off). */
  readonly feedUrl: string;
  /** Windows is ending the session (BrowserWindow 'session-end'): no install on this quit. */
  onSessionEnd(): void;
  /** The app is quitting (app 'will-quit'): installs the downloaded update if the policy says so. */
  onWillQuit(): QuitDecision;
  stop(): void;
}

export function startUpdates(options: {
  updater: UpdaterLike;
  env: Record<string, string | undefined>;
  /** resources/app-update.yml as read, null when absent. */
  appUpdateYml: string | null;
  log: UpdatesLog;
  now?: () => Date;
}): Updates {
  const { updater, log } = options;
  const now = options.now ?? (() => new Date());
  const { hours, warning } = tradingHoursFrom(options.env);
  if (warning) log.warn(`updates: ${warning}`);
  let downloaded: string | null = null;
  let sessionEnding = false;
  let decided: QuitDecision | null = null;
  const timers: ReturnType<typeof setTimeout>[] = [];

  const feed = updateFeed({ env: options.env, appUpdateYml: options.appUpdateYml });
  // electron-updater's own quit handler would install during trading hours: the decision is ours.
  updater.autoInstallOnAppQuit = false;
  if (feed.url === null) {
    log.info(`updates: off (${feed.reason})`);
  } else {
    updater.autoDownload = true;
    updater.setFeedURL({ provider: 'generic', url: feed.url });
    updater.on('update-downloaded', (info) => {
      downloaded = info.version;
      log.info(
        `updates: ${info.version} downloaded; installed when PosPay quits outside trading hours`,
      );
    });
    updater.on('error', (error) => log.warn(`updates: ${error.message.split('\n')[0]}`));
    const check = (): void => {
      updater.checkForUpdates().catch((error: unknown) => {
        log.warn(
          `updates: check failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    };
    const first = setTimeout(() => {
      check();
      const every = setInterval(check, CHECK_INTERVAL_MS);
      every.unref?.();
      timers.push(every);
    }, FIRST_CHECK_DELAY_MS);
    first.unref?.();
    timers.push(first);
    log.info(`updates: from ${feed.url} (${feed.source})`);
  }

  const stop = (): void => {
    for (const timer of timers.splice(0)) clearTimeout(timer);
  };
  return {
    feedUrl: feed.url ?? '',
    onSessionEnd: () => {
      sessionEnding = true;
    },
    onWillQuit: () => {
      stop();
      if (decided) return decided;
      decided = decideOnQuit({ downloaded, minutes: localMinutes(now()), hours, sessionEnding });
      if (decided.install) {
        log.info(`updates: installing ${decided.version} (silent), PosPay starts again after it`);
        updater.quitAndInstall(true, true);
      } else if (downloaded !== null) {
        log.info(`updates: ${downloaded} not installed on this quit (${decided.reason})`);
      }
      return decided;
    },
    stop,
  };
}
