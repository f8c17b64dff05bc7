/** @module Stratified k-fold cross-validation: picks lambda by held-out log-loss, yields held-out probabilities, fits the final head. */
import {
  fitDesign,
  makeDesign,
  modelFromTheta,
  normalisedWeights,
  predictViews,
  targetMatrix,
  type HeadModel,
  type HeadType,
} from './head';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from './config';
import { seededRandom } from './random';

/** One image: the feature rows the head trains on, and those averaged to predict it (as the service would). */
export interface TrainingSample {
  /** Its augmented variants (views, scales), each weighted 1/train.length so an image counts once. */
  train: ArrayLike<number>[];
  /** What the service predicts from: the full-size image under the views it averages. */
  predict: ArrayLike<number>[];
}

/** The head's settings (the rest of TrainingConfig decides how samples are made). */
export interface TrainOptions extends Partial<Pick<TrainingConfig, 'standardise' | 'l2' | 'folds' | 'lambdas' | 'seed' | 'gradTol'>> {
  type: HeadType;
}

export interface TrainedClassifier {
  model: HeadModel;
  /** heldOut[i][k]: probability of class k for image i from the fold head that never saw image i. */
  heldOut: number[][];
  /** Fold (0-based) in which each image was held out. */
  foldOf: number[];
  lambda: number;
  /** Mean held-out log-loss per candidate lambda, in the order tried. */
  lambdaLoss: { lambda: number; logLoss: number }[];
}

/**
 * Stratified fold ids: images are grouped by their exact tag combination, each group is shuffled (seeded),
 * and images are dealt round-robin across folds with the dealing position carried from group to group, so
 * every fold gets each combination's share (±1) and fold sizes differ by at most one.
 */
export function assignFolds(labels: number[][], folds: number, seed = 0): number[] {
  if (!(folds >= 2)) throw new RangeError('need at least 2 folds');
  const groups = new Map<string, number[]>();
  labels.forEach((row, i) => {
    const key = row.map((v) => (v > 0 ? 1 : 0)).join('');
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const random = seededRandom(seed);
  const foldOf = new Array<number>(labels.length).fill(0);
  let position = 0;
  for (const key of [...groups.keys()].sort()) {
    const members = groups.get(key)!;
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j], members[i]];
    }
    for (const m of members) foldOf[m] = position++ % folds;
  }
  return foldOf;
}

/** Held-out log-loss: mean -log p(true class) (Multiclass) or mean binary cross-entropy per tag (Multilabel). */
export function logLoss(probabilities: number[][], labels: number[][], type: HeadType): number {
  const eps = 1e-15;
  let total = 0;
  probabilities.forEach((p, i) => {
    const y = labels[i];
    if (type === 'Multiclass') {
      const sum = y.reduce((a, b) => a + b, 0);
      for (let k = 0; k < p.length; k++) if (y[k] > 0) total -= (y[k] / sum) * Math.log(Math.max(p[k], eps));
    } else {
      for (let k = 0; k < p.length; k++) {
        total -= y[k] > 0 ? Math.log(Math.max(p[k], eps)) : Math.log(Math.max(1 - p[k], eps));
      }
    }
  });
  const perTag = type === 'Multilabel' ? probabilities[0]?.length || 1 : 1;
  return total / (probabilities.length * perTag);
}

interface Expanded {
  rows: ArrayLike<number>[];
  labels: number[][];
  weights: number[];
}

/** Training rows for a set of images: every training variant of each, weighted 1/variants. */
function expand(samples: TrainingSample[], labels: number[][], members: number[]): Expanded {
  const rows: ArrayLike<number>[] = [];
  const rowLabels: number[][] = [];
  const weights: number[] = [];
  for (const i of members) {
    const variants = samples[i].train;
    if (variants.length === 0) throw new RangeError(`sample ${i} has no training rows`);
    for (const row of variants) {
      rows.push(row);
      rowLabels.push(labels[i]);
      weights.push(1 / variants.length);
    }
  }
  return { rows, labels: rowLabels, weights };
}

/** One fold fitted along the lambda path: per lambda its parameters, and the probabilities of its held-out images. */
export interface FoldFit {
  fold: number;
  thetas: Float64Array[];
  heldOut: { index: number; byLambda: number[][] }[];
}

/** What every fold and the final fit share: the settings, the folds and the design-matrix builder. */
function planOf(samples: TrainingSample[], labels: number[][], options: TrainOptions) {
  const config = { ...DEFAULT_TRAINING_CONFIG, ...stripUndefined(options) };
  const { type } = options;
  const n = samples.length;
  if (labels.length !== n) throw new RangeError('samples and labels differ in length');
  if (n < 2) throw new RangeError('need at least 2 images');
  const classes = labels[0].length;
  const folds = Math.max(2, Math.min(config.folds, n));
  // Strong regularisation first: along the path each fit warm-starts from a nearby, smoother solution.
  const lambdas = [...config.lambdas].sort((a, b) => b - a);
  const featureOptions = { standardise: config.standardise, l2: config.l2 };
  const prepare = (members: number[]) => {
    const data = expand(samples, labels, members);
    const weights = normalisedWeights(data.rows.length, data.weights);
    // Standardisation statistics come from the fitted images only (per fold in CV).
    const design = makeDesign(data.rows, featureOptions, weights);
    return { design, weights, targets: targetMatrix(data.labels, type, classes) };
  };
  return {
    type,
    n,
    classes,
    folds,
    lambdas,
    foldOf: assignFolds(labels, folds, config.seed),
    prepare,
    fitOptions: { gradTol: config.gradTol },
  };
}

/**
 * Fits one fold. Honesty: its fits never start from anything fitted on its held-out images (the
 * all-images solution would leak them into their own predictions whenever the optimiser stops
 * early); it warm-starts only along its own lambda path. Pure, so folds can run in other threads.
 */
export function fitFold(samples: TrainingSample[], labels: number[][], options: TrainOptions, fold: number): FoldFit {
  const plan = planOf(samples, labels, options);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (let i = 0; i < plan.n; i++) (plan.foldOf[i] === fold ? testIdx : trainIdx).push(i);
  const fit: FoldFit = { fold, thetas: [], heldOut: testIdx.map((index) => ({ index, byLambda: [] })) };
  if (testIdx.length === 0 || trainIdx.length === 0) return fit;
  const design = plan.prepare(trainIdx);
  let theta: Float64Array | undefined;
  for (const lambda of plan.lambdas) {
    theta = fitDesign(design.design, design.targets, design.weights, plan.type, lambda, theta, plan.fitOptions).theta;
    fit.thetas.push(theta);
    const model = modelFromTheta(design.design, plan.type, plan.classes, lambda, theta);
    for (const h of fit.heldOut) h.byLambda.push(predictViews(model, samples[h.index].predict));
  }
  return fit;
}

/** Picks lambda by held-out log-loss (ties go to the stronger one) and fits it on all images. */
function finish(samples: TrainingSample[], labels: number[][], options: TrainOptions, fits: FoldFit[]): TrainedClassifier {
  const plan = planOf(samples, labels, options);
  const heldOutByLambda = plan.lambdas.map(() => new Array<number[]>(plan.n));
  for (const fit of fits) for (const h of fit.heldOut) h.byLambda.forEach((p, li) => (heldOutByLambda[li][h.index] = p));
  const lambdaLoss = plan.lambdas.map((lambda, li) => ({ lambda, logLoss: logLoss(heldOutByLambda[li], labels, plan.type) }));
  let best = 0;
  for (let li = 1; li < plan.lambdas.length; li++) if (lambdaLoss[li].logLoss < lambdaLoss[best].logLoss - 1e-12) best = li;
  // Only the chosen lambda is fitted on every image, starting from the mean of its fold solutions
  // (their standardised spaces differ slightly, so it is only a start; the fit converges from it).
  const full = plan.prepare([...Array(plan.n).keys()]);
  // In fold order, so the sum (and so the model) does not depend on which thread fitted which fold.
  const starts = [...fits].sort((a, b) => a.fold - b.fold).filter((f) => f.thetas.length).map((f) => f.thetas[best]);
  const start = starts.length ? new Float64Array(starts[0].length) : undefined;
  if (start) for (const t of starts) for (let p = 0; p < t.length; p++) start[p] += t[p] / starts.length;
  const { theta } = fitDesign(full.design, full.targets, full.weights, plan.type, plan.lambdas[best], start, plan.fitOptions);
  return {
    model: modelFromTheta(full.design, plan.type, plan.classes, plan.lambdas[best], theta),
    heldOut: heldOutByLambda[best],
    foldOf: plan.foldOf,
    lambda: plan.lambdas[best],
    lambdaLoss,
  };
}

/**
 * Cross-validates a grid of lambdas (all variants of an image stay in its fold; held-out images are
 * predicted from their `predict` rows, averaged), picks the lambda with the lowest held-out log-loss,
 * and returns the head fitted on every image with it.
 */
export function trainClassifier(samples: TrainingSample[], labels: number[][], options: TrainOptions): TrainedClassifier {
  const { folds } = planOf(samples, labels, options);
  const fits = [...Array(folds).keys()].map((f) => fitFold(samples, labels, options, f));
  return finish(samples, labels, options, fits);
}

/** Fits the given folds elsewhere (another thread) and returns their fits. */
export type RemoteFolds = (folds: number[]) => Promise<FoldFit[]>;

/** trainClassifier with about half of the folds fitted by `remote` meanwhile: the same result, in about half the time on two cores. */
export async function trainClassifierInParallel(
  samples: TrainingSample[],
  labels: number[][],
  options: TrainOptions,
  remote: RemoteFolds,
): Promise<TrainedClassifier> {
  const { folds } = planOf(samples, labels, options);
  // The final all-images fit runs here afterwards, so the other thread takes the larger half of the folds.
  const all = [...Array(folds).keys()];
  const split = Math.ceil(folds / 2);
  const away = remote(all.slice(0, split));
  const here = all.slice(split).map((f) => fitFold(samples, labels, options, f));
  return finish(samples, labels, options, [...here, ...(await away)]);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
