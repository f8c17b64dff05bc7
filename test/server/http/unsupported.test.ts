/** Custom Vision operations the local service does not implement say so (400 BadRequestNotSupported, naming the operation), through the official SDK; unknown paths stay 404. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import type { PredictionAPIClient } from '@azure/cognitiveservices-customvision-prediction';
import { predictionClient, sdkError, trainingClient } from '../../support/sdk';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../../support/service-process';

const notSupported = (operation: string) => sdkError(400, 'BadRequestNotSupported', new RegExp(`\\b${operation}\\b`));

describe('operations the local service does not implement', () => {
  let service: ServiceProcess;
  let trainer: TrainingAPIClient;
  let predictor: PredictionAPIClient;
  let projectId: string;
  const someId = '00000000-0000-4000-8000-000000000001';

  before(async () => {
    service = await startServiceProcess();
    trainer = trainingClient(service.url);
    predictor = predictionClient(service.url);
    projectId = (await trainer.createProject('unsupported operations')).id as string;
  });
  after(() => service?.stop());

  const calls: [string, () => Promise<unknown>][] = [
    ['CreateImageRegions', () => trainer.createImageRegions(projectId, { regions: [{ imageId: someId, tagId: someId, left: 0, top: 0, width: 1, height: 1 }] })],
    ['DeleteImageRegions', () => trainer.deleteImageRegions(projectId, [someId])],
    ['GetImageRegionProposals', () => trainer.getImageRegionProposals(projectId, someId)],
    ['DetectImageUrl', () => predictor.detectImageUrl(projectId, 'published', { url: 'http://example.com/a.png' })],
  ];
  for (const [operation, call] of calls) {
    it(`${operation} answers 400 BadRequestNotSupported`, async () => {
      await assert.rejects(call(), notSupported(operation));
    });
  }

  it('an unknown path still answers 404', async () => {
    const response = await fetch(`${service.url}/customvision/v3.4-preview/training/projects/${projectId}/no-such-thing`, { headers: { 'Training-Key': TRAINING_KEY } });
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { code: string }).code, 'NotFound');
  });

  it('the key is checked before anything is said about the operation', async () => {
    const response = await fetch(`${service.url}/customvision/v3.4-preview/training/projects/${projectId}/export`, { headers: { 'Training-Key': 'wrong' } });
    assert.equal(response.status, 401);
  });
});
