/** @module One stored prediction: its thumbnail, a checkbox to select it, its top tags with probabilities, iteration and time. */
import type { StoredImagePrediction } from '../../api/types';
import { dateTime, percent } from '../../components/format';
import { describePrediction, topPredictions } from './describe-prediction';

export function PredictionCard({ prediction, iterationName, selected, onToggle }: { prediction: StoredImagePrediction; iterationName: string; selected: boolean; onToggle: (selected: boolean) => void }) {
  const top = topPredictions(prediction);
  return (
    <li class={selected ? 'prediction-card selected' : 'prediction-card'} data-prediction-id={prediction.id}>
      <label class="prediction-pick">
        <img src={prediction.thumbnailUri} alt="" loading="lazy" />
        <span class="pick">
          <input type="checkbox" checked={selected} aria-label={`Select the prediction ${describePrediction(prediction)}`} onChange={(e) => onToggle(e.currentTarget.checked)} />
          Select
        </span>
      </label>
      <ol class="prediction-tags" aria-label="Top predictions">
        {top.map((p) => (
          <li key={p.tagId}>
            <span class="tag-name">{p.tagName}</span> <span class="number">{percent(p.probability)}</span>
          </li>
        ))}
      </ol>
      <p class="prediction-meta subtle">
        {iterationName} · <time dateTime={prediction.created}>{dateTime(prediction.created)}</time>
      </p>
    </li>
  );
}
