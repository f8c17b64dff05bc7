/** @module Publishing an iteration and calling the prediction endpoint three ways: SDK, plain HTTP, curl. */
import { readFileSync } from 'node:fs';
import type { PredictionAPIModels } from '@azure/cognitiveservices-customvision-prediction';
import type { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import fetch from 'node-fetch';
import type { Lab } from './clients';

/** Publishes the iteration under `publishName`, moving the name from another iteration if needed. */
export async function publish(lab: Lab, projectId: string, iterationId: string, publishName: string): Promise<void> {
  const iteration = await lab.trainer.getIteration(projectId, iterationId);
  if (iteration.publishName === publishName) return;
  await lab.trainer.publishIteration(projectId, iterationId, publishName, lab.config.predictionResourceId, { overwrite: true });
}

/** The prediction URL of a published iteration, for an image file or an image URL. */
export function predictionUrl(lab: Lab, projectId: string, publishName: string, kind: 'image' | 'url', store = false): string {
  return `${lab.config.predictionEndpoint}/customvision/v3.1/prediction/${projectId}/classify/iterations/${encodeURIComponent(publishName)}/${kind}${store ? '' : '/nostore'}`;
}

/** Predicts with the official Prediction SDK client. */
export function predictFileWithSdk(lab: Lab, projectId: string, publishName: string, file: string): Promise<PredictionAPIModels.ImagePrediction> {
  return lab.predictor.classifyImageWithNoStore(projectId, publishName, readFileSync(file));
}

export interface RawExchange {
  request: { method: string; url: string; headers: Record<string, string>; body: string };
  status: number;
  json: PredictionAPIModels.ImagePrediction;
}

/** Masks a key for display: the first 4 characters, then dots. */
export function maskKey(key: string): string {
  return key.length <= 4 ? '****' : `${key.slice(0, 4)}${'•'.repeat(8)}`;
}

async function exchange(url: string, headers: Record<string, string>, body: Buffer | string, describe: string, key: string): Promise<RawExchange> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const json = (await response.json()) as PredictionAPIModels.ImagePrediction & { code?: string; message?: string };
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${json.code} ${json.message}`);
  return { request: { method: 'POST', url, headers: { ...headers, 'Prediction-Key': maskKey(key) }, body: describe }, status: response.status, json };
}

/** Predicts an image file with plain HTTP (node-fetch), returning the request as sent and the raw JSON. */
export function predictFileWithHttp(lab: Lab, projectId: string, publishName: string, file: string): Promise<RawExchange> {
  const bytes = readFileSync(file);
  const headers = { 'Prediction-Key': lab.config.predictionKey, 'Content-Type': 'application/octet-stream' };
  return exchange(predictionUrl(lab, projectId, publishName, 'image'), headers, bytes, `<${bytes.length} bytes of ${file.split('/').pop()}>`, lab.config.predictionKey);
}

/** Predicts an image URL with plain HTTP. */
export function predictUrlWithHttp(lab: Lab, projectId: string, publishName: string, imageUrl: string): Promise<RawExchange> {
  const body = JSON.stringify({ url: imageUrl });
  const headers = { 'Prediction-Key': lab.config.predictionKey, 'Content-Type': 'application/json' };
  return exchange(predictionUrl(lab, projectId, publishName, 'url'), headers, body, body, lab.config.predictionKey);
}

/** The equivalent curl command (the key shown masked unless asked). */
export function curlCommand(lab: Lab, projectId: string, publishName: string, file: string, options: { revealKey?: boolean } = {}): string {
  const key = options.revealKey ? lab.config.predictionKey : '$PREDICTION_KEY';
  return [
    `curl -sS -X POST "${predictionUrl(lab, projectId, publishName, 'image')}" \\`,
    `  -H "Prediction-Key: ${key}" \\`,
    '  -H "Content-Type: application/octet-stream" \\',
    `  --data-binary @${file}`,
  ].join('\n');
}

/** The training images' original URIs are served by the service: handy as example image URLs. */
export async function anImageUrl(trainer: TrainingAPIClient, projectId: string): Promise<string> {
  const [image] = await trainer.getTaggedImages(projectId, { take: 1 });
  if (!image) throw new Error('the project has no images');
  return image.originalImageUri as string;
}
