/** Image validation and decoding: what the service accepts, what it refuses, and the pixels the backbone gets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp = require('sharp');
import {
  applyView,
  decodeRgb,
  ImageDecodeError,
  INPUT_SIZE,
  imageTensor,
  inspectImage,
  rgbTensor,
  VIEWS,
  type View,
} from '../../../server/ml/image';

const bmpJs = require('bmp-js') as { encode(img: { data: Buffer; width: number; height: number }): { data: Buffer } };

/** A width x height image: left half red, right half blue. */
function halves(width: number, height: number): sharp.Sharp {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (x < width / 2) px[o] = 255;
      else px[o + 2] = 255;
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } });
}

/** Hand-built 24-bit BMP (any header size, bottom-up or top-down) with one colour per row. */
function bmp24(width: number, height: number, rowColour: (y: number) => [number, number, number], headerSize = 40, topDown = false): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const offset = 14 + headerSize;
  const out = Buffer.alloc(offset + rowBytes * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(headerSize, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(topDown ? -height : height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++) {
    const fileRow = topDown ? y : height - 1 - y;
    const [r, g, b] = rowColour(y);
    for (let x = 0; x < width; x++) {
      const o = offset + fileRow * rowBytes + x * 3;
      out[o] = b;
      out[o + 1] = g;
      out[o + 2] = r;
    }
  }
  return out;
}

const pixel = (rgb: Uint8Array, x: number, y: number) => Array.from(rgb.subarray((y * INPUT_SIZE + x) * 3, (y * INPUT_SIZE + x) * 3 + 3));

async function rejects(bytes: Buffer, why: string): Promise<void> {
  await assert.rejects(inspectImage(bytes), (err: unknown) => err instanceof ImageDecodeError, why);
  await assert.rejects(decodeRgb(bytes), (err: unknown) => err instanceof ImageDecodeError, why);
}

describe('inspectImage', () => {
  it('accepts PNG, JPEG, GIF and BMP and reports their format and size', async () => {
    const base = halves(40, 30);
    assert.deepEqual(await inspectImage(await base.clone().png().toBuffer()), { format: 'png', width: 40, height: 30 });
    assert.deepEqual(await inspectImage(await base.clone().jpeg().toBuffer()), { format: 'jpeg', width: 40, height: 30 });
    assert.deepEqual(await inspectImage(await base.clone().gif().toBuffer()), { format: 'gif', width: 40, height: 30 });
    const abgr = Buffer.alloc(40 * 30 * 4, 0x80);
    assert.deepEqual(await inspectImage(bmpJs.encode({ data: abgr, width: 40, height: 30 }).data), { format: 'bmp', width: 40, height: 30 });
  });

  it('rejects a corrupt PNG, a truncated JPEG, a truncated PNG or BMP, text and other formats', async () => {
    const png = await halves(64, 64).png({ compressionLevel: 0 }).toBuffer();
    const corrupt = Buffer.from(png);
    for (let i = 100; i < corrupt.length - 20; i += 50) corrupt[i] ^= 0xff;
    await rejects(corrupt, 'corrupt PNG');
    await rejects(png.subarray(0, png.length >> 1), 'truncated PNG');
    const noise = Buffer.from(Uint8Array.from({ length: 300 * 200 * 3 }, (_, i) => (i * 2654435761) >>> 24));
    const jpeg = await sharp(noise, { raw: { width: 300, height: 200, channels: 3 } }).jpeg().toBuffer();
    await rejects(jpeg.subarray(0, Math.floor(jpeg.length * 0.7)), 'truncated JPEG');
    await rejects(bmp24(20, 20, () => [1, 2, 3]).subarray(0, 600), 'truncated BMP');
    await rejects(Buffer.from('just some text, not an image\n'), 'text');
    await rejects(await halves(16, 16).webp().toBuffer(), 'WebP is not accepted');
    await rejects(Buffer.alloc(0), 'empty');
  });

  it('reports the displayed size of an EXIF-rotated JPEG', async () => {
    const rotated = await halves(40, 20).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    assert.deepEqual(await inspectImage(rotated), { format: 'jpeg', width: 20, height: 40 });
  });

  it('handles images up to 10240 pixels a side', async () => {
    const huge = await sharp({ create: { width: 10240, height: 10240, channels: 3, background: { r: 0, g: 128, b: 255 } } }).jpeg().toBuffer();
    assert.deepEqual(await inspectImage(huge), { format: 'jpeg', width: 10240, height: 10240 });
    const rgb = await decodeRgb(huge);
    const [r, g, b] = pixel(rgb, 112, 112);
    assert.ok(r < 20 && Math.abs(g - 128) < 20 && b > 235, `colour survives: ${[r, g, b]}`);
    const wide = await sharp({ create: { width: 10240, height: 300, channels: 3, background: '#808080' } }).png().toBuffer();
    assert.deepEqual(await inspectImage(wide), { format: 'png', width: 10240, height: 300 });
  });
});

describe('decodeRgb', () => {
  it('applies EXIF orientation before resizing and cropping', async () => {
    // Stored 40x20 left red / right blue; orientation 6 displays it rotated clockwise: top red, bottom blue.
    const rgb = await decodeRgb(await halves(40, 20).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
    const top = pixel(rgb, 112, 20);
    const bottom = pixel(rgb, 112, 200);
    assert.ok(top[0] > 200 && top[2] < 60, `top is red: ${top}`);
    assert.ok(bottom[2] > 200 && bottom[0] < 60, `bottom is blue: ${bottom}`);
  });

  it('resizes the shorter side to 224 and crops the centre', async () => {
    // 300x100: left half red, right half blue -> scaled to 672x224, centre 224 columns straddle the boundary.
    const rgb = await decodeRgb(await halves(300, 100).png().toBuffer());
    assert.equal(rgb.length, INPUT_SIZE * INPUT_SIZE * 3);
    assert.ok(pixel(rgb, 10, 100)[0] > 200, 'left of the crop is red');
    assert.ok(pixel(rgb, 213, 100)[2] > 200, 'right of the crop is blue');
    // A tiny image is upscaled.
    const small = await decodeRgb(await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 1 } } }).png().toBuffer());
    assert.deepEqual(pixel(small, 100, 100), [10, 20, 30]);
  });

  it('decodes BMPs with large headers, either row order, and bmp-js output', async () => {
    const colour = (y: number): [number, number, number] => (y < 10 ? [255, 0, 0] : [0, 0, 255]);
    for (const [headerSize, topDown] of [[40, false], [40, true], [124, false], [108, true]] as const) {
      const rgb = await decodeRgb(bmp24(20, 20, colour, headerSize, topDown));
      assert.deepEqual(pixel(rgb, 50, 20), [255, 0, 0], `header ${headerSize} topDown ${topDown}: top red`);
      assert.deepEqual(pixel(rgb, 50, 200), [0, 0, 255], `header ${headerSize} topDown ${topDown}: bottom blue`);
    }
    const abgr = Buffer.alloc(30 * 30 * 4);
    for (let i = 0; i < abgr.length; i += 4) abgr.set([0, 30, 20, 10], i); // A, B, G, R
    assert.deepEqual(pixel(await decodeRgb(bmpJs.encode({ data: abgr, width: 30, height: 30 }).data), 5, 5), [10, 20, 30]);
  });
});

describe('views', () => {
  // A 3x3 image whose red channel numbers the pixels row by row: 0 1 2 / 3 4 5 / 6 7 8.
  const grid = Uint8Array.from({ length: 27 }, (_, i) => (i % 3 === 0 ? i / 3 : 0));
  const reds = (rgb: Uint8Array) => Array.from({ length: 9 }, (_, p) => rgb[p * 3]);

  it('maps pixels as the named symmetries do', () => {
    assert.deepEqual(reds(applyView(grid, 'identity', 3)), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(reds(applyView(grid, 'rot90', 3)), [6, 3, 0, 7, 4, 1, 8, 5, 2]); // clockwise
    assert.deepEqual(reds(applyView(grid, 'rot180', 3)), [8, 7, 6, 5, 4, 3, 2, 1, 0]);
    assert.deepEqual(reds(applyView(grid, 'rot270', 3)), [2, 5, 8, 1, 4, 7, 0, 3, 6]);
    assert.deepEqual(reds(applyView(grid, 'flip', 3)), [2, 1, 0, 5, 4, 3, 8, 7, 6]);
    assert.deepEqual(reds(applyView(grid, 'flip-rot180', 3)), [6, 7, 8, 3, 4, 5, 0, 1, 2]);
    assert.deepEqual(reds(applyView(grid, 'flip-rot270', 3)), [0, 3, 6, 1, 4, 7, 2, 5, 8]);
  });

  it('lists the views so that the first 1, 2, 4 and 8 form groups', () => {
    const key = (rgb: Uint8Array) => reds(rgb).join();
    for (const size of [1, 2, 4, 8]) {
      const set = VIEWS.slice(0, size) as View[];
      const members = new Set(set.map((v) => key(applyView(grid, v, 3))));
      assert.equal(members.size, size);
      for (const a of set) for (const b of set) assert.ok(members.has(key(applyView(applyView(grid, a, 3), b, 3))), `${a} then ${b} stays in the first ${size}`);
    }
  });

  it('imageTensor is the decoded image under a view, as the backbone takes it', async () => {
    const png = await halves(50, 50).png().toBuffer();
    assert.deepEqual(await imageTensor(png, 'rot90'), rgbTensor(await decodeRgb(png), 'rot90'));
    assert.equal((await imageTensor(png)).length, 3 * INPUT_SIZE * INPUT_SIZE);
  });

  it('rgbTensor lays out a view as planar CHW raw values', () => {
    const rgb = Uint8Array.from({ length: INPUT_SIZE * INPUT_SIZE * 3 }, (_, i) => (i * 7) % 251);
    for (const view of VIEWS) {
      const viewed = applyView(rgb, view);
      const t = rgbTensor(rgb, view);
      const plane = INPUT_SIZE * INPUT_SIZE;
      for (const p of [0, 1, 777, plane - 1]) for (let c = 0; c < 3; c++) assert.equal(t[c * plane + p], viewed[p * 3 + c]);
    }
  });
});
