export declare const POSPAY_V8_FLAGS: readonly string[];
/** The flags of POSPAY_V8_FLAGS not in effect given a process's execArgv and NODE_OPTIONS. */
export declare function missingV8Flags(
  execArgv: readonly string[],
  nodeOptions?: string | undefined,
): string[];
