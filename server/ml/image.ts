/** @module Image decoding, validation and conversion to the backbone's 3x224x224 input tensor (with dihedral views). */
import sharp = require('sharp');

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'bmp';

/** Width and height are as displayed, i.e. after EXIF orientation. */
export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Anything that is not a fully decodable JPEG, PNG, GIF or BMP. */
export class ImageDecodeError extends Error {
  readonly code = 'ImageDecodeError';
  constructor(message: string) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

/** Side of the square backbone input. */
export const INPUT_SIZE = 224;

/**
 * The 8 symmetries of the square. `flip` mirrors left-right; `flip-rotN` mirrors then rotates N degrees
 * clockwise. Listed so that every prefix of length 1, 2, 4 and 8 is a group (closed under composition),
 * which makes "the first k views" a sensible augmentation/TTA set.
 */
export const VIEWS = ['identity', 'flip', 'flip-rot180', 'rot180', 'rot90', 'rot270', 'flip-rot90', 'flip-rot270'] as const;
export type View = (typeof VIEWS)[number];

/** One way of showing an image to the network: a dihedral view of it, at an input side (224, or smaller: see scaleRgb). */
export interface Variant {
  view: View;
  size: number;
}

/** A variant's name: `rot90`, or `rot90@112` below the full size (feature-cache keys, lookups). */
export function variantName(v: Variant): string {
  return v.size === INPUT_SIZE ? v.view : `${v.view}@${v.size}`;
}

/** The given views at the full input size. */
export function fullSize(views: readonly View[]): Variant[] {
  return views.map((view) => ({ view, size: INPUT_SIZE }));
}

/**
 * How pixel values become network inputs, inside the backbone graph (preprocess-graph.ts says
 * exactly how):
 * - `imagenet`: the backbone's own normalisation, (v/255 - mean) / std with the ImageNet statistics;
 * - `gray-world`, `shades-of-grey`: colour constancy first (per-image channel gains that remove a
 *   colour cast, keeping brightness), then ImageNet's;
 * - `mean-match`: per-image channel gains that bring each channel's mean to ImageNet's (cast and
 *   brightness), then ImageNet's;
 * - `per-image`: each channel standardised with the image's own mean and std (cast, brightness and contrast).
 */
export type ColourNormalisation = 'imagenet' | 'gray-world' | 'shades-of-grey' | 'mean-match' | 'per-image';

export interface PreprocessOptions {
  colour: ColourNormalisation;
}

/**
 * Bump when any pixel-level rule below changes (resize rule, kernel, normalisation maths):
 * it is part of the backbone fingerprint, so cached features computed the old way stop matching.
 */
export const PREPROCESS_VERSION = 'cover224-lanczos3-centre/in-graph-normalisation/v3';

// Sharp's own decompression-bomb guard (16383^2): accepts the 10240x10240 maximum with room to spare.
const MAX_PIXELS = 0x3fff * 0x3fff;

/** Format by magic bytes: the upload's declared type or file name is never trusted. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 6 && bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x38) return 'gif';
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  return undefined;
}

// ---------------------------------------------------------------------------------------------- BMP

interface BmpDecoded {
  width: number;
  height: number;
  data: Buffer; // ABGR, 4 bytes per pixel (bmp-js's layout)
}
// bmp-js ships no types; this is the slice of its API used here.
const bmpJs = require('bmp-js') as { decode(buffer: Buffer): BmpDecoded };

/**
 * bmp-js trusts the file blindly: it ignores the pixel-data offset (so V4/V5 headers decode as garbage),
 * reads BI_BITFIELDS 32-bit pixels in the wrong byte order, and allocates whatever size the header claims.
 * So validate the header here and rewrite the file as a plain BITMAPINFOHEADER bitmap bmp-js reads correctly.
 */
function normaliseBmp(bytes: Buffer): Buffer {
  if (bytes.length < 54) throw new ImageDecodeError('BMP file is truncated');
  const dataOffset = bytes.readUInt32LE(10);
  const headerSize = bytes.readUInt32LE(14);
  if (headerSize !== 40 && headerSize !== 52 && headerSize !== 56 && headerSize !== 108 && headerSize !== 124) {
    throw new ImageDecodeError(`unsupported BMP header (size ${headerSize})`);
  }
  const width = bytes.readInt32LE(18);
  const height = bytes.readInt32LE(22);
  const planes = bytes.readUInt16LE(26);
  const bpp = bytes.readUInt16LE(28);
  let compression = bytes.readUInt32LE(30);
  const colours = bytes.readUInt32LE(46);
  const absHeight = Math.abs(height);
  if (width <= 0 || height === 0 || planes !== 1) throw new ImageDecodeError('invalid BMP dimensions');
  if (width * absHeight > MAX_PIXELS) throw new ImageDecodeError('BMP image is too large');
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new ImageDecodeError(`unsupported BMP bit depth ${bpp}`);

  // Bit masks follow a 40-byte header, or sit inside larger headers at the same place.
  let masks: Buffer | undefined;
  if (compression === 3 || compression === 6) {
    if (bpp !== 16 && bpp !== 32) throw new ImageDecodeError('invalid BMP bitfields');
    if (bytes.length < 14 + 40 + 16) throw new ImageDecodeError('BMP file is truncated');
    masks = bytes.subarray(14 + 40, 14 + 40 + 16);
    if (bpp === 32) {
      const standard = masks.readUInt32LE(0) === 0xff0000 && masks.readUInt32LE(4) === 0xff00 && masks.readUInt32LE(8) === 0xff;
      if (!standard) throw new ImageDecodeError('unsupported BMP channel masks');
      // Standard BGRA masks are exactly the uncompressed 32-bit layout.
      compression = 0;
      masks = undefined;
    } else {
      compression = 3;
      masks = masks.subarray(0, 16);
    }
  }
  const rle = (compression === 1 && bpp === 8) || (compression === 2 && bpp === 4);
  if (compression !== 0 && compression !== 3 && !rle) throw new ImageDecodeError(`unsupported BMP compression ${compression}`);

  const paletteEntries = bpp <= 8 ? (colours === 0 ? 1 << bpp : colours) : 0;
  if (paletteEntries > 1 << bpp) throw new ImageDecodeError('invalid BMP palette');
  const paletteStart = 14 + headerSize + (headerSize === 40 && masks ? 12 : 0);
  const palette = bytes.subarray(paletteStart, paletteStart + 4 * paletteEntries);
  if (palette.length !== 4 * paletteEntries) throw new ImageDecodeError('BMP file is truncated');
  if (dataOffset > bytes.length) throw new ImageDecodeError('BMP file is truncated');
  const pixels = bytes.subarray(dataOffset);
  if (!rle) {
    const rowBytes = Math.ceil((width * bpp) / 32) * 4;
    if (pixels.length < rowBytes * absHeight) throw new ImageDecodeError('BMP file is truncated');
  }

  const out = Buffer.alloc(14 + 40 + (masks ? 16 : 0) + palette.length + pixels.length);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(14 + 40 + (masks ? 16 : 0) + palette.length, 10);
  bytes.copy(out, 14, 14, 14 + 40);
  out.writeUInt32LE(40, 14);
  out.writeUInt32LE(compression, 30);
  out.writeUInt32LE(paletteEntries, 46);
  let at = 54;
  if (masks) at += masks.copy(out, at);
  at += palette.copy(out, at);
  pixels.copy(out, at);
  return out;
}

/** Decodes a BMP into a sharp pipeline over raw RGB pixels. */
function bmpToSharp(bytes: Buffer): sharp.Sharp {
  let decoded: BmpDecoded;
  try {
    decoded = bmpJs.decode(normaliseBmp(bytes));
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    // bmp-js signals truncated RLE data etc. only by reading past the buffer end.
    throw new ImageDecodeError(`corrupt BMP: ${(err as Error).message}`);
  }
  const { width, height, data } = decoded;
  const rgb = Buffer.allocUnsafe(width * height * 3);
  for (let i = 0, o = 0; o < rgb.length; i += 4, o += 3) {
    rgb[o] = data[i + 3];
    rgb[o + 1] = data[i + 2];
    rgb[o + 2] = data[i + 1];
  }
  return sharp(rgb, { raw: { width, height, channels: 3 }, limitInputPixels: MAX_PIXELS });
}

// ------------------------------------------------------------------------------------------ decoding

/** A sharp pipeline that fails on corrupt or truncated data and applies EXIF orientation. */
function open(bytes: Buffer): { format: ImageFormat; pipeline: sharp.Sharp } {
  const format = sniffFormat(bytes);
  if (!format) throw new ImageDecodeError('not a JPEG, PNG, GIF or BMP image');
  if (format === 'bmp') return { format, pipeline: bmpToSharp(bytes) };
  // failOn 'error' rejects truncated and corrupt pixel data but tolerates harmless warnings
  // (e.g. extraneous bytes in otherwise fine JPEGs) that 'warning' would refuse.
  return { format, pipeline: sharp(bytes, { failOn: 'error', autoOrient: true, limitInputPixels: MAX_PIXELS }) };
}

async function decodeOrThrow<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    throw new ImageDecodeError(`image could not be decoded: ${(err as Error).message}`);
  }
}

/**
 * Format and displayed size of an image, after decoding every pixel: a header alone would let truncated
 * or corrupt files through, and those must be refused at upload rather than break training later.
 */
export async function inspectImage(bytes: Buffer): Promise<ImageInfo> {
  return decodeOrThrow(async () => {
    const { format, pipeline } = open(bytes);
    // Decoding to a tiny thumbnail still reads all compressed data (so truncation is caught), but lets
    // JPEG shrink-on-load skip most of the work for huge photos.
    await pipeline.clone().resize(8, 8, { fit: 'inside' }).raw().toBuffer();
    const meta = await pipeline.metadata();
    // Raw (BMP) input has no EXIF; sharp then reports no separate oriented size.
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    return { format, width, height };
  });
}

/**
 * The image as 224x224 sRGB pixels, HWC uint8. Resize rule (documented for the service): EXIF orientation
 * applied, shorter side scaled to 224 (Lanczos3), then the centre 224x224 cropped: aspect ratio is kept and
 * the borders of long images are dropped. Alpha is discarded; grey, palette, CMYK and 16-bit are converted.
 * Animated GIFs use their first frame.
 */
export async function decodeRgb(bytes: Buffer): Promise<Uint8Array> {
  return (await decodeImage(bytes)).rgb;
}

/** decodeRgb plus what inspectImage tells, from a single decode (the prediction path needs both). */
export async function decodeImage(bytes: Buffer): Promise<{ rgb: Uint8Array; info: ImageInfo }> {
  return decodeOrThrow(async () => {
    const { format, pipeline } = open(bytes);
    const meta = await pipeline.metadata();
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    // Resizing 224 to 224 gives back the same pixels: skipping it saves a millisecond per prediction.
    const sized = width === INPUT_SIZE && height === INPUT_SIZE ? pipeline : pipeline.resize(INPUT_SIZE, INPUT_SIZE, { fit: 'cover', position: 'centre', kernel: 'lanczos3' });
    const { data, info } = await sized
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.width !== INPUT_SIZE || info.height !== INPUT_SIZE || info.channels !== 3) {
      throw new ImageDecodeError(`unexpected decoded layout ${info.width}x${info.height}x${info.channels}`);
    }
    return {
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      info: { format, width, height },
    };
  });
}

// ---------------------------------------------------------------------------------------- views

/** Source pixel index for each output pixel of a view, on the S x S grid. */
function viewIndex(view: View, size: number): Int32Array {
  const m = size - 1;
  const idx = new Int32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sy: number;
      let sx: number;
      switch (view) {
        case 'identity': sy = y; sx = x; break;
        case 'rot90': sy = m - x; sx = y; break; // clockwise
        case 'rot180': sy = m - y; sx = m - x; break;
        case 'rot270': sy = x; sx = m - y; break;
        case 'flip': sy = y; sx = m - x; break;
        case 'flip-rot90': sy = m - x; sx = m - y; break;
        case 'flip-rot180': sy = m - y; sx = x; break;
        case 'flip-rot270': sy = x; sx = y; break;
      }
      idx[y * size + x] = sy * size + sx;
    }
  }
  return idx;
}

// Pure lookup tables (no mutable state): built once per view and size, then shared.
const viewTables = new Map<string, Int32Array>();
function viewTable(view: View, size: number): Int32Array {
  const key = `${view}/${size}`;
  let t = viewTables.get(key);
  if (!t) viewTables.set(key, (t = viewIndex(view, size)));
  return t;
}

/** Applies a view to square HWC RGB pixels (used by tests; rgbTensor indexes the same tables). */
export function applyView(rgb: Uint8Array, view: View, size = INPUT_SIZE): Uint8Array {
  const table = viewTable(view, size);
  const out = new Uint8Array(rgb.length);
  for (let p = 0; p < table.length; p++) {
    const s = table[p] * 3;
    out[p * 3] = rgb[s];
    out[p * 3 + 1] = rgb[s + 1];
    out[p * 3 + 2] = rgb[s + 2];
  }
  return out;
}

/**
 * HWC uint8 square RGB (side `size`, 224 by default) -> CHW float32 raw values (0-255) for one view:
 * the backbone's input. The normalisation happens inside the backbone graph (preprocess-graph.ts), so
 * exported models take the very same input. Writes into `out` when given (a slot of a batch tensor).
 */
export function rgbTensor(rgb: Uint8Array, view: View = 'identity', out = new Float32Array(rgb.length), size = INPUT_SIZE): Float32Array {
  const plane = size * size;
  if (rgb.length !== plane * 3) throw new RangeError(`expected ${plane * 3} bytes of RGB, got ${rgb.length}`);
  if (out.length !== plane * 3) throw new RangeError(`expected a ${plane * 3}-value output tensor, got ${out.length}`);
  if (view === 'identity') {
    // The prediction path: a straight HWC -> CHW copy, without the view table's indirection.
    for (let p = 0, s = 0; p < plane; p++, s += 3) {
      out[p] = rgb[s];
      out[plane + p] = rgb[s + 1];
      out[2 * plane + p] = rgb[s + 2];
    }
    return out;
  }
  const table = viewTable(view, size);
  for (let p = 0; p < plane; p++) {
    const s = table[p] * 3;
    out[p] = rgb[s];
    out[plane + p] = rgb[s + 1];
    out[2 * plane + p] = rgb[s + 2];
  }
  return out;
}

/**
 * The 224x224 pixels scaled down to `size` x `size` (Lanczos3), HWC uint8: the same ground seen
 * from further away, with fewer pixels. Used as a training augmentation (see TrainingConfig.scales).
 */
export async function scaleRgb(rgb: Uint8Array, size: number): Promise<Uint8Array> {
  if (size === INPUT_SIZE) return rgb;
  const data = await sharp(rgb, { raw: { width: INPUT_SIZE, height: INPUT_SIZE, channels: 3 } })
    .resize(size, size, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Decode + one view: the 3x224x224 CHW tensor the backbone takes. Its values are raw 0-255 RGB because the
 * backbone graph normalises them itself (preprocess-graph.ts), so the service and exported models agree.
 */
export async function imageTensor(bytes: Buffer, view: View = 'identity'): Promise<Float32Array> {
  return rgbTensor(await decodeRgb(bytes), view);
}
