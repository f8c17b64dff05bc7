/** @module The project's Train button: choose Quick or Advanced, follow the training live, then open the new iteration's performance. */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Iteration, Project } from '../../api/types';
import { ErrorMessage } from '../../components/error-message';
import { navigate } from '../../router';
import { TrainDialog, type TrainQuery } from './train-dialog';
import { TrainingStatus } from './training-status';
import { useTraining } from './use-training';
import './train.css';

export function TrainButton({ api, project }: { api: Api; project: Project }) {
  const training = useTraining(api, project.id, (iteration) =>
    navigate({ page: 'project', projectId: project.id, tab: 'performance', detail: iteration.id }),
  );
  const [choosing, setChoosing] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const start = async (query: TrainQuery) => {
    setChoosing(false);
    setError(null);
    setStarting(true);
    try {
      training.follow(await api.training<Iteration>('POST', `/projects/${project.id}/train`, { query }));
    } catch (failure) {
      setError(failure);
    } finally {
      setStarting(false);
    }
  };

  return (
    <div class="train">
      <div class="train-actions">
        <button type="button" class="primary" disabled={starting} onClick={() => setChoosing(true)} aria-haspopup="dialog">
          Train
        </button>
        <TrainingStatus state={training.state} projectId={project.id} />
      </div>
      <ErrorMessage error={error} onDismiss={() => setError(null)} />
      <ErrorMessage error={training.pollError} />
      <TrainDialog open={choosing} onClose={() => setChoosing(false)} onTrain={start} />
    </div>
  );
}
