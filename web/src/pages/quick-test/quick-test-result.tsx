/** @module One quick test's answer: the image tested beside its tag probabilities. */
import type { Iteration } from '../../api/types';
import { routeHref } from '../../router';
import { iterationLabel } from './completed-iterations';
import type { QuickTestOutcome } from './run-quick-test';
import { TagProbabilities } from './tag-probabilities';
import { useObjectUrl } from './use-object-url';

export function QuickTestResult({ outcome, iteration, projectId }: { outcome: QuickTestOutcome; iteration?: Iteration; projectId: string }) {
  const { source, prediction } = outcome;
  const fileUrl = useObjectUrl(source.kind === 'file' ? source.file : null);
  const imageUrl = source.kind === 'file' ? fileUrl : outcome.storedImageUri;
  const tested = source.kind === 'file' ? source.file.name : source.url;
  return (
    <section class="quick-test-result card" aria-labelledby="quick-test-result-heading">
      <h2 id="quick-test-result-heading">Result</h2>
      <p class="subtle tested">
        {tested} · {iteration ? iterationLabel(iteration) : prediction.iteration}
      </p>
      <div class="quick-test-result-body">
        {imageUrl ? <img class="tested-image" src={imageUrl} alt={`The tested image, ${tested}`} /> : <p class="subtle no-preview">No preview of this image.</p>}
        <TagProbabilities predictions={prediction.predictions} />
      </div>
      <p class="hint">
        This quick test is kept among the project's <a href={routeHref({ page: 'project', projectId, tab: 'predictions' })}>Predictions</a>, where its image can be added to the training images.
      </p>
    </section>
  );
}
