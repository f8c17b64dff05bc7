/**
 * ExportProject and ImportProject through the official SDK: the token copies a snapshot of the
 * project (settings, tags, images byte for byte with their tags and metadata, no iterations), the
 * copy trains to the same cross-validated figures, and bad, expired or conflicting imports are refused.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import Database from 'better-sqlite3';
import { trainAndWait } from '../../lib/src/training';
import { sha256 } from '../../server/store/blobs';
import { sdkError, trainingClient } from '../support/sdk';
import { startServiceProcess, tempDataDir, TRAINING_KEY, type ServiceProcess } from '../support/service-process';
import { syntheticTile } from '../support/synthetic-tiles';
import { COMPACT_DOMAIN_ID } from '../support/trained-project';

async function download(uri: string): Promise<string> {
  const response = await fetch(uri);
  assert.equal(response.status, 200, uri);
  return sha256(Buffer.from(await response.arrayBuffer()));
}

/** What a copy must keep of an image, independent of ids: its bytes, tag names, metadata and date. */
async function contentOf(trainer: TrainingAPIClient, projectId: string) {
  const images = await trainer.getImages(projectId, { take: 256, orderBy: 'Oldest' });
  return Promise.all(
    images.map(async (image) => ({
      bytes: await download(image.originalImageUri as string),
      tags: (image.tags ?? []).map((t) => t.tagName).sort(),
      metadata: image.metadata ?? {},
      created: image.created?.toISOString(),
    })),
  );
}

const tagShape = (tags: TrainingAPIModels.Tag[]) => tags.map(({ name, description, type, imageCount }) => ({ name, description, type, imageCount }));

describe('ExportProject / ImportProject', () => {
  const dataDir = tempDataDir();
  let service: ServiceProcess;
  let trainer: TrainingAPIClient;
  let source: TrainingAPIModels.Project;
  let sourceContent: Awaited<ReturnType<typeof contentOf>>;
  let sourceTags: TrainingAPIModels.Tag[];

  before(async () => {
    service = await startServiceProcess({ dataDir });
    trainer = trainingClient(service.url);
    source = await trainer.createProject('transfer source', {
      description: 'to be copied',
      domainId: COMPACT_DOMAIN_ID,
      classificationType: 'Multilabel',
      targetExportPlatforms: ['ONNX'],
    });
    const id = source.id as string;
    const barren = (await trainer.createTag(id, 'Barren', { description: 'sand and rock' })).id as string;
    const fields = (await trainer.createTag(id, 'Cultivated')).id as string;
    const tiles = (kind: 'Barren' | 'Cultivated' | 'Developed', from: number, n: number) =>
      Promise.all(Array.from({ length: n }, async (_, i) => ({ name: `${kind}-${from + i}.jpg`, contents: await syntheticTile(kind, from + i) })));
    await trainer.createImagesFromFiles(id, { images: await tiles('Barren', 0, 6), tagIds: [barren], metadata: { site: 'north' } });
    await trainer.createImagesFromFiles(id, { images: await tiles('Cultivated', 0, 6), tagIds: [fields] });
    await trainer.createImagesFromFiles(id, { images: await tiles('Cultivated', 6, 1), tagIds: [barren, fields], metadata: { site: 'edge' } });
    await trainer.createImagesFromFiles(id, { images: await tiles('Developed', 0, 1), metadata: { site: 'town', note: 'untagged' } });
    await trainAndWait({ trainer }, id, { pollIntervalInMs: 200 });
    sourceContent = await contentOf(trainer, id);
    sourceTags = await trainer.getTags(id);
  });
  after(() => service?.stop());

  it('exports the counts of what the token copies, under a new unguessable token each time', async () => {
    const first = await trainer.exportProject(source.id as string);
    const second = await trainer.exportProject(source.id as string);
    assert.deepEqual(
      { iterationCount: first.iterationCount, imageCount: first.imageCount, tagCount: first.tagCount, regionCount: first.regionCount },
      { iterationCount: 0, imageCount: 14, tagCount: 2, regionCount: 0 },
      'iterations are not exported: the copy trains again',
    );
    assert.ok((first.estimatedImportTimeInMS ?? 0) > 0);
    assert.match(first.token as string, /^[A-Za-z0-9_-]{43}$/, '32 random bytes');
    assert.notEqual(first.token, second.token);
  });

  it('imports a copy with the settings, tags and images (same bytes, tags, metadata), and no iteration', async () => {
    const { token } = await trainer.exportProject(source.id as string);
    const copy = await trainer.importProject(token as string, { name: 'transfer copy' });
    // The request's log line is written once the answer is sent: wait for it, then look for the token.
    for (let i = 0; i < 50 && !/projects\/import\?token=/.test(service.output()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(service.output(), /projects\/import\?token=\*\*\*/);
    assert.ok(!service.output().includes(token as string), 'the token is not written to the log');
    assert.notEqual(copy.id, source.id);
    assert.equal(copy.name, 'transfer copy');
    assert.equal(copy.status, 'Succeeded');
    assert.equal(copy.description, source.description);
    assert.deepEqual(copy.settings, source.settings);
    assert.deepEqual(await trainer.getProject(copy.id as string), copy);
    assert.deepEqual(tagShape(await trainer.getTags(copy.id as string)), tagShape(sourceTags));
    assert.deepEqual(await contentOf(trainer, copy.id as string), sourceContent);
    assert.equal((await trainer.getUntaggedImageCount(copy.id as string)).body, 1);
    assert.equal((await trainer.getImageCount(copy.id as string, { filter: "site eq 'north'" })).body, 6, 'metadata filters apply to the copy');
    assert.deepEqual(await trainer.getIterations(copy.id as string), []);
  });

  it('a copy trains to the same cross-validated figures as its source', async () => {
    const { token } = await trainer.exportProject(source.id as string);
    const copy = await trainer.importProject(token as string, { name: 'transfer trained copy' });
    const copied = await trainAndWait({ trainer }, copy.id as string, { pollIntervalInMs: 200 });
    const [sourceIteration] = await trainer.getIterations(source.id as string);
    const figures = async (projectId: string, iterationId: string) => {
      const { precision, recall, averagePrecision, perTagPerformance } = await trainer.getIterationPerformance(projectId, iterationId, { threshold: 0.5 });
      return { precision, recall, averagePrecision, perTag: perTagPerformance?.map((t) => [t.name, t.precision, t.recall, t.averagePrecision]) };
    };
    assert.deepEqual(await figures(copy.id as string, copied.id as string), await figures(source.id as string, sourceIteration.id as string));
  });

  it('names the copy after its source when no name is given, numbered when that name is taken', async () => {
    const { token } = await trainer.exportProject(source.id as string);
    const copy = await trainer.importProject(token as string);
    assert.equal(copy.name, 'transfer source (2)');
    const again = await trainer.importProject(token as string);
    assert.equal(again.name, 'transfer source (3)', 'a token imports more than once while valid');
  });

  it('refuses a name another project has, an unknown token, a missing one, and an unknown project', async () => {
    const { token } = await trainer.exportProject(source.id as string);
    await assert.rejects(trainer.importProject(token as string, { name: 'TRANSFER SOURCE' }), sdkError(400, 'BadRequestProjectNameNotUnique', /already exists/));
    await assert.rejects(trainer.importProject(token as string, { name: '   ' }), sdkError(400, 'BadRequestProjectName'));
    await assert.rejects(trainer.importProject('made-up-token'), sdkError(400, 'BadRequestInvalidImportToken', /not one this service gave/));
    await assert.rejects(trainer.importProject(`${(token as string).slice(0, -1)}A`), sdkError(400, 'BadRequestInvalidImportToken'));
    const missing = await fetch(`${service.url}/customvision/v3.4-preview/training/projects/import`, { method: 'POST', headers: { 'Training-Key': TRAINING_KEY } });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as { code: string }).code, 'BadRequestRequiredParamIsNull');
    await assert.rejects(trainer.exportProject('00000000-0000-4000-8000-000000000001'), sdkError(404, 'NotFoundProject'));
    assert.equal((await trainer.getProjects()).filter((p) => p.name?.startsWith('TRANSFER') || p.name === '   ').length, 0, 'a refused import makes no project');
  });

  it('a token is a snapshot: it imports the project as exported, even after the source changed, was deleted and the service restarted', async () => {
    const id = source.id as string;
    const { token } = await trainer.exportProject(id);
    const { token: expiring } = await trainer.exportProject(id);
    await trainer.createTag(id, 'Developed');
    await trainer.deleteImages(id, { imageIds: [(await trainer.getImages(id, { take: 1 }))[0].id as string] });
    // Every copy shares the source's image bytes: with all projects gone, only the snapshot refers to them.
    for (const project of await trainer.getProjects()) await trainer.deleteProject(project.id as string);
    // A restart sweeps unreferenced image bytes: the snapshot's must survive it. And an expired token is refused.
    await service.stop();
    const db = new Database(path.join(dataDir, 'service.sqlite'));
    assert.equal(db.prepare("UPDATE project_transfers SET expires = '2000-01-01T00:00:00.000Z' WHERE token_hash = ?").run(sha256(Buffer.from(expiring as string))).changes, 1);
    db.close();
    service = await startServiceProcess({ dataDir });
    trainer = trainingClient(service.url);

    const copy = await trainer.importProject(token as string);
    assert.equal(copy.name, 'transfer source', 'the source name is free again');
    assert.deepEqual(tagShape(await trainer.getTags(copy.id as string)), tagShape(sourceTags));
    assert.deepEqual(await contentOf(trainer, copy.id as string), sourceContent);
    await assert.rejects(trainer.importProject(expiring as string), sdkError(400, 'BadRequestInvalidImportToken', /expired at 2000-01-01.*export the project again/));
  });
});
