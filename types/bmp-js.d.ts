/** @module Types for bmp-js, which ships none: the BMP codec behind our BMP support (sharp reads no BMP). */
declare module 'bmp-js' {
  export interface BmpImage {
    /** ABGR, 4 bytes per pixel. */
    data: Buffer;
    width: number;
    height: number;
  }
  export function decode(buffer: Buffer): BmpImage;
  export function encode(image: BmpImage, quality?: number): { data: Buffer; width: number; height: number };
  const bmp: { decode: typeof decode; encode: typeof encode };
  export default bmp;
}
