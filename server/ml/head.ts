/** @module Linear classification head on backbone features: L2-regularised softmax or per-tag sigmoid regression. */
import { lbfgs } from './lbfgs';

export type HeadType = 'Multiclass' | 'Multilabel';

/**
 * Plain-JSON model. `weights[k * dim + j]` is the weight of (standardised) feature j for class k.
 * When `mean`/`scale` are present the head sees (x - mean) / scale; when `l2` is true, x is first scaled
 * to unit Euclidean length.
 */
export interface HeadModel {
  type: HeadType;
  classes: number;
  dim: number;
  weights: number[];
  bias: number[];
  mean?: number[];
  scale?: number[];
  l2?: boolean;
  lambda: number;
  /** The backbone whose features it was trained on (Backbone.fingerprint); heads from before it was recorded have none. */
  backbone?: string;
}

export interface FeatureOptions {
  /** Standardise each feature with the training mean/std (default true). */
  standardise?: boolean;
  /** Scale each feature vector to unit length before anything else (default false). */
  l2?: boolean;
}

export interface FitOptions extends FeatureOptions {
  type: HeadType;
  /** Strength of (lambda/2)·||W||² added to the weighted mean loss; the bias is not penalised. */
  lambda: number;
  /** Warm start: any earlier model of the same shape (its feature transform is converted exactly). */
  init?: HeadModel;
  /** Per-sample weights (default 1); e.g. 1/views so augmented copies count as one image. */
  sampleWeights?: ArrayLike<number>;
  gradTol?: number;
  maxIterations?: number;
}

/** Training matrix after the feature transform; rows are samples (row-major float64: measured faster than float32 in V8). */
export interface Design {
  n: number;
  dim: number;
  x: Float64Array;
  mean?: Float64Array;
  scale?: Float64Array;
  l2: boolean;
}

// A feature whose std is below this fraction of the median std is treated as (nearly) constant: dividing by
// its tiny std would turn rounding noise into large inputs.
const MIN_SCALE_FRACTION = 0.05;

function l2Normalised(v: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float64Array(v.length);
  for (let j = 0; j < v.length; j++) out[j] = v[j] * inv;
  return out;
}

/** Builds the design matrix; mean/scale use `weights` so augmented views do not over-count images. */
export function makeDesign(X: ArrayLike<number>[], options: FeatureOptions = {}, weights?: ArrayLike<number>): Design {
  const n = X.length;
  if (n === 0) throw new RangeError('no training samples');
  const dim = X[0].length;
  const l2 = options.l2 ?? false;
  const x = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    if (X[i].length !== dim) throw new RangeError(`sample ${i} has ${X[i].length} features, expected ${dim}`);
    x.set(l2 ? l2Normalised(X[i]) : X[i], i * dim);
  }
  const standardise = options.standardise ?? true;
  // Features are always centred: the unpenalised bias absorbs any shift exactly, and without centring the
  // bias and the weights are strongly coupled (large common offsets), which slows L-BFGS down several-fold.
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    total += w;
    const off = i * dim;
    for (let j = 0; j < dim; j++) {
      const v = x[off + j];
      mean[j] += w * v;
      sq[j] += w * v * v;
    }
  }
  for (let j = 0; j < dim; j++) mean[j] /= total;
  let scale: Float64Array | undefined;
  if (standardise) {
    scale = new Float64Array(dim);
    for (let j = 0; j < dim; j++) scale[j] = Math.sqrt(Math.max(sq[j] / total - mean[j] * mean[j], 0));
    const sorted = Float64Array.from(scale).sort();
    const floor = Math.max(sorted[dim >> 1] * MIN_SCALE_FRACTION, 1e-12);
    for (let j = 0; j < dim; j++) scale[j] = Math.max(scale[j], floor);
  }
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    if (scale) for (let j = 0; j < dim; j++) x[off + j] = (x[off + j] - mean[j]) / scale[j];
    else for (let j = 0; j < dim; j++) x[off + j] -= mean[j];
  }
  return { n, dim, x, mean, scale, l2 };
}

/**
 * z[k] = theta_k · x_row + bias_k for every class. Classes go in groups of up to three per sweep of the row,
 * so each feature value is loaded once per group: twice as fast in V8 as one dot product per class.
 */
function scores(x: Float64Array, off: number, dim: number, theta: Float64Array, K: number, z: Float64Array): void {
  const biasAt = K * dim;
  for (let k = 0; k < K; k += 3) {
    const o0 = k * dim;
    const rest = K - k;
    if (rest >= 3) {
      const o1 = o0 + dim, o2 = o1 + dim;
      let a = 0, b = 0, c = 0;
      for (let j = 0; j < dim; j++) {
        const v = x[off + j];
        a += v * theta[o0 + j];
        b += v * theta[o1 + j];
        c += v * theta[o2 + j];
      }
      z[k] = a + theta[biasAt + k];
      z[k + 1] = b + theta[biasAt + k + 1];
      z[k + 2] = c + theta[biasAt + k + 2];
    } else if (rest === 2) {
      const o1 = o0 + dim;
      let a = 0, b = 0;
      for (let j = 0; j < dim; j++) {
        const v = x[off + j];
        a += v * theta[o0 + j];
        b += v * theta[o1 + j];
      }
      z[k] = a + theta[biasAt + k];
      z[k + 1] = b + theta[biasAt + k + 1];
    } else {
      let a = 0;
      for (let j = 0; j < dim; j++) a += x[off + j] * theta[o0 + j];
      z[k] = a + theta[biasAt + k];
    }
  }
}

/** grad_k += r[k] · x_row for every class, grouped like `scores`. */
function accumulate(x: Float64Array, off: number, dim: number, r: Float64Array, K: number, grad: Float64Array): void {
  for (let k = 0; k < K; k += 3) {
    const o0 = k * dim;
    const rest = K - k;
    if (rest >= 3) {
      const o1 = o0 + dim, o2 = o1 + dim;
      const r0 = r[k], r1 = r[k + 1], r2 = r[k + 2];
      for (let j = 0; j < dim; j++) {
        const v = x[off + j];
        grad[o0 + j] += r0 * v;
        grad[o1 + j] += r1 * v;
        grad[o2 + j] += r2 * v;
      }
    } else if (rest === 2) {
      const o1 = o0 + dim;
      const r0 = r[k], r1 = r[k + 1];
      for (let j = 0; j < dim; j++) {
        const v = x[off + j];
        grad[o0 + j] += r0 * v;
        grad[o1 + j] += r1 * v;
      }
    } else {
      const r0 = r[k];
      for (let j = 0; j < dim; j++) grad[o0 + j] += r0 * x[off + j];
    }
  }
}

/**
 * Weighted mean loss + (lambda/2)·||W||² and its gradient. theta = [W (class-major, K x dim), bias (K)].
 * `targets` is n x K: a probability row per sample (Multiclass) or 0/1 per tag (Multilabel).
 * One pass over the rows: each row's K dot products and K gradient updates run while it is in cache.
 */
export function headObjective(
  design: Design,
  targets: Float64Array,
  weights: Float64Array,
  type: HeadType,
  lambda: number,
  theta: Float64Array,
  grad: Float64Array,
): number {
  const { n, dim, x } = design;
  const K = targets.length / n;
  const z = new Float64Array(K);
  const r = new Float64Array(K);
  grad.fill(0);
  let loss = 0;
  const biasAt = K * dim;
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    const w = weights[i];
    if (w === 0) continue;
    scores(x, off, dim, theta, K, z);
    const tOff = i * K;
    if (type === 'Multiclass') {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (z[k] > max) max = z[k];
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(z[k] - max);
      const logSum = max + Math.log(sum);
      for (let k = 0; k < K; k++) {
        const t = targets[tOff + k];
        const p = Math.exp(z[k] - logSum);
        if (t !== 0) loss -= w * t * (z[k] - logSum);
        r[k] = w * (p - t);
      }
    } else {
      for (let k = 0; k < K; k++) {
        const t = targets[tOff + k];
        const zk = z[k];
        // softplus(z) - t·z, computed without overflow.
        loss += w * ((zk > 0 ? zk + Math.log1p(Math.exp(-zk)) : Math.log1p(Math.exp(zk))) - t * zk);
        const p = zk >= 0 ? 1 / (1 + Math.exp(-zk)) : Math.exp(zk) / (1 + Math.exp(zk));
        r[k] = w * (p - t);
      }
    }
    for (let k = 0; k < K; k++) grad[biasAt + k] += r[k];
    accumulate(x, off, dim, r, K, grad);
  }
  let penalty = 0;
  for (let p = 0; p < biasAt; p++) {
    penalty += theta[p] * theta[p];
    grad[p] += lambda * theta[p];
  }
  return loss + 0.5 * lambda * penalty;
}

/** Multi-hot label rows -> target rows (Multiclass rows are normalised to sum 1). */
export function targetMatrix(labels: number[][], type: HeadType, classes: number): Float64Array {
  const t = new Float64Array(labels.length * classes);
  labels.forEach((row, i) => {
    if (row.length !== classes) throw new RangeError(`label row ${i} has ${row.length} entries, expected ${classes}`);
    let sum = 0;
    for (const v of row) sum += v;
    if (type === 'Multiclass' && sum <= 0) throw new RangeError(`Multiclass sample ${i} has no tag`);
    for (let k = 0; k < classes; k++) t[i * classes + k] = type === 'Multiclass' ? row[k] / sum : row[k] > 0 ? 1 : 0;
  });
  return t;
}

/** Normalised per-sample weights (sum 1), so lambda means the same whatever the sample count. */
export function normalisedWeights(n: number, sampleWeights?: ArrayLike<number>): Float64Array {
  const w = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i] = sampleWeights ? sampleWeights[i] : 1;
  if (!(total > 0)) throw new RangeError('sample weights must sum to a positive number');
  for (let i = 0; i < n; i++) w[i] /= total;
  return w;
}

/** Feature transform of a model or design: where its weights live. */
interface FeatureSpace {
  mean?: ArrayLike<number>;
  scale?: ArrayLike<number>;
}

/**
 * Re-expresses parameters fitted in feature space `from` in space `to` so they compute the same function of
 * the raw features: with x = s·x' + m, Σ w0 (x - m0)/s0 = Σ (w0·s/s0) x' + Σ w0 (m - m0)/s0. Used for warm starts.
 */
function convertTheta(theta: Float64Array, from: FeatureSpace, to: FeatureSpace, dim: number, K: number): Float64Array {
  const out = new Float64Array(K * dim + K);
  for (let k = 0; k < K; k++) {
    let b = theta[K * dim + k];
    for (let j = 0; j < dim; j++) {
      const w0 = theta[k * dim + j] / (from.scale?.[j] ?? 1);
      out[k * dim + j] = w0 * (to.scale?.[j] ?? 1);
      b += w0 * ((to.mean?.[j] ?? 0) - (from.mean?.[j] ?? 0));
    }
    out[K * dim + k] = b;
  }
  return out;
}

/** Parameters of `init` re-expressed in this design's feature space. */
function warmStart(init: HeadModel, design: Design, K: number): Float64Array {
  if (init.dim !== design.dim || init.classes !== K || (init.l2 ?? false) !== design.l2) throw new RangeError('init model has another shape');
  const theta = Float64Array.from([...init.weights, ...init.bias]);
  return convertTheta(theta, init, design, design.dim, K);
}

export interface DesignFit {
  theta: Float64Array;
  iterations: number;
}

export interface FitDesignOptions {
  gradTol?: number;
  maxIterations?: number;
}

/** Fits on an existing design (lets cross-validation reuse one design across lambdas with warm starts). */
export function fitDesign(
  design: Design,
  targets: Float64Array,
  weights: Float64Array,
  type: HeadType,
  lambda: number,
  theta0?: Float64Array,
  options: FitDesignOptions = {},
): DesignFit {
  const K = targets.length / design.n;
  const start = theta0 ?? new Float64Array(K * design.dim + K);
  const result = lbfgs((th, g) => headObjective(design, targets, weights, type, lambda, th, g), start, {
    gradTol: options.gradTol ?? 1e-4,
    maxIterations: options.maxIterations ?? 1000,
  });
  return { theta: result.x, iterations: result.iterations };
}

export function modelFromTheta(design: Design, type: HeadType, classes: number, lambda: number, theta: Float64Array): HeadModel {
  const { dim } = design;
  const weights = Array.from(theta.subarray(0, classes * dim));
  const bias = Array.from(theta.subarray(classes * dim));
  const model: HeadModel = { type, classes, dim, weights, bias, lambda };
  if (design.mean && design.scale) {
    model.mean = Array.from(design.mean);
    model.scale = Array.from(design.scale);
  } else if (design.mean) {
    // Centring only: fold it into the bias (w·(x - m) + b = w·x + (b - w·m)), keeping the model a plain linear map.
    for (let k = 0; k < classes; k++) {
      let shift = 0;
      for (let j = 0; j < dim; j++) shift += weights[k * dim + j] * design.mean[j];
      bias[k] -= shift;
    }
  }
  if (design.l2) model.l2 = true;
  return model;
}

/** Fits a head on feature rows X with multi-hot label rows Y. */
export function fitHead(X: ArrayLike<number>[], Y: number[][], options: FitOptions): HeadModel {
  if (X.length !== Y.length) throw new RangeError('X and Y differ in length');
  if (!(options.lambda >= 0)) throw new RangeError('lambda must be >= 0');
  const K = Y[0]?.length ?? 0;
  if (K < 1) throw new RangeError('no classes');
  const weights = normalisedWeights(X.length, options.sampleWeights);
  const design = makeDesign(X, options, weights);
  const targets = targetMatrix(Y, options.type, K);
  const theta0 = options.init ? warmStart(options.init, design, K) : undefined;
  const { theta } = fitDesign(design, targets, weights, options.type, options.lambda, theta0, { gradTol: options.gradTol, maxIterations: options.maxIterations });
  return modelFromTheta(design, options.type, K, options.lambda, theta);
}

/** Class scores before the softmax/sigmoid. */
export function headLogits(model: HeadModel, x: ArrayLike<number>): Float64Array {
  const { dim, classes } = model;
  if (x.length !== dim) throw new RangeError(`expected ${dim} features, got ${x.length}`);
  const v = model.l2 ? l2Normalised(x) : Float64Array.from(x);
  if (model.mean && model.scale) for (let j = 0; j < dim; j++) v[j] = (v[j] - model.mean[j]) / model.scale[j];
  const z = new Float64Array(classes);
  for (let k = 0; k < classes; k++) {
    let s = model.bias[k];
    const off = k * dim;
    for (let j = 0; j < dim; j++) s += model.weights[off + j] * v[j];
    z[k] = s;
  }
  return z;
}

/** Probability per class: softmax (Multiclass, sums to 1) or independent sigmoids (Multilabel). */
export function predictHead(model: HeadModel, x: ArrayLike<number>): number[] {
  const z = headLogits(model, x);
  if (model.type === 'Multilabel') return Array.from(z, (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))));
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  const e = Array.from(z, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Mean probabilities over several views of one image (test-time augmentation). */
export function predictViews(model: HeadModel, views: ArrayLike<number>[]): number[] {
  const acc = new Array<number>(model.classes).fill(0);
  for (const v of views) predictHead(model, v).forEach((p, k) => (acc[k] += p / views.length));
  return acc;
}
