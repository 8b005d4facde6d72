/**
 * Where the terminal keeps its data (journal, settings, encrypted salt, logs): POS_DATA_DIR,
 * else %ProgramData%\PosPay on Windows (per machine, local: a till's journal must not live in a
 * roaming profile, which Windows copies to a server at sign-out), ~/.config/pospay elsewhere.
 * Versions before 0.2 used %APPDATA%\PosPay (roaming) on Windows: legacyDataDirs() names it,
 * electron/app/dataMigration.ts copies a journal found there once.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DataDirInputs {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  home?: string;
}

/** %ProgramData% (Windows names it ProgramData; ALLUSERSPROFILE is the same folder). */
function programData(env: Record<string, string | undefined>): string {
  return (
    env.ProgramData?.trim() ||
    env.PROGRAMDATA?.trim() ||
    env.ALLUSERSPROFILE?.trim() ||
    'C:\\ProgramData'
  );
}

export function defaultDataDir(inputs: DataDirInputs = {}): string {
  const env = inputs.env ?? process.env;
  const platform = inputs.platform ?? process.platform;
  const home = inputs.home ?? homedir();
  const explicit = env.POS_DATA_DIR?.trim();
  if (explicit) return path.resolve(explicit);
  if (platform === 'win32') return path.win32.join(programData(env), 'PosPay');
  const config = env.XDG_CONFIG_HOME?.trim() || path.join(home, '.config');
  return path.join(config, 'pospay');
}

/**
 * Where earlier versions kept the data when nothing chose the folder (POS_DATA_DIR unset):
 * %APPDATA%\PosPay on Windows; none elsewhere (the folder there has not moved).
 */
export function legacyDataDirs(inputs: DataDirInputs = {}): string[] {
  const env = inputs.env ?? process.env;
  const platform = inputs.platform ?? process.platform;
  const home = inputs.home ?? homedir();
  if (env.POS_DATA_DIR?.trim() || platform !== 'win32') return [];
  const appData = env.APPDATA?.trim() || path.win32.join(home, 'AppData', 'Roaming');
  return [path.win32.join(appData, 'PosPay')];
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
