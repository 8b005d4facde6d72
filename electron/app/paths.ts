/**
 * Where the terminal keeps its data (journal, settings, encrypted salt): POS_DATA_DIR, else
 * the OS's app-data folder (%APPDATA%\PosPay on Windows, ~/.config/pospay elsewhere).
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DataDirInputs {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
}

export function defaultDataDir(inputs: DataDirInputs = {}): string {
  const env = inputs.env ?? process.env;
  const platform = inputs.platform ?? process.platform;
  const home = inputs.home ?? homedir();
  const explicit = env.POS_DATA_DIR?.trim();
  if (explicit) return path.resolve(explicit);
  if (platform === 'win32') {
    const appData = env.APPDATA?.trim() || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'PosPay');
  }
  const config = env.XDG_CONFIG_HOME?.trim() || path.join(home, '.config');
  return path.join(config, 'pospay');
}

/**
 * The repository / installed app root: two levels above this module, which holds for the
 * sources (electron/app/) and for the bundles they are built into (dist/cli/, dist/electron/;
 * scripts/build-electron.mjs keeps every bundle two levels deep).
 */
export function appRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The built renderer served by browser mode and loaded by Electron. */
export function rendererDir(root: string = appRoot()): string {
  return path.join(root, 'dist', 'renderer');
}
