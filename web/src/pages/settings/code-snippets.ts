/** @module The settings as code: the lab's `.env` and a TypeScript SDK example, for this service and these keys. */

export interface Connection {
  /** With its trailing slash, as Azure shows endpoints. */
  endpoint: string;
  trainingKey: string;
  predictionKey: string;
  predictionResourceId: string;
}

/** The variables lib/src/config.ts reads (Microsoft's quickstart names). */
export function envFile({ endpoint, trainingKey, predictionKey, predictionResourceId }: Connection): string {
  return [
    `VISION_TRAINING_ENDPOINT=${endpoint}`,
    `VISION_TRAINING_KEY=${trainingKey}`,
    `VISION_PREDICTION_ENDPOINT=${endpoint}`,
    `VISION_PREDICTION_KEY=${predictionKey}`,
    `VISION_PREDICTION_RESOURCE_ID=${predictionResourceId}`,
  ].join('\n');
}

export function sdkExample({ endpoint, trainingKey, predictionKey }: Connection): string {
  // The SDK appends "/customvision/..." itself: a trailing slash would double it.
  const base = endpoint.replace(/\/+$/, '');
  return `import { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { PredictionAPIClient } from '@azure/cognitiveservices-customvision-prediction';
import { ApiKeyCredentials } from '@azure/ms-rest-js';

const endpoint = '${base}';
const trainer = new TrainingAPIClient(new ApiKeyCredentials({ inHeader: { 'Training-Key': '${trainingKey}' } }), endpoint);
const predictor = new PredictionAPIClient(new ApiKeyCredentials({ inHeader: { 'Prediction-Key': '${predictionKey}' } }), endpoint);

const projects = await trainer.getProjects();
console.log(projects.map((p) => p.name));`;
}
