/** @module Colour, brightness and contrast jitter of 224x224 RGB pixels (a training-time augmentation candidate). */
import { seededRandom } from '../../server/ml/random';

export interface JitterRange {
  /** Brightness factor in [1 - b, 1 + b]. */
  brightness: number;
  /** Contrast factor (around the mean grey) in [1 - c, 1 + c]. */
  contrast: number;
  /** Saturation factor (blend with the pixel's grey) in [1 - s, 1 + s]. */
  saturation: number;
  /** Per-channel gain (a colour cast) in [1 - g, 1 + g]. */
  cast: number;
}

export const DEFAULT_JITTER: JitterRange = { brightness: 0.3, contrast: 0.3, saturation: 0.3, cast: 0.15 };

/** A jittered copy of HWC RGB pixels; the same seed gives the same copy. */
export function jitter(rgb: Uint8Array, seed: number, range: JitterRange = DEFAULT_JITTER): Uint8Array {
  const random = seededRandom(seed);
  const factor = (r: number) => 1 - r + 2 * r * random();
  const brightness = factor(range.brightness);
  const contrast = factor(range.contrast);
  const saturation = factor(range.saturation);
  const gains = [factor(range.cast), factor(range.cast), factor(range.cast)];
  let mean = 0;
  for (let i = 0; i < rgb.length; i += 3) mean += 0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2];
  mean /= rgb.length / 3;
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const grey = 0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2];
    for (let c = 0; c < 3; c++) {
      let v = grey + saturation * (rgb[i + c] - grey);
      v = mean + contrast * (v - mean);
      v *= brightness * gains[c];
      out[i + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return out;
}
