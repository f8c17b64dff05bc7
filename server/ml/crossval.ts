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
import type { TrainingConfig } from './config';
import { seededRandom } from './random';

export { seededRandom };
import { DEFAULT_TRAINING_CONFIG } from './config';

/** One image: its features under each view; views[0] must be the identity view. */
export interface TrainingSample {
  views: ArrayLike<number>[];
}

export interface TrainOptions extends Partial<Omit<TrainingConfig, 'views' | 'colour'>> {
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

/** Training rows for a set of images: the first `views` views of each, each weighted 1/views. */
function expand(samples: TrainingSample[], labels: number[][], members: number[], views: number): Expanded {
  const rows: ArrayLike<number>[] = [];
  const rowLabels: number[][] = [];
  const weights: number[] = [];
  for (const i of members) {
    const available = samples[i].views;
    const v = Math.min(views, available.length);
    for (let k = 0; k < v; k++) {
      rows.push(available[k]);
      rowLabels.push(labels[i]);
      weights.push(1 / v);
    }
  }
  return { rows, labels: rowLabels, weights };
}

/**
 * Cross-validates a grid of lambdas (all views of an image stay in its fold; held-out images are predicted
 * from their first `testViews` views, averaged), picks the lambda with the lowest held-out log-loss (ties go
 * to the stronger regularisation), and returns the head fitted on every image with it.
 *
 * Honesty: a fold's fits never start from anything fitted on its held-out images (the all-images solution
 * would leak them into the held-out predictions whenever the optimiser stops early); each fold warm-starts
 * only along its own lambda path. Only the chosen lambda is then fitted on all images.
 */
export function trainClassifier(samples: TrainingSample[], labels: number[][], options: TrainOptions): TrainedClassifier {
  const config = { ...DEFAULT_TRAINING_CONFIG, ...stripUndefined(options) };
  const { type } = options;
  const { seed, trainViews, testViews } = config;
  const n = samples.length;
  if (labels.length !== n) throw new RangeError('samples and labels differ in length');
  if (n < 2) throw new RangeError('need at least 2 images');
  const classes = labels[0].length;
  const folds = Math.max(2, Math.min(config.folds, n));
  // Strong regularisation first: along the path each fit warm-starts from a nearby, smoother solution.
  const lambdas = [...config.lambdas].sort((a, b) => b - a);
  const featureOptions = { standardise: config.standardise, l2: config.l2 };
  const foldOf = assignFolds(labels, folds, seed);

  const prepare = (members: number[]) => {
    const data = expand(samples, labels, members, trainViews);
    const weights = normalisedWeights(data.rows.length, data.weights);
    // Standardisation statistics come from the fitted images only (per fold in CV).
    const design = makeDesign(data.rows, featureOptions, weights);
    return { design, weights, targets: targetMatrix(data.labels, type, classes) };
  };

  const fitOptions = { gradTol: config.gradTol };
  const heldOutByLambda = lambdas.map(() => new Array<number[]>(n));
  const foldModels: Float64Array[][] = lambdas.map(() => []);
  const predictViewCount = Math.max(1, testViews);
  for (let f = 0; f < folds; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let i = 0; i < n; i++) (foldOf[i] === f ? testIdx : trainIdx).push(i);
    if (testIdx.length === 0 || trainIdx.length === 0) continue;
    const fold = prepare(trainIdx);
    let theta: Float64Array | undefined;
    lambdas.forEach((lambda, li) => {
      theta = fitDesign(fold.design, fold.targets, fold.weights, type, lambda, theta, fitOptions).theta;
      foldModels[li].push(theta);
      const model = modelFromTheta(fold.design, type, classes, lambda, theta);
      for (const i of testIdx) heldOutByLambda[li][i] = predictViews(model, samples[i].views.slice(0, predictViewCount));
    });
  }

  const lambdaLoss = lambdas.map((lambda, li) => ({ lambda, logLoss: logLoss(heldOutByLambda[li], labels, type) }));
  let best = 0;
  for (let li = 1; li < lambdas.length; li++) if (lambdaLoss[li].logLoss < lambdaLoss[best].logLoss - 1e-12) best = li;
  // Only the chosen lambda is fitted on every image, starting from the mean of its fold solutions
  // (their standardised spaces differ slightly, so it is only a start; the fit converges from it).
  const full = prepare([...Array(n).keys()]);
  const starts = foldModels[best];
  const start = starts.length ? new Float64Array(starts[0].length) : undefined;
  if (start) for (const t of starts) for (let p = 0; p < t.length; p++) start[p] += t[p] / starts.length;
  const { theta: finalTheta } = fitDesign(full.design, full.targets, full.weights, type, lambdas[best], start, fitOptions);
  return {
    model: modelFromTheta(full.design, type, classes, lambdas[best], finalTheta),
    heldOut: heldOutByLambda[best],
    foldOf,
    lambda: lambdas[best],
    lambdaLoss,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
