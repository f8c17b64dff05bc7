/**
 * A data folder written by the service before storage moved behind server/store/'s repositories
 * (test/fixtures/data-folder-v2, made by test/fixtures/make-data-folder.ts at commit 1ddb0e2)
 * opens in place: its projects, images and tags, trained iteration, stored prediction and export
 * read as the old service answered them (expected.json), and the iteration still predicts.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import Database from 'better-sqlite3';
import JSZip from 'jszip';
import { SCHEMA_VERSION } from '../../../server/store/migrations';
import { sha256 } from '../../../server/store/blobs';
import { syntheticTile } from '../../support/synthetic-tiles';
import { waitForExport } from '../../support/exports';
import { predictionClient, trainingClient } from '../../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';
import { PUBLISH_NAME } from '../../support/trained-project';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'data-folder-v2');
/** Where SQLite's file header keeps user_version (big-endian), per the file format spec. */
const USER_VERSION_OFFSET = 60;
const expected = JSON.parse(readFileSync(path.join(FIXTURE, 'expected.json'), 'utf8'));

/**
 * Links carry the host and port of the service that made them (the fixture kept their paths), and
 * image links a project, an expiry and a signature of their own each time they are issued (the
 * fixture's, from before links expired, have neither project nor expiry): links are compared by
 * what they name, the rendition and the image.
 */
function withoutHost<T>(value: T): T {
  const text = JSON.stringify(value)
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, '')
    .replace(/\/customvision\/images\/(?:[0-9a-f-]{36}\/)?(original|resized|thumbnail)\/([0-9a-f]{64})\?[^"]*/g, '/customvision/images/$1/$2');
  return JSON.parse(text) as T;
}

/** The quick-test image the fixture was made with: the same bytes, so the same prediction. */
const quickTestImage = () => syntheticTile('Barren', 6);

function assertSameScores(actual: TrainingAPIModels.Prediction[] | undefined, wanted: TrainingAPIModels.Prediction[]): void {
  assert.deepEqual(actual?.map((p) => p.tagId), wanted.map((p) => p.tagId));
  actual?.forEach((p, i) => assert.ok(Math.abs((p.probability ?? NaN) - (wanted[i].probability as number)) < 1e-4, `${p.tagName}: ${p.probability}`));
}

describe('a data folder written before the storage layer (schema v2, commit 1ddb0e2)', () => {
  const projectId: string = expected.project.id;
  const iterationId: string = expected.iteration.id;
  let work: string;
  let dataDir: string;
  let service: ServiceProcess;
  let trainer: TrainingAPIClient;

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'cvlab-upgrade-'));
    dataDir = path.join(work, 'data');
    // The fixture stays untouched: the service upgrades a copy.
    cpSync(FIXTURE, dataDir, { recursive: true, filter: (source) => path.basename(source) !== 'expected.json' });
    service = await startServiceProcess({ dataDir });
    trainer = trainingClient(service.url);
  });
  after(async () => {
    await service?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('was written at schema version 2, and is at the current one once opened', () => {
    // Read from the file's header: opening the fixture with SQLite would leave WAL files beside it.
    assert.equal(readFileSync(path.join(FIXTURE, 'service.sqlite')).readUInt32BE(USER_VERSION_OFFSET), 2);
    const db = new Database(path.join(dataDir, 'service.sqlite'), { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    db.close();
  });

  it('lists the project and its tags as before', async () => {
    // Settings are not stored: since issue 14 they say what the trainer does (no negative set, zoomed-out copies only).
    const augmentationMethods = { rotation: false, scaling: true, translation: false, 'horizontal flip': false, equalize: false, solarize: false, padtosquare: false };
    const settings = { ...expected.project.settings, useNegativeSet: false, imageProcessingSettings: { augmentationMethods } };
    assert.deepEqual(withoutHost(await trainer.getProjects()), [{ ...expected.project, settings }]);
    assert.deepEqual(withoutHost(await trainer.getTags(projectId)), expected.tags);
  });

  it('lists the images with their tags and metadata, and serves them under fresh links (the old ones have expired)', async () => {
    assert.deepEqual(withoutHost(await trainer.getImages(projectId, { orderBy: 'Oldest' })), withoutHost(expected.images));
    assert.equal((await trainer.getTaggedImageCount(projectId)).body, 12);
    assert.equal((await trainer.getUntaggedImageCount(projectId)).body, 1);
    assert.equal((await trainer.getImageCount(projectId, { filter: "source eq 'fixture'" })).body, 2, 'metadata filters still apply');
    const oldLink: string = expected.images[0].originalImageUri;
    const expired = await fetch(`${service.url}${oldLink}`);
    assert.equal(expired.status, 403);
    assert.equal(((await expired.json()) as { code: string }).code, 'AuthenticationFailed');
    const [first] = await trainer.getImages(projectId, { orderBy: 'Oldest', take: 1 });
    const response = await fetch(first.originalImageUri as string);
    assert.equal(response.status, 200);
    assert.equal(sha256(Buffer.from(await response.arrayBuffer())), /original\/([0-9a-f]{64})/.exec(oldLink)?.[1]);
  });

  it('keeps the Completed, published iteration with its performance', async () => {
    assert.deepEqual(withoutHost(await trainer.getIterations(projectId)), [expected.iteration]);
    assert.deepEqual(withoutHost(await trainer.getIterationPerformance(projectId, iterationId)), expected.performance);
    assert.deepEqual(withoutHost(await trainer.getImagePerformances(projectId, iterationId, { orderBy: 'Oldest' })), withoutHost(expected.imagePerformances));
    // Nothing changed since it trained: the snapshot reads back as the one it recorded.
    await assert.rejects(trainer.trainProject(projectId), (e: { code?: string }) => e.code === 'BadRequestTrainingNotNeeded');
  });

  it('keeps the stored prediction, and the iteration predicts as it did', async () => {
    assert.deepEqual(withoutHost((await trainer.queryPredictions(projectId, {})).results), withoutHost(expected.predictions));
    const image = await quickTestImage();
    const quickTest = await trainer.quickTestImage(projectId, image, { iterationId, store: false });
    assertSameScores(quickTest.predictions, expected.quickTest.predictions);
    const published = await predictionClient(service.url).classifyImageWithNoStore(projectId, PUBLISH_NAME, image);
    assertSameScores(published.predictions, expected.quickTest.predictions);
  });

  it('keeps the ONNX export under its link: Done, its package (not in the fixture) built again', async () => {
    const [listed] = await trainer.getExports(projectId, iterationId);
    assert.equal(listed.platform, 'ONNX');
    assert.ok(listed.status === 'Exporting' || listed.status === 'Done', `status ${listed.status}`);
    const done = await waitForExport(trainer, projectId, iterationId, 'ONNX');
    assert.deepEqual(withoutHost([done]), expected.exports);
    const download = await fetch(done.downloadUri as string);
    assert.equal(download.status, 200);
    const zip = await JSZip.loadAsync(Buffer.from(await download.arrayBuffer()));
    const model = zip.file('model.onnx');
    assert.ok(model, `model.onnx in ${Object.keys(zip.files).join(', ')}`);
    assert.ok((await model.async('nodebuffer')).length > 1_000_000);
  });

  it('keeps the export Done when the service dies while building its missing package, and builds it at the next start', async () => {
    const crashDir = path.join(work, 'crash');
    cpSync(FIXTURE, crashDir, { recursive: true, filter: (source) => path.basename(source) !== 'expected.json' });
    const first = await startServiceProcess({ dataDir: crashDir });
    // Killed as soon as it listens: the rebuild (after listening) cannot have finished.
    await first.kill();
    const second = await startServiceProcess({ dataDir: crashDir });
    try {
      const crashTrainer = trainingClient(second.url);
      const [listed] = await crashTrainer.getExports(projectId, iterationId);
      assert.equal(listed.status, 'Done', 'a rebuild never changes the status');
      const download = await fetch(listed.downloadUri as string);
      assert.equal(download.status, 200, 'the download waits for the rebuild');
      assert.ok((await download.arrayBuffer()).byteLength > 1_000_000);
    } finally {
      await second.stop();
    }
  });
});
