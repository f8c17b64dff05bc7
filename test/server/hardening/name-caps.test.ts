/**
 * Every free-text field the API stores is capped (server/projects/limits.ts): a value over its cap
 * is refused with the spec's code and nothing is stored; a value at the cap is accepted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { LIMITS } from '../../../server/projects/limits';
import { imageFiles, readImage } from '../../support/dataset';
import { predictionClient, sdkError } from '../../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';
import { PREDICTION_RESOURCE_ID, PUBLISH_NAME, trainSmallProject, type TrainedProject } from '../../support/trained-project';

const text = (length: number, letter = 'n') => letter.repeat(length);

describe('caps on stored free text', () => {
  let service: ServiceProcess;
  let project: TrainedProject;
  let trainer: TrainingAPIClient;

  before(async () => {
    service = await startServiceProcess();
    project = await trainSmallProject(service.url, { perClass: 6 });
    trainer = project.trainer;
  });
  after(async () => {
    await service?.stop();
  });

  it('an iteration name of 10,000 characters is refused and not stored; one at the cap is kept, trimmed', async () => {
    const { projectId, iterationId } = project;
    const before = (await trainer.getIteration(projectId, iterationId)).name;
    await assert.rejects(trainer.updateIteration(projectId, iterationId, { name: text(10_000) }), sdkError(400, 'BadRequestIterationName', /10000 characters/));
    await assert.rejects(trainer.updateIteration(projectId, iterationId, { name: text(LIMITS.iterationNameLength + 1) }), sdkError(400, 'BadRequestIterationName'));
    await assert.rejects(trainer.updateIteration(projectId, iterationId, { name: '   ' }), sdkError(400, 'BadRequestIterationName', /empty/));
    assert.equal((await trainer.getIteration(projectId, iterationId)).name, before);
    const atCap = text(LIMITS.iterationNameLength, 'i');
    assert.equal((await trainer.updateIteration(projectId, iterationId, { name: `  ${atCap}  ` })).name, atCap);
    assert.equal((await trainer.getIteration(projectId, iterationId)).name, atCap);
  });

  it('project names and descriptions, at creation and update', async () => {
    await assert.rejects(trainer.createProject(text(LIMITS.projectNameLength + 1)), sdkError(400, 'BadRequestProjectName'));
    await assert.rejects(trainer.createProject('described', { description: text(LIMITS.descriptionLength + 1) }), sdkError(400, 'BadRequestProjectDescription'));
    const created = await trainer.createProject(text(LIMITS.projectNameLength, 'p'), { description: text(LIMITS.descriptionLength, 'd') });
    assert.equal(created.description?.length, LIMITS.descriptionLength);
    const update = { name: created.name, description: text(LIMITS.descriptionLength + 1), settings: created.settings };
    await assert.rejects(trainer.updateProject(created.id as string, update), sdkError(400, 'BadRequestProjectDescription'));
    assert.equal((await trainer.getProject(created.id as string)).description?.length, LIMITS.descriptionLength, 'not stored');
    await trainer.deleteProject(created.id as string);
  });

  it('tag names and descriptions, at creation and update', async () => {
    const { projectId } = project;
    await assert.rejects(trainer.createTag(projectId, text(LIMITS.tagNameLength + 1)), sdkError(400, 'BadRequestTagName'));
    await assert.rejects(trainer.createTag(projectId, 'described', { description: text(LIMITS.descriptionLength + 1) }), sdkError(400, 'BadRequestTagDescription'));
    const tag = await trainer.createTag(projectId, text(LIMITS.tagNameLength, 't'), { description: text(LIMITS.descriptionLength, 'd') });
    const id = tag.id as string;
    await assert.rejects(trainer.updateTag(projectId, id, { name: text(LIMITS.tagNameLength + 1), description: 'short', type: 'Regular' }), sdkError(400, 'BadRequestTagName'));
    await assert.rejects(trainer.updateTag(projectId, id, { name: 'short', description: text(LIMITS.descriptionLength + 1), type: 'Regular' }), sdkError(400, 'BadRequestTagDescription'));
    const stored = await trainer.getTag(projectId, id);
    assert.equal(stored.name, tag.name);
    assert.equal(stored.description, tag.description);
    await trainer.deleteTag(projectId, id);
  });

  it('publish names, publish targets and prediction application names', async () => {
    const { projectId, iterationId } = project;
    await assert.rejects(trainer.publishIteration(projectId, iterationId, text(LIMITS.publishNameLength + 1), PREDICTION_RESOURCE_ID), sdkError(400, 'BadRequestInvalidPublishName'));
    await assert.rejects(
      trainer.publishIteration(projectId, iterationId, 'other-name', `${text(LIMITS.resourceIdLength)}${PREDICTION_RESOURCE_ID}`),
      sdkError(400, 'BadRequestInvalidPublishTarget', /characters long/),
    );
    const image = readImage(imageFiles('test', 'Barren')[0]);
    const predictor = predictionClient(service.url);
    await assert.rejects(
      predictor.classifyImage(projectId, PUBLISH_NAME, image, { application: text(LIMITS.applicationNameLength + 1) }),
      sdkError(400, 'BadRequestPredictionInvalidApplicationName'),
    );
    await predictor.classifyImage(projectId, PUBLISH_NAME, image, { application: text(LIMITS.applicationNameLength, 'a') });
    const stored = await trainer.queryPredictions(projectId, { application: text(LIMITS.applicationNameLength, 'a') });
    assert.equal(stored.results?.length, 1);
  });

  it('the name of an imported project', async () => {
    const { token } = await trainer.exportProject(project.projectId);
    await assert.rejects(trainer.importProject(token as string, { name: text(LIMITS.projectNameLength + 1) }), sdkError(400, 'BadRequestProjectName'));
  });
});
