/** @module The Predictions page's filters: iteration, predicted tag with a minimum probability, and order. */
import type { Iteration, PredictionQueryToken, Tag } from '../../api/types';
import { iterationLabel } from '../quick-test/completed-iterations';

export interface PredictionFilter {
  iterationId: string;
  tagId: string;
  /** 0–100, applied to the chosen tag's probability. */
  minPercent: number;
  order: 'Newest' | 'Oldest';
}

export const NO_FILTER: PredictionFilter = { iterationId: '', tagId: '', minPercent: 0, order: 'Newest' };

/** The PredictionQueryToken for a filter: the threshold only exists for a tag, as the API takes it. */
export function queryOf(filter: PredictionFilter, maxCount: number): PredictionQueryToken {
  return {
    maxCount,
    orderBy: filter.order,
    iterationId: filter.iterationId || undefined,
    tags: filter.tagId ? [{ id: filter.tagId, minThreshold: filter.minPercent / 100, maxThreshold: 1 }] : undefined,
  };
}

export function PredictionFilters({ filter, onChange, iterations, tags }: { filter: PredictionFilter; onChange: (filter: PredictionFilter) => void; iterations: readonly Iteration[]; tags: readonly Tag[] }) {
  const set = (change: Partial<PredictionFilter>) => onChange({ ...filter, ...change });
  return (
    <fieldset class="prediction-filters">
      <legend>Show</legend>
      <label class="field">
        Iteration
        <select value={filter.iterationId} onChange={(e) => set({ iterationId: e.currentTarget.value })}>
          <option value="">All iterations</option>
          {iterations.map((i) => (
            <option key={i.id} value={i.id}>
              {iterationLabel(i)}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        Predicted as
        <select value={filter.tagId} onChange={(e) => set({ tagId: e.currentTarget.value })}>
          <option value="">Any tag</option>
          {tags.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <div class="field min-probability">
        <label for="min-probability">Minimum probability</label>
        <div class="range-row">
          <input
            id="min-probability"
            type="range"
            min={0}
            max={100}
            step={1}
            value={filter.minPercent}
            disabled={!filter.tagId}
            aria-describedby="min-probability-hint"
            onInput={(e) => set({ minPercent: Number(e.currentTarget.value) })}
          />
          <output for="min-probability">{filter.minPercent}%</output>
        </div>
        <span id="min-probability-hint" class="hint">
          {filter.tagId ? 'Of the tag chosen in "Predicted as".' : 'Choose a tag in "Predicted as" first.'}
        </span>
      </div>
      <label class="field">
        Order
        <select value={filter.order} onChange={(e) => set({ order: e.currentTarget.value as PredictionFilter['order'] })}>
          <option value="Newest">Newest first</option>
          <option value="Oldest">Oldest first</option>
        </select>
      </label>
    </fieldset>
  );
}
