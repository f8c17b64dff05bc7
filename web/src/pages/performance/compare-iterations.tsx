/** @module Two iterations side by side at the current threshold: overall and per-tag precision, recall and AP, with the difference. */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Iteration, IterationPerformance, Project } from '../../api/types';
import { Busy } from '../../components/busy';
import { ErrorMessage } from '../../components/error-message';
import { percent } from '../../components/format';
import { useAsync } from '../../components/use-async';
import { type Percent, performanceAt } from './performance-data';

type Metric = 'precision' | 'recall' | 'averagePrecision';
const METRICS: { key: Metric; label: string }[] = [
  { key: 'precision', label: 'Precision' },
  { key: 'recall', label: 'Recall' },
  { key: 'averagePrecision', label: 'AP' },
];

type Figures = Record<Metric, number>;

interface Row {
  id: string;
  name: string;
  mine?: Figures;
  theirs?: Figures;
}

/** Overall first, then every tag either iteration has (a tag may be new, or gone). */
function rowsOf(mine: IterationPerformance, theirs: IterationPerformance): Row[] {
  const rows: Row[] = [{ id: 'overall', name: 'All tags', mine, theirs }];
  for (const tag of mine.perTagPerformance) rows.push({ id: tag.id, name: tag.name, mine: tag, theirs: theirs.perTagPerformance.find((t) => t.id === tag.id) });
  for (const tag of theirs.perTagPerformance) if (!rows.some((r) => r.id === tag.id)) rows.push({ id: tag.id, name: tag.name, theirs: tag });
  return rows;
}

/** A difference in percentage points, signed, with a class for its direction. */
function Difference({ mine, theirs }: { mine?: number; theirs?: number }) {
  if (mine === undefined || theirs === undefined) return <td class="number">–</td>;
  const points = (mine - theirs) * 100;
  const shown = points.toFixed(1);
  const direction = shown === '0.0' || shown === '-0.0' ? 'same' : points > 0 ? 'up' : 'down';
  return <td class={`number difference ${direction}`}>{direction === 'same' ? '0.0' : `${points > 0 ? '+' : '−'}${Math.abs(points).toFixed(1)}`} pt</td>;
}

/** One row per tag and measure, so the table stays narrow enough for a projector. */
function CompareTable({ mine, theirs, rows }: { mine: Iteration; theirs: Iteration; rows: Row[] }) {
  return (
    <div class="table-scroll">
      <table class="compare-table" aria-label={`${mine.name} compared with ${theirs.name}`}>
        <thead>
          <tr>
            <th scope="col">Tag</th>
            <th scope="col">Measure</th>
            <th scope="col" class="number">
              {mine.name}
            </th>
            <th scope="col" class="number">
              {theirs.name}
            </th>
            <th scope="col" class="number">
              Difference
            </th>
          </tr>
        </thead>
        {rows.map((row) => (
          <tbody key={row.id} class={row.id === 'overall' ? 'overall' : undefined} data-tag={row.name}>
            {METRICS.map((m, i) => (
              <tr key={m.key} data-measure={m.key}>
                {i === 0 && (
                  <th scope="rowgroup" rowSpan={METRICS.length}>
                    {row.name}
                  </th>
                )}
                <th scope="row" class="measure">
                  {m.label}
                </th>
                <td class="number">{percent(row.mine?.[m.key])}</td>
                <td class="number">{percent(row.theirs?.[m.key])}</td>
                <Difference mine={row.mine?.[m.key]} theirs={row.theirs?.[m.key]} />
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}

export function CompareIterations({ api, project, iteration, iterations, threshold }: { api: Api; project: Project; iteration: Iteration; iterations: Iteration[]; threshold: Percent }) {
  const others = iterations.filter((i) => i.id !== iteration.id && i.status === 'Completed');
  // The one trained just before is what a user compares with first.
  const previous = others.find((i) => i.created < iteration.created) ?? others[0];
  const [chosenId, setChosenId] = useState<string | undefined>(undefined);
  const other = others.find((i) => i.id === chosenId) ?? (chosenId === '' ? undefined : previous);
  const loaded = useAsync(
    async () => (other ? rowsOf(await performanceAt(api, project.id, iteration.id, threshold), await performanceAt(api, project.id, other.id, threshold)) : undefined),
    [api, project.id, iteration.id, other?.id, threshold],
  );
  return (
    <section class="card compare" aria-labelledby="compare-heading">
      <h3 id="compare-heading">Compare iterations</h3>
      {others.length === 0 ? (
        <p class="subtle">Train another iteration to compare it with this one.</p>
      ) : (
        <>
          <label class="inline-field">
            Compare {iteration.name} with
            <select value={other?.id ?? ''} onChange={(e) => setChosenId(e.currentTarget.value)}>
              <option value="">No other iteration</option>
              {others.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name}
                </option>
              ))}
            </select>
          </label>
          <p class="hint">At the {threshold}% probability threshold; the difference is {iteration.name} minus the other, in percentage points.</p>
          <ErrorMessage error={loaded.error} />
          {other && (loaded.value && !loaded.loading ? <CompareTable mine={iteration} theirs={other} rows={loaded.value} /> : <Busy label="Loading both iterations…" />)}
        </>
      )}
    </section>
  );
}
