/** @module Precision, recall and AP of an iteration at one threshold, overall (large) and per tag, exactly as the API answers. */
import type { Api } from '../../api/client';
import type { Iteration, IterationPerformance, Project, Tag } from '../../api/types';
import { Busy } from '../../components/busy';
import { ErrorMessage } from '../../components/error-message';
import { percent } from '../../components/format';
import { useAsync } from '../../components/use-async';
import { iterationTags, type Percent, performanceAt } from './performance-data';

function BigFigure({ name, label, value, std }: { name: string; label: string; value: number; std?: number }) {
  return (
    <div class="big-figure" data-figure={name}>
      <span class="big-figure-label">{label}</span>
      <span class="big-figure-value">{percent(value)}</span>
      {std !== undefined && <span class="big-figure-std">± {percent(std)}</span>}
    </div>
  );
}

function Overall({ performance }: { performance: IterationPerformance }) {
  return (
    <>
      <div class="big-figures">
        <BigFigure name="precision" label="Precision" value={performance.precision} std={performance.precisionStdDeviation} />
        <BigFigure name="recall" label="Recall" value={performance.recall} std={performance.recallStdDeviation} />
        <BigFigure name="averagePrecision" label="AP" value={performance.averagePrecision} />
      </div>
      <p class="hint">
        Measured on each training image by a model trained without it (cross-validation); ± is the standard deviation across folds. AP (average
        precision) does not depend on the threshold.
      </p>
    </>
  );
}

function WithStd({ value, std }: { value: number; std: number }) {
  return (
    <>
      {percent(value)} <span class="std subtle">± {percent(std)}</span>
    </>
  );
}

function PerTag({ performance, tags, threshold }: { performance: IterationPerformance; tags: Tag[]; threshold: Percent }) {
  const counts = new Map(tags.map((t) => [t.id, t.imageCount]));
  return (
    <div class="table-scroll">
      <table class="per-tag" aria-label={`Performance per tag at probability threshold ${threshold}%`}>
        <thead>
          <tr>
            <th scope="col">Tag</th>
            <th scope="col" class="number">
              Precision
            </th>
            <th scope="col" class="number">
              Recall
            </th>
            <th scope="col" class="number">
              AP
            </th>
            <th scope="col" class="number">
              Images
            </th>
          </tr>
        </thead>
        <tbody>
          {performance.perTagPerformance.map((tag) => (
            <tr key={tag.id} data-tag-id={tag.id}>
              <th scope="row">{tag.name}</th>
              <td class="number" data-figure="precision">
                <WithStd value={tag.precision} std={tag.precisionStdDeviation} />
              </td>
              <td class="number" data-figure="recall">
                <WithStd value={tag.recall} std={tag.recallStdDeviation} />
              </td>
              <td class="number" data-figure="averagePrecision">
                {percent(tag.averagePrecision)}
              </td>
              <td class="number">{counts.get(tag.id) ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Figures({ api, project, iteration, threshold }: { api: Api; project: Project; iteration: Iteration; threshold: Percent }) {
  const loaded = useAsync(async () => {
    const [performance, tags] = await Promise.all([performanceAt(api, project.id, iteration.id, threshold), iterationTags(api, project.id, iteration.id)]);
    // The threshold travels with its answer, so the heading never names a threshold the numbers are not for.
    return { threshold, performance, tags };
  }, [api, project.id, iteration.id, threshold]);
  const shown = loaded.value;
  return (
    <section
      class="figures card"
      aria-labelledby="figures-heading"
      aria-busy={loaded.loading ? 'true' : 'false'}
      data-threshold={shown ? String(shown.threshold / 100) : undefined}
    >
      <h3 id="figures-heading">{shown ? `Performance at probability threshold ${shown.threshold}%` : 'Performance'}</h3>
      <ErrorMessage error={loaded.error} />
      {shown ? (
        <>
          <Overall performance={shown.performance} />
          <PerTag performance={shown.performance} tags={shown.tags} threshold={shown.threshold} />
        </>
      ) : (
        <Busy label="Loading the figures…" />
      )}
    </section>
  );
}
