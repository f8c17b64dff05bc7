/** @module One project: its name and domain, the Train button, and tabs for images, performance, predictions, quick test and export. */
import type { Api } from '../../api/client';
import type { Domain, Project } from '../../api/types';
import { Busy } from '../../components/busy';
import { ErrorMessage } from '../../components/error-message';
import { useAsync } from '../../components/use-async';
import { type ProjectTab, routeHref } from '../../router';
import { ExportPage } from '../export/export-page';
import { ImagesPage } from '../images/images-page';
import { PerformancePage } from '../performance/performance-page';
import { PredictionsPage } from '../predictions/predictions-page';
import { QuickTestPage } from '../quick-test/quick-test-page';
import { TrainButton } from '../train/train-button';

const TAB_NAMES: Record<ProjectTab, string> = {
  images: 'Training images',
  performance: 'Performance',
  predictions: 'Predictions',
  'quick-test': 'Quick Test',
  export: 'Export',
};

export function ProjectPage({ api, projectId, tab, detail }: { api: Api; projectId: string; tab: ProjectTab; detail?: string }) {
  const loaded = useAsync(
    () => Promise.all([api.training<Project>('GET', `/projects/${projectId}`), api.training<Domain[]>('GET', '/domains')]),
    [api, projectId],
  );
  if (loaded.error && !loaded.value) return <ErrorMessage error={loaded.error} />;
  if (!loaded.value) return <Busy label="Loading the project…" />;
  const [project, domains] = loaded.value;
  const domain = domains.find((d) => d.id === project.settings.domainId);
  return (
    <section class="project">
      <header class="project-header">
        <div>
          <a href="#/" class="back">
            ← Projects
          </a>
          <h1>{project.name}</h1>
          <p class="subtle">
            {domain ? domain.name : 'Unknown domain'} · {project.settings.classificationType ?? 'Multiclass'}
          </p>
        </div>
        <TrainButton api={api} project={project} />
      </header>
      <nav class="tabs" aria-label="Project pages">
        {(Object.keys(TAB_NAMES) as ProjectTab[]).map((name) => (
          <a key={name} href={routeHref({ page: 'project', projectId, tab: name })} aria-current={name === tab ? 'page' : undefined}>
            {TAB_NAMES[name]}
          </a>
        ))}
      </nav>
      <div class="tab-panel">
        {tab === 'images' && <ImagesPage api={api} project={project} />}
        {tab === 'performance' && <PerformancePage api={api} project={project} iterationId={detail} />}
        {tab === 'predictions' && <PredictionsPage api={api} project={project} />}
        {tab === 'quick-test' && <QuickTestPage api={api} project={project} />}
        {tab === 'export' && <ExportPage api={api} project={project} domains={domains} onProjectChanged={loaded.reload} />}
      </div>
    </section>
  );
}
