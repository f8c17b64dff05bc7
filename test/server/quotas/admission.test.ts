/**
 * Bounds on image bodies received at once, against the real service: an upload over the service's
 * bound gets 503 and one over its resource's share 429, both with Retry-After and the spec's body,
 * before its body is read; the admitted upload completes, and the place is given back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { imageFiles, readImage } from '../../support/dataset';
import { trainingClient } from '../../support/sdk';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../../support/service-process';
import { refusalOf, trainingClientFor, writeQuotaResources } from './support';

interface Answer {
  status: number;
  retryAfter?: string;
  body: { code?: string; message?: string; isBatchSuccessful?: boolean };
}

/**
 * An upload (raw, application/octet-stream) that sends the first half of its body and holds the
 * rest until `finish`: the service is receiving it as long as the test wants.
 */
function slowUpload(url: string, trainingKey: string, bytes: Buffer) {
  const request = http.request(url, {
    method: 'POST',
    headers: { 'Training-Key': trainingKey, 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        resolve({ status: response.statusCode as number, retryAfter: response.headers['retry-after'], body: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    request.on('error', reject);
  });
  const half = Math.floor(bytes.length / 2);
  request.write(bytes.subarray(0, half));
  return {
    answer,
    finish: () => request.end(bytes.subarray(half)),
    /** Drops a refused upload's connection (its body was never wanted). */
    abandon: () => request.destroy(),
  };
}

/** The first of two uploads to be answered, and the other. */
async function firstAnswered(a: ReturnType<typeof slowUpload>, b: ReturnType<typeof slowUpload>) {
  const first = await Promise.race([a.answer.then((answer) => ({ answer, refused: a, other: b })), b.answer.then((answer) => ({ answer, refused: b, other: a }))]);
  return first;
}

function assertRetryLater(answer: Answer, status: number, code: string, reason: RegExp): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.match(answer.retryAfter ?? '', /^[1-9]\d*$/, 'Retry-After in whole seconds');
  assert.deepEqual(Object.keys(answer.body).sort(), ['code', 'message']);
  assert.equal(answer.body.code, code);
  assert.match(answer.body.message ?? '', reason);
}

describe('image uploads received at once, service-wide (--max-uploads 1)', () => {
  let service: ServiceProcess;
  let projectUrl: string;
  let projectId: string;

  before(async () => {
    service = await startServiceProcess({ extraArgs: ['--max-uploads', '1'] });
    projectId = (await trainingClient(service.url).createProject('admission')).id as string;
    projectUrl = `${service.url}/customvision/v3.4-preview/training/projects/${projectId}/images`;
  });
  after(async () => {
    await service?.stop();
  });

  it('of two slow uploads, one is answered 503 with Retry-After before its body is sent; the other completes', async () => {
    const [fileA, fileB] = imageFiles('train', 'Barren');
    const a = slowUpload(projectUrl, TRAINING_KEY, readImage(fileA));
    const b = slowUpload(projectUrl, TRAINING_KEY, readImage(fileB));
    // Neither body is complete: only a refusal can be answered now.
    const { answer, refused, other } = await firstAnswered(a, b);
    refused.abandon();
    assertRetryLater(answer, 503, 'ServiceUnavailable', /the service is receiving 1 image uploads, its most at once/);

    // A client that writes its whole body (3 MB) before reading gets the same answer, not a reset connection.
    const lab = trainingClientFor(service.url, { name: 'default', trainingKey: TRAINING_KEY, predictionKey: '' }, { noRetryPolicy: true });
    const refusal = await refusalOf(lab.createImagesFromData(projectId, randomBytes(3 * 1024 * 1024)));
    assert.equal(refusal.statusCode, 503);
    assert.equal(refusal.code, 'ServiceUnavailable');
    assert.match(refusal.retryAfter ?? '', /^[1-9]\d*$/);

    other.finish();
    const admitted = await other.answer;
    assert.equal(admitted.status, 200, JSON.stringify(admitted.body));
    assert.equal(admitted.body.isBatchSuccessful, true);

    // The place was given back: the next upload, through the SDK, goes through.
    const summary = await trainingClient(service.url).createImagesFromData(projectId, readImage(imageFiles('train', 'Barren')[2]));
    assert.equal(summary.isBatchSuccessful, true);
    assert.equal((await trainingClient(service.url).getImageCount(projectId)).body, 2, 'the refused upload stored nothing');
  });
});

describe('image uploads received at once, per resource (--max-uploads-per-resource 1)', () => {
  const { file, resources } = writeQuotaResources({ a: undefined, b: undefined });
  let service: ServiceProcess;

  before(async () => {
    service = await startServiceProcess({ resources: file, extraArgs: ['--max-uploads-per-resource', '1'] });
  });
  after(async () => {
    await service?.stop();
  });

  it("a resource's second upload at once gets 429; another resource's upload goes through meanwhile", async () => {
    const trainerA = trainingClientFor(service.url, resources.a);
    const trainerB = trainingClientFor(service.url, resources.b, { noRetryPolicy: true });
    const projectA = (await trainerA.createProject('a')).id as string;
    const projectB = (await trainerB.createProject('b')).id as string;
    const url = `${service.url}/customvision/v3.4-preview/training/projects/${projectA}/images`;
    const [file1, file2, file3] = imageFiles('train', 'Cultivated');
    const first = slowUpload(url, resources.a.trainingKey, readImage(file1));
    const second = slowUpload(url, resources.a.trainingKey, readImage(file2));
    const { answer, refused, other } = await firstAnswered(first, second);
    refused.abandon();
    assertRetryLater(answer, 429, 'TooManyRequests', /resource a already has 1 image uploads in progress, its share \(1\)/);

    // A's upload is still being received: B is not held back by it.
    assert.equal((await trainerB.createImagesFromData(projectB, readImage(file3))).isBatchSuccessful, true);

    other.finish();
    assert.equal((await other.answer).status, 200);
    assert.equal((await trainerA.getImageCount(projectA)).body, 1);
  });
});
