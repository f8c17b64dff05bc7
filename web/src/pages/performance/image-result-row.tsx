/** @module One held-out result: the thumbnail, its tag, what the model predicted and how sure, and the one-click retag. */
import type { Prediction } from '../../api/types';
import { ErrorMessage } from '../../components/error-message';
import { percent } from '../../components/format';
import type { ImageVerdict } from './verdicts';

export type RetagState = { phase: 'working' } | { phase: 'done'; tag: Prediction } | { phase: 'failed'; error: unknown };

const VERDICT_NAMES = { wrong: 'Wrong', doubtful: 'Doubtful', right: 'Right' } as const;

export function ImageResultRow({ judged, retag, onRetag }: { judged: ImageVerdict; retag: RetagState | undefined; onRetag: (tag: Prediction) => void }) {
  const { image, top, verdict } = judged;
  const tagNames = image.tags.map((t) => t.tagName).join(', ') || 'no tag';
  const others = image.predictions.filter((p) => p !== top);
  const done = retag?.phase === 'done' ? retag.tag : undefined;
  return (
    <li class={`image-result verdict-${done ? 'retagged' : verdict}`} data-image-id={image.id}>
      <img src={image.thumbnailUri} alt={`Training image tagged ${tagNames}`} />
      <div class="image-result-body">
        <p>
          <span class="verdict">{done ? 'Retagged' : VERDICT_NAMES[verdict]}</span> Tagged{' '}
          <span class="tag-chip true-tag">{done ? done.tagName : tagNames}</span>
          {done && <span class="was subtle"> (was {tagNames})</span>} · predicted{' '}
          <span class="tag-chip predicted-tag">{top?.tagName ?? 'nothing'}</span> <span class="probability">{percent(top?.probability)}</span>
        </p>
        {others.length > 0 && (
          <p class="other-predictions subtle">
            Also: {others.map((p) => `${p.tagName} ${percent(p.probability)}`).join(', ')}
          </p>
        )}
      </div>
      <div class="image-result-action">
        {done ? (
          <p class="retagged" role="status">
            Retagged as {done.tagName}. Train again to use it.
          </p>
        ) : (
          verdict === 'wrong' &&
          top && (
            <button type="button" disabled={retag?.phase === 'working'} onClick={() => onRetag(top)}>
              Retag as {top.tagName}
            </button>
          )
        )}
        {retag?.phase === 'failed' && <ErrorMessage error={retag.error} />}
      </div>
    </li>
  );
}
