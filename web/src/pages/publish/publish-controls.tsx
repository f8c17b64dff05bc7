/** @module Publish, Unpublish and Prediction URL for one iteration, shown in its header on the Performance page. */
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Iteration, Project } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { PredictionUrlDialog } from './prediction-url-dialog';
import { PublishDialog } from './publish-dialog';
import './publish.css';

type Opened = 'none' | 'publish' | 'unpublish' | 'urls';

export function PublishControls({ api, project, iteration, onChanged }: { api: Api; project: Project; iteration: Iteration; onChanged: () => void }) {
  // What this control last did wins until the parent hands a reloaded iteration.
  const [publishName, setPublishName] = useState(iteration.publishName ?? null);
  useEffect(() => setPublishName(iteration.publishName ?? null), [iteration.id, iteration.publishName]);
  const [opened, setOpened] = useState<Opened>('none');
  const [error, setError] = useState<unknown>(null);
  const [unpublishing, setUnpublishing] = useState(false);
  const close = () => setOpened('none');

  if (iteration.status !== 'Completed') return null;

  const published = (name: string) => {
    setPublishName(name);
    close();
    onChanged();
  };
  const unpublish = async () => {
    setError(null);
    setUnpublishing(true);
    try {
      await api.training('DELETE', `/projects/${project.id}/iterations/${iteration.id}/publish`);
      setPublishName(null);
      close();
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setUnpublishing(false);
    }
  };

  return (
    <div class="publish-controls">
      {publishName ? (
        <>
          <span class="published-as">
            Published as <strong>{publishName}</strong>
          </span>
          <button type="button" class="primary" onClick={() => setOpened('urls')}>
            Prediction URL
          </button>
          <button type="button" onClick={() => setOpened('unpublish')}>
            Unpublish
          </button>
        </>
      ) : (
        <button type="button" class="primary" onClick={() => setOpened('publish')}>
          Publish
        </button>
      )}
      {opened === 'publish' && <PublishDialog api={api} project={project} iteration={iteration} onPublished={published} onClose={close} />}
      {opened === 'urls' && publishName && <PredictionUrlDialog api={api} projectId={project.id} publishName={publishName} onClose={close} />}
      {opened === 'unpublish' && (
        <ConfirmDialog title="Unpublish" open confirmLabel={unpublishing ? 'Unpublishing…' : 'Unpublish'} onConfirm={() => void unpublish()} onClose={close}>
          <p>
            Unpublish <strong>{iteration.name}</strong>? Clients calling it as <strong>{publishName}</strong> get an error until an iteration is published under that name again.
          </p>
          <ErrorMessage error={error} />
        </ConfirmDialog>
      )}
    </div>
  );
}
