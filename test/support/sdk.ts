/** @module The official SDK clients as tests and the bench drive them: clients with our keys, uploads in batches, waiting for training. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { PredictionAPIClient } from '@azure/cognitiveservices-customvision-prediction';
import { TrainingAPIClient, type TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import { readImage } from './dataset';
import { PREDICTION_KEY, TRAINING_KEY } from './service-process';

export function trainingClient(url: string, key = TRAINING_KEY): TrainingAPIClient {
  return new TrainingAPIClient(new ApiKeyCredentials({ inHeader: { 'Training-key': key } }), url);
}

export function predictionClient(url: string, key = PREDICTION_KEY): PredictionAPIClient {
  return new PredictionAPIClient(new ApiKeyCredentials({ inHeader: { 'Prediction-key': key } }), url);
}

/** Uploads files with one tag, 64 per request (the API's batch limit); one summary per request. */
export async function uploadTagged(trainer: TrainingAPIClient, projectId: string, files: string[], tagId: string): Promise<TrainingAPIModels.ImageCreateSummary[]> {
  const summaries: TrainingAPIModels.ImageCreateSummary[] = [];
  for (let i = 0; i < files.length; i += 64) {
    const images = files.slice(i, i + 64).map((file) => ({ name: path.basename(file), contents: readImage(file), tagIds: [tagId] }));
    summaries.push(await trainer.createImagesFromFiles(projectId, { images }));
  }
  return summaries;
}

/** Polls an iteration until it is no longer Training; returns it whatever it became. */
export async function waitForIteration(
  trainer: TrainingAPIClient,
  projectId: string,
  iterationId: string,
  { pollMs = 200, timeoutMs = 180_000 } = {},
): Promise<TrainingAPIModels.Iteration> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const iteration = await trainer.getIteration(projectId, iterationId);
    if (iteration.status !== 'Training') return iteration;
    if (Date.now() > deadline) throw new Error(`iteration ${iterationId} still Training after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** What the SDK's RestError carries of the service's error body. */
export type SdkError = { statusCode?: number; code?: string; message?: string };

/** An `assert.rejects` check: the call failed with this status and the spec's error code (and a message matching). */
export function sdkError(status: number, code: string, message?: RegExp) {
  return (e: SdkError) => {
    assert.equal(e.statusCode, status, e.message);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message ?? '', message);
    return true;
  };
}
