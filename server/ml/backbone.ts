/** @module The pretrained MobileNetV2 feature extractor: one reusable ONNX Runtime session, batched embedding. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { DEFAULT_BATCH_SIZE, DEFAULT_TRAINING_CONFIG } from './config';
import { exposeFeatures, FEATURE_OUTPUTS, type FeatureKind } from './graph';
import { decodeRgb, INPUT_SIZE, PREPROCESS_VERSION, rgbTensor, type PreprocessOptions, type View } from './image';
import { RAW_INPUT } from './preprocess-graph';

export interface BackboneOptions {
  /** Pixel normalisation before the network; part of the fingerprint. Default: DEFAULT_PREPROCESS. */
  preprocess?: PreprocessOptions;
  /** Features to output; part of the fingerprint. Default: DEFAULT_TRAINING_CONFIG.features. */
  features?: FeatureKind;
  /** Images per session run. Default 8 (measured fastest on the 2-core machine, see bench/ml-experiment.ts). */
  batchSize?: number;
  /** ONNX Runtime intra-op threads. Default 2 (one per core). */
  threads?: number;
}

/** Pixel normalisation chosen by bench/ml-experiment.ts (see DEFAULT_TRAINING_CONFIG). */
export const DEFAULT_PREPROCESS: PreprocessOptions = { colour: DEFAULT_TRAINING_CONFIG.colour };
export const DEFAULT_THREADS = 2;

const TENSOR_SIZE = 3 * INPUT_SIZE * INPUT_SIZE;

export class Backbone {
  /** Feature-cache key: model bytes + pixel rules. Features from different fingerprints never mix. */
  readonly fingerprint: string;
  /** Width of each feature vector (1280 pooled, 1000 ImageNet logits). */
  readonly dim: number;
  readonly features: FeatureKind;
  readonly preprocess: PreprocessOptions;
  readonly batchSize: number;
  private readonly output: string;
  private session: ort.InferenceSession | undefined;
  /** The batch input buffer when no run is using it. */
  private spareInput: Float32Array | undefined;
  /** The run in progress, if any: close() lets it finish before releasing the session. */
  private running: Promise<unknown> = Promise.resolve();

  private constructor(session: ort.InferenceSession, fingerprint: string, features: FeatureKind, preprocess: PreprocessOptions, batchSize: number) {
    this.session = session;
    this.fingerprint = fingerprint;
    this.features = features;
    this.dim = FEATURE_OUTPUTS[features].dim;
    this.output = FEATURE_OUTPUTS[features].name;
    this.preprocess = preprocess;
    this.batchSize = batchSize;
  }

  static async load(modelPath: string, options: BackboneOptions = {}): Promise<Backbone> {
    const preprocess = options.preprocess ?? DEFAULT_PREPROCESS;
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const features = options.features ?? DEFAULT_TRAINING_CONFIG.features;
    const modelBytes = await readFile(modelPath);
    const fingerprint = createHash('sha256')
      .update(modelBytes)
      .update(`\0${PREPROCESS_VERSION}\0colour=${preprocess.colour}\0features=${features}`)
      .digest('hex');
    const session = await ort.InferenceSession.create(exposeFeatures(modelBytes, { colour: preprocess.colour, features }), {
      intraOpNumThreads: options.threads ?? DEFAULT_THREADS,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Spinning threads would steal the cores that sharp needs to decode the next batch meanwhile.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    return new Backbone(session, fingerprint, features, preprocess, batchSize);
  }

  /** `dim` float features per 3x224x224 raw-RGB input tensor, in order. */
  embed(tensors: Float32Array[]): Promise<Float32Array[]> {
    return this.runAll(tensors.length, (i, slot) => {
      if (tensors[i].length !== TENSOR_SIZE) throw new RangeError(`input tensor ${i} has ${tensors[i].length} values, expected ${TENSOR_SIZE}`);
      slot.set(tensors[i]);
    });
  }

  /** `dim` float features per 224x224 HWC RGB image under a view, written straight into the batch tensor. */
  embedPixels(images: { rgb: Uint8Array; view: View }[]): Promise<Float32Array[]> {
    return this.runAll(images.length, (i, slot) => rgbTensor(images[i].rgb, images[i].view, slot));
  }

  private async runAll(count: number, write: (index: number, slot: Float32Array) => void): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < count; start += this.batchSize) {
      const size = Math.min(this.batchSize, count - start);
      out.push(...(await this.runBatch(size, (i, slot) => write(start + i, slot))));
    }
    return out;
  }

  private async runBatch(size: number, write: (index: number, slot: Float32Array) => void): Promise<Float32Array[]> {
    const session = this.session;
    if (!session) throw new Error('Backbone is closed');
    // One input buffer serves every run (a fresh 600 KB per image adds copying and garbage collection).
    const buffer = this.spareInput ?? new Float32Array(this.batchSize * TENSOR_SIZE);
    this.spareInput = undefined;
    try {
      const input = buffer.subarray(0, size * TENSOR_SIZE);
      for (let i = 0; i < size; i++) write(i, input.subarray(i * TENSOR_SIZE, (i + 1) * TENSOR_SIZE));
      const feeds = { [RAW_INPUT]: new ort.Tensor('float32', input, [size, 3, INPUT_SIZE, INPUT_SIZE]) };
      const run = session.run(feeds, [this.output]);
      this.running = run.catch(() => undefined);
      const result = await run;
      const data = result[this.output].data as Float32Array;
      // Copies, so callers may keep single rows without pinning the whole batch.
      return Array.from({ length: size }, (_, i) => data.slice(i * this.dim, (i + 1) * this.dim));
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
 * Features for every view of every image: result[i][v] is image i under views[v]. Decoding of the next batch
 * overlaps the current network run (sharp works on its own threads). Throws ImageDecodeError on a bad image.
 */
export async function embedImages(backbone: Backbone, images: Buffer[], views: readonly View[]): Promise<Float32Array[][]> {
  if (views.length === 0) throw new RangeError('at least one view is needed');
  // Whole images per batch, so each run holds about batchSize tensors.
  const perBatch = Math.max(1, Math.floor(backbone.batchSize / views.length));
  const decodeBatch = (start: number) => Promise.all(images.slice(start, start + perBatch).map((b) => decodeRgb(b)));
  const result: Float32Array[][] = [];
  let next = images.length > 0 ? decodeBatch(0) : undefined;
  for (let start = 0; start < images.length; start += perBatch) {
    const rgbs = await next!;
    next = start + perBatch < images.length ? decodeBatch(start + perBatch) : undefined;
    // Keep a pending decode from becoming an unhandled rejection while we wait for the network.
    next?.catch(() => undefined);
    const features = await backbone.embedPixels(rgbs.flatMap((rgb) => views.map((view) => ({ rgb, view }))));
    for (let i = 0; i < rgbs.length; i++) result.push(features.slice(i * views.length, (i + 1) * views.length));
  }
  return result;
}

/** Cache key for features of a given view list (the cache stores all views of an image together). */
export function featureKey(fingerprint: string, views: readonly View[]): string {
  return `${fingerprint}:${views.join(',')}`;
}
