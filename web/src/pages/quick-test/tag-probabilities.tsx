/** @module A table of tag probabilities, highest first, each with a bar and its percentage. */
import type { Prediction } from '../../api/types';
import { percent } from '../../components/format';

export function TagProbabilities({ predictions }: { predictions: readonly Prediction[] }) {
  const sorted = [...predictions].sort((a, b) => b.probability - a.probability);
  return (
    <table class="tag-probabilities">
      <caption>Tag probabilities</caption>
      <thead>
        <tr>
          <th scope="col">Tag</th>
          <th scope="col" class="number">
            Probability
          </th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((p) => (
          <tr key={p.tagId}>
            <th scope="row">{p.tagName}</th>
            <td>
              <div class="probability">
                <span class="probability-bar" aria-hidden="true">
                  <span class="probability-fill" style={{ width: `${p.probability * 100}%` }} />
                </span>
                <span class="number">{percent(p.probability)}</span>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
