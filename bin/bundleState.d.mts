export declare const MANIFEST_VERSION: number;

/** [size, mtimeMs] of a file, or null when it cannot be stat'ed. */
export declare function fingerprint(file: string): [number, number] | null;

export type BundleState =
  | { state: 'fresh'; reason?: undefined }
  | { state: 'prebuilt'; reason?: undefined }
  | { state: 'stale'; reason: string }
  | { state: 'missing'; reason: string };

/** The state of the bundle whose manifest is `manifestFile` (relative to `root` or absolute). */
export declare function bundleState(root: string, manifestFile: string): BundleState;

/** True when the bundle can be run as it is (fresh, or prebuilt with no sources here). */
export declare function isUsable(state: BundleState): boolean;
