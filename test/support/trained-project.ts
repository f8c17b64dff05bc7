/** @module A small trained and published project for tests of prediction: 30 images per class, trained through the SDK. */
import path from 'node:path';
import { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import { CLASSES, imageFiles, readImage } from './dataset';
import { TRAINING_KEY } from './service-process';

export const PUBLISH_NAME = 'aerial';
export const PREDICTION_RESOURCE_ID = '/subscriptions/local/resourceGroups/lab/providers/Microsoft.CognitiveServices/accounts/local-prediction';

export interface TrainedProject {
  trainer: TrainingAPIClient;
  projectId: string;
  iterationId: string;
  tagIds: Record<string, string>;
}

export async function trainSmallProject(url: string, options: { perClass?: number; publish?: boolean } = {}): Promise<TrainedProject> {
  const trainer = new TrainingAPIClient(new ApiKeyCredentials({ inHeader: { 'Training-key': TRAINING_KEY } }), url);
  const projectId = (await trainer.createProject('small aerial')).id as string;
  const tagIds: Record<string, string> = {};
  for (const name of CLASSES) {
    tagIds[name] = (await trainer.createTag(projectId, name)).id as string;
    const images = imageFiles('train', name)
      .slice(0, options.perClass ?? 30)
      .map((f) => ({ name: path.basename(f), contents: readImage(f), tagIds: [tagIds[name]] }));
    const summary = await trainer.createImagesFromFiles(projectId, { images });
    if (!summary.isBatchSuccessful) throw new Error('upload failed');
  }
  let iteration = await trainer.trainProject(projectId);
  while (iteration.status === 'Training') {
    await new Promise((r) => setTimeout(r, 200));
    iteration = await trainer.getIteration(projectId, iteration.id as string);
  }
  if (iteration.status !== 'Completed') throw new Error(`training failed: ${iteration.trainingErrorDetails}`);
  if (options.publish ?? true) await trainer.publishIteration(projectId, iteration.id as string, PUBLISH_NAME, PREDICTION_RESOURCE_ID);
  return { trainer, projectId, iterationId: iteration.id as string, tagIds };
}
