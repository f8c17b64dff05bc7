/**
 * GetArtifact through the official SDK (which streams the body): an iteration's training summary
 * (JSON) and log (text) say what it trained on, its folds, figures, timings, backbone and
 * configuration; unknown paths, iterations and projects are refused with the reason.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { CLASSES, imageFiles } from '../support/dataset';
import { trainingClient, uploadTagged, waitForIteration, type SdkError } from '../support/sdk';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';
import { trainSmallProject, type TrainedProject } from '../support/trained-project';

const summaryPath = (iterationId: string) => `iterations/${iterationId}/training-summary.json`;

/** The SDK's streamed body, read whole, with its content type. */
async function artifact(trainer: TrainingAPIClient, projectId: string, artifactPath: string): Promise<{ type: string; text: string }> {
  const response = await trainer.getArtifact(projectId, artifactPath);
  const chunks: Buffer[] = [];
  for await (const chunk of response.readableStreamBody as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return { type: response._response.headers.get('content-type') ?? '', text: Buffer.concat(chunks).toString('utf8') };
}

/** The SDK does not parse error bodies of streamed answers: it rejects with the status, and the body is read here. */
async function refusal(service: ServiceProcess, trainer: TrainingAPIClient, projectId: string, artifactPath: string | undefined) {
  if (artifactPath !== undefined) await assert.rejects(trainer.getArtifact(projectId, artifactPath), (e: SdkError) => e.statusCode !== undefined && e.statusCode >= 400);
  const query = artifactPath === undefined ? '' : `?path=${encodeURIComponent(artifactPath)}`;
  const response = await fetch(`${service.url}/customvision/v3.4-preview/training/projects/${projectId}/artifacts${query}`, { headers: { 'Training-Key': TRAINING_KEY } });
  return { status: response.status, ...((await response.json()) as { code: string; message: string }) };
}

describe('GetArtifact', () => {
  let service: ServiceProcess;
  let project: TrainedProject;

  before(async () => {
    service = await startServiceProcess();
    project = await trainSmallProject(service.url, { perClass: 10, publish: false });
  });
  after(() => service?.stop());

  it('serves the training summary as JSON: images, tags, folds, cross-validated figures, timings, backbone, configuration', async () => {
    const { trainer, projectId, iterationId } = project;
    const { type, text } = await artifact(trainer, projectId, summaryPath(iterationId));
    assert.match(type, /^application\/json/);
    const summary = JSON.parse(text);
    assert.equal(summary.iteration.id, iterationId);
    assert.equal(summary.iteration.status, 'Completed');
    assert.equal(summary.iteration.domain.name, 'General');
    assert.equal(summary.imageCount, 30);
    assert.deepEqual(summary.tags.map((t: { name: string; imageCount: number }) => [t.name, t.imageCount]), CLASSES.map((c) => [c, 10]));
    assert.deepEqual(summary.folds.map((f: { imageCount: number }) => f.imageCount), [6, 6, 6, 6, 6], '5 stratified folds');
    assert.equal(summary.images.length, 30);
    assert.ok(summary.images.every((i: { fold: number; tagIds: string[] }) => i.fold >= 0 && i.fold < 5 && i.tagIds.length === 1));

    const performance = await trainer.getIterationPerformance(projectId, iterationId, { threshold: 0.5 });
    assert.equal(summary.crossValidation.threshold, 0.5);
    assert.equal(summary.crossValidation.precision, performance.precision);
    assert.equal(summary.crossValidation.recall, performance.recall);
    assert.deepEqual(summary.crossValidation.perTagPerformance.map((t: { name: string }) => t.name), performance.perTagPerformance?.map((t) => t.name));

    const { run, backbone } = summary;
    assert.equal(run.timings.embeddedImages + run.timings.cachedImages, 30);
    assert.ok(run.timings.featureMs > 0 && run.timings.fitMs > 0);
    assert.equal(run.config.folds, 5);
    assert.ok(run.config.lambdas.includes(run.lambda), 'the chosen penalty is one of the candidates');
    assert.equal(run.featureDim, 1280);
    assert.match(backbone.fingerprint, /\S/);
    assert.equal(run.backbone, backbone.fingerprint);
    assert.equal(backbone.current, true);
    assert.ok(Date.parse(run.startedAt) <= Date.parse(summary.iteration.trainedAt));
  });

  it('serves the training log as text', async () => {
    const { trainer, projectId, iterationId } = project;
    const { type, text } = await artifact(trainer, projectId, `iterations/${iterationId.toUpperCase()}/training-log.txt`);
    assert.match(type, /^text\/plain/);
    assert.match(text, /30 images, 3 tags: Barren 10, Cultivated 10, Developed 10/);
    assert.match(text, /5-fold cross-validation/);
    assert.match(text, /cross-validated at 0\.5: precision \d+\.\d%, recall \d+\.\d%/);
    assert.match(text, /Completed in \d+ ms\n$/);
  });

  it('refuses unknown paths (400 with the paths it serves), unknown iterations and projects (404), a missing path (400)', async () => {
    const { trainer, projectId, iterationId } = project;
    for (const bad of [`iterations/${iterationId}/model.bin`, 'i-40b66b39b86b4583be8c0fe223aa9ec5/t-5c882c62ca2b4458b39a2041b111dd73', `iterations/${iterationId}/../training-log.txt`]) {
      const answer = await refusal(service, trainer, projectId, bad);
      assert.equal(answer.status, 400, bad);
      assert.equal(answer.code, 'BadRequestInvalidArtifactUri');
      assert.match(answer.message, /serves iterations\/<iterationId>\/training-summary\.json and iterations\/<iterationId>\/training-log\.txt/);
    }
    const someId = '00000000-0000-4000-8000-000000000001';
    assert.deepEqual(pick(await refusal(service, trainer, projectId, summaryPath(someId))), { status: 404, code: 'NotFoundIteration' });
    assert.deepEqual(pick(await refusal(service, trainer, someId, summaryPath(iterationId))), { status: 404, code: 'NotFoundProject' });
    assert.deepEqual(pick(await refusal(service, trainer, projectId, undefined)), { status: 400, code: 'BadRequestRequiredParamIsNull' });
  });

  it('refuses an iteration still training, and serves it once trained', async () => {
    const { trainer, projectId, tagIds } = project;
    // New images go through the backbone: the iteration stays Training long enough to ask.
    for (const name of CLASSES) await uploadTagged(trainer, projectId, imageFiles('train', name).slice(10, 16), tagIds[name]);
    const iteration = await trainer.trainProject(projectId);
    const answer = await refusal(service, trainer, projectId, summaryPath(iteration.id as string));
    assert.deepEqual(pick(answer), { status: 400, code: 'BadRequestIterationIsNotTrained' });
    assert.match(answer.message, /still training/);
    assert.equal((await waitForIteration(trainer, projectId, iteration.id as string)).status, 'Completed');
    const summary = JSON.parse((await artifact(trainer, projectId, summaryPath(iteration.id as string))).text);
    assert.equal(summary.imageCount, 48);
    assert.equal(summary.run.timings.embeddedImages, 18, 'only the new images went through the backbone');
  });
});

const pick = ({ status, code }: { status: number; code: string }) => ({ status, code });

describe('GetArtifact for an iteration trained before runs were recorded (data folder of schema v2)', () => {
  const FIXTURE = path.join(__dirname, '..', 'fixtures', 'data-folder-v2');
  const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8'));
  let work: string;
  let service: ServiceProcess;

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'cvlab-artifacts-'));
    cpSync(FIXTURE, path.join(work, 'data'), { recursive: true, filter: (source) => path.basename(source) !== 'expected.json' });
    service = await startServiceProcess({ dataDir: path.join(work, 'data') });
  });
  after(async () => {
    await service?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('still summarises it from what was kept (images, folds, figures), with no run details', async () => {
    const trainer = trainingClient(service.url);
    const summary = JSON.parse((await artifact(trainer, expected.project.id, summaryPath(expected.iteration.id))).text);
    assert.equal(summary.run, null);
    assert.equal(summary.imageCount, 12);
    assert.equal(summary.crossValidation.precision, expected.performance.precision);
    assert.equal(summary.folds.reduce((n: number, f: { imageCount: number }) => n + f.imageCount, 0), 12);
    const log = (await artifact(trainer, expected.project.id, `iterations/${expected.iteration.id}/training-log.txt`)).text;
    assert.doesNotMatch(log, /features:/);
    assert.match(log, /Completed in \d+ ms/);
  });
});
