/** @module What a client sends to a published iteration: the two prediction URLs, their headers and bodies, as curl. */
export const EXAMPLE_IMAGE_URL = 'https://example.com/image.png';
/** Spelled as Azure's portal shows them; the service, like Azure, takes `prediction`/`url` in either case. */
const SHOWN_PREDICTION_PATH = '/customvision/v3.0/Prediction';
export const URL_BODY = JSON.stringify({ Url: EXAMPLE_IMAGE_URL });

export interface PredictionRequest {
  url: string;
  contentType: string;
  body: string;
  curl: string;
}

/** `endpoint` ends with a slash. */
export function predictionRequests(endpoint: string, projectId: string, publishName: string, predictionKey: string): { imageUrl: PredictionRequest; imageFile: PredictionRequest } {
  const base = `${endpoint.replace(/\/+$/, '')}${SHOWN_PREDICTION_PATH}/${projectId}/classify/iterations/${encodeURIComponent(publishName)}`;
  const curl = (url: string, contentType: string, data: string) =>
    [`curl -X POST "${url}"`, `  -H "Prediction-Key: ${predictionKey}"`, `  -H "Content-Type: ${contentType}"`, `  ${data}`].join(' \\\n');
  const urlUrl = `${base}/url`;
  const imageUrl = `${base}/image`;
  return {
    imageUrl: { url: urlUrl, contentType: 'application/json', body: URL_BODY, curl: curl(urlUrl, 'application/json', `-d '${URL_BODY}'`) },
    imageFile: { url: imageUrl, contentType: 'application/octet-stream', body: '<image file>', curl: curl(imageUrl, 'application/octet-stream', '--data-binary @image.png') },
  };
}
