/**
 * @module Backbone features of every comparison image under all 8 views, for one colour
 * normalisation, with every layer's pooled activations (slice them per candidate). Cached in the
 * OS temp folder by backbone fingerprint and image contents, so reruns only refit heads.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backboneWeightsDir } from '../../datasets/paths';
import { Backbone } from '../../server/ml/backbone';
import { decodeRgb, INPUT_SIZE, scaleRgb, VIEWS, type ColourNormalisation } from '../../server/ml/image';
import { LAYERS, layerWidth, type Layer } from '../../server/ml/mobilenet-v2';
import type { Item } from './data';
import { jitter } from './jitter';

const CACHE_DIR = path.join(tmpdir(), 'cvlab-model-comparison');

/** features[i][v]: all layers of image i under VIEWS[v], concatenated in LAYERS order. */
export type AllFeatures = Float32Array[][];

/** Offsets of each layer inside an all-layers vector. */
const OFFSETS = new Map<Layer, number>();
LAYERS.reduce((at, layer) => (OFFSETS.set(layer, at), at + layerWidth(layer)), 0);

/** The chosen layers' part of an all-layers vector, concatenated in the order given. */
export function selectLayers(all: Float32Array, layers: readonly Layer[]): Float32Array {
  if (layers.length === 1) {
    const at = OFFSETS.get(layers[0])!;
    return all.subarray(at, at + layerWidth(layers[0]));
  }
  const out = new Float32Array(layers.reduce((s, l) => s + layerWidth(l), 0));
  let o = 0;
  for (const layer of layers) {
    const at = OFFSETS.get(layer)!;
    out.set(all.subarray(at, at + layerWidth(layer)), o);
    o += layerWidth(layer);
  }
  return out;
}

async function cached(key: string, count: number, dim: number, compute: () => Promise<Float32Array[][]>): Promise<AllFeatures> {
  const file = path.join(CACHE_DIR, `${key}.f32`);
  if (existsSync(file)) {
    const raw = readFileSync(file);
    const flat = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    if (flat.length === count * VIEWS.length * dim) {
      return Array.from({ length: count }, (_, i) => VIEWS.map((__, v) => flat.subarray((i * VIEWS.length + v) * dim, (i * VIEWS.length + v + 1) * dim)));
    }
  }
  const result = await compute();
  mkdirSync(CACHE_DIR, { recursive: true });
  const flat = new Float32Array(count * VIEWS.length * dim);
  result.forEach((views, i) => views.forEach((f, v) => flat.set(f, (i * VIEWS.length + v) * dim)));
  writeFileSync(file, flat);
  return result;
}

/**
 * All-layer features of every item under the 8 views at input side `size` (224, or smaller: the
 * scale augmentation); with `jitterSeed`, of a colour-jittered copy of each image instead (seeded
 * per image, the same copy for all its views).
 */
export async function allFeatures(items: Item[], colour: ColourNormalisation, options: { jitterSeed?: number; size?: number } = {}): Promise<AllFeatures> {
  const { jitterSeed, size = INPUT_SIZE } = options;
  const backbone = await Backbone.load(backboneWeightsDir(), { preprocess: { colour }, layers: LAYERS });
  try {
    const contents = createHash('sha256');
    for (const it of items) contents.update(it.bytes);
    const key = `${backbone.fingerprint.slice(0, 16)}-${contents.digest('hex').slice(0, 16)}-${size}${jitterSeed === undefined ? '' : `-jitter${jitterSeed}`}`;
    return await cached(key, items.length, backbone.dim, async () => {
      const started = performance.now();
      const out: Float32Array[][] = [];
      for (const [i, it] of items.entries()) {
        const decoded = await decodeRgb(it.bytes);
        const rgb = await scaleRgb(jitterSeed === undefined ? decoded : jitter(decoded, jitterSeed * 100_003 + i), size);
        out.push(await backbone.embedPixels(VIEWS.map((view) => ({ rgb, view })), size));
      }
      const label = `${colour} at ${size} px${jitterSeed === undefined ? '' : `, jitter ${jitterSeed}`}`;
      console.error(`  [${label}] ${items.length} images x 8 views in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return out;
    });
  } finally {
    await backbone.close();
  }
}
