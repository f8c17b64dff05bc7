/** @module What "Add to training images" did: a count, then one line per prediction with the API's status. */
import { ErrorMessage } from '../../components/error-message';
import type { AddOutcome } from './add-to-training';
import { describePrediction } from './describe-prediction';

const count = (outcome: AddOutcome, status: string) => outcome.results.filter((r) => r.status === status).length;

export function AddResults({ outcome, onDismiss }: { outcome: AddOutcome; onDismiss: () => void }) {
  const added = count(outcome, 'OK');
  const duplicates = count(outcome, 'OKDuplicate');
  const failed = outcome.results.length - added - duplicates;
  return (
    <section class={failed ? 'add-results card has-failures' : 'add-results card'} aria-labelledby="add-results-heading" role="status">
      <h3 id="add-results-heading">Added to training images</h3>
      <p class="add-summary">
        {added} added with tag {outcome.tagName}
        {duplicates > 0 && `, ${duplicates} already training images`}
        {failed > 0 && `, ${failed} failed`}.
        {outcome.removed.length > 0 && ` ${outcome.removed.length} removed from Predictions.`}
      </p>
      <ul class="add-result-list">
        {outcome.results.map((r) => (
          <li key={r.prediction.id} class={r.status.startsWith('OK') ? 'ok' : 'failed'}>
            {describePrediction(r.prediction)}: {r.message} ({r.status})
          </li>
        ))}
      </ul>
      {outcome.removeError !== undefined && (
        <>
          <p>They are among the training images, but could not be removed from Predictions:</p>
          <ErrorMessage error={outcome.removeError} />
        </>
      )}
      <button type="button" class="link" onClick={onDismiss}>
        Dismiss
      </button>
    </section>
  );
}
