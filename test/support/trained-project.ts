/** @module A small trained and published project for tests of prediction: 30 images per class, trained through the SDK. */
import type { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { CLASSES, imageFiles } from './dataset';
import { setProjectDomain } from '../../lib/src/projects';
import { trainAndWait } from '../../lib/src/training';
import { trainingClient, uploadTagged } from './sdk';

export const PUBLISH_NAME = 'aerial';
export const COMPACT_DOMAIN_ID = '0732100f-1a38-4e49-a514-c9b44c697ab5';
export const PREDICTION_RESOURCE_ID = '/subscriptions/local/resourceGroups/lab/providers/Microsoft.CognitiveServices/accounts/local-prediction';

export interface TrainedProject {
  trainer: TrainingAPIClient;
  projectId: string;
  iterationId: string;
  tagIds: Record<string, string>;
}

/** `trainingKey` and `predictionResourceId` for a service with a resources file: the resource's key and its own name. */
export async function trainSmallProject(
  url: string,
  options: { perClass?: number; publish?: boolean; domainId?: string; trainingKey?: string; predictionResourceId?: string } = {},
): Promise<TrainedProject> {
  const trainer = trainingClient(url, options.trainingKey);
  const projectId = (await trainer.createProject('small aerial', { domainId: options.domainId })).id as string;
  const tagIds: Record<string, string> = {};
  for (const name of CLASSES) {
    tagIds[name] = (await trainer.createTag(projectId, name)).id as string;
    const summaries = await uploadTagged(trainer, projectId, imageFiles('train', name).slice(0, options.perClass ?? 30), tagIds[name]);
    if (!summaries.every((s) => s.isBatchSuccessful)) throw new Error('upload failed');
  }
  const iteration = await trainAndWait({ trainer }, projectId, { pollIntervalInMs: 200 });
  if (options.publish ?? true) await trainer.publishIteration(projectId, iteration.id as string, PUBLISH_NAME, options.predictionResourceId ?? PREDICTION_RESOURCE_ID);
  return { trainer, projectId, iterationId: iteration.id as string, tagIds };
}

/** Switches the project to General (compact), as exports need, and trains a new iteration. */
export async function retrainCompact(project: TrainedProject) {
  await setProjectDomain({ trainer: project.trainer }, project.projectId, 'General (compact)');
  return trainAndWait({ trainer: project.trainer }, project.projectId, { pollIntervalInMs: 200 });
}
