/**
 * The training queue takes resources in turn, through the official SDK on the real service (one
 * training at a time): A queues three trainings, then B one; B's starts before every training of A's
 * still waiting when B asked. A queued iteration reads as Training, and the log says where it waits.
 * The order is read from the service's log, so the test does not depend on how long a training takes.
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

/** What the log says of the queue, in order: an iteration queued (with its place), or starting to train. */
interface QueueEvent {
  kind: 'queued' | 'started';
  id: string;
  owner: string;
  place?: string;
}

function queueEvents(log: string): QueueEvent[] {
  return [...log.matchAll(/ iteration (\S+) \((\S+)\) (?:queued: (.+)|training after \d+ ms in the queue)$/gm)].map(([, id, owner, place]) => ({
    kind: place === undefined ? 'started' : 'queued',
    id,
    owner,
    place,
  }));
}

describe('the training queue across resources', () => {
  let service: ServiceProcess;

  before(async () => {
    service = await startServiceProcess({ resources: file });
  });
  after(async () => {
    await service?.stop();
  });

  it("A queues three trainings, then B one: B's starts before every training of A's still waiting", async () => {
    const a = trainingClientFor(service.url, resources['student-a']);
    const b = trainingClientFor(service.url, resources['student-b']);
    // A's first is the largest (30 images a tag): A's trainings are still waiting when B asks, whichever is training then.
    const projectsA = [await tinyProject(a, 'a1', 0, 30), await tinyProject(a, 'a2', 30, 6), await tinyProject(a, 'a3', 36, 6)];
    const projectB = await tinyProject(b, 'b1', 42, 6);

    const queuedA: TrainingAPIModels.Iteration[] = [];
    for (const projectId of projectsA) queuedA.push(await a.trainProject(projectId));
    const queuedB = await b.trainProject(projectB);

    // Waiting in the queue (or training) reads as Training, as on Azure.
    assert.equal((await a.getIteration(projectsA[2], queuedA[2].id as string)).status, 'Training');
    assert.equal((await b.getIteration(projectB, queuedB.id as string)).status, 'Training');

    const doneA = await Promise.all(projectsA.map((projectId, i) => waitForIteration(a, projectId, queuedA[i].id as string, { pollMs: 500 })));
    const doneB = await waitForIteration(b, projectB, queuedB.id as string, { pollMs: 500 });
    for (const done of [...doneA, doneB]) assert.equal(done.status, 'Completed');

    const idsA = queuedA.map((i) => i.id as string);
    const idB = queuedB.id as string;
    const events = queueEvents(service.output()).filter((e) => [...idsA, idB].includes(e.id));
    const started = events.filter((e) => e.kind === 'started').map((e) => e.id);
    assert.deepEqual(started.filter((id) => id !== idB), idsA, "A's trainings start in the order A asked");

    // When B asked, A's trainings were running or waiting: which ones, the log says.
    const bQueued = events.findIndex((e) => e.kind === 'queued' && e.id === idB);
    assert.ok(bQueued >= 0, `B waited behind a training of A's: ${JSON.stringify(events)}`);
    const before = events.slice(0, bQueued);
    const waitingA = idsA.filter((id) => before.some((e) => e.kind === 'queued' && e.id === id) && !before.some((e) => e.kind === 'started' && e.id === id));
    assert.ok(waitingA.length > 0, `A had trainings waiting when B asked: ${JSON.stringify(events)}`);
    // B goes straight behind the one training, ahead of every waiting training of A's, and starts next.
    assert.equal(events[bQueued].place, '2nd in line, behind student-a (training)');
    assert.equal(events.slice(bQueued + 1).find((e) => e.kind === 'started')?.id, idB, `the next training to start is B's: ${JSON.stringify(events)}`);
    const trainedAt = (i: TrainingAPIModels.Iteration) => (i.trainedAt as Date).getTime();
    for (const id of waitingA) assert.ok(trainedAt(doneB) < trainedAt(doneA[idsA.indexOf(id)]), "B's training completed before A's that waited");
    // The log names each queued iteration's place among the resources.
    for (const e of events.filter((x) => x.kind === 'queued')) assert.match(e.place ?? '', /^\d+(st|nd|rd|th) in line, behind student-a \(training\)(, student-[ab])*$/);
  });
});
