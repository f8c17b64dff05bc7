/** @module The Publish dialog: a publish name and the prediction resource to publish to. */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Iteration, Project } from '../../api/types';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { LAB_PREDICTION_RESOURCE_ID } from '../settings/prediction-resource';

/** "Iteration 1" → "iteration1": a name that needs no escaping in the prediction URL. */
export function defaultPublishName(iteration: Iteration): string {
  return iteration.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '') || 'model';
}

export function PublishDialog({ api, project, iteration, onPublished, onClose }: { api: Api; project: Project; iteration: Iteration; onPublished: (publishName: string) => void; onClose: () => void }) {
  const [publishName, setPublishName] = useState(() => defaultPublishName(iteration));
  const [predictionId, setPredictionId] = useState(LAB_PREDICTION_RESOURCE_ID);
  const [error, setError] = useState<unknown>(null);
  const [publishing, setPublishing] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setPublishing(true);
    const name = publishName.trim();
    try {
      await api.training('POST', `/projects/${project.id}/iterations/${iteration.id}/publish`, { query: { publishName: name, predictionId: predictionId.trim() } });
      onPublished(name);
    } catch (failure) {
      setError(failure);
      setPublishing(false);
    }
  };

  return (
    <Dialog title="Publish model" open onClose={onClose}>
      <form onSubmit={submit}>
        <div class="dialog-body">
          <p>
            Publish <strong>{iteration.name}</strong> so that clients can call it by name through the Prediction API.
          </p>
          <label>
            Model name
            <input type="text" required maxLength={256} value={publishName} onInput={(e) => setPublishName(e.currentTarget.value)} aria-describedby="publish-name-hint" />
          </label>
          <p id="publish-name-hint" class="hint">
            The name in the prediction URL (no / \ ? # or %).
          </p>
          <label>
            Prediction resource
            <input type="text" required value={predictionId} onInput={(e) => setPredictionId(e.currentTarget.value)} aria-describedby="publish-resource-hint" />
          </label>
          <p id="publish-resource-hint" class="hint">
            The local service accepts any resource id; this is the lab's.
          </p>
          <ErrorMessage error={error} />
        </div>
        <footer class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={publishing || !publishName.trim() || !predictionId.trim()}>
            {publishing ? 'Publishing…' : 'Publish'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
