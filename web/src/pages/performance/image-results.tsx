/** @module The per-image results: the training images the held-out model got wrong or doubtful, filterable, each with a one-click retag. */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { ImagePerformance, Prediction, Project, Tag } from '../../api/types';
import { ImageResultRow, type RetagState } from './image-result-row';
import type { Percent } from './performance-data';
import { retagImage } from './retag';
import { byConcern, judge, matches, type ResultFilter } from './verdicts';

const PAGE = 50;

function parseFilter(value: string): ResultFilter {
  return value.startsWith('tag:') ? { kind: 'tag', tagId: value.slice(4) } : { kind: value as 'problems' | 'wrong' | 'doubtful' };
}

export function ImageResults({ api, project, tags, images, threshold }: { api: Api; project: Project; tags: Tag[]; images: ImagePerformance[]; threshold: Percent }) {
  const [filterValue, setFilterValue] = useState('problems');
  const [shown, setShown] = useState(PAGE);
  const [retags, setRetags] = useState<Record<string, RetagState>>({});
  const filter = parseFilter(filterValue);
  const rows = images
    .map((image) => judge(image, threshold / 100))
    .filter((judged) => matches(filter, judged))
    .sort(byConcern);

  const retag = async (image: ImagePerformance, tag: Prediction) => {
    setRetags((r) => ({ ...r, [image.id]: { phase: 'working' } }));
    try {
      await retagImage(api, project.id, image.id, image.tags.map((t) => t.tagId), tag.tagId);
      setRetags((r) => ({ ...r, [image.id]: { phase: 'done', tag } }));
    } catch (error) {
      setRetags((r) => ({ ...r, [image.id]: { phase: 'failed', error } }));
    }
  };

  return (
    <section class="card image-results-section" aria-labelledby="image-results-heading">
      <h3 id="image-results-heading">Images the model got wrong or doubtful</h3>
      <p class="hint">
        Each image was predicted by a model trained without it. Wrong: the top tag is not the image's tag. Doubtful: right, but below the {threshold}%
        threshold. Retagging changes the training images; train again to see the effect.
      </p>
      <div class="toolbar">
        <label class="inline-field">
          Show
          <select
            value={filterValue}
            onChange={(e) => {
              setFilterValue(e.currentTarget.value);
              setShown(PAGE);
            }}
          >
            <option value="problems">Wrong or doubtful</option>
            <option value="wrong">Wrong</option>
            <option value="doubtful">Doubtful</option>
            {tags.map((t) => (
              <option key={t.id} value={`tag:${t.id}`}>
                All images tagged {t.name}
              </option>
            ))}
          </select>
        </label>
        <span class="subtle" role="status">
          {rows.length} of {images.length} images
        </span>
      </div>
      {rows.length === 0 ? (
        <p>No image matches.</p>
      ) : (
        <ul class="image-results">
          {rows.slice(0, shown).map((judged) => (
            <ImageResultRow key={judged.image.id} judged={judged} retag={retags[judged.image.id]} onRetag={(tag) => retag(judged.image, tag)} />
          ))}
        </ul>
      )}
      {rows.length > shown && (
        <button type="button" onClick={() => setShown(shown + PAGE)}>
          Show {Math.min(PAGE, rows.length - shown)} more
        </button>
      )}
    </section>
  );
}
