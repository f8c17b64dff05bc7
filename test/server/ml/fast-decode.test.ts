/** The fast PNG path gives exactly sharp's pixels, and only takes the images where that holds. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import sharp = require('sharp');
import { datasetDir } from '../../../datasets/paths';
import { decodeForInference, isPlainRgbPng224 } from '../../../server/ml/fast-decode';
import { decodeImage, ImageDecodeError } from '../../../server/ml/image';
import { imageFiles, readImage } from '../../support/dataset';

const labImages = () =>
  readdirSync(datasetDir(), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.png'))
    .map((f) => path.join(datasetDir(), f));

/** A PNG chunk with its length and CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return out;
}

/** Chunk types of a PNG, in file order. */
function chunkTypes(png: Buffer): string[] {
  const types: string[] = [];
  for (let at = 8; at + 8 <= png.length; at += 12 + png.readUInt32BE(at)) types.push(png.toString('latin1', at + 4, at + 8));
  return types;
}

describe('decodeForInference', () => {
  it('decodes every lab image on the fast path to the very pixels sharp gives', async () => {
    const files = labImages();
    assert.ok(files.length >= 500, `expected the whole lab dataset, found ${files.length} images`);
    for (const file of files) {
      const bytes = readImage(file);
      assert.ok(isPlainRgbPng224(bytes), `${file} should take the fast path`);
      const [fast, slow] = await Promise.all([decodeForInference(bytes), decodeImage(bytes)]);
      assert.deepEqual(fast.info, slow.info);
      assert.ok(Buffer.from(fast.rgb).equals(Buffer.from(slow.rgb)), `pixels differ for ${file}`);
    }
  });

  it('leaves to sharp every PNG whose pixels sharp would change or that needs more than decoding', async () => {
    const lab = readImage(imageFiles('test', 'Barren')[0]);
    const variants: Record<string, Buffer> = {
      'an ICC profile': await sharp(lab).withIccProfile('p3').png().toBuffer(),
      'EXIF orientation': await sharp(lab).withMetadata({ orientation: 6 }).png().toBuffer(),
      'an alpha channel': await sharp(lab).ensureAlpha(0.5).png().toBuffer(),
      'a palette': await sharp(lab).png({ palette: true }).toBuffer(),
      'grey levels': await sharp(lab).toColourspace('b-w').png().toBuffer(),
      '16-bit samples': await sharp(lab).toColourspace('rgb16').png().toBuffer(),
      'interlacing': await sharp(lab).png({ progressive: true }).toBuffer(),
      'another size': await sharp(lab).resize(300, 224).png().toBuffer(),
      'JPEG encoding': await sharp(lab).jpeg().toBuffer(),
    };
    assert.ok(chunkTypes(variants['an ICC profile']).includes('iCCP'));
    assert.ok(chunkTypes(variants['EXIF orientation']).includes('eXIf'));
    for (const [what, bytes] of Object.entries(variants)) {
      assert.equal(isPlainRgbPng224(bytes), false, `a PNG with ${what} must go through sharp`);
      const [ours, sharps] = [await decodeForInference(bytes), await decodeImage(bytes)];
      assert.deepEqual(ours, sharps, what);
    }
    // The profile really changes the pixels: taking the fast path here would have been wrong.
    assert.notDeepEqual((await decodeImage(variants['an ICC profile'])).rgb, (await decodeImage(lab)).rgb);
  });

  it('refuses corrupt and truncated PNGs on the fast path, as sharp does', async () => {
    const lab = readImage(imageFiles('test', 'Cultivated')[0]);
    const corrupt = Buffer.from(lab);
    for (let i = 4000; i < 4100; i++) corrupt[i] ^= 0x55;
    // Well-formed chunks around a compressed stream cut in half: only decoding can tell.
    const idatLength = lab.readUInt32BE(33);
    assert.equal(lab.toString('latin1', 37, 41), 'IDAT');
    const truncated = Buffer.concat([lab.subarray(0, 33), chunk('IDAT', lab.subarray(41, 41 + idatLength / 2)), chunk('IEND', Buffer.alloc(0))]);
    for (const [what, bytes] of Object.entries({ corrupt, truncated })) {
      assert.ok(isPlainRgbPng224(bytes), `the ${what} file still looks plain from its chunk headers`);
      await assert.rejects(decodeForInference(bytes), ImageDecodeError, what);
      await assert.rejects(decodeImage(bytes), ImageDecodeError, what);
    }
    // Cut without its IEND, a file is not plain at all: sharp reports it.
    await assert.rejects(decodeForInference(lab.subarray(0, 5000)), ImageDecodeError);
  });
});
