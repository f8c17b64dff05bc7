/**
 * Publishing and predicting with two resources on one service, through the official SDKs: a
 * resource publishes to itself only (its name or an Azure resource id ending in it), and a
 * prediction key classifies only with what its own resource published; another resource's
 * published iteration is the 404 of an unknown project, body and all.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PredictionAPIClient } from '@azure/cognitiveservices-customvision-prediction';
import { predictionResourceId } from '../../../server/resources/resource';
import { predictionClient, sdkError, type SdkError } from '../../support/sdk';
import { writeResourcesFile } from '../../support/resources';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';
import { syntheticTile } from '../../support/synthetic-tiles';
import { PREDICTION_RESOURCE_ID, PUBLISH_NAME, trainSmallProject, type TrainedProject } from '../../support/trained-project';

/** The status, code and message a call failed with (the project id masked); fails the test if it succeeded. */
async function failureOf(what: string, call: Promise<unknown>, projectId: string) {
  try {
    await call;
  } catch (error) {
    const { statusCode, code, message } = error as SdkError;
    return { status: statusCode, code, message: message?.split(projectId).join('<projectId>') };
  }
  return assert.fail(`${what} succeeded`);
}

describe('two resources on one service: publishing and predicting', () => {
  const { file, resources } = writeResourcesFile(['student-a', 'student-b']);
  const [a, b] = [resources['student-a'], resources['student-b']];
  let service: ServiceProcess;
  let projectB: TrainedProject;
  let predictorA: PredictionAPIClient;
  let predictorB: PredictionAPIClient;

  before(async () => {
    service = await startServiceProcess({ resources: file });
    // Published by B to itself, named by an Azure-style resource id as a student's .env gives it.
    projectB = await trainSmallProject(service.url, { perClass: 6, trainingKey: b.trainingKey, predictionResourceId: predictionResourceId(b.name) });
    predictorA = predictionClient(service.url, a.predictionKey);
    predictorB = predictionClient(service.url, b.predictionKey);
  });
  after(async () => {
    await service?.stop();
  });

  it('lets B\'s prediction key classify with what B published', async () => {
    const image = await syntheticTile('Barren', 1);
    const stored = await predictorB.classifyImage(projectB.projectId, PUBLISH_NAME, image);
    assert.equal(stored.predictions?.length, 3);
    assert.equal((await predictorB.classifyImageWithNoStore(projectB.projectId, PUBLISH_NAME, image)).predictions?.length, 3);
    const published = await projectB.trainer.getIteration(projectB.projectId, projectB.iterationId);
    assert.equal(published.originalPublishResourceId, predictionResourceId(b.name));
  });

  it('answers A\'s prediction key on B\'s published iteration as on an unknown project', async () => {
    const image = await syntheticTile('Barren', 2);
    const unknown = randomUUID();
    const calls: [string, (projectId: string) => Promise<unknown>][] = [
      ['classifyImage', (projectId) => predictorA.classifyImage(projectId, PUBLISH_NAME, image)],
      ['classifyImageWithNoStore', (projectId) => predictorA.classifyImageWithNoStore(projectId, PUBLISH_NAME, image)],
      ['classifyImageUrl', (projectId) => predictorA.classifyImageUrl(projectId, PUBLISH_NAME, { url: 'http://127.0.0.1:9/x.jpg' })],
      ['classifyImageUrlWithNoStore', (projectId) => predictorA.classifyImageUrlWithNoStore(projectId, PUBLISH_NAME, { url: 'http://127.0.0.1:9/x.jpg' })],
    ];
    for (const [what, call] of calls) {
      const onB = await failureOf(`${what} with A's key on B's project`, call(projectB.projectId), projectB.projectId);
      assert.equal(onB.status, 404, `${what}: ${onB.message}`);
      assert.deepEqual(onB, await failureOf(`${what} on an unknown project`, call(unknown), unknown), what);
    }
    const stored = await projectB.trainer.queryPredictions(projectB.projectId, {});
    assert.equal(stored.results?.length, 1, 'only B\'s stored prediction');
  });

  it('takes each key for its own header only', async () => {
    const image = await syntheticTile('Barren', 3);
    await assert.rejects(predictionClient(service.url, b.trainingKey).classifyImage(projectB.projectId, PUBLISH_NAME, image), sdkError(401, 'Unauthorized'));
  });

  it('refuses to publish to another resource, or to the lab\'s single-resource id, saying where to publish', async () => {
    const { trainer, projectId, iterationId } = projectB;
    const own = new RegExp(`publish to "${b.name}" \\(its name, or a resource id ending in /accounts/${b.name}\\)`);
    for (const target of [a.name, predictionResourceId(a.name), PREDICTION_RESOURCE_ID, 'nobody']) {
      await assert.rejects(trainer.publishIteration(projectId, iterationId, 'elsewhere', target), sdkError(400, 'BadRequestInvalidPublishTarget', own), target);
    }
    // Refused, it changed nothing: the iteration keeps its name, and only B's key reaches it.
    assert.equal((await trainer.getIteration(projectId, iterationId)).publishName, PUBLISH_NAME);
    // The resource's own name, any case, is as good as its resource id.
    assert.equal((await trainer.publishIteration(projectId, iterationId, 'by-name', b.name.toUpperCase(), { overwrite: true })).body, true);
    assert.equal((await predictorB.classifyImageWithNoStore(projectId, 'by-name', await syntheticTile('Developed', 4))).predictions?.length, 3);
  });
});
