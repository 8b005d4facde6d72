export declare const ICON_SIZES: readonly number[];
/** RGBA pixels (top row first) of the icon at `size` px. */
export declare function drawIcon(size: number): Buffer;
export declare function encodePng(size: number, rgba: Buffer): Buffer;
export declare function encodeBmp(size: number, rgba: Buffer): Buffer;
export declare function encodeIco(sizes?: readonly number[]): Buffer;
