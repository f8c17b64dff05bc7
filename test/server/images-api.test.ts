/**
 * The image operations beyond upload, through the official Training SDK against the service as a
 * process: `$filter` on metadata (eq, ne, and, or, parentheses) on the workspace and on an
 * iteration, UpdateImageMetadata, GetImagesByIds with an iteration, CreateImagesFromPredictions
 * from stored quick tests, and DeleteImages with allIterations; with their error cases.
 */
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { trainAndWait } from '../../lib/src/training';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { sdkError, trainingClient, waitForIteration } from '../support/sdk';
import { startServiceProcess, tempDataDir, type ServiceProcess } from '../support/service-process';

/** Metadata of the i-th image of a class: sources alternate, regions come in threes; every fifth has none. */
function metadataOf(i: number): Record<string, string> | undefined {
  if (i % 5 === 4) return undefined;
  return { source: i % 2 ? 'satellite' : 'drone', region: i % 3 ? 'south' : 'north' };
}

const PER_CLASS = 8;
const unknownId = '00000000-0000-4000-8000-0000000000ff';

describe('image operations: metadata, filters, iterations, predictions', () => {
  let service: ServiceProcess;
  let trainer: TrainingAPIClient;
  let projectId: string;
  let iterationId: string;
  const tagIds: Record<string, string> = {};
  /** Every training image's id and the metadata it was uploaded with. */
  const uploaded: { id: string; tag: string; metadata?: Record<string, string> }[] = [];

  const all = (options: TrainingAPIModels.TrainingAPIClientGetImagesOptionalParams = {}) => trainer.getImages(projectId, { take: 256, ...options });
  const imageCount = async (options: TrainingAPIModels.TrainingAPIClientGetImageCountOptionalParams = {}) => (await trainer.getImageCount(projectId, options)).body;
  const performanceCount = async () => (await trainer.getImagePerformanceCount(projectId, iterationId)).body;
  const ids = (images: { id?: string }[]) => images.map((i) => i.id as string).sort();
  const expectedIds = (keep: (m: Record<string, string> | undefined) => boolean) => uploaded.filter((u) => keep(u.metadata)).map((u) => u.id).sort();

  before(async () => {
    service = await startServiceProcess();
    trainer = trainingClient(service.url);
    projectId = (await trainer.createProject('image operations')).id as string;
    for (const name of CLASSES) {
      tagIds[name] = (await trainer.createTag(projectId, name)).id as string;
      // The SDK sends metadata per batch only (ImageFileCreateEntry has none): one image per batch.
      for (const [i, file] of imageFiles('train', name).slice(0, PER_CLASS).entries()) {
        const metadata = metadataOf(i);
        const summary = await trainer.createImagesFromFiles(projectId, { images: [{ name: file, contents: readImage(file) }], tagIds: [tagIds[name]], metadata });
        assert.ok(summary.isBatchSuccessful);
        uploaded.push({ id: summary.images?.[0].image?.id as string, tag: name, metadata });
      }
    }
    iterationId = (await trainAndWait({ trainer }, projectId, { pollIntervalInMs: 200 })).id as string;
  });
  after(() => service?.stop());

  describe('$filter on metadata', () => {
    const cases: [string, (m: Record<string, string> | undefined) => boolean][] = [
      ["source eq 'drone'", (m) => m?.source === 'drone'],
      ["source ne 'drone'", (m) => m?.source !== 'drone'],
      ["source eq 'drone' or region eq 'north'", (m) => m?.source === 'drone' || m?.region === 'north'],
      ["source eq 'satellite' and region ne 'north'", (m) => m?.source === 'satellite' && m?.region !== 'north'],
      ["(source eq 'drone' or source eq 'satellite') AND region eq 'north'", (m) => !!m && m.region === 'north'],
      ["region eq 'south' or source eq 'drone' and region eq 'north'", (m) => m?.region === 'south' || (m?.source === 'drone' && m?.region === 'north')],
    ];
    for (const [filter, keep] of cases) {
      it(`${filter}: the listing and the count hold exactly the matching images`, async () => {
        const wanted = expectedIds(keep);
        assert.ok(wanted.length > 0 && wanted.length < uploaded.length, 'the case separates the images');
        assert.deepEqual(ids(await all({ filter })), wanted);
        assert.equal(await imageCount({ filter }), wanted.length);
      });
    }

    it('combines with tagIds and taggingStatus', async () => {
      const filter = "source eq 'drone'";
      const barren = await all({ filter, tagIds: [tagIds.Barren] });
      assert.deepEqual(ids(barren), expectedIds((m) => m?.source === 'drone').filter((id) => uploaded.find((u) => u.id === id)?.tag === 'Barren'));
      assert.equal(await imageCount({ filter, taggingStatus: 'Untagged' }), 0);
    });

    const nested = `${'('.repeat(2000)}source eq 'x'${')'.repeat(2000)}`;
    const long = Array.from({ length: 101 }, (_, i) => `k${i} eq 'v'`).join(' or ');
    for (const filter of ["source gt 'a'", "startswith(source, 'd')", "(source eq 'drone'", "source eq 'drone' and", "source eq drone", "source eq 'drone", nested, long]) {
      it(`refuses ${JSON.stringify(filter.length > 60 ? `${filter.slice(0, 40)}... (${filter.length} characters)` : filter)} with 400 BadRequestNotSupported`, async () => {
        await assert.rejects(all({ filter }), sdkError(400, 'BadRequestNotSupported', /\$filter/));
        await assert.rejects(trainer.getImageCount(projectId, { filter }), sdkError(400, 'BadRequestNotSupported'));
      });
    }
  });

  describe('UpdateImageMetadata', () => {
    it('merges the pairs into each image, reports each image, 207 for an unknown one', async () => {
      const [a, b] = uploaded.filter((u) => u.metadata);
      const result = await trainer.updateImageMetadata(projectId, [a.id, b.id, unknownId], { reviewed: 'yes', source: 'archive' });
      assert.equal(result._response.status, 207);
      assert.equal(result.isBatchSuccessful, false);
      assert.deepEqual(
        result.images?.map((i) => [i.imageId, i.status]),
        [[a.id, 'OK'], [b.id, 'OK'], [unknownId, 'ErrorImageNotFound']],
      );
      const [stored] = await trainer.getImagesByIds(projectId, { imageIds: [a.id] });
      assert.deepEqual(stored.metadata, { ...a.metadata, reviewed: 'yes', source: 'archive' });
      assert.deepEqual(result.images?.[0].metadata, stored.metadata);
      assert.ok(ids(await all({ filter: "source eq 'archive'" })).includes(a.id));
    });

    it('answers 200 when every image is updated; an image without metadata gets it', async () => {
      const bare = uploaded.find((u) => !u.metadata) as (typeof uploaded)[number];
      const result = await trainer.updateImageMetadata(projectId, [bare.id], { note: "it's new" });
      assert.equal(result._response.status, 200);
      assert.equal(result.isBatchSuccessful, true);
      assert.deepEqual((await trainer.getImagesByIds(projectId, { imageIds: [bare.id] }))[0].metadata, { note: "it's new" });
      assert.deepEqual(ids(await all({ filter: "note eq 'it''s new'" })), [bare.id]);
    });

    it('leaves an image that would exceed 10 pairs as it was (ErrorLimitExceed)', async () => {
      const target = uploaded.filter((u) => u.metadata)[2];
      const eight = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, `v${i}`]));
      const full = await trainer.updateImageMetadata(projectId, [target.id], eight);
      assert.equal(full.images?.[0].status, 'OK'); // 2 + 8 = 10 pairs
      const over = await trainer.updateImageMetadata(projectId, [target.id], { one: 'more' });
      assert.equal(over._response.status, 207);
      assert.equal(over.images?.[0].status, 'ErrorLimitExceed');
      const [stored] = await trainer.getImagesByIds(projectId, { imageIds: [target.id] });
      assert.equal(Object.keys(stored.metadata ?? {}).length, 10);
      assert.equal(stored.metadata?.one, undefined);
    });

    it('refuses bad requests', async () => {
      const id = uploaded[0].id;
      await assert.rejects(trainer.updateImageMetadata(projectId, [id], { ['k'.repeat(129)]: 'v' }), sdkError(400, 'BadRequestImageMetadataKey'));
      await assert.rejects(trainer.updateImageMetadata(projectId, [id], { k: 'v'.repeat(257) }), sdkError(400, 'BadRequestImageMetadataValue'));
      const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
      await assert.rejects(trainer.updateImageMetadata(projectId, [id], eleven), sdkError(400, 'BadRequestImageMetadataKey'));
      await assert.rejects(trainer.updateImageMetadata(projectId, [id], {}), sdkError(400, 'BadRequestImageMetadataKey'));
      const many = Array.from({ length: 65 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      await assert.rejects(trainer.updateImageMetadata(projectId, many, { k: 'v' }), sdkError(400, 'BadRequestExceededBatchSize'));
      await assert.rejects(trainer.updateImageMetadata(projectId, [], { k: 'v' }), sdkError(400, 'BadRequestInvalidIds'));
      await assert.rejects(trainer.updateImageMetadata(unknownId, [id], { k: 'v' }), sdkError(404, 'NotFoundProject'));
    });
  });

  describe('an iteration as it trained', () => {
    it('GetImagesByIds with iterationId gives the tags and metadata at training time, the workspace today\'s', async () => {
      const image = uploaded.find((u) => u.tag === 'Barren' && u.metadata?.source === 'drone') as (typeof uploaded)[number];
      await trainer.deleteImageTags(projectId, [image.id], [tagIds.Barren]);
      await trainer.createImageTags(projectId, { tags: [{ imageId: image.id, tagId: tagIds.Developed }] });
      await trainer.updateImageMetadata(projectId, [image.id], { source: 'relabelled' });

      const [now] = await trainer.getImagesByIds(projectId, { imageIds: [image.id] });
      const [then] = await trainer.getImagesByIds(projectId, { imageIds: [image.id, unknownId], iterationId });
      assert.deepEqual(now.tags?.map((t) => t.tagName), ['Developed']);
      assert.deepEqual(then.tags?.map((t) => t.tagName), ['Barren']);
      assert.equal(now.metadata?.source, 'relabelled');
      assert.deepEqual(then.metadata, image.metadata);

      // A filter on an iteration reads the metadata it trained with.
      assert.ok(ids(await all({ filter: "source eq 'drone'", iterationId })).includes(image.id));
      assert.ok(!ids(await all({ filter: "source eq 'drone'" })).includes(image.id));
      assert.deepEqual(ids(await all({ filter: "source eq 'relabelled'", iterationId })), []);
      const droneAtTraining = expectedIds((m) => m?.source === 'drone');
      assert.deepEqual(ids(await all({ filter: "source eq 'drone'", iterationId })), droneAtTraining);
      assert.equal(await imageCount({ filter: "source ne 'drone' or region eq 'north'", iterationId }), expectedIds((m) => m?.source !== 'drone' || m?.region === 'north').length);
      assert.deepEqual(ids(await trainer.getTaggedImages(projectId, { iterationId, tagIds: [tagIds.Barren], take: 256 })).includes(image.id), true);
    });

    it('leaves out images the iteration did not train on; an unknown iteration is 404', async () => {
      const file = imageFiles('test', 'Cultivated')[0];
      const added = await trainer.createImagesFromFiles(projectId, { images: [{ name: 'later', contents: readImage(file) }], tagIds: [tagIds.Cultivated] });
      const addedId = added.images?.[0].image?.id as string;
      assert.deepEqual(await trainer.getImagesByIds(projectId, { imageIds: [addedId], iterationId }), []);
      assert.equal((await trainer.getImagesByIds(projectId, { imageIds: [addedId] })).length, 1);
      await assert.rejects(trainer.getImagesByIds(projectId, { imageIds: [addedId], iterationId: unknownId }), sdkError(404, 'NotFoundIteration'));
      await trainer.deleteImages(projectId, { imageIds: [addedId] });
    });
  });

  describe('CreateImagesFromPredictions', () => {
    let testPrediction: string;
    let trainingPrediction: string;
    const testFile = imageFiles('test', 'Developed')[0];

    before(async () => {
      testPrediction = (await trainer.quickTestImage(projectId, readImage(testFile), { iterationId })).id as string;
      const trainingFile = imageFiles('train', 'Barren')[0];
      trainingPrediction = (await trainer.quickTestImage(projectId, readImage(trainingFile), { iterationId })).id as string;
    });

    it('adds a stored prediction\'s image with its tags and metadata; a training image is OKDuplicate, an unknown id ErrorSource (207)', async () => {
      const summary = await trainer.createImagesFromPredictions(projectId, {
        images: [{ id: testPrediction, tagIds: [tagIds.Developed] }, { id: trainingPrediction }, { id: unknownId }],
        tagIds: [tagIds.Barren],
        metadata: { origin: 'quick test' },
      });
      assert.equal(summary._response.status, 207);
      assert.equal(summary.isBatchSuccessful, false);
      assert.deepEqual(summary.images?.map((r) => r.status), ['OK', 'OKDuplicate', 'ErrorSource']);
      const created = summary.images?.[0].image as TrainingAPIModels.Image;
      assert.deepEqual(created.tags?.map((t) => t.tagName), ['Developed']);
      assert.deepEqual(created.metadata, { origin: 'quick test' });
      assert.equal(summary.images?.[1].image?.id, uploaded.find((u) => u.tag === 'Barren')?.id);

      const [stored] = await trainer.getImagesByIds(projectId, { imageIds: [created.id as string] });
      assert.deepEqual(stored.tags?.map((t) => t.tagId), [tagIds.Developed]);
      const bytes = Buffer.from(await (await fetch(stored.originalImageUri as string)).arrayBuffer());
      assert.ok(bytes.equals(readImage(testFile)), 'the training image holds the predicted bytes');
      assert.deepEqual(ids(await all({ filter: "origin eq 'quick test'" })), [created.id]);

      const again = await trainer.createImagesFromPredictions(projectId, { images: [{ id: testPrediction }] });
      assert.equal(again._response.status, 200);
      assert.deepEqual([again.images?.[0].status, again.images?.[0].image?.id], ['OKDuplicate', created.id]);
    });

    it('applies the batch tags to entries without their own; unknown entry tags are ErrorInvalidTag', async () => {
      const other = (await trainer.quickTestImage(projectId, readImage(imageFiles('test', 'Barren')[1]), { iterationId })).id as string;
      const bad = await trainer.createImagesFromPredictions(projectId, { images: [{ id: other, tagIds: [unknownId] }] });
      assert.deepEqual(bad.images?.map((r) => r.status), ['ErrorInvalidTag']);
      const good = await trainer.createImagesFromPredictions(projectId, { images: [{ id: other }], tagIds: [tagIds.Barren] });
      assert.deepEqual(good.images?.[0].image?.tags?.map((t) => t.tagName), ['Barren']);
    });

    it('refuses bad batches', async () => {
      await assert.rejects(trainer.createImagesFromPredictions(projectId, { images: [{ id: testPrediction }], tagIds: [unknownId] }), sdkError(400, 'BadRequestImageTags'));
      await assert.rejects(trainer.createImagesFromPredictions(projectId, { images: [] }), sdkError(400, 'BadRequestImageBatch'));
      const many = Array.from({ length: 65 }, () => ({ id: testPrediction }));
      await assert.rejects(trainer.createImagesFromPredictions(projectId, { images: many }), sdkError(400, 'BadRequestExceededBatchSize'));
      const region = { tagId: tagIds.Barren, left: 0, top: 0, width: 1, height: 1 };
      await assert.rejects(trainer.createImagesFromPredictions(projectId, { images: [{ id: testPrediction, regions: [region] }] }), sdkError(400, 'BadRequestImageRegions'));
      await assert.rejects(trainer.createImagesFromPredictions(projectId, { images: [{ id: testPrediction }], metadata: { k: 'v'.repeat(257) } }), sdkError(400, 'BadRequestImageMetadataValue'));
      await assert.rejects(trainer.createImagesFromPredictions(unknownId, { images: [{ id: testPrediction }] }), sdkError(404, 'NotFoundProject'));
    });

    it('takes only predictions of the same project', async () => {
      const other = (await trainer.createProject('another project')).id as string;
      const tag = (await trainer.createTag(other, 'Barren')).id as string;
      const summary = await trainer.createImagesFromPredictions(other, { images: [{ id: testPrediction }], tagIds: [tag] });
      assert.deepEqual(summary.images?.map((r) => r.status), ['ErrorSource']);
      await trainer.deleteProject(other);
    });
  });

  describe('DeleteImages with allIterations', () => {
    it('without it (204), the iteration keeps the image; with it (202), no iteration lists it any more', async () => {
      const [kept, purged] = uploaded.filter((u) => u.tag === 'Cultivated');
      const before = await imageCount({ iterationId });
      const performances = await performanceCount();

      const plain = await trainer.deleteImages(projectId, { imageIds: [kept.id] });
      assert.equal(plain._response.status, 204);
      assert.equal((await trainer.getImagesByIds(projectId, { imageIds: [kept.id], iterationId })).length, 1);
      assert.equal(await imageCount({ iterationId }), before);

      const everywhere = await trainer.deleteImages(projectId, { imageIds: [purged.id, kept.id], allIterations: true });
      assert.equal(everywhere._response.status, 202);
      assert.deepEqual(await trainer.getImagesByIds(projectId, { imageIds: [purged.id, kept.id], iterationId }), []);
      assert.deepEqual(await trainer.getImagesByIds(projectId, { imageIds: [purged.id] }), []);
      assert.equal(await imageCount({ iterationId }), before - 2);
      assert.equal(await performanceCount(), performances - 2);
      const listed = ids(await trainer.getImagePerformances(projectId, iterationId, { take: 256 }));
      assert.ok(!listed.includes(purged.id) && !listed.includes(kept.id));
    });

    it('lets the project train again after removing an image the latest iteration trained on', async () => {
      const iteration2 = (await trainAndWait({ trainer }, projectId, { pollIntervalInMs: 200 })).id as string;
      await assert.rejects(trainer.trainProject(projectId), sdkError(400, 'BadRequestTrainingNotNeeded'));
      const [victim] = await trainer.getTaggedImages(projectId, { iterationId: iteration2, tagIds: [tagIds.Developed], take: 1 });
      await trainer.deleteImages(projectId, { imageIds: [victim.id as string], allIterations: true });
      const other = (await trainer.getTaggedImages(projectId, { tagIds: [tagIds.Barren], take: 1 }))[0].id as string;
      const iteration3 = await trainer.trainProject(projectId);
      // Removing from all iterations is refused while one trains on the images.
      await assert.rejects(trainer.deleteImages(projectId, { imageIds: [other], allIterations: true }), sdkError(400, 'BadRequestTrainingAlreadyInProgress'));
      assert.equal((await waitForIteration(trainer, projectId, iteration3.id as string)).status, 'Completed');
      assert.equal((await trainer.getImagesByIds(projectId, { imageIds: [other] })).length, 1, 'the refused deletion deleted nothing');
      assert.equal(await imageCount({ iterationId: iteration3.id }), (await trainer.getTaggedImageCount(projectId)).body);
    });

    it('allImages with allIterations empties the workspace and every iteration', async () => {
      const result = await trainer.deleteImages(projectId, { allImages: true, allIterations: true });
      assert.equal(result._response.status, 202);
      assert.equal(await imageCount(), 0);
      for (const iteration of await trainer.getIterations(projectId)) {
        assert.equal(await imageCount({ iterationId: iteration.id }), 0);
      }
      await assert.rejects(trainer.deleteImages(projectId, {}), sdkError(400, 'BadRequestInvalidIds'));
    });
  });
});

describe('an iteration trained before iterations kept metadata (data folder of schema v2)', () => {
  const fixture = path.join(__dirname, '..', 'fixtures', 'data-folder-v2');
  const projectId = '27688f65-3216-4769-bc06-d54c52d020e1';
  const iterationId = '8dd5488c-c04c-45a0-ba99-441c1225024b';
  const withSource = ['63261e21-438f-4dfd-a16c-cb3586a9223a', 'c873ea1a-6219-4dac-80f3-91f5bd3d0a8c'];
  let dataDir: string;
  let service: ServiceProcess;

  before(async () => {
    dataDir = tempDataDir();
    cpSync(fixture, dataDir, { recursive: true, filter: (source) => path.basename(source) !== 'expected.json' });
    service = await startServiceProcess({ dataDir });
  });
  after(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes the metadata its images had at the upgrade', async () => {
    const trainer = trainingClient(service.url);
    const filtered = await trainer.getImages(projectId, { iterationId, filter: "source eq 'fixture'" });
    assert.deepEqual(filtered.map((i) => i.id).sort(), withSource);
    const [image] = await trainer.getImagesByIds(projectId, { imageIds: [withSource[1]], iterationId });
    assert.deepEqual(image.metadata, { source: 'fixture', tag: 'Barren' });
  });
});
