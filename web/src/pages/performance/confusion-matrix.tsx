/** @module The confusion matrix of the held-out results: each image's tag against the tag the model ranked first. */
import type { ImagePerformance, Tag } from '../../api/types';
import { topPrediction } from './verdicts';

function counts(tags: Tag[], images: ImagePerformance[]): { rows: number[][]; totals: number[] } {
  const index = new Map(tags.map((t, i) => [t.id, i]));
  const rows = tags.map(() => tags.map(() => 0));
  for (const image of images) {
    const top = topPrediction(image);
    const predicted = top ? index.get(top.tagId) : undefined;
    if (predicted === undefined) continue;
    // Multilabel images count once under each of their tags.
    for (const t of image.tags) {
      const actual = index.get(t.tagId);
      if (actual !== undefined) rows[actual][predicted] += 1;
    }
  }
  return { rows, totals: rows.map((r) => r.reduce((a, b) => a + b, 0)) };
}

export function ConfusionMatrix({ tags, images }: { tags: Tag[]; images: ImagePerformance[] }) {
  const { rows, totals } = counts(tags, images);
  return (
    <section class="card confusion" aria-labelledby="confusion-heading">
      <h3 id="confusion-heading">Confusion matrix</h3>
      <p class="hint">Rows: the tag an image has. Columns: the tag the held-out model gave the highest probability (whatever the threshold).</p>
      <div class="table-scroll">
        <table class="confusion-matrix" aria-label="Confusion matrix: true tag by predicted tag">
          <thead>
            <tr>
              <th scope="col">Tagged \ Predicted</th>
              {tags.map((t) => (
                <th key={t.id} scope="col" class="number">
                  {t.name}
                </th>
              ))}
              <th scope="col" class="number">
                Images
              </th>
            </tr>
          </thead>
          <tbody>
            {tags.map((actual, i) => (
              <tr key={actual.id}>
                <th scope="row">{actual.name}</th>
                {rows[i].map((count, j) => {
                  const share = totals[i] ? count / totals[i] : 0;
                  return (
                    <td
                      key={tags[j].id}
                      class={`number ${i === j ? 'diagonal' : count ? 'confused' : ''} ${share > 0.5 ? 'dark' : ''}`}
                      style={{ backgroundColor: count ? `rgba(11, 92, 173, ${(0.08 + share * 0.85).toFixed(2)})` : undefined }}
                    >
                      {count}
                    </td>
                  );
                })}
                <td class="number">{totals[i]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
