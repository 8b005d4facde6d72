export declare const ELECTRON_ABI_CACHE_DIR: string;
export declare const BETTER_SQLITE_ADDON: string;
export declare function electronAbiBinaryPath(root: string, electronVersion: string): string;

export interface NativeStepContext {
  root: string;
  /** A throw-away project holding a copy of better-sqlite3 (never the real one). */
  staging: string;
  /** `<staging>/node_modules/better-sqlite3`: a step leaves build/Release/better_sqlite3.node here. */
  moduleDir: string;
  electronVersion: string;
  platform: string;
  arch: string;
  env: Record<string, string | undefined>;
  log(line: string): void;
}

export interface NativeStep {
  name: string;
  label: string;
  run(context: NativeStepContext): Promise<void>;
}

export interface EnsureOptions {
  /** The Electron binary: the build is loaded there once (ELECTRON_RUN_AS_NODE) before it is kept. */
  electronPath?: string | undefined;
  log?(line: string): void;
  env?: Record<string, string | undefined>;
  platform?: string;
  arch?: string;
  steps?: readonly NativeStep[];
}

export interface EnsureResult {
  path: string;
  how: string;
}

export declare function ensureElectronNativeModules(
  root: string,
  electronVersion: string,
  options?: EnsureOptions,
): Promise<EnsureResult>;

export declare function downloadPrebuilt(context: NativeStepContext): Promise<void>;
export declare function rebuildFromSource(context: NativeStepContext): Promise<void>;
export declare function verifyInElectron(input: {
  electronPath: string;
  addon: string;
  root: string;
  env: Record<string, string | undefined>;
}): Promise<void>;
