export declare const POSPAY_V8_FLAGS: readonly string[];
