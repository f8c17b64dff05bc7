/** @module The Projects page: every project as a card, with New project, Edit and Delete (confirmed). */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Domain, Project } from '../../api/types';
import { Busy } from '../../components/busy';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { useAsync } from '../../components/use-async';
import { navigate } from '../../router';
import { classificationDomains } from './domain-select';
import { ProjectCard } from './project-card';
import { type ProjectFields, ProjectFormDialog } from './project-form';
import { updateProject } from './project-update';
import './projects.css';

/** Which dialog is open: none, the new-project form, or one project's edit form or delete confirmation. */
type Opened = { kind: 'none' } | { kind: 'create' } | { kind: 'edit'; project: Project } | { kind: 'delete'; project: Project };

export function ProjectsPage({ api }: { api: Api }) {
  const loaded = useAsync(() => Promise.all([api.training<Project[]>('GET', '/projects'), api.training<Domain[]>('GET', '/domains')]), [api]);
  const [opened, setOpened] = useState<Opened>({ kind: 'none' });
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState(false);
  const close = () => {
    setOpened({ kind: 'none' });
    setDeleteError(null);
  };

  if (loaded.error && !loaded.value) return <ErrorMessage error={loaded.error} />;
  if (!loaded.value) return <Busy label="Loading projects…" />;
  const [projects, domains] = loaded.value;
  const newestFirst = [...projects].sort((a, b) => b.created.localeCompare(a.created));
  const defaultDomain = classificationDomains(domains).find((d) => d.name === 'General') ?? classificationDomains(domains)[0];

  const create = async (fields: ProjectFields) => {
    const project = await api.training<Project>('POST', '/projects', { query: { ...fields, description: fields.description || undefined } });
    navigate({ page: 'project', projectId: project.id, tab: 'images' });
  };
  const edit = (project: Project) => async (fields: ProjectFields) => {
    await updateProject(api, project, fields);
    close();
    loaded.reload();
  };
  const remove = async (project: Project) => {
    setDeleteError(null);
    setDeleting(true);
    try {
      await api.training('DELETE', `/projects/${project.id}`);
      close();
      loaded.reload();
    } catch (failure) {
      setDeleteError(failure);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <section class="projects">
      <header class="projects-header">
        <h1>Projects</h1>
        <button type="button" class="primary" onClick={() => setOpened({ kind: 'create' })}>
          New project
        </button>
      </header>
      <ErrorMessage error={loaded.error} />
      {newestFirst.length === 0 ? (
        <p>No projects yet. Create one with New project, or from a notebook: both use the same API.</p>
      ) : (
        <div class="project-grid">
          {newestFirst.map((project) => (
            <ProjectCard
              key={project.id}
              api={api}
              project={project}
              domain={domains.find((d) => d.id === project.settings.domainId)}
              onEdit={() => setOpened({ kind: 'edit', project })}
              onDelete={() => setOpened({ kind: 'delete', project })}
            />
          ))}
        </div>
      )}
      {opened.kind === 'create' && (
        <ProjectFormDialog
          title="New project"
          submitLabel="Create project"
          initial={{ name: '', description: '', classificationType: 'Multiclass', domainId: defaultDomain?.id ?? '' }}
          domains={domains}
          onSubmit={create}
          onClose={close}
        />
      )}
      {opened.kind === 'edit' && (
        <ProjectFormDialog
          title={`Edit ${opened.project.name}`}
          submitLabel="Save changes"
          initial={{
            name: opened.project.name,
            description: opened.project.description ?? '',
            classificationType: opened.project.settings.classificationType ?? 'Multiclass',
            domainId: opened.project.settings.domainId,
          }}
          domains={domains}
          onSubmit={edit(opened.project)}
          onClose={close}
        />
      )}
      {opened.kind === 'delete' && (
        <ConfirmDialog title="Delete project" open confirmLabel={deleting ? 'Deleting…' : 'Delete'} onConfirm={() => void remove(opened.project)} onClose={close}>
          <p>
            Delete the project <strong>{opened.project.name}</strong> with all its images, tags, iterations and stored predictions? This cannot be undone.
          </p>
          <ErrorMessage error={deleteError} />
        </ConfirmDialog>
      )}
    </section>
  );
}
