/**
 * Per-resource quotas through the official SDKs, on a service with a resources file: request rates
 * (429 with Retry-After and the spec's error body, then served again after the wait), projects per
 * resource, images per project, iterations per project. A resource over its quota does not affect another.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { CLASSES, imageFiles } from '../../support/dataset';
import { sdkError, waitForIteration } from '../../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';
import { PUBLISH_NAME, trainSmallProject } from '../../support/trained-project';
import { predictionClientFor, refusalOf, sleep, toRefusal, trainingClientFor, writeQuotaResources, type Refusal } from './support';

/**
 * The rates of `slow-*` are so low (a request every 1000 s) that no token comes back while the test
 * runs: their burst is two requests, and what is refused after it does not depend on how fast the
 * machine answers. `paced-training` (one a second) shows a refused call served after its Retry-After.
 */
const SLOW = 0.001;
const { file, resources } = writeQuotaResources({
  counts: { maxProjects: 2, maxImagesPerProject: 16, maxIterations: 2 },
  'slow-predictions': { predictionRequestsPerSecond: SLOW },
  'slow-training': { trainingRequestsPerSecond: SLOW },
  'paced-training': { trainingRequestsPerSecond: 1 },
  other: undefined,
});

const files = (tag: string, from: number, count: number) => imageFiles('train', tag).slice(from, from + count);
const batch = (list: string[], tagId: string) => ({ images: list.map((f) => ({ name: path.basename(f), contents: readFileSync(f), tagIds: [tagId] })) });

/** A 429 as Azure answers it: a whole number of seconds to wait, and the spec's `{ code, message }`. */
function assertTooManyRequests(refusal: Refusal, rate: number): void {
  assert.equal(refusal.statusCode, 429, refusal.message);
  assert.equal(refusal.code, 'TooManyRequests');
  assert.match(refusal.retryAfter ?? '', /^[1-9]\d*$/);
  assert.deepEqual(Object.keys(refusal.body as object).sort(), ['code', 'message']);
  assert.match(refusal.message, new RegExp(`exceeded its rate limit of ${rate} per second\\. Please retry after ${refusal.retryAfter} second`));
}

/** At SLOW, the next token is 1000 s away less the little time since the bucket's burst was taken. */
const assertSlowRetryAfter = (refusal: Refusal) => {
  const seconds = Number(refusal.retryAfter);
  assert.ok(seconds > 900 && seconds <= 1 / SLOW, `Retry-After ${refusal.retryAfter}`);
};

describe('quotas of a resource', () => {
  let service: ServiceProcess;

  before(async () => {
    service = await startServiceProcess({ resources: file });
  });
  after(async () => {
    await service?.stop();
  });

  it('projects: a resource at its quota cannot create (or import) another until it deletes one; another resource can', async () => {
    const trainer = trainingClientFor(service.url, resources.counts);
    const first = await trainer.createProject('first');
    await trainer.createProject('second');
    await assert.rejects(trainer.createProject('third'), sdkError(400, 'BadRequestExceedProjectLimit', /counts has 2 projects, its quota \(2\)/));
    const { token } = await trainer.exportProject(first.id as string);
    await assert.rejects(trainer.importProject(token as string, { name: 'copy' }), sdkError(400, 'BadRequestExceedProjectLimit'), 'an import makes a project too');
    await trainingClientFor(service.url, resources.other).createProject('not counted against counts');
    await trainer.deleteProject(first.id as string);
    const third = await trainer.createProject('third');
    assert.equal((await trainer.getProjects()).length, 2);
    await trainer.deleteProject(third.id as string);
  });

  it('images per project: a batch crossing the quota keeps what fits (ErrorLimitExceed for the rest), then uploads are refused', async () => {
    const trainer = trainingClientFor(service.url, resources.counts);
    const projectId = (await trainer.createProject('images')).id as string;
    const tagId = (await trainer.createTag(projectId, 'Barren')).id as string;
    const all = files('Barren', 0, 22);
    assert.ok((await trainer.createImagesFromFiles(projectId, batch(all.slice(0, 10), tagId))).isBatchSuccessful);

    const crossing = await trainer.createImagesFromFiles(projectId, batch(all.slice(10, 20), tagId));
    assert.equal(crossing.isBatchSuccessful, false);
    assert.deepEqual(crossing.images?.map((i) => i.status), [...Array(6).fill('OK'), ...Array(4).fill('ErrorLimitExceed')]);
    assert.equal((await trainer.getImageCount(projectId)).body, 16);

    await assert.rejects(trainer.createImagesFromFiles(projectId, batch(all.slice(20, 22), tagId)), sdkError(400, 'BadRequestImageExceededCount', /holds 16 images/));
    await assert.rejects(trainer.createImagesFromData(projectId, readFileSync(all[20]), { tagIds: [tagId] }), sdkError(400, 'BadRequestImageExceededCount'));
    assert.equal((await trainer.getImageCount(projectId)).body, 16, 'nothing was added');

    const [oldest] = await trainer.getTaggedImages(projectId, { orderBy: 'Oldest', take: 1 });
    await trainer.deleteImages(projectId, { imageIds: [oldest.id as string] });
    assert.ok((await trainer.createImagesFromFiles(projectId, batch(all.slice(20, 21), tagId))).isBatchSuccessful, 'room for one again');
    await trainer.deleteProject(projectId);
  });

  it('iterations per project: training beyond the quota is refused until an iteration is deleted', async () => {
    const trainer: TrainingAPIClient = trainingClientFor(service.url, resources.counts);
    const projectId = (await trainer.createProject('iterations')).id as string;
    for (const tag of CLASSES) {
      const tagId = (await trainer.createTag(projectId, tag)).id as string;
      assert.ok((await trainer.createImagesFromFiles(projectId, batch(files(tag, 0, 5), tagId))).isBatchSuccessful);
    }
    const first = await trainer.trainProject(projectId);
    assert.equal((await waitForIteration(trainer, projectId, first.id as string)).status, 'Completed');
    const second = await trainer.trainProject(projectId, { forceTrain: true });
    assert.equal((await waitForIteration(trainer, projectId, second.id as string)).status, 'Completed');
    await assert.rejects(
      trainer.trainProject(projectId, { forceTrain: true }),
      sdkError(400, 'BadRequestExceedIterationPerProjectLimit', /has 2 iterations, the quota of resource counts \(2\): delete an iteration/),
    );
    assert.equal((await trainer.getIterations(projectId)).length, 2, 'no iteration was made');
    await trainer.deleteIteration(projectId, first.id as string);
    const third = await trainer.trainProject(projectId, { forceTrain: true });
    assert.equal((await waitForIteration(trainer, projectId, third.id as string)).status, 'Completed');
  });

  it('prediction rate: over it, 429 with Retry-After and the spec body; the SDK does not retry it; the Training API is not held back', async () => {
    const resource = resources['slow-predictions'];
    const { projectId } = await trainSmallProject(service.url, { perClass: 5, trainingKey: resource.trainingKey, predictionResourceId: resource.name });
    const image = readFileSync(imageFiles('test', 'Barren')[0]);
    const strict = predictionClientFor(service.url, resource, { noRetryPolicy: true });
    // The burst is two predictions without storage (one token each), however long they take; the third is refused.
    for (let i = 0; i < 2; i++) assert.equal((await strict.classifyImageWithNoStore(projectId, PUBLISH_NAME, image)).predictions?.length, 3);
    const refusal = await refusalOf(strict.classifyImageWithNoStore(projectId, PUBLISH_NAME, image));
    assertTooManyRequests(refusal, SLOW);
    assertSlowRetryAfter(refusal);
    assert.match(refusal.message, /Prediction API of resource slow-predictions/);
    // The resource's Training API has a bucket of its own: not held back.
    assert.ok((await trainingClientFor(service.url, resource).getIterations(projectId)).length > 0);

    // The SDK as the lab makes it (default policies) does not retry a 429: ms-rest-js 2.7's throttling policy
    // sits above its deserialization policy, which has already turned the 429 into a RestError. The caller
    // sees the refusal at once, before the Retry-After it names (1000 s: any wait would time the test out).
    const plain = await refusalOf(predictionClientFor(service.url, resource).classifyImageWithNoStore(projectId, PUBLISH_NAME, image));
    assertTooManyRequests(plain, SLOW);
  });

  it('training rate: an upload of 20 images counts as one request; over the rate, 429; other resources are not held back', async () => {
    const resource = resources['slow-training'];
    const strict = trainingClientFor(service.url, resource, { noRetryPolicy: true });
    // Two requests of burst: the project, then twenty images in one request. Were each image counted, the upload would be refused.
    const projectId = (await strict.createProject('rate')).id as string;
    const summary = await strict.createImagesFromFiles(projectId, { images: files('Barren', 0, 20).map((f) => ({ name: path.basename(f), contents: readFileSync(f) })) });
    assert.ok(summary.isBatchSuccessful, 'twenty images in one request');
    const refusal = await refusalOf(strict.getDomains());
    assertTooManyRequests(refusal, SLOW);
    assertSlowRetryAfter(refusal);
    assert.match(refusal.message, /Training API of resource slow-training/);
    assert.equal((await trainingClientFor(service.url, resources.other, { noRetryPolicy: true }).getDomains()).length > 0, true);
  });

  it('a refused call is served again once its Retry-After has passed', async () => {
    const strict = trainingClientFor(service.url, resources['paced-training'], { noRetryPolicy: true });
    // One a second with ten seconds of burst: calls that answer in milliseconds use it up within a few dozen.
    let refusal: Refusal | undefined;
    for (let calls = 0; !refusal && calls < 1000; calls++) {
      refusal = await strict.getDomains().then(() => undefined, toRefusal);
    }
    assert.ok(refusal, 'refused within 1000 calls');
    assertTooManyRequests(refusal, 1);
    // Whatever the time the calls took, the wait it names is enough: the bucket holds a token by then.
    await sleep(Number(refusal.retryAfter) * 1000);
    assert.ok((await strict.getDomains()).length > 0, 'served again after Retry-After');
  });
});
