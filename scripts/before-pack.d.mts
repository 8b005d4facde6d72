import type { NativeStep } from './electron-native.mjs';

export declare const PACK_NATIVE_DIR: string;
export declare function packNativeDir(projectRoot: string, platform: string, arch: string): string;

export interface BinaryTarget {
  platform: 'win32' | 'linux' | 'darwin';
  arch: string;
  /** PE files only: PE32+ (64-bit) rather than PE32. */
  pe32plus?: boolean;
}
export declare function binaryTarget(bytes: Uint8Array): BinaryTarget | null;
export declare function assertBinaryFor(file: string, platform: string, arch: string): void;
export declare function defaultSteps(platform: string, arch: string): NativeStep[];

export interface PrepareOptions {
  projectRoot?: string;
  electronVersion: string | undefined;
  platform: string;
  arch: string;
  steps?: readonly NativeStep[];
  log?(line: string): void;
  env?: Record<string, string | undefined>;
  electronPath?: string | undefined;
  /** Where to leave it (default packNativeDir()). */
  dir?: string;
}
export declare function prepareBetterSqliteForPack(
  options: PrepareOptions,
): Promise<{ path: string; how: string }>;

export interface BeforePackContext {
  electronPlatformName: string;
  arch: number;
  packager?: { projectDir?: string; info?: { framework?: { version?: string } } };
}
export declare function createBeforePack(
  options?: Partial<Pick<PrepareOptions, 'dir' | 'steps' | 'log' | 'env'>>,
): (context: BeforePackContext) => Promise<void>;
declare const beforePack: (context: BeforePackContext) => Promise<void>;
export default beforePack;
