/** @module A small trained and published project for tests of prediction: 30 images per class, trained through the SDK. */
import path from 'node:path';
import { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import { CLASSES, imageFiles, readImage } from './dataset';
import { TRAINING_KEY } from './service-process';

export const PUBLISH_NAME = 'aerial';
export const COMPACT_DOMAIN_ID = '0732100f-1a38-4e49-a514-c9b44c697ab5';
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
  const iteration = await waitForIteration(trainer, projectId, (await trainer.trainProject(projectId)).id as string);
  if (options.publish ?? true) await trainer.publishIteration(projectId, iteration.id as string, PUBLISH_NAME, PREDICTION_RESOURCE_ID);
  return { trainer, projectId, iterationId: iteration.id as string, tagIds };
}

async function waitForIteration(trainer: TrainingAPIClient, projectId: string, iterationId: string) {
  let iteration = await trainer.getIteration(projectId, iterationId);
  while (iteration.status === 'Training') {
    await new Promise((r) => setTimeout(r, 200));
    iteration = await trainer.getIteration(projectId, iterationId);
  }
  if (iteration.status !== 'Completed') throw new Error(`training failed: ${iteration.trainingErrorDetails}`);
  return iteration;
}

/** Switches the project to General (compact), as exports need, and trains a new iteration. */
export async function retrainCompact(project: TrainedProject) {
  const current = await project.trainer.getProject(project.projectId);
  await project.trainer.updateProject(project.projectId, { ...current, settings: { ...current.settings, domainId: COMPACT_DOMAIN_ID } });
  const started = await project.trainer.trainProject(project.projectId);
  return waitForIteration(project.trainer, project.projectId, started.id as string);
}
