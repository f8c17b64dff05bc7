/**
 * The training queue takes resources in turn, through the official SDK on the real service (one
 * training at a time): A queues three trainings, then B one; B's completes before A's third. A
 * queued iteration reads as Training, and the log says where it waits.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { CLASSES, imageFiles } from '../../support/dataset';
import { waitForIteration } from '../../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';
import { trainingClientFor, writeQuotaResources } from './support';

const { file, resources } = writeQuotaResources({ 'student-a': undefined, 'student-b': undefined });

/** A project of `perClass` images per tag, images `from` onwards of each class (different images, so none has features cached). */
async function tinyProject(trainer: TrainingAPIClient, name: string, from: number, perClass: number): Promise<string> {
  const projectId = (await trainer.createProject(name)).id as string;
  for (const tag of CLASSES) {
    const tagId = (await trainer.createTag(projectId, tag)).id as string;
    const images = imageFiles('train', tag)
      .slice(from, from + perClass)
      .map((f) => ({ name: path.basename(f), contents: readFileSync(f), tagIds: [tagId] }));
    assert.ok((await trainer.createImagesFromFiles(projectId, { images })).isBatchSuccessful);
  }
  return projectId;
}

describe('the training queue across resources', () => {
  let service: ServiceProcess;

  before(async () => {
    service = await startServiceProcess({ resources: file });
  });
  after(async () => {
    await service?.stop();
  });

  it("A queues three trainings, then B one: B's completes before A's third", async () => {
    const a = trainingClientFor(service.url, resources['student-a']);
    const b = trainingClientFor(service.url, resources['student-b']);
    // A's first is the largest (30 images a tag), so it is still training while the others queue.
    const projectsA = [await tinyProject(a, 'a1', 0, 30), await tinyProject(a, 'a2', 30, 6), await tinyProject(a, 'a3', 36, 6)];
    const projectB = await tinyProject(b, 'b1', 42, 6);

    const queuedA: TrainingAPIModels.Iteration[] = [];
    for (const projectId of projectsA) queuedA.push(await a.trainProject(projectId));
    const queuedB = await b.trainProject(projectB);

    // Waiting in the queue reads as Training, as on Azure.
    assert.equal((await a.getIteration(projectsA[2], queuedA[2].id as string)).status, 'Training');
    assert.equal((await b.getIteration(projectB, queuedB.id as string)).status, 'Training');

    const doneA = await Promise.all(projectsA.map((projectId, i) => waitForIteration(a, projectId, queuedA[i].id as string, { pollMs: 500 })));
    const doneB = await waitForIteration(b, projectB, queuedB.id as string, { pollMs: 500 });
    for (const done of [...doneA, doneB]) assert.equal(done.status, 'Completed');
    const trainedAt = (i: TrainingAPIModels.Iteration) => (i.trainedAt as Date).getTime();
    assert.ok(trainedAt(doneB) < trainedAt(doneA[2]), "B's training completed before A's third");
    assert.ok(trainedAt(doneB) < trainedAt(doneA[1]), "B (no training yet) even goes before A's second: A had its turn");

    const log = service.output();
    assert.match(log, new RegExp(`iteration ${queuedA[2].id} \\(student-a\\) queued: 3rd in line, behind student-a \\(training\\), student-a`));
    assert.match(log, new RegExp(`iteration ${queuedB.id} \\(student-b\\) queued: 2nd in line, behind student-a \\(training\\)`));
    assert.match(log, new RegExp(`iteration ${queuedB.id} \\(student-b\\) training after \\d+ ms in the queue`));
  });
});
