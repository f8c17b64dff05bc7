/**
 * @module Evaluation, shown: performance tables and charts (per tag, against the threshold,
 * confusion matrix) and iterations compared on cross-validation and on the test images.
 */
import path from 'node:path';
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { showPlot, showTable, type Figure } from './display';
import { countRight, percent, topPrediction, type TestResult } from './grid';

type Performance = TrainingAPIModels.IterationPerformance;
type Iteration = TrainingAPIModels.Iteration;

/** Rows for a table of overall and per-tag precision, recall and average precision. */
export function performanceRows(performance: Performance): { headers: string[]; rows: string[][] } {
  const row = (name: string, p: { precision?: number; recall?: number; averagePrecision?: number | null; precisionStdDeviation?: number; recallStdDeviation?: number }) => [
    name,
    `${percent(p.precision)} ± ${percent(p.precisionStdDeviation)}`,
    `${percent(p.recall)} ± ${percent(p.recallStdDeviation)}`,
    percent(p.averagePrecision),
  ];
  return {
    headers: ['', 'precision', 'recall', 'average precision'],
    rows: [row('overall', performance), ...(performance.perTagPerformance ?? []).map((t) => row(t.name ?? '?', t))],
  };
}

/** Grouped bars: precision and recall per tag. */
export function perTagChart(performance: Performance, title = 'Precision and recall per tag'): Figure {
  const tags = performance.perTagPerformance ?? [];
  const names = tags.map((t) => t.name);
  return {
    data: [
      { type: 'bar', name: 'precision', x: names, y: tags.map((t) => t.precision), text: tags.map((t) => percent(t.precision)), textposition: 'auto' },
      { type: 'bar', name: 'recall', x: names, y: tags.map((t) => t.recall), text: tags.map((t) => percent(t.recall)), textposition: 'auto' },
    ],
    layout: { title: { text: title }, barmode: 'group', yaxis: { range: [0, 1.05], tickformat: '.0%' } },
  };
}

/**
 * Shows what `getIterationPerformance` answered: a line with the overall figures, a table of the
 * overall and per-tag precision, recall (± their standard deviation across folds) and average
 * precision, and a chart per tag. `threshold` is the one the figures were asked at (default 0.5).
 */
export function showPerformance(iteration: Iteration, performance: Performance, options: { threshold?: number } = {}): void {
  const threshold = options.threshold ?? 0.5;
  console.log(`${iteration.name}: precision ${percent(performance.precision)}, recall ${percent(performance.recall)}, average precision ${percent(performance.averagePrecision)} at threshold ${threshold}`);
  const { headers, rows } = performanceRows(performance);
  showTable(headers, rows, { caption: `${iteration.name} at probability threshold ${threshold} (cross-validated)` });
  showPlot(perTagChart(performance, `${iteration.name}: precision and recall per tag (threshold ${threshold})`));
}

/** One point of a threshold sweep: the overall figures `getIterationPerformance` gave at that threshold. */
export interface ThresholdPoint {
  threshold: number;
  precision?: number;
  recall?: number;
}

/** Lines of overall precision and recall against the threshold. */
export function thresholdChart(points: ThresholdPoint[], title = 'Precision and recall against the probability threshold'): Figure {
  const x = points.map((p) => p.threshold);
  return {
    data: [
      { type: 'scatter', mode: 'lines+markers', name: 'precision', x, y: points.map((p) => p.precision) },
      { type: 'scatter', mode: 'lines+markers', name: 'recall', x, y: points.map((p) => p.recall) },
    ],
    layout: { title: { text: title }, xaxis: { title: { text: 'threshold' } }, yaxis: { tickformat: '.0%' } },
  };
}

/** Shows overall precision and recall against the threshold, one point per threshold asked. */
export function showThresholdChart(iteration: Iteration, points: ThresholdPoint[]): void {
  showPlot(thresholdChart(points, `${iteration.name}: precision and recall against the threshold`));
}

/** Counts of (true tag, most probable tag) over image performances; `tags` orders rows and columns. */
export function confusionMatrix(performances: TrainingAPIModels.ImagePerformance[], tags: string[]): number[][] {
  const index = new Map(tags.map((t, i) => [t, i]));
  const matrix = tags.map(() => tags.map(() => 0));
  for (const image of performances) {
    const truth = index.get(image.tags?.[0]?.tagName ?? '');
    const predicted = index.get(topPrediction(image)?.tagName ?? '');
    if (truth !== undefined && predicted !== undefined) matrix[truth][predicted]++;
  }
  return matrix;
}

/** A heatmap of a confusion matrix, true tags down, predicted tags across. */
export function confusionChart(matrix: number[][], tags: string[], title = 'Confusion matrix (held-out predictions)'): Figure {
  return {
    data: [{ type: 'heatmap', z: matrix, x: tags, y: tags, colorscale: [[0, '#f7fbff'], [1, '#08519c']], text: matrix.map((r) => r.map(String)), texttemplate: '%{text}', hovertemplate: 'true %{y}, predicted %{x}: %{z}<extra></extra>' }],
    layout: { title: { text: title }, xaxis: { title: { text: 'predicted' } }, yaxis: { title: { text: 'true tag' }, autorange: 'reversed' } },
  };
}

/**
 * Shows the confusion matrix of what `getImagePerformances` returned (each image's held-out
 * prediction): rows are the true tags, columns the most probable tag.
 */
export function showConfusionMatrix(iteration: Iteration, performances: TrainingAPIModels.ImagePerformance[]): void {
  const tags = [...new Set(performances.flatMap((p) => (p.tags ?? []).map((t) => t.tagName ?? '')))].filter(Boolean).sort();
  showPlot(confusionChart(confusionMatrix(performances, tags), tags, `${iteration.name}: confusion matrix of held-out predictions`), { height: 380 });
}

/** An iteration with its cross-validated performance and its answers on the test images. */
export interface IterationResults {
  iteration: Iteration;
  performance: Performance;
  testResults: TestResult[];
}

/** Bars per iteration: cross-validated precision and recall, and top-1 on the test images. */
export function compareChart(compared: IterationResults[], title = 'Iterations compared'): Figure {
  const categories = ['precision (cross-validated)', 'recall (cross-validated)', 'top-1 on the test images'];
  return {
    data: compared.map(({ iteration, performance, testResults }) => {
      const y = [performance.precision, performance.recall, countRight(testResults) / Math.max(1, testResults.length)];
      return { type: 'bar', name: iteration.name, x: categories, y, text: y.map(percent), textposition: 'auto' };
    }),
    layout: { title: { text: title }, barmode: 'group', yaxis: { range: [0.5, 1.01], tickformat: '.0%' } },
  };
}

/** Bars per iteration and tag: cross-validated precision and recall of each tag. */
export function perTagComparisonChart(compared: IterationResults[], title = 'Precision and recall per tag, iterations compared (cross-validated)'): Figure {
  const tags = (compared[0]?.performance.perTagPerformance ?? []).map((t) => t.name ?? '?');
  const value = (p: Performance, tag: string, key: 'precision' | 'recall') => p.perTagPerformance?.find((t) => t.name === tag)?.[key];
  return {
    data: compared.flatMap(({ iteration, performance }) =>
      (['precision', 'recall'] as const).map((key) => ({ type: 'bar', name: `${iteration.name} ${key}`, x: tags, y: tags.map((tag) => value(performance, tag, key)) })),
    ),
    layout: { title: { text: title }, barmode: 'group', yaxis: { range: [0.8, 1.01], tickformat: '.0%' } },
  };
}

/** What the test images say about the difference between two iterations, in a sentence. */
export function comparisonSentence(before: IterationResults, after: IterationResults): string {
  const total = after.testResults.length;
  const [right1, right2] = [countRight(before.testResults), countRight(after.testResults)];
  const points = (a?: number, b?: number) => `${(((b ?? 0) - (a ?? 0)) * 100).toFixed(1)} points`;
  const cv = `Cross-validated precision moved by ${points(before.performance.precision, after.performance.precision)} and recall by ${points(before.performance.recall, after.performance.recall)}`;
  const test = `on the ${total} test images from other regions, ${before.iteration.name} gets ${right1} right and ${after.iteration.name} ${right2} (one image is ${(100 / Math.max(1, total)).toFixed(1)} points)`;
  const meaning =
    Math.abs(right2 - right1) <= 1
      ? 'so few images cannot tell the two apart (one image either way can be chance): the cross-validated change is measured on images like the training images, and these do not show whether it carries over to new regions.'
      : right2 > right1
        ? `${after.iteration.name} also does better on regions it never saw: the improvement generalises.`
        : `${after.iteration.name} does worse on regions it never saw: the change fits the training images better but generalises worse.`;
  return `${cv}; ${test}: ${meaning}`;
}

/**
 * Shows iterations side by side: cross-validated precision, recall and average precision (asked at
 * `threshold`, default 0.5) and top-1 on the test images, as a table and a chart, and precision and
 * recall per tag; then, for the first and last, a sentence on what the difference means and the
 * test images whose answer changed, or, when they are the same iteration, a line that says so.
 */
export function showComparison(compared: IterationResults[], options: { threshold?: number } = {}): void {
  const threshold = options.threshold ?? 0.5;
  for (const { iteration, performance, testResults } of compared) {
    console.log(`${iteration.name}: precision ${percent(performance.precision)}, recall ${percent(performance.recall)} (cross-validated); ${countRight(testResults)}/${testResults.length} test images right`);
  }
  const [first, last] = [compared[0], compared[compared.length - 1]];
  const same = first && first !== last && (first.iteration === last.iteration || (first.iteration.id !== undefined && first.iteration.id === last.iteration.id));
  if (same) console.log(`${compared.length === 2 ? 'Both rows are' : 'The first and the last rows are'} ${first.iteration.name}: the same iteration, compared with itself, so there is no difference to show.`);
  showTable(
    ['iteration', 'precision (cross-validated)', 'recall (cross-validated)', 'average precision', 'top-1 on the test images'],
    compared.map(({ iteration, performance, testResults }) => [
      iteration.name ?? '?',
      percent(performance.precision),
      percent(performance.recall),
      percent(performance.averagePrecision),
      `${countRight(testResults)}/${testResults.length} = ${percent(countRight(testResults) / Math.max(1, testResults.length))}`,
    ]),
    { caption: `Iterations compared (threshold ${threshold})` },
  );
  showPlot(compareChart(compared));
  showPlot(perTagComparisonChart(compared));
  if (!first || first === last || same) return;
  console.log(comparisonSentence(first, last));
  const before = new Map(first.testResults.map((r) => [r.file, topPrediction(r.answer)?.tagName]));
  for (const r of last.testResults) {
    const [was, now] = [before.get(r.file), topPrediction(r.answer)?.tagName];
    if (was !== now) console.log(`  ${path.basename(r.file)} (${r.tag}): ${first.iteration.name} said ${was}, ${last.iteration.name} says ${now}`);
  }
}
