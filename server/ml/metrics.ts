/** @module Custom Vision IterationPerformance numbers from held-out probabilities (pure functions). */

export interface TagPerformance {
  /** Index of the tag (column of the probability/label rows). */
  tag: number;
  precision: number;
  precisionStdDeviation: number;
  recall: number;
  recallStdDeviation: number;
  averagePrecision: number;
}

export interface IterationPerformance {
  perTagPerformance: TagPerformance[];
  precision: number;
  precisionStdDeviation: number;
  recall: number;
  recallStdDeviation: number;
  averagePrecision: number;
}

/**
 * Conventions (documented for the service):
 * - a tag is predicted for an image when its held-out probability >= threshold;
 * - precision = TP / (TP + FP) and recall = TP / (TP + FN); overall values are micro-averaged over all tags
 *   (counts summed over every image x tag) — for Multiclass with one tag per image, overall recall is the
 *   share of images whose true tag clears the threshold;
 * - 0/0 counts as 1 (nothing predicted = no false positive; nothing to find = nothing missed), so a tag
 *   the model never predicts has precision 1 but recall 0 when it has images;
 * - the std deviations are the population standard deviation (divide by the fold count) of the same
 *   quantity computed on each fold's held-out images separately; folds with no images are skipped;
 * - average precision is the non-interpolated area under the held-out precision-recall curve, as in
 *   sklearn's average_precision_score: sum over ranks of (R_n - R_{n-1}) · P_n, with tied scores taken
 *   together as one threshold; a tag with no positive image has AP 0 (undefined, nothing to rank) and the
 *   overall AP is the mean over tags that have at least one positive image.
 */
export function iterationPerformance(heldOut: number[][], labels: number[][], foldOf: number[], threshold: number): IterationPerformance {
  const n = heldOut.length;
  if (labels.length !== n || foldOf.length !== n) throw new RangeError('heldOut, labels and foldOf differ in length');
  const tags = n > 0 ? heldOut[0].length : (labels[0]?.length ?? 0);
  const folds = [...new Set(foldOf)].sort((a, b) => a - b);
  const inFold = folds.map((f) => foldOf.map((g, i) => (g === f ? i : -1)).filter((i) => i >= 0));
  const all = [...Array(n).keys()];

  const perTagPerformance: TagPerformance[] = [];
  const aps: number[] = [];
  for (let t = 0; t < tags; t++) {
    const c = counts(heldOut, labels, all, [t], threshold);
    const byFold = inFold.map((idx) => counts(heldOut, labels, idx, [t], threshold));
    const ap = averagePrecision(heldOut.map((p) => p[t]), labels.map((y) => y[t] > 0));
    if (labels.some((y) => y[t] > 0)) aps.push(ap);
    perTagPerformance.push({
      tag: t,
      precision: ratio(c.tp, c.tp + c.fp),
      precisionStdDeviation: std(byFold.map((f) => ratio(f.tp, f.tp + f.fp))),
      recall: ratio(c.tp, c.tp + c.fn),
      recallStdDeviation: std(byFold.map((f) => ratio(f.tp, f.tp + f.fn))),
      averagePrecision: ap,
    });
  }
  const tagList = [...Array(tags).keys()];
  const c = counts(heldOut, labels, all, tagList, threshold);
  const byFold = inFold.map((idx) => counts(heldOut, labels, idx, tagList, threshold));
  return {
    perTagPerformance,
    precision: ratio(c.tp, c.tp + c.fp),
    precisionStdDeviation: std(byFold.map((f) => ratio(f.tp, f.tp + f.fp))),
    recall: ratio(c.tp, c.tp + c.fn),
    recallStdDeviation: std(byFold.map((f) => ratio(f.tp, f.tp + f.fn))),
    averagePrecision: aps.length ? aps.reduce((a, b) => a + b, 0) / aps.length : 0,
  };
}

/** TP/FP/FN over the given images and tags. */
export function counts(heldOut: number[][], labels: number[][], images: number[], tags: number[], threshold: number) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const i of images) {
    for (const t of tags) {
      const predicted = heldOut[i][t] >= threshold;
      const actual = labels[i][t] > 0;
      if (predicted && actual) tp++;
      else if (predicted) fp++;
      else if (actual) fn++;
    }
  }
  return { tp, fp, fn };
}

/** num/den with 0/0 = 1 (see iterationPerformance). */
export function ratio(num: number, den: number): number {
  return den === 0 ? 1 : num / den;
}

/** Population standard deviation; 0 for fewer than two values. */
export function std(values: number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / values.length);
}

/** sklearn-style average precision (no interpolation, ties grouped); 0 when there is no positive. */
export function averagePrecision(scores: number[], positive: boolean[]): number {
  const totalPositive = positive.filter(Boolean).length;
  if (totalPositive === 0) return 0;
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let r = 0; r < order.length; ) {
    // Consume every image tied at this score: they cross the threshold together.
    const s = scores[order[r]];
    while (r < order.length && scores[order[r]] === s) {
      if (positive[order[r]]) tp++;
      seen++;
      r++;
    }
    const recall = tp / totalPositive;
    ap += (recall - lastRecall) * (tp / seen);
    lastRecall = recall;
  }
  return ap;
}
