/** @module Each file's or URL's status next to its name, and the "N uploaded, D duplicates, F failed" line once all are done. */
import { describeStatus, outcomeOf, summaryLine } from './create-status';

export interface ResultItem {
  name: string;
  /** queued, uploading, or the API's status. */
  status: string;
  /** Words replacing the status's own (a refused request's message). */
  message?: string;
}

export function ResultList({ label, items, progress }: { label: string; items: readonly ResultItem[]; /** Shown instead of the summary while work goes on. */ progress?: string }) {
  if (items.length === 0) return null;
  return (
    <>
      <p class="upload-summary" role="status">
        {progress ?? summaryLine(items.map((i) => i.status))}
      </p>
      <ol class="file-list" aria-label={label}>
        {items.map((item, i) => {
          const outcome = outcomeOf(item.status);
          return (
            <li key={i} class={`file-row ${outcome}`} data-outcome={outcome}>
              <span class="file-name">{item.name}</span>
              <span class="file-status">{item.message ?? describeStatus(item.status)}</span>
            </li>
          );
        })}
      </ol>
    </>
  );
}
