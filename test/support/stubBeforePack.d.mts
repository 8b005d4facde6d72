import type { BeforePackContext } from '../../scripts/before-pack.mjs';

/** The smallest file binaryTarget() reads as a PE32+ x64 DLL (no code: never loaded). */
export declare function minimalPe32Plus(machine?: number, magic?: number): Buffer;
declare const beforePack: (context: BeforePackContext) => Promise<void>;
export default beforePack;
