/** @module Evaluation: performance tables and charts (per tag, against the threshold, confusion matrix, iterations compared). */
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import type { Figure } from './display';

type Performance = TrainingAPIModels.IterationPerformance;
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

/** Rows for a table of overall and per-tag precision, recall and average precision. */
export function performanceRows(performance: Performance): { headers: string[]; rows: string[][] } {
  const row = (name: string, p: { precision?: number; recall?: number; averagePrecision?: number | null; precisionStdDeviation?: number; recallStdDeviation?: number }) => [
    name,
    `${pct(p.precision)} ± ${pct(p.precisionStdDeviation)}`,
    `${pct(p.recall)} ± ${pct(p.recallStdDeviation)}`,
    pct(p.averagePrecision),
  ];
  return {
    headers: ['', 'precision', 'recall', 'average precision'],
    rows: [row('overall', performance), ...(performance.perTagPerformance ?? []).map((t) => row(t.name as string, t))],
  };
}

/** Grouped bars: precision and recall per tag. */
export function perTagChart(performance: Performance, title = 'Precision and recall per tag'): Figure {
  const tags = performance.perTagPerformance ?? [];
  const names = tags.map((t) => t.name as string);
  return {
    data: [
      { type: 'bar', name: 'precision', x: names, y: tags.map((t) => t.precision), text: tags.map((t) => pct(t.precision)), textposition: 'auto' },
      { type: 'bar', name: 'recall', x: names, y: tags.map((t) => t.recall), text: tags.map((t) => pct(t.recall)), textposition: 'auto' },
    ],
    layout: { title: { text: title }, barmode: 'group', yaxis: { range: [0, 1.05], tickformat: '.0%' } },
  };
}

/** Overall precision and recall at each threshold, as the service computes them. */
export async function thresholdSweep(
  trainer: TrainingAPIClient,
  projectId: string,
  iterationId: string,
  thresholds: number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99],
): Promise<{ threshold: number; precision: number; recall: number }[]> {
  const points = [];
  for (const threshold of thresholds) {
    const p = await trainer.getIterationPerformance(projectId, iterationId, { threshold });
    points.push({ threshold, precision: p.precision as number, recall: p.recall as number });
  }
  return points;
}

export function thresholdChart(points: { threshold: number; precision: number; recall: number }[], title = 'Precision and recall against the probability threshold'): Figure {
  const x = points.map((p) => p.threshold);
  return {
    data: [
      { type: 'scatter', mode: 'lines+markers', name: 'precision', x, y: points.map((p) => p.precision) },
      { type: 'scatter', mode: 'lines+markers', name: 'recall', x, y: points.map((p) => p.recall) },
    ],
    layout: { title: { text: title }, xaxis: { title: { text: 'threshold' } }, yaxis: { tickformat: '.0%' } },
  };
}

/** Counts of (true tag, predicted top tag) over the held-out image performances. */
export function confusionMatrix(performances: TrainingAPIModels.ImagePerformance[], tags: string[]): number[][] {
  const index = new Map(tags.map((t, i) => [t, i]));
  const matrix = tags.map(() => tags.map(() => 0));
  for (const image of performances) {
    const truth = index.get(image.tags?.[0]?.tagName as string);
    const predicted = index.get(image.predictions?.[0]?.tagName as string);
    if (truth !== undefined && predicted !== undefined) matrix[truth][predicted]++;
  }
  return matrix;
}

export function confusionChart(matrix: number[][], tags: string[], title = 'Confusion matrix (held-out predictions)'): Figure {
  return {
    data: [{ type: 'heatmap', z: matrix, x: tags, y: tags, colorscale: [[0, '#f7fbff'], [1, '#08519c']], text: matrix.map((r) => r.map(String)), texttemplate: '%{text}', hovertemplate: 'true %{y}, predicted %{x}: %{z}<extra></extra>' }],
    layout: { title: { text: title }, xaxis: { title: { text: 'predicted' } }, yaxis: { title: { text: 'true tag' }, autorange: 'reversed' } },
  };
}

/** Per-tag precision and recall of several iterations side by side. */
export function compareChart(named: { name: string; performance: Performance }[], title = 'Iterations compared'): Figure {
  const tags = (named[0]?.performance.perTagPerformance ?? []).map((t) => t.name as string);
  const categories = ['overall', ...tags];
  const value = (p: Performance, tag: string, key: 'precision' | 'recall') =>
    tag === 'overall' ? p[key] : p.perTagPerformance?.find((t) => t.name === tag)?.[key];
  return {
    data: named.flatMap(({ name, performance }) => [
      { type: 'bar', name: `${name} precision`, x: categories, y: categories.map((c) => value(performance, c, 'precision')) },
      { type: 'bar', name: `${name} recall`, x: categories, y: categories.map((c) => value(performance, c, 'recall')) },
    ]),
    layout: { title: { text: title }, barmode: 'group', yaxis: { range: [0.8, 1.01], tickformat: '.0%' } },
  };
}
