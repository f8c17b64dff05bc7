/** @module The pretrained MobileNetV2 feature extractor: one reusable ONNX Runtime session, batched embedding. */
import * as ort from 'onnxruntime-node';
import { DEFAULT_BATCH_SIZE, DEFAULT_TRAINING_CONFIG } from './config';
import { featureDim, featureGraph, FEATURES_OUTPUT } from './graph';
import { decodeRgb, INPUT_SIZE, rgbTensor, scaleRgb, variantName, type PreprocessOptions, type Variant, type View } from './image';
import { readMobileNetV2Weights, type Layer } from './mobilenet-v2';
import { RAW_INPUT } from './preprocess-graph';

export interface BackboneOptions {
  /** Pixel normalisation before the network; part of the fingerprint. Default: DEFAULT_PREPROCESS. */
  preprocess?: PreprocessOptions;
  /** Layers whose pooled activations make the features; part of the fingerprint. Default: DEFAULT_TRAINING_CONFIG.layers. */
  layers?: readonly Layer[];
  /** Images per session run. Default 8 (measured fastest on the 2-core machine, see bench/ml-experiment.ts). */
  batchSize?: number;
  /** ONNX Runtime intra-op threads. Default 2 (one per core). */
  threads?: number;
}

/** Pixel normalisation chosen by bench/ml-experiment.ts (see DEFAULT_TRAINING_CONFIG). */
export const DEFAULT_PREPROCESS: PreprocessOptions = { colour: DEFAULT_TRAINING_CONFIG.colour };
export const DEFAULT_THREADS = 2;

export class Backbone {
  /** Feature-cache key: the feature graph's bytes (weights, normalisation, layers) + pixel rules. Features from different fingerprints never mix. */
  readonly fingerprint: string;
  /** Width of each feature vector. */
  readonly dim: number;
  readonly preprocess: PreprocessOptions;
  readonly batchSize: number;
  private session: ort.InferenceSession | undefined;
  /** The batch input buffer when no run is using it. */
  private spareInput: Float32Array | undefined;
  /** The run in progress, if any: close() lets it finish before releasing the session. */
  private running: Promise<unknown> = Promise.resolve();

  private constructor(session: ort.InferenceSession, fingerprint: string, dim: number, preprocess: PreprocessOptions, batchSize: number) {
    this.session = session;
    this.fingerprint = fingerprint;
    this.dim = dim;
    this.preprocess = preprocess;
    this.batchSize = batchSize;
  }

  /** The feature graph built from the float MobileNetV2 weights in `weightsDir` (see mobilenet-v2.ts). */
  static async load(weightsDir: string, options: BackboneOptions = {}): Promise<Backbone> {
    const preprocess = options.preprocess ?? DEFAULT_PREPROCESS;
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const layers = options.layers ?? DEFAULT_TRAINING_CONFIG.layers;
    const { bytes, fingerprint } = featureGraph(readMobileNetV2Weights(weightsDir), { colour: preprocess.colour, layers });
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.threads ?? DEFAULT_THREADS,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Spinning threads would steal the cores that sharp needs to decode the next batch meanwhile.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    return new Backbone(session, fingerprint, featureDim(layers), preprocess, batchSize);
  }

  /** `dim` float features per 3 x size x size raw-RGB input tensor, in order. */
  embed(tensors: Float32Array[], size = INPUT_SIZE): Promise<Float32Array[]> {
    const values = 3 * size * size;
    return this.runAll(tensors.length, size, (i, slot) => {
      if (tensors[i].length !== values) throw new RangeError(`input tensor ${i} has ${tensors[i].length} values, expected ${values}`);
      slot.set(tensors[i]);
    });
  }

  /** `dim` float features per square HWC RGB image (side `size`) under a view, written straight into the batch tensor. */
  embedPixels(images: { rgb: Uint8Array; view: View }[], size = INPUT_SIZE): Promise<Float32Array[]> {
    return this.runAll(images.length, size, (i, slot) => rgbTensor(images[i].rgb, images[i].view, slot, size));
  }

  private async runAll(count: number, side: number, write: (index: number, slot: Float32Array) => void): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < count; start += this.batchSize) {
      const size = Math.min(this.batchSize, count - start);
      out.push(...(await this.runBatch(size, side, (i, slot) => write(start + i, slot))));
    }
    return out;
  }

  private async runBatch(count: number, side: number, write: (index: number, slot: Float32Array) => void): Promise<Float32Array[]> {
    const session = this.session;
    if (!session) throw new Error('Backbone is closed');
    const values = 3 * side * side;
    // One input buffer serves every run (a fresh 600 KB per image adds copying and garbage collection).
    const spare = this.spareInput && this.spareInput.length >= this.batchSize * values ? this.spareInput : undefined;
    const buffer = spare ?? new Float32Array(this.batchSize * values);
    this.spareInput = undefined;
    try {
      const input = buffer.subarray(0, count * values);
      for (let i = 0; i < count; i++) write(i, input.subarray(i * values, (i + 1) * values));
      const feeds = { [RAW_INPUT]: new ort.Tensor('float32', input, [count, 3, side, side]) };
      const run = session.run(feeds, [FEATURES_OUTPUT]);
      this.running = run.catch(() => undefined);
      const result = await run;
      const data = result[FEATURES_OUTPUT].data as Float32Array;
      // Copies, so callers may keep single rows without pinning the whole batch.
      return Array.from({ length: count }, (_, i) => data.slice(i * this.dim, (i + 1) * this.dim));
    } finally {
      this.spareInput = buffer;
    }
  }

  /** Refuses new runs, lets the one in progress finish, and releases the session. */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await this.running;
    await session?.release();
  }
}

/**
 * Features for every variant of every image: result[i][k] is image i under variants[k]. Decoding of
 * the next batch overlaps the current network run (sharp works on its own threads). Throws
 * ImageDecodeError on a bad image.
 */
export async function embedImages(backbone: Backbone, images: Buffer[], variants: readonly Variant[]): Promise<Float32Array[][]> {
  if (variants.length === 0) throw new RangeError('at least one variant is needed');
  const sizes = [...new Set(variants.map((v) => v.size))];
  // Whole images per batch, so each run holds about batchSize tensors (the full-size run at least that many).
  const perBatch = Math.max(1, Math.ceil(backbone.batchSize / variants.length));
  const decodeBatch = (start: number) => Promise.all(images.slice(start, start + perBatch).map((b) => decodeRgb(b)));
  const result: Float32Array[][] = [];
  let next = images.length > 0 ? decodeBatch(0) : undefined;
  for (let start = 0; start < images.length; start += perBatch) {
    const rgbs = await next!;
    next = start + perBatch < images.length ? decodeBatch(start + perBatch) : undefined;
    // Keep a pending decode from becoming an unhandled rejection while we wait for the network.
    next?.catch(() => undefined);
    const rows: Float32Array[][] = rgbs.map(() => new Array<Float32Array>(variants.length));
    // One network run per input size: a batch tensor holds images of one size.
    for (const size of sizes) {
      const scaled = await Promise.all(rgbs.map((rgb) => scaleRgb(rgb, size)));
      const wanted = variants.flatMap((v, k) => (v.size === size ? [k] : []));
      const features = await backbone.embedPixels(scaled.flatMap((rgb) => wanted.map((k) => ({ rgb, view: variants[k].view }))), size);
      scaled.forEach((_, i) => wanted.forEach((k, j) => (rows[i][k] = features[i * wanted.length + j])));
    }
    result.push(...rows);
  }
  return result;
}

/** Cache key for features of a given variant list (the cache stores all variants of an image together). */
export function featureKey(fingerprint: string, variants: readonly Variant[]): string {
  return `${fingerprint}:${variants.map(variantName).join(',')}`;
}
