/** The Prediction API with the official Prediction SDK client, plain fetch and the README's curl command. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PredictionAPIClient } from '@azure/cognitiveservices-customvision-prediction';
import sharp from 'sharp';
import { PROJECT_ROOT } from '../../datasets/env';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { PREDICTION_KEY, startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';
import { predictionClient, sdkError, type SdkError } from '../support/sdk';
import { PUBLISH_NAME, trainSmallProject, type TrainedProject } from '../support/trained-project';

const isError = (status: number, code: string) => sdkError(status, code);

describe('Prediction API', () => {
  let service: ServiceProcess;
  let project: TrainedProject;
  let predictor: PredictionAPIClient;
  let imageServer: http.Server;
  let imageRoot: string;
  const testFile = imageFiles('test', 'Cultivated')[0];

  before(async () => {
    service = await startServiceProcess();
    project = await trainSmallProject(service.url);
    predictor = predictionClient(service.url);
    imageServer = http.createServer((req, res) => {
      const name = decodeURIComponent((req.url ?? '').slice(1));
      const match = CLASSES.flatMap((c) => imageFiles('test', c)).find((f) => path.basename(f) === name);
      if (match) res.writeHead(200, { 'content-type': 'image/png' }).end(readImage(match));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
    imageRoot = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}`;
  });
  after(async () => {
    imageServer?.close();
    await service?.stop();
  });

  it('classifies a file, a stream and a URL, with the same answer each way', async () => {
    const fromBuffer = await predictor.classifyImage(project.projectId, PUBLISH_NAME, readImage(testFile));
    const fromStream = await predictor.classifyImageWithNoStore(project.projectId, PUBLISH_NAME, () => createReadStream(testFile));
    const fromUrl = await predictor.classifyImageUrl(project.projectId, PUBLISH_NAME, { url: `${imageRoot}/${path.basename(testFile)}` });
    const fromUrlNoStore = await predictor.classifyImageUrlWithNoStore(project.projectId, PUBLISH_NAME, { url: `${imageRoot}/${path.basename(testFile)}` });
    for (const result of [fromBuffer, fromStream, fromUrl, fromUrlNoStore]) {
      assert.equal(result.project, project.projectId);
      assert.equal(result.iteration, project.iterationId);
      assert.equal(result.predictions?.length, 3);
      assert.deepEqual(
        result.predictions?.map((p) => [p.tagName, p.probability]),
        fromBuffer.predictions?.map((p) => [p.tagName, p.probability]),
      );
    }
    const probabilities = (fromBuffer.predictions ?? []).map((p) => p.probability as number);
    assert.deepEqual(probabilities, [...probabilities].sort((a, b) => b - a));
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  });

  it('classifies most of the 30 test images right', async () => {
    let correct = 0;
    for (const name of CLASSES) {
      for (const file of imageFiles('test', name)) {
        const result = await predictor.classifyImageWithNoStore(project.projectId, PUBLISH_NAME, readImage(file));
        if (result.predictions?.[0].tagName === name) correct++;
      }
    }
    assert.ok(correct >= 21, `${correct}/30 right with 30 training images per class`);
  });

  it('stores the predictions of the storing routes only, and the Training API lists and deletes them', async () => {
    const query = async () => (await project.trainer.queryPredictions(project.projectId, { maxCount: 100 })).results ?? [];
    const before = (await query()).length;
    const stored = await predictor.classifyImage(project.projectId, PUBLISH_NAME, readImage(testFile));
    await predictor.classifyImageWithNoStore(project.projectId, PUBLISH_NAME, readImage(testFile));
    const results = await query();
    assert.equal(results.length, before + 1);
    const mine = results.find((r) => r.id === stored.id);
    assert.ok(mine, 'the stored prediction is listed');
    assert.deepEqual(mine.predictions?.map((p) => p.tagName), stored.predictions?.map((p) => p.tagName));
    const original = await fetch(mine.originalImageUri as string);
    assert.equal(Buffer.compare(Buffer.from(await original.arrayBuffer()), readImage(testFile)), 0);
    await project.trainer.deletePrediction(project.projectId, [stored.id as string]);
    assert.equal((await query()).some((r) => r.id === stored.id), false);
  });

  it('answers the exact JSON shape of the spec to plain HTTP', async () => {
    const response = await fetch(`${service.url}/customvision/v3.1/prediction/${project.projectId}/classify/iterations/${PUBLISH_NAME}/image/nostore`, {
      method: 'POST',
      headers: { 'Prediction-Key': PREDICTION_KEY, 'Content-Type': 'application/octet-stream' },
      body: readImage(testFile),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['created', 'id', 'iteration', 'predictions', 'project']);
    assert.match(body.id as string, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(body.created as string)));
    for (const prediction of body.predictions as Record<string, unknown>[]) {
      assert.deepEqual(Object.keys(prediction).sort(), ['probability', 'tagId', 'tagName', 'tagType']);
      assert.equal(typeof prediction.probability, 'number');
    }
  });

  it('takes the URL and body as Azure\'s portal shows them: `Prediction` capitalised, `{"Url": ...}`', async () => {
    const expected = await predictor.classifyImageUrlWithNoStore(project.projectId, PUBLISH_NAME, { url: `${imageRoot}/${path.basename(testFile)}` });
    const response = await fetch(`${service.url}/customvision/v3.0/Prediction/${project.projectId}/classify/iterations/${PUBLISH_NAME}/url/nostore`, {
      method: 'POST',
      headers: { 'Prediction-Key': PREDICTION_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ Url: `${imageRoot}/${path.basename(testFile)}` }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as { predictions: { tagName: string; probability: number }[] };
    assert.deepEqual(body.predictions.map((p) => [p.tagName, p.probability]), expected.predictions?.map((p) => [p.tagName, p.probability]));
  });

  it('runs the curl command that the README shows', async () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    const block = /<!-- curl-prediction -->\s*```(?:sh|bash)\n([\s\S]*?)```/.exec(readme);
    assert.ok(block, 'the README has the curl example');
    const { stdout } = await promisify(execFile)('bash', ['-c', block[1]], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        CV_ENDPOINT: service.url,
        CV_PREDICTION_KEY: PREDICTION_KEY,
        CV_PROJECT_ID: project.projectId,
        CV_PUBLISHED_NAME: PUBLISH_NAME,
      },
    });
    const body = JSON.parse(stdout) as { predictions: { tagName: string }[]; iteration: string };
    assert.equal(body.iteration, project.iterationId);
    assert.ok(CLASSES.includes(body.predictions[0].tagName as (typeof CLASSES)[number]));
  });

  it('refuses a wrong key, an unpublished name, a corrupt image, an oversized image and a body that is not an image', async () => {
    const wrong = predictionClient(service.url, 'wrong');
    await assert.rejects(wrong.classifyImage(project.projectId, PUBLISH_NAME, readImage(testFile)), isError(401, 'Unauthorized'));
    // The training key is not a prediction key.
    const trainingKeyClient = predictionClient(service.url, TRAINING_KEY);
    await assert.rejects(trainingKeyClient.classifyImage(project.projectId, PUBLISH_NAME, readImage(testFile)), isError(401, 'Unauthorized'));
    await assert.rejects(predictor.classifyImage(project.projectId, 'never-published', readImage(testFile)), isError(404, 'NotFoundIteration'));
    const png = readImage(testFile);
    await assert.rejects(predictor.classifyImage(project.projectId, PUBLISH_NAME, png.subarray(0, 2000)), isError(400, 'BadRequestImageFormat'));
    await assert.rejects(predictor.classifyImage(project.projectId, PUBLISH_NAME, Buffer.from('{"not": "an image"}')), isError(400, 'BadRequestImageFormat'));
    const side = 1300;
    const noise = Buffer.alloc(side * side * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const big = await sharp(noise, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    assert.ok(big.length > 4 * 1024 * 1024);
    await assert.rejects(predictor.classifyImage(project.projectId, PUBLISH_NAME, big), isError(400, 'BadRequestImageSizeBytes'));
    await assert.rejects(predictor.detectImage(project.projectId, PUBLISH_NAME, png), (e: SdkError) => e.statusCode === 400 && /object detection/i.test(e.message ?? ''));
    // Unpublishing takes the name away from the endpoint.
    await project.trainer.unpublishIteration(project.projectId, project.iterationId);
    await assert.rejects(predictor.classifyImage(project.projectId, PUBLISH_NAME, png), isError(404, 'NotFoundIteration'));
    await project.trainer.publishIteration(project.projectId, project.iterationId, PUBLISH_NAME, 'local');
  });

  it('refuses image URLs on private or loopback addresses unless allowed', async () => {
    // The test service runs with --allow-private-urls; a second one on the same data, without it, refuses loopback URLs.
    const closed = await startServiceProcess({ dataDir: service.dataDir, allowPrivateUrls: false });
    try {
      const client = predictionClient(closed.url);
      await assert.rejects(
        client.classifyImageUrl(project.projectId, PUBLISH_NAME, { url: `${imageRoot}/${path.basename(testFile)}` }),
        (e: SdkError) => e.statusCode === 400 && e.code === 'BadRequestImageUrl' && /private or loopback/.test(e.message ?? ''),
      );
    } finally {
      await closed.stop();
    }
  });
});
