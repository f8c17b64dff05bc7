/** @module Why a non-compact project cannot export, and the switch to a compact domain (confirmed; a new iteration must be trained). */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Domain, Project } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { updateProject } from '../projects/project-update';

/** The compact twin of a domain ("Landmarks" → "Landmarks (compact)"), else General (compact). */
export function compactDomainFor(current: Domain | undefined, domains: Domain[]): Domain | undefined {
  const compact = domains.filter((d) => d.type === 'Classification' && d.exportable);
  return compact.find((d) => d.name === `${current?.name} (compact)`) ?? compact.find((d) => d.name === 'General (compact)');
}

export function CompactSwitch({ api, project, domain, target, onSwitched }: { api: Api; project: Project; domain: Domain | undefined; target: Domain; onSwitched: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [switching, setSwitching] = useState(false);
  const name = domain?.name ?? 'This domain';

  const switchDomain = async () => {
    setError(null);
    setSwitching(true);
    try {
      await updateProject(api, project, { domainId: target.id });
      setConfirming(false);
      onSwitched();
    } catch (failure) {
      setError(failure);
    } finally {
      setSwitching(false);
    }
  };

  return (
    <div class="card export-blocked">
      <h2>This project cannot be exported</h2>
      <p>
        {name} is not a compact domain; only compact domains export. Compact models are small enough to run on a device or in a container, offline.
      </p>
      <p>
        To export, switch the project to <strong>{target.name}</strong>: its images and tags stay, and the iterations trained so far stay usable through the prediction endpoint. Then train a new iteration: that one can be exported.
      </p>
      <button type="button" class="primary" onClick={() => setConfirming(true)}>
        Switch to {target.name}
      </button>
      {confirming && (
        <ConfirmDialog title="Switch domain" open confirmLabel={switching ? 'Switching…' : 'Switch domain'} onConfirm={() => void switchDomain()} onClose={() => setConfirming(false)}>
          <p>
            Switch <strong>{project.name}</strong> from {name} to {target.name}? Train a new iteration afterwards to export it.
          </p>
          <ErrorMessage error={error} />
        </ConfirmDialog>
      )}
    </div>
  );
}
