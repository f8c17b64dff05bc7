/** @module One iteration on the Performance page: its header with publishing, the threshold, the figures, the curve, the confusion matrix, the per-image results and the comparison. */
import type { Api } from '../../api/client';
import type { Iteration, Project } from '../../api/types';
import { Busy } from '../../components/busy';
import { ErrorMessage } from '../../components/error-message';
import { dateTime } from '../../components/format';
import { useAsync } from '../../components/use-async';
import { PublishControls } from '../publish/publish-controls';
import { CompareIterations } from './compare-iterations';
import { ConfusionMatrix } from './confusion-matrix';
import { Figures } from './figures';
import { ImageResults } from './image-results';
import { imageResults, iterationTags, type Percent } from './performance-data';
import { PrCurve } from './pr-curve';
import { ThresholdSlider } from './threshold-slider';
import { useDebounced } from './use-debounced';

const SLIDER_SETTLE_MS = 250;

interface Props {
  api: Api;
  project: Project;
  iteration: Iteration;
  iterations: Iteration[];
  threshold: Percent;
  onThreshold: (threshold: Percent) => void;
  onChanged: () => void;
}

/** The held-out results per image (loaded once per iteration, shared through the cache) for the confusion matrix and the per-image list. */
function useHeldOut(api: Api, project: Project, iteration: Iteration) {
  return useAsync(
    () => Promise.all([iterationTags(api, project.id, iteration.id), imageResults(api, project.id, iteration.id)]),
    [api, project.id, iteration.id],
  );
}

function HeldOutConfusion({ api, project, iteration }: { api: Api; project: Project; iteration: Iteration }) {
  const loaded = useHeldOut(api, project, iteration);
  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (!loaded.value) return <Busy label="Loading the per-image results…" />;
  return <ConfusionMatrix tags={loaded.value[0]} images={loaded.value[1]} />;
}

function HeldOutImages({ api, project, iteration, threshold }: { api: Api; project: Project; iteration: Iteration; threshold: Percent }) {
  const loaded = useHeldOut(api, project, iteration);
  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (!loaded.value) return <Busy label="Loading the per-image results…" />;
  return <ImageResults api={api} project={project} tags={loaded.value[0]} images={loaded.value[1]} threshold={threshold} />;
}

export function IterationView({ api, project, iteration, iterations, threshold, onThreshold, onChanged }: Props) {
  const settled = useDebounced(threshold, SLIDER_SETTLE_MS);
  return (
    <div class="iteration-view">
      <header class="iteration-header card">
        <div>
          <h2>{iteration.name}</h2>
          <p class="subtle">
            {iteration.status} · trained {dateTime(iteration.trainedAt)} · {iteration.trainingType === 'Advanced' ? `Advanced (${iteration.reservedBudgetInHours} h budget)` : 'Quick'} training
          </p>
        </div>
        <PublishControls api={api} project={project} iteration={iteration} onChanged={onChanged} />
      </header>
      {iteration.status === 'Training' ? (
        <Busy label={`${iteration.name} is training; its performance shows here when it completes.`} />
      ) : iteration.status !== 'Completed' ? (
        <p class="message error">{iteration.name} did not complete training ({iteration.status}): it has no performance to show.</p>
      ) : (
        <>
          <ThresholdSlider value={threshold} onChange={onThreshold} />
          <Figures api={api} project={project} iteration={iteration} threshold={settled} />
          <div class="performance-grid">
            <PrCurve api={api} project={project} iteration={iteration} threshold={settled} />
            <HeldOutConfusion api={api} project={project} iteration={iteration} />
          </div>
          <HeldOutImages api={api} project={project} iteration={iteration} threshold={settled} />
          <CompareIterations api={api} project={project} iteration={iteration} iterations={iterations} threshold={settled} />
        </>
      )}
    </div>
  );
}
