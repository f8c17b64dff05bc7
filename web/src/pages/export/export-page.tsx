/** @module The Export tab: pick a completed iteration, export it (compact domains only), or learn why not and switch the domain. */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Domain, Iteration, Project } from '../../api/types';
import { Busy } from '../../components/busy';
import { ErrorMessage, Notice } from '../../components/error-message';
import { useAsync } from '../../components/use-async';
import { CompactSwitch, compactDomainFor } from './compact-switch';
import { ExportForm } from './export-form';
import './export.css';

/** Iterations trained meanwhile (the Train button, a notebook) appear without leaving the tab; faster while one trains. */
function useIterationRefresh(iterations: Iteration[] | undefined, loading: boolean, reload: () => void): void {
  const training = iterations?.some((i) => i.status === 'Training') ?? false;
  useEffect(() => {
    if (loading) return;
    const timer = setTimeout(reload, training ? 2000 : 5000);
    return () => clearTimeout(timer);
  }, [iterations, loading, training, reload]);
}

export function ExportPage({ api, project, domains, onProjectChanged }: { api: Api; project: Project; domains: Domain[]; onProjectChanged: () => void }) {
  const iterations = useAsync(() => api.training<Iteration[]>('GET', `/projects/${project.id}/iterations`), [api, project.id, project.settings.domainId]);
  useIterationRefresh(iterations.value, iterations.loading, iterations.reload);
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const [switchedTo, setSwitchedTo] = useState<string | null>(null);
  const domain = domains.find((d) => d.id === project.settings.domainId);
  const target = compactDomainFor(domain, domains);
  const domainName = (id: string | null | undefined) => domains.find((d) => d.id === id)?.name ?? 'an unknown';

  if (iterations.error && !iterations.value) return <ErrorMessage error={iterations.error} />;
  if (!iterations.value) return <Busy label="Loading iterations…" />;
  const completed = iterations.value.filter((i) => i.status === 'Completed').sort((a, b) => b.created.localeCompare(a.created));
  const selected = completed.find((i) => i.id === selectedId) ?? completed[0];
  const anyExportable = completed.some((i) => i.exportable);

  return (
    <section class="export-page">
      <h2>Export</h2>
      <p class="hint">
        An exported model runs without this service: ONNX in your own code, or the Docker package as a small prediction server.
      </p>
      {!domain?.exportable && target && (
        <CompactSwitch
          api={api}
          project={project}
          domain={domain}
          target={target}
          onSwitched={() => {
            setSwitchedTo(target.name);
            onProjectChanged();
          }}
        />
      )}
      {switchedTo && (
        <Notice>
          The project now uses {switchedTo}. Train a new iteration (the Train button above): iterations trained before the switch cannot be exported.
        </Notice>
      )}
      {completed.length === 0 ? (
        <p>No completed iteration yet: train the project first.</p>
      ) : (
        (domain?.exportable || anyExportable) &&
        selected && (
          <div class="card">
            <div class="field">
              <label for="export-iteration">Iteration</label>
              <select id="export-iteration" value={selected.id} onChange={(e) => setSelectedId(e.currentTarget.value)}>
                {completed.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                    {i.exportable ? '' : ' (not exportable)'}
                  </option>
                ))}
              </select>
            </div>
            {selected.exportable ? (
              <ExportForm key={selected.id} api={api} project={project} iteration={selected} />
            ) : (
              <p>
                {selected.name} was trained in the {domainName(selected.domainId)} domain, which is not compact: train a new iteration in {domain?.name} and export that one.
              </p>
            )}
          </div>
        )
      )}
    </section>
  );
}
