/** @module Training and classification end to end: image bytes -> cached backbone features -> cross-validated head. */
import { Backbone, embedImages, featureKey } from './backbone';
import { embeddedVariants, predictVariants, trainVariants } from './config';
import { trainClassifier, trainClassifierInParallel, type RemoteFolds, type TrainingSample, type TrainOptions } from './crossval';
import type { HeadModel, HeadType } from './head';
import { variantName, type Variant } from './image';

export interface TrainingJob {
  type: HeadType;
  classes: number;
  /**
   * Each training image by content hash, with the indexes of its tags (model outputs). A project's
   * Negative tag is one output like the others (Multiclass: a softmax class, "none of the tags";
   * Multilabel: a sigmoid) and its images carry no other tag, so for every real tag's output they
   * are images where it does not apply (target 0).
   */
  samples: { hash: string; labels: number[] }[];
}

export interface TrainingResult {
  model: HeadModel;
  /** Per sample, the probabilities from the fold head that never saw it. */
  heldOut: number[][];
  foldOf: number[];
  timings: { featureMs: number; fitMs: number; embeddedImages: number; cachedImages: number };
}

export interface FeatureStore {
  get(hash: string, key: string): Float32Array | undefined;
  set(hash: string, key: string, features: Float32Array): void;
}

export interface TrainingDeps {
  backbone: Backbone;
  cache: FeatureStore;
  readImage(hash: string): Promise<Buffer>;
  /** Another thread for half of the cross-validation folds; without it all folds are fitted here. */
  remoteFolds?: (samples: TrainingSample[], labels: number[][], options: TrainOptions) => RemoteFolds;
}

/** Images embedded per backbone call while training: bounds memory, keeps batches full. */
const EMBED_CHUNK = 32;

function splitVariants(flat: Float32Array, variants: number, dim: number): Float32Array[] {
  return Array.from({ length: variants }, (_, v) => flat.subarray(v * dim, (v + 1) * dim));
}

/**
 * Features of every image under the configured variants (embeddedVariants), from the cache when
 * present; only new images go through the backbone, so retraining after adding 50 images costs 50
 * images' passes.
 */
async function featuresOf(hashes: string[], deps: TrainingDeps): Promise<{ features: Float32Array[][]; embedded: number }> {
  const variants = embeddedVariants();
  const key = featureKey(deps.backbone.fingerprint, variants);
  const dim = deps.backbone.dim;
  const features: Float32Array[][] = hashes.map((hash) => {
    const cached = deps.cache.get(hash, key);
    return cached && cached.length === variants.length * dim ? splitVariants(cached, variants.length, dim) : [];
  });
  const missing = hashes.map((_, i) => i).filter((i) => features[i].length === 0);
  for (let start = 0; start < missing.length; start += EMBED_CHUNK) {
    const chunk = missing.slice(start, start + EMBED_CHUNK);
    const bytes = await Promise.all(chunk.map((i) => deps.readImage(hashes[i])));
    const embedded = await embedImages(deps.backbone, bytes, variants);
    chunk.forEach((i, j) => {
      const flat = new Float32Array(variants.length * dim);
      embedded[j].forEach((f, v) => flat.set(f, v * dim));
      deps.cache.set(hashes[i], key, flat);
      features[i] = splitVariants(flat, variants.length, dim);
    });
  }
  return { features, embedded: missing.length };
}

/** Each image's embedded variants, sorted into what the head trains on and what it predicts from. */
function asSamples(features: Float32Array[][]): TrainingSample[] {
  const names = embeddedVariants().map(variantName);
  const at = (wanted: Variant[]) => wanted.map((w) => names.indexOf(variantName(w)));
  const train = at(trainVariants());
  const predict = at(predictVariants());
  return features.map((f) => ({ train: train.map((k) => f[k]), predict: predict.map((k) => f[k]) }));
}

export async function trainFromImages(job: TrainingJob, deps: TrainingDeps): Promise<TrainingResult> {
  const started = performance.now();
  const { features, embedded } = await featuresOf(job.samples.map((s) => s.hash), deps);
  const featureMs = performance.now() - started;
  const labels = job.samples.map((s) => {
    const hot = new Array<number>(job.classes).fill(0);
    for (const k of s.labels) hot[k] = 1;
    return hot;
  });
  const fitStarted = performance.now();
  const samples = asSamples(features);
  const options = { type: job.type };
  const trained = deps.remoteFolds
    ? await trainClassifierInParallel(samples, labels, options, deps.remoteFolds(samples, labels, options))
    : trainClassifier(samples, labels, options);
  return {
    // Recorded with the head: features of another backbone mean nothing to it.
    model: { ...trained.model, backbone: deps.backbone.fingerprint },
    heldOut: trained.heldOut,
    foldOf: trained.foldOf,
    timings: { featureMs, fitMs: performance.now() - fitStarted, embeddedImages: embedded, cachedImages: job.samples.length - embedded },
  };
}
