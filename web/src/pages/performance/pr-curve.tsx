/** @module The precision/recall curve as inline SVG: the API's figures swept over thresholds, overall and per tag, with the current threshold marked. */
import type { Api } from '../../api/client';
import type { Iteration, IterationPerformance, Project, TagPerformance } from '../../api/types';
import { Busy } from '../../components/busy';
import { ErrorMessage } from '../../components/error-message';
import { percent } from '../../components/format';
import { useAsync } from '../../components/use-async';
import { type Percent, performanceAt, performanceSweep, type SweepPoint } from './performance-data';

const WIDTH = 300;
const HEIGHT = 250;
const MARGIN = { left: 58, right: 20, top: 12, bottom: 44 };
/** Colour-blind-safe (Okabe–Ito), dark enough on white; dashes tell lines apart without colour too. */
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#999933'];
const DASHES = ['6 3', '2 3', '8 3 2 3', '1 2'];

interface Pair {
  precision: number;
  recall: number;
}

/** The axes start at the tenth below the lowest value shown: a good model's points would otherwise sit in one corner. */
function lowerBound(points: Pair[]): number {
  const lowest = Math.min(...points.flatMap((p) => [p.precision, p.recall]));
  return Math.min(0.9, Math.max(0, Math.floor(lowest * 10) / 10));
}

function scale(from: number) {
  const x = (recall: number) => MARGIN.left + ((recall - from) / (1 - from)) * (WIDTH - MARGIN.left - MARGIN.right);
  const y = (precision: number) => HEIGHT - MARGIN.bottom - ((precision - from) / (1 - from)) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  return { x, y };
}

function ticks(from: number): number[] {
  const step = 1 - from > 0.5 ? 0.2 : 0.1;
  const values: number[] = [];
  for (let v = 1; v >= from - 1e-9; v -= step) values.push(Math.round(v * 100) / 100);
  return values;
}

function linePath(points: Pair[], at: ReturnType<typeof scale>): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${at.x(p.recall).toFixed(1)},${at.y(p.precision).toFixed(1)}`).join(' ');
}

function Chart({ sweep, current, threshold }: { sweep: SweepPoint[]; current: IterationPerformance; threshold: Percent }) {
  const overall = sweep.map((s) => s.performance);
  const tags = current.perTagPerformance.map((tag) => ({
    tag,
    points: sweep.map((s) => s.performance.perTagPerformance.find((t) => t.id === tag.id)).filter((t): t is TagPerformance => !!t),
  }));
  const from = lowerBound([...overall, ...tags.flatMap((t) => t.points), current]);
  const at = scale(from);
  return (
    <>
      <svg class="pr-curve" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="pr-curve-title">
        <title id="pr-curve-title">
          Precision against recall for thresholds from {sweep[0]?.threshold}% to {sweep[sweep.length - 1]?.threshold}%; at {threshold}%: precision{' '}
          {percent(current.precision)}, recall {percent(current.recall)}.
        </title>
        {ticks(from).map((v) => (
          <g key={v} class="grid">
            <line x1={at.x(from)} x2={at.x(1)} y1={at.y(v)} y2={at.y(v)} />
            <line x1={at.x(v)} x2={at.x(v)} y1={at.y(from)} y2={at.y(1)} />
            <text x={at.x(from) - 4} y={at.y(v) + 4} text-anchor="end">
              {Math.round(v * 100)}%
            </text>
            <text x={at.x(v)} y={at.y(from) + 17} text-anchor="middle">
              {Math.round(v * 100)}%
            </text>
          </g>
        ))}
        <text class="axis-label" x={(at.x(from) + at.x(1)) / 2} y={HEIGHT - 6} text-anchor="middle">
          Recall
        </text>
        <text class="axis-label" transform={`translate(14 ${(at.y(from) + at.y(1)) / 2}) rotate(-90)`} text-anchor="middle">
          Precision
        </text>
        {tags.map(({ tag, points }, i) => (
          <path key={tag.id} class="tag-line" d={linePath(points, at)} stroke={COLOURS[i % COLOURS.length]} stroke-dasharray={DASHES[i % DASHES.length]} />
        ))}
        <path class="overall-line" d={linePath(overall, at)} />
        {sweep.map((s) => (
          <circle key={s.threshold} class="sweep-point" cx={at.x(s.performance.recall)} cy={at.y(s.performance.precision)} r={2.5}>
            <title>
              {s.threshold}%: precision {percent(s.performance.precision)}, recall {percent(s.performance.recall)}
            </title>
          </circle>
        ))}
        <circle class="current-point" cx={at.x(current.recall)} cy={at.y(current.precision)} r={6} />
      </svg>
      <ul class="legend">
        <li>
          <span class="swatch overall" aria-hidden="true" /> All tags
        </li>
        <li>
          <span class="swatch current" aria-hidden="true" /> Threshold {threshold}%
        </li>
        {tags.map(({ tag }, i) => (
          <li key={tag.id}>
            <span class="swatch" style={{ borderTopColor: COLOURS[i % COLOURS.length] }} aria-hidden="true" /> {tag.name}
          </li>
        ))}
      </ul>
    </>
  );
}

export function PrCurve({ api, project, iteration, threshold }: { api: Api; project: Project; iteration: Iteration; threshold: Percent }) {
  const sweep = useAsync(() => performanceSweep(api, project.id, iteration.id), [api, project.id, iteration.id]);
  // The threshold travels with its answer, so the mark and its label always agree.
  const current = useAsync(
    async () => ({ threshold, performance: await performanceAt(api, project.id, iteration.id, threshold) }),
    [api, project.id, iteration.id, threshold],
  );
  return (
    <section class="card chart" aria-labelledby="pr-curve-heading">
      <h3 id="pr-curve-heading">Precision / recall curve</h3>
      <ErrorMessage error={sweep.error ?? current.error} />
      {sweep.value && current.value ? <Chart sweep={sweep.value} current={current.value.performance} threshold={current.value.threshold} /> : <Busy label="Sweeping thresholds…" />}
    </section>
  );
}
