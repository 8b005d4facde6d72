import type { BuildOptions } from 'esbuild';

export interface Bundle {
  name: string;
  /** The outdir holds this bundle only (outputs of older builds are removed). */
  owned?: boolean;
  options: BuildOptions & { outdir: string; entryPoints: Record<string, string> };
}

export declare const root: string;
export declare const BUNDLES: readonly Bundle[];
export declare function manifestFile(bundle: Bundle): string;
export declare function findBundles(names?: readonly string[]): readonly Bundle[];
/** Builds one bundle and its manifest; outputs of older builds older than keepOldMs are removed. */
export declare function buildBundle(
  bundle: Bundle,
  before?: Map<string, [number, number] | null>,
  keepOldMs?: number,
): Promise<unknown>;
/** Builds the bundles named (all by default), only the stale ones unless `ifStale` is false. */
export declare function ensureBundles(options?: {
  only?: readonly string[];
  ifStale?: boolean;
}): Promise<string[]>;
