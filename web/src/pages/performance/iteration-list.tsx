/** @module The side list of a project's iterations: name, status, date and published name; each links to its performance. */
import type { Iteration } from '../../api/types';
import { dateTime } from '../../components/format';
import { routeHref } from '../../router';

/** A class for the statuses the API has; anything else reads as a problem. */
function statusClass(status: string): string {
  return status === 'Completed' ? 'status-ok' : status === 'Training' ? 'status-busy' : 'status-failed';
}

export function IterationList({ projectId, iterations, selectedId }: { projectId: string; iterations: Iteration[]; selectedId: string | undefined }) {
  return (
    <nav class="iteration-list card" aria-labelledby="iteration-list-heading">
      <h2 id="iteration-list-heading">Iterations</h2>
      {iterations.length === 0 ? (
        <p class="subtle">None yet: press Train once every tag has at least 5 images.</p>
      ) : (
        <ul>
          {iterations.map((iteration) => (
            <li key={iteration.id}>
              <a
                href={routeHref({ page: 'project', projectId, tab: 'performance', detail: iteration.id })}
                aria-current={iteration.id === selectedId ? 'page' : undefined}
              >
                <span class="iteration-name">{iteration.name}</span>
                <span class={`iteration-status ${statusClass(iteration.status)}`}>{iteration.status}</span>
                <span class="iteration-date subtle">{dateTime(iteration.trainedAt ?? iteration.created)}</span>
                {iteration.publishName && <span class="tag-chip">Published as {iteration.publishName}</span>}
              </a>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
