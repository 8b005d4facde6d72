/**
 * Which better-sqlite3 native addon the journal loads. better-sqlite3 is built for Node's ABI
 * (the CLI and the tests use that build); Electron's Node has another ABI (NODE_MODULE_VERSION)
 * and needs its own build, kept apart so both work from one checkout:
 *
 *   plain Node              undefined: the package's own build (node_modules/better-sqlite3)
 *   Electron, from a checkout   node_modules/.cache/pospay-electron-abi/<electron version>/
 *                           better_sqlite3.node, prepared by `npm start`
 *                           (scripts/electron-native.mjs)
 *   Electron, installed app the build electron-builder made for Electron, unpacked from the
 *                           asar: resources/app.asar.unpacked/node_modules/better-sqlite3/…
 *
 * Pure: the shell passes process.versions, the folder, `existsSync` and the app's state.
 */
import path from 'node:path';

/** The cache folder under the app root (the same layout as scripts/electron-native.mjs). */
export const ELECTRON_ABI_CACHE_DIR = path.join('node_modules', '.cache', 'pospay-electron-abi');
export const BETTER_SQLITE_ADDON = 'better_sqlite3.node';

export interface BindingInputs {
  /** process.versions (`electron` is set only in Electron's processes). */
  versions: Readonly<Record<string, string | undefined>>;
  /** `<app root>/node_modules/.cache/pospay-electron-abi` (ELECTRON_ABI_CACHE_DIR). */
  cacheDir: string;
  exists: (file: string) => boolean;
  /** app.isPackaged: an installed app rather than a checkout. */
  packaged: boolean;
  /** process.resourcesPath of an installed app. */
  resourcesPath?: string | undefined;
}

export class NativeBindingMissingError extends Error {
  readonly code = 'native-binding-missing';
  constructor(message: string) {
    super(message);
    this.name = 'NativeBindingMissingError';
  }
}

/** The Electron-ABI build for `electronVersion` in `cacheDir`. */
export function cachedBindingPath(cacheDir: string, electronVersion: string): string {
  return path.join(cacheDir, electronVersion, BETTER_SQLITE_ADDON);
}

/** The addon electron-builder packs (rebuilt for Electron, outside the asar). */
export function packagedBindingPath(resourcesPath: string): string {
  return path.join(
    resourcesPath,
    'app.asar.unpacked',
    'node_modules',
    'better-sqlite3',
    'build',
    'Release',
    BETTER_SQLITE_ADDON,
  );
}

/**
 * The `nativeBinding` to open the journal with, or undefined for better-sqlite3's default.
 * Throws NativeBindingMissingError (saying how to get it) when Electron has no build to load.
 */
export function betterSqliteBinding(inputs: BindingInputs): string | undefined {
  const electron = inputs.versions.electron;
  if (!electron) return undefined;
  const abi = inputs.versions.modules ? ` (ABI ${inputs.versions.modules})` : '';
  if (inputs.packaged) {
    if (!inputs.resourcesPath) {
      throw new NativeBindingMissingError(
        'The installed app does not know its resources folder: reinstall PosPay.',
      );
    }
    const file = packagedBindingPath(inputs.resourcesPath);
    if (inputs.exists(file)) return file;
    throw new NativeBindingMissingError(
      `The installation is incomplete: ${file} (the journal's SQLite driver for Electron ${electron}${abi}) is missing. Reinstall PosPay.`,
    );
  }
  const file = cachedBindingPath(inputs.cacheDir, electron);
  if (inputs.exists(file)) return file;
  throw new NativeBindingMissingError(
    `better-sqlite3 has no build for Electron ${electron}${abi} yet (${file} is missing); ` +
      'the one in node_modules is for Node and would crash Electron. Run "npm start" once with ' +
      'network access (it downloads or builds it), or "node scripts/electron-native.mjs".',
  );
}
