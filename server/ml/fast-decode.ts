/**
 * @module A faster decoder for the images the lab sends most: plain 224x224 RGB PNGs. sharp spends
 * ~2.7 ms on one (mostly fixed per-call cost); @napi-rs/image decodes it in ~0.8 ms with the very
 * same pixels (asserted on every lab image by test/server/ml/fast-decode.test.ts). Anything else
 * (other sizes, alpha, palette, 16-bit, interlaced, or colour/orientation metadata that sharp
 * would apply) goes through sharp, so the pixels never depend on which path was taken.
 */
import { Transformer } from '@napi-rs/image';
import { decodeImage, ImageDecodeError, INPUT_SIZE, type ImageInfo } from './image';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Chunks that make sharp change the pixels (ICC transform, EXIF orientation) or hint it might (gamma, primaries). */
const SHARP_APPLIES = new Set(['iCCP', 'eXIf', 'gAMA', 'cHRM']);
const RGB_TRUECOLOUR = 2;

/**
 * True when the PNG header says 224x224, 8-bit RGB, not interlaced, with none of SHARP_APPLIES.
 * Reads only chunk headers (length + type), never pixel data; a malformed layout is not plain.
 */
export function isPlainRgbPng224(bytes: Uint8Array): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 33 || !buf.subarray(0, 8).equals(PNG_SIGNATURE) || buf.toString('latin1', 12, 16) !== 'IHDR') return false;
  const [width, height] = [buf.readUInt32BE(16), buf.readUInt32BE(20)];
  const [bitDepth, colourType, interlace] = [buf[24], buf[25], buf[28]];
  if (width !== INPUT_SIZE || height !== INPUT_SIZE || bitDepth !== 8 || colourType !== RGB_TRUECOLOUR || interlace !== 0) return false;
  for (let at = 8; at + 8 <= buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (SHARP_APPLIES.has(type)) return false;
    if (type === 'IEND') return true;
    at += 12 + length; // length, type, data, CRC
  }
  return false; // no IEND: truncated, let sharp report it
}

/**
 * decodeImage's result (224x224 HWC RGB plus format and size), synchronously for plain 224x224
 * RGB PNGs and through sharp otherwise. Throws ImageDecodeError for corrupt or truncated data.
 */
export async function decodeForInference(bytes: Buffer): Promise<{ rgb: Uint8Array; info: ImageInfo }> {
  if (!isPlainRgbPng224(bytes)) return decodeImage(bytes);
  let pixels: Buffer;
  try {
    pixels = new Transformer(bytes).rawPixelsSync();
  } catch (error) {
    throw new ImageDecodeError(`image could not be decoded: ${(error as Error).message}`);
  }
  if (pixels.length !== INPUT_SIZE * INPUT_SIZE * 3) throw new ImageDecodeError(`unexpected decoded size ${pixels.length} bytes`);
  return {
    rgb: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength),
    info: { format: 'png', width: INPUT_SIZE, height: INPUT_SIZE },
  };
}
