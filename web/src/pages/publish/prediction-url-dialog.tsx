/** @module The Prediction URL dialog, laid out as Custom Vision's: for an image URL and for an image file, the URL, headers, body and a curl example. */
import type { Api } from '../../api/client';
import { Copyable } from '../../components/copyable';
import { Dialog } from '../../components/dialog';
import { routeHref } from '../../router';
import { type PredictionRequest, predictionRequests } from './prediction-urls';

const NO_PREDICTION_KEY = '<your prediction key>';

function RequestSection({ id, title, request, predictionKey }: { id: string; title: string; request: PredictionRequest; predictionKey: string }) {
  return (
    <section class="prediction-request" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <Copyable label="URL" text={request.url} />
      <Copyable label="Prediction-Key header" text={`Prediction-Key: ${predictionKey}`} />
      <Copyable label="Content-Type header" text={`Content-Type: ${request.contentType}`} />
      <Copyable label="Body" text={request.body} />
      <Copyable label="curl" text={request.curl} multiline />
    </section>
  );
}

export function PredictionUrlDialog({ api, projectId, publishName, onClose }: { api: Api; projectId: string; publishName: string; onClose: () => void }) {
  const predictionKey = api.keys.predictionKey || NO_PREDICTION_KEY;
  const requests = predictionRequests(api.endpoint, projectId, publishName, predictionKey);
  return (
    <Dialog title="How to use the Prediction API" open onClose={onClose} wide>
      <div class="dialog-body">
        {!api.keys.predictionKey && (
          <p class="message notice">
            <span>
              No prediction key was given at sign-in, so the key shows as {NO_PREDICTION_KEY}. Enter it in <a href={routeHref({ page: 'settings' })}>Settings</a>.
            </span>
          </p>
        )}
        <p class="hint">
          Iteration published as <strong>{publishName}</strong>. Add <code>/nostore</code> to either URL to keep the image out of the project's Predictions.
        </p>
        <RequestSection id="prediction-by-url" title="If you have an image URL" request={requests.imageUrl} predictionKey={predictionKey} />
        <RequestSection id="prediction-by-file" title="If you have an image file" request={requests.imageFile} predictionKey={predictionKey} />
      </div>
    </Dialog>
  );
}
