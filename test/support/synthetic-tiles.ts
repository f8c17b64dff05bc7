/**
 * @module Small made-up aerial-like tiles (64x64 JPEG) for fixtures that are committed: the lab's
 * dataset is provisioned, never committed, so committed fixtures must not carry its images.
 */
import sharp from 'sharp';

export type TileKind = 'Barren' | 'Cultivated' | 'Developed';

const SIDE = 64;

/** A deterministic tile: sandy noise (Barren), green field strips (Cultivated) or grey blocks (Developed). */
export function syntheticTile(kind: TileKind, index: number): Promise<Buffer> {
  const pixels = Buffer.alloc(SIDE * SIDE * 3);
  let seed = (index + 1) * 2654435761 + kind.length * 40503;
  const noise = (amplitude: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return ((seed >>> 16) / 65536 - 0.5) * amplitude;
  };
  const period = 6 + (index % 5) * 2;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      let rgb: [number, number, number];
      if (kind === 'Barren') rgb = [196, 168, 120];
      else if (kind === 'Cultivated') rgb = Math.floor((x + y * (index % 3)) / period) % 2 ? [70, 140, 60] : [140, 170, 80];
      else rgb = x % 16 < 12 && y % 16 < 12 ? [120 + (index % 4) * 10, 120, 125] : [60, 60, 65];
      const n = noise(kind === 'Barren' ? 50 : 20);
      rgb.forEach((value, c) => (pixels[(y * SIDE + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(value + n)))));
    }
  }
  return sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
}
