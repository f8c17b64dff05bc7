/**
 * Exercise 1 of the lab, end to end: the official Training SDK client, unchanged, against the
 * local service running as a real process, on the real dataset and the real backbone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { trainingClient, uploadTagged, waitForIteration } from '../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';

type Iteration = TrainingAPIModels.Iteration;

describe('Exercise 1 with the official Training SDK against the local service', () => {
  let service: ServiceProcess;
  let trainer: TrainingAPIClient;
  let projectId: string;
  const tagIds: Record<string, string> = {};
  let iteration1: Iteration;
  let iteration2: Iteration;
  let performance1: TrainingAPIModels.IterationPerformance;
  let retagged: string[] = [];

  before(async () => {
    service = await startServiceProcess();
    trainer = trainingClient(service.url);
  });
  after(async () => {
    await service?.stop();
  });

  it('creates a Multiclass project in the General domain, and its tags', async () => {
    const domains = await trainer.getDomains();
    const general = domains.find((d) => d.name === 'General' && d.type === 'Classification');
    assert.ok(general?.id, 'the General classification domain is listed');
    const project = await trainer.createProject('Aerial land use', { domainId: general.id, classificationType: 'Multiclass', description: 'lab' });
    assert.equal(project.settings?.classificationType, 'Multiclass');
    assert.equal(project.settings?.domainId, general.id);
    projectId = project.id as string;
    for (const name of CLASSES) tagIds[name] = (await trainer.createTag(projectId, name)).id as string;
    const tags = await trainer.getTags(projectId);
    assert.deepEqual(tags.map((t) => t.name).sort(), [...CLASSES]);
    await assert.rejects(trainer.createTag(projectId, 'barren'), (e: { statusCode?: number; code?: string }) => e.statusCode === 400 && e.code === 'BadRequestTagNameNotUnique');
  });

  it('uploads the 450 training images in batches of 64, each acknowledged OK', async () => {
    for (const name of CLASSES) {
      const summaries = await uploadTagged(trainer, projectId, imageFiles('train', name), tagIds[name]);
      for (const s of summaries) {
        assert.equal(s.isBatchSuccessful, true);
        assert.ok(s.images?.every((i) => i.status === 'OK' && i.image?.tags?.[0]?.tagName === name));
      }
    }
    assert.equal((await trainer.getTaggedImageCount(projectId)).body, 450);
    assert.equal((await trainer.getUntaggedImageCount(projectId)).body, 0);
    for (const name of CLASSES) {
      assert.equal((await trainer.getTaggedImageCount(projectId, { tagIds: [tagIds[name]] })).body, 150);
      assert.equal((await trainer.getTag(projectId, tagIds[name])).imageCount, 150);
    }
    const page = await trainer.getTaggedImages(projectId, { take: 10, skip: 5, orderBy: 'Oldest' });
    assert.equal(page.length, 10);
    assert.ok(page.every((img) => img.width === 224 && img.height === 224));
    // Image URIs are served by the service itself, without a key.
    const response = await fetch(page[0].originalImageUri as string);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    const thumbnail = await fetch(page[0].thumbnailUri as string);
    assert.equal(thumbnail.status, 200);
    const forged = await fetch((page[0].originalImageUri as string).replace(/sig=.*/, 'sig=forged'));
    assert.equal(forged.status, 404);
  });

  it('re-uploading the same image reports OKDuplicate and adds nothing', async () => {
    const file = imageFiles('train', 'Barren')[0];
    const summary = await trainer.createImagesFromData(projectId, readImage(file), { tagIds: [tagIds.Barren] });
    assert.equal(summary.images?.[0].status, 'OKDuplicate');
    assert.equal((await trainer.getTaggedImageCount(projectId)).body, 450);
  });

  it('trains iteration 1: Training at once, then Completed', async () => {
    const started = await trainer.trainProject(projectId);
    assert.equal(started.status, 'Training');
    assert.equal(started.name, 'Iteration 1');
    // The API stays responsive while the model trains.
    const t0 = Date.now();
    await trainer.getProject(projectId);
    assert.ok(Date.now() - t0 < 1000, 'a request during training answered within a second');
    iteration1 = await waitForIteration(trainer, projectId, started.id as string);
    assert.equal(iteration1.status, 'Completed', iteration1.trainingErrorDetails ?? '');
    assert.ok(iteration1.trainedAt instanceof Date);
    assert.equal(iteration1.classificationType, 'Multiclass');
  });

  it('training again with nothing new is refused with BadRequestTrainingNotNeeded', async () => {
    await assert.rejects(trainer.trainProject(projectId), (e: { statusCode?: number; code?: string }) => e.statusCode === 400 && e.code === 'BadRequestTrainingNotNeeded');
  });

  it('reports cross-validated precision and recall, overall and per tag, at a threshold', async () => {
    performance1 = await trainer.getIterationPerformance(projectId, iteration1.id as string);
    assert.ok((performance1.precision as number) > 0.9, `precision ${performance1.precision}`);
    assert.ok((performance1.recall as number) > 0.9, `recall ${performance1.recall}`);
    assert.equal(performance1.perTagPerformance?.length, 3);
    for (const tag of performance1.perTagPerformance ?? []) {
      assert.ok(CLASSES.includes(tag.name as (typeof CLASSES)[number]));
      assert.ok((tag.precisionStdDeviation as number) >= 0 && (tag.recallStdDeviation as number) >= 0);
      assert.ok((tag.averagePrecision as number) > 0.8);
    }
    // A higher threshold trades recall for precision: recall cannot rise.
    const strict = await trainer.getIterationPerformance(projectId, iteration1.id as string, { threshold: 0.95 });
    assert.ok((strict.recall as number) <= (performance1.recall as number));
    assert.ok((strict.precision as number) >= (performance1.precision as number) - 1e-9);
  });

  it('lists held-out image performances, and finds and retags likely mislabelled Developed images', async () => {
    const count = (await trainer.getImagePerformanceCount(projectId, iteration1.id as string)).body;
    assert.equal(count, 450);
    const developed = [];
    for (let skip = 0; skip < 150; skip += 50) {
      developed.push(...(await trainer.getImagePerformances(projectId, iteration1.id as string, { tagIds: [tagIds.Developed], take: 50, skip })));
    }
    assert.equal(developed.length, 150);
    for (const image of developed) {
      const total = (image.predictions ?? []).reduce((sum, p) => sum + (p.probability as number), 0);
      assert.ok(Math.abs(total - 1) < 1e-6, 'held-out probabilities of a Multiclass head sum to 1');
      assert.equal(image.tags?.[0].tagName, 'Developed');
    }
    // The lab's review: Developed images that the held-out model confidently calls something else.
    const suspects = developed.filter((image) => image.predictions?.[0].tagName !== 'Developed' && (image.predictions?.[0].probability as number) > 0.8);
    assert.ok(suspects.length > 0, 'some Developed images look mislabelled to a model that never saw them');
    retagged = suspects.map((s) => s.id as string);
    for (const suspect of suspects) {
      const newTag = tagIds[suspect.predictions?.[0].tagName as string];
      await trainer.deleteImageTags(projectId, [suspect.id as string], [tagIds.Developed]);
      const created = await trainer.createImageTags(projectId, { tags: [{ imageId: suspect.id, tagId: newTag }] });
      assert.equal(created.created?.length, 1);
    }
    const [first] = await trainer.getImagesByIds(projectId, { imageIds: [retagged[0]] });
    assert.notEqual(first.tags?.[0].tagName, 'Developed');
    // Iteration 1's own view of its images keeps the tags it was trained with.
    const asTrained = (await trainer.getTaggedImages(projectId, { iterationId: iteration1.id, tagIds: [tagIds.Developed], take: 256 })).map((i) => i.id);
    assert.equal(asTrained.length, 150);
    assert.ok(asTrained.includes(retagged[0]));
    assert.equal((await trainer.getTaggedImageCount(projectId, { iterationId: iteration1.id, tagIds: [tagIds.Developed] })).body, 150);
    assert.equal((await trainer.getTaggedImageCount(projectId, { tagIds: [tagIds.Developed] })).body, 150 - retagged.length);
  });

  /** Top-1 of an iteration's quick tests on the 30 test tiles (from other regions than the training images). */
  async function testTilesRight(iteration: Iteration): Promise<number> {
    let correct = 0;
    for (const name of CLASSES) {
      for (const file of imageFiles('test', name)) {
        const result = await trainer.quickTestImage(projectId, readImage(file), { iterationId: iteration.id, store: false });
        assert.equal(result.iteration, iteration.id);
        const probs = (result.predictions ?? []).map((p) => p.probability as number);
        assert.deepEqual(probs, [...probs].sort((a, b) => b - a), 'predictions sorted by probability');
        if (result.predictions?.[0].tagName === name) correct++;
      }
    }
    return correct;
  }

  // The bar: 26/30, one tile below what the float model gets on every CPU (27/30, see the README),
  // so a change that costs accuracy on new regions fails here.
  const TEST_BAR = 26;

  it('quick-tests the 30 test images against iteration 1 without publishing', async () => {
    const correct = await testTilesRight(iteration1);
    assert.ok(correct >= TEST_BAR, `top-1 on the test images: ${correct}/30`);
  });

  it('adds Developed-SecondBatch and trains iteration 2, at least as good as iteration 1', async () => {
    const summaries = await uploadTagged(trainer, projectId, imageFiles('train', 'Developed-SecondBatch'), tagIds.Developed);
    assert.ok(summaries.every((s) => s.isBatchSuccessful));
    assert.equal((await trainer.getTaggedImageCount(projectId)).body, 500);
    const started = await trainer.trainProject(projectId);
    assert.equal(started.name, 'Iteration 2');
    iteration2 = await waitForIteration(trainer, projectId, started.id as string);
    assert.equal(iteration2.status, 'Completed', iteration2.trainingErrorDetails ?? '');
    const performance2 = await trainer.getIterationPerformance(projectId, iteration2.id as string);
    assert.ok((performance2.precision as number) >= (performance1.precision as number) - 0.01);
    const correct = await testTilesRight(iteration2);
    assert.ok(correct >= TEST_BAR, `iteration 2, top-1 on the test images: ${correct}/30`);
    assert.equal((await trainer.getImagePerformanceCount(projectId, iteration2.id as string)).body, 500);
    const iterations = await trainer.getIterations(projectId);
    assert.deepEqual(iterations.map((i) => i.name), ['Iteration 1', 'Iteration 2']);
  });

  it('renames, publishes and unpublishes an iteration', async () => {
    const renamed = await trainer.updateIteration(projectId, iteration2.id as string, { name: 'Second batch' });
    assert.equal(renamed.name, 'Second batch');
    assert.equal((await trainer.publishIteration(projectId, iteration2.id as string, 'aerial', 'local-prediction-resource')).body, true);
    assert.equal((await trainer.getIteration(projectId, iteration2.id as string)).publishName, 'aerial');
    await assert.rejects(trainer.deleteIteration(projectId, iteration2.id as string), (e: { code?: string }) => e.code === 'BadRequestIterationIsPublished');
    await trainer.unpublishIteration(projectId, iteration2.id as string);
    assert.equal((await trainer.getIteration(projectId, iteration2.id as string)).publishName ?? null, null);
  });

  it('finds everything still there after a restart', async () => {
    const before = {
      projects: await trainer.getProjects(),
      tags: await trainer.getTags(projectId),
      iterations: await trainer.getIterations(projectId),
      performance: await trainer.getIterationPerformance(projectId, iteration1.id as string),
      retagged: await trainer.getImagesByIds(projectId, { imageIds: retagged }),
    };
    assert.equal(await service.stop(), 0, 'SIGTERM shuts the service down cleanly');
    service = await startServiceProcess({ dataDir: service.dataDir });
    trainer = trainingClient(service.url);
    assert.deepEqual(await trainer.getProjects(), before.projects);
    assert.deepEqual(await trainer.getTags(projectId), before.tags);
    assert.deepEqual(await trainer.getIterations(projectId), before.iterations);
    assert.deepEqual(await trainer.getIterationPerformance(projectId, iteration1.id as string), before.performance);
    const retaggedNow = await trainer.getImagesByIds(projectId, { imageIds: retagged });
    assert.deepEqual(retaggedNow.map((i) => i.tags?.map((t) => t.tagName)), before.retagged.map((i) => i.tags?.map((t) => t.tagName)));
    assert.equal((await trainer.getTaggedImageCount(projectId)).body, 500);
    const result = await trainer.quickTestImage(projectId, readImage(imageFiles('test', 'Barren')[0]), { iterationId: iteration2.id });
    assert.equal(result.predictions?.length, 3);
  });
});
