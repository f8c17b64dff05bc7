/**
 * @module Predictions: the project's stored predictions (quick tests, and the Prediction API's
 * storing routes) as a filterable grid; selected ones can be added to the training images with a
 * tag (CreateImagesFromPredictions), the portal's improvement loop, or deleted.
 */
import { useMemo, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Iteration, Project, Tag } from '../../api/types';
import { Busy } from '../../components/busy';
import { ErrorMessage, Notice } from '../../components/error-message';
import { useAsync } from '../../components/use-async';
import { completedIterations } from '../quick-test/completed-iterations';
import { AddResults } from './add-results';
import { addToTrainingImages, deletePredictions, type AddOutcome } from './add-to-training';
import { PredictionActions } from './prediction-actions';
import { PredictionCard } from './prediction-card';
import { NO_FILTER, PredictionFilters, queryOf, type PredictionFilter } from './prediction-filters';
import { usePredictionList } from './use-prediction-list';
import './predictions.css';

const PAGE_SIZE = 48;

export function PredictionsPage({ api, project }: { api: Api; project: Project }) {
  const basics = useAsync(
    () => Promise.all([api.training<Iteration[]>('GET', `/projects/${project.id}/iterations`), api.training<Tag[]>('GET', `/projects/${project.id}/tags`)]),
    [api, project.id],
  );
  const [filter, setFilter] = useState<PredictionFilter>(NO_FILTER);
  const query = useMemo(() => queryOf(filter, PAGE_SIZE), [filter]);
  const list = usePredictionList(api, project.id, query);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [working, setWorking] = useState(false);
  const [outcome, setOutcome] = useState<AddOutcome | null>(null);
  const [deleted, setDeleted] = useState<number | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  if (basics.error && !basics.value) return <ErrorMessage error={basics.error} />;
  if (!basics.value) return <Busy label="Loading the predictions…" />;
  const [iterations, tags] = basics.value;
  const iterationNames = new Map(iterations.map((i) => [i.id, i.name]));
  // Only what is shown can be acted on: a selection hidden by a filter is not.
  const chosen = list.items.filter((p) => selected.has(p.id));

  const toggle = (id: string, on: boolean) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const act = async (action: () => Promise<void>) => {
    setWorking(true);
    setOutcome(null);
    setDeleted(null);
    setActionError(null);
    try {
      await action();
    } catch (e) {
      setActionError(e);
    } finally {
      setWorking(false);
    }
  };

  const add = (tag: Tag) =>
    act(async () => {
      const result = await addToTrainingImages(api, project.id, chosen, tag);
      list.remove(new Set(result.removed));
      setSelected(new Set());
      setOutcome(result);
    });

  const remove = () =>
    act(async () => {
      const ids = chosen.map((p) => p.id);
      await deletePredictions(api, project.id, ids);
      list.remove(new Set(ids));
      setSelected(new Set());
      setDeleted(ids.length);
    });

  return (
    <div class="predictions">
      <h2>Predictions</h2>
      <p class="hint">Images sent to the prediction endpoint (without nostore) and quick tests, with what the model said. Add the ones it got wrong to the training images to improve the next iteration.</p>
      <PredictionFilters filter={filter} onChange={setFilter} iterations={completedIterations(iterations)} tags={tags} />
      <PredictionActions selectedCount={chosen.length} tags={tags} working={working} onAdd={add} onDelete={remove} />
      <div class="toolbar">
        <button type="button" disabled={list.items.length === 0} onClick={() => setSelected(new Set(list.items.map((p) => p.id)))}>
          Select all shown
        </button>
        <button type="button" disabled={chosen.length === 0} onClick={() => setSelected(new Set())}>
          Clear selection
        </button>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
      {working && <Busy label="Working…" />}
      <ErrorMessage error={actionError} onDismiss={() => setActionError(null)} />
      {deleted !== null && <Notice>Deleted {deleted} {deleted === 1 ? 'prediction' : 'predictions'}.</Notice>}
      {outcome && <AddResults outcome={outcome} onDismiss={() => setOutcome(null)} />}
      <section class="prediction-list" aria-label="Stored predictions" aria-busy={list.loading ? 'true' : 'false'}>
        <ErrorMessage error={list.error} />
        {!list.loading && !list.error && list.items.length === 0 && <p class="subtle">No stored predictions match.</p>}
        <ul class="prediction-grid">
          {list.items.map((p) => (
            <PredictionCard key={p.id} prediction={p} iterationName={iterationNames.get(p.iteration) ?? 'Deleted iteration'} selected={selected.has(p.id)} onToggle={(on) => toggle(p.id, on)} />
          ))}
        </ul>
        {list.loading && <Busy label="Loading predictions…" />}
        {list.hasMore && !list.loading && (
          <button type="button" onClick={list.loadMore}>
            Load more
          </button>
        )}
      </section>
    </div>
  );
}
