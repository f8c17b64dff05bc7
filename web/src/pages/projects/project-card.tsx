/** @module One project in the list: thumbnail, name (the link), domain, type, image count, newest iteration; edit and delete. */
import type { Api } from '../../api/client';
import type { Domain, Project } from '../../api/types';
import { ErrorMessage } from '../../components/error-message';
import { dateTime } from '../../components/format';
import { useAsync } from '../../components/use-async';
import { routeHref } from '../../router';
import { loadProjectSummary } from './project-summary';

export function ProjectCard({ api, project, domain, onEdit, onDelete }: { api: Api; project: Project; domain: Domain | undefined; onEdit: () => void; onDelete: () => void }) {
  const summary = useAsync(() => loadProjectSummary(api, project), [api, project.id, project.lastModified]);
  const headingId = `project-${project.id}`;
  const href = routeHref({ page: 'project', projectId: project.id, tab: 'images' });
  const last = summary.value?.lastIteration;
  return (
    <article class="project-card card" aria-labelledby={headingId} aria-busy={summary.loading}>
      <a href={href} class="project-thumb" tabIndex={-1} aria-hidden="true">
        {summary.value?.thumbnailUri ? <img src={summary.value.thumbnailUri} alt="" /> : <span>{summary.loading ? '' : 'No images yet'}</span>}
      </a>
      <h2 id={headingId}>
        <a href={href}>{project.name}</a>
      </h2>
      {project.description && <p class="project-description">{project.description}</p>}
      <dl class="project-facts">
        <dt>Domain</dt>
        <dd>
          {domain?.name ?? 'Unknown'}
          {domain?.exportable && <span class="tag-chip">exportable</span>}
        </dd>
        <dt>Type</dt>
        <dd>{project.settings.classificationType ?? 'Multiclass'}</dd>
        <dt>Images</dt>
        <dd class="project-image-count">{summary.value ? summary.value.imageCount : '…'}</dd>
        <dt>Last iteration</dt>
        <dd>
          {!summary.value ? (
            '…'
          ) : last ? (
            <>
              {last.name} · <span class={`status status-${last.status.toLowerCase()}`}>{last.status}</span>
              {last.publishName && <span class="tag-chip">published as {last.publishName}</span>}
              <span class="hint"> {dateTime(last.trainedAt ?? last.lastModified)}</span>
            </>
          ) : (
            'Not trained yet'
          )}
        </dd>
      </dl>
      <ErrorMessage error={summary.error} />
      <div class="actions">
        <button type="button" onClick={onEdit} aria-label={`Edit ${project.name}`}>
          Edit
        </button>
        <button type="button" onClick={onDelete} aria-label={`Delete ${project.name}`}>
          Delete
        </button>
      </div>
    </article>
  );
}
