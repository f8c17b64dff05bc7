/** @module The Performance tab: the project's iterations in a side list and the selected one's performance. */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Project } from '../../api/types';
import { Busy } from '../../components/busy';
import { ErrorMessage } from '../../components/error-message';
import { IterationList } from './iteration-list';
import { IterationView } from './iteration-view';
import type { Percent } from './performance-data';
import { selectIteration, useIterations } from './use-iterations';
import './performance.css';

const DEFAULT_THRESHOLD: Percent = 50;

export function PerformancePage({ api, project, iterationId }: { api: Api; project: Project; iterationId?: string }) {
  const { iterations, error, looking, reload } = useIterations(api, project.id, iterationId);
  // Kept while switching iterations, so two of them read at the same threshold.
  const [threshold, setThreshold] = useState<Percent>(DEFAULT_THRESHOLD);
  if (!iterations) return error ? <ErrorMessage error={error} /> : <Busy label="Loading the iterations…" />;
  const selected = selectIteration(iterations, iterationId);
  return (
    <div class="performance">
      <IterationList projectId={project.id} iterations={iterations} selectedId={selected?.id} />
      <div class="performance-main">
        <ErrorMessage error={error} />
        {selected ? (
          <IterationView
            key={selected.id}
            api={api}
            project={project}
            iteration={selected}
            iterations={iterations}
            threshold={threshold}
            onThreshold={setThreshold}
            onChanged={reload}
          />
        ) : looking ? (
          <Busy label="Loading the new iteration…" />
        ) : iterationId ? (
          <p class="message error">This project has no iteration {iterationId}: pick one from the list.</p>
        ) : (
          <p class="card">No trained iteration yet. Tag at least 5 images per tag on the Training images tab, then press Train.</p>
        )}
      </div>
    </div>
  );
}
