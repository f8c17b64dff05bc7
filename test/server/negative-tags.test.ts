/**
 * Negative tags as on Azure (an image with the Negative tag has no other tag; the Negative tag is
 * what the model says when no real tag applies) and project settings that say what the trainer
 * does, with the official Training SDK against the real service and real training.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { DEFAULT_TRAINING_CONFIG, trainingAugmentations } from '../../server/ml/config';
import { trainAndWait } from '../../lib/src/training';
import { imageFiles, readImage } from '../support/dataset';
import { sdkError, trainingClient, uploadTagged } from '../support/sdk';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';

const PER_TAG = 30;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Barren and Cultivated as tags, Developed images under the Negative tag "Neither". */
async function negativeProject(trainer: TrainingAPIClient, classificationType: 'Multiclass' | 'Multilabel') {
  const projectId = (await trainer.createProject(`negative ${classificationType}`, { classificationType })).id as string;
  const barren = (await trainer.createTag(projectId, 'Barren')).id as string;
  const cultivated = (await trainer.createTag(projectId, 'Cultivated')).id as string;
  const negative = (await trainer.createTag(projectId, 'Neither', { type: 'Negative' })).id as string;
  await uploadTagged(trainer, projectId, imageFiles('train', 'Barren').slice(0, PER_TAG), barren);
  await uploadTagged(trainer, projectId, imageFiles('train', 'Cultivated').slice(0, PER_TAG), cultivated);
  return { projectId, barren, cultivated, negative };
}

/** The quick-test answer of every test image of a folder. */
async function quickTests(trainer: TrainingAPIClient, projectId: string, iterationId: string, folder: string) {
  const results: TrainingAPIModels.ImagePrediction[] = [];
  for (const file of imageFiles('test', folder)) results.push(await trainer.quickTestImage(projectId, readImage(file), { iterationId, store: false }));
  return results;
}

const top = (result: TrainingAPIModels.ImagePrediction) => result.predictions?.[0]?.tagName;

describe('Negative tags', () => {
  let service: ServiceProcess;
  let trainer: TrainingAPIClient;

  before(async () => {
    service = await startServiceProcess();
    trainer = trainingClient(service.url);
  });
  after(async () => {
    await service?.stop();
  });

  describe('Multiclass: the Negative tag is its own class', () => {
    let project: Awaited<ReturnType<typeof negativeProject>>;
    let iteration: TrainingAPIModels.Iteration;

    before(async () => {
      project = await negativeProject(trainer, 'Multiclass');
    });

    it('a project has one Negative tag at most', async () => {
      await assert.rejects(trainer.createTag(project.projectId, 'Nothing', { type: 'Negative' }), sdkError(400, 'BadRequestMultipleNegativeTag'));
      const other = await trainer.createTag(project.projectId, 'Other');
      await assert.rejects(trainer.updateTag(project.projectId, other.id as string, { ...other, type: 'Negative' }), sdkError(400, 'BadRequestMultipleNegativeTag'));
      await trainer.deleteTag(project.projectId, other.id as string);
    });

    it('an upload giving an image the Negative tag and another gets ErrorNegativeAndRegularTagOnSameImage, and stores nothing', async () => {
      const before = (await trainer.getImageCount(project.projectId)).body;
      const [mixed, alone] = imageFiles('train', 'Developed').slice(0, 2);
      const summary = await trainer.createImagesFromFiles(project.projectId, {
        images: [
          { name: 'mixed.png', contents: readImage(mixed), tagIds: [project.negative, project.barren] },
          { name: 'alone.png', contents: readImage(alone), tagIds: [project.negative] },
        ],
      });
      assert.equal(summary.isBatchSuccessful, false);
      assert.deepEqual(summary.images?.map((i) => i.status), ['ErrorNegativeAndRegularTagOnSameImage', 'OK']);
      assert.equal(summary.images?.[0].image ?? null, null);
      assert.equal((await trainer.getImageCount(project.projectId)).body, before + 1);
      // The batch's tagIds apply to every image: both tags at once is refused per image too.
      const batch = await trainer.createImagesFromData(project.projectId, readImage(imageFiles('train', 'Developed')[2]), { tagIds: [project.negative, project.cultivated] });
      assert.deepEqual(batch.images?.map((i) => i.status), ['ErrorNegativeAndRegularTagOnSameImage']);
      assert.equal((await trainer.getImageCount(project.projectId)).body, before + 1);
    });

    it('createImageTags refuses a batch that would mix them on an image, writing none of it', async () => {
      const [negativeImage] = await trainer.getTaggedImages(project.projectId, { tagIds: [project.negative] });
      const [barrenImage] = await trainer.getTaggedImages(project.projectId, { tagIds: [project.barren] });
      const untagged = (await trainer.createImagesFromData(project.projectId, readImage(imageFiles('train', 'Developed')[3]))).images?.[0].image?.id as string;
      const batches = [
        [{ imageId: negativeImage.id, tagId: project.barren }],
        [{ imageId: barrenImage.id, tagId: project.negative }],
        // Both on an untagged image in one batch, after a valid pair that must not be written either.
        [{ imageId: barrenImage.id, tagId: project.cultivated }, { imageId: untagged, tagId: project.negative }, { imageId: untagged, tagId: project.barren }],
      ];
      for (const tags of batches) {
        await assert.rejects(trainer.createImageTags(project.projectId, { tags }), sdkError(400, 'BadRequestNegativeAndRegularTagOnSameImage', /Negative tag/));
      }
      assert.deepEqual((await trainer.getImagesByIds(project.projectId, { imageIds: [barrenImage.id as string] }))[0].tags?.map((t) => t.tagId), [project.barren]);
      assert.deepEqual((await trainer.getImagesByIds(project.projectId, { imageIds: [untagged] }))[0].tags ?? [], []);
      // The Negative tag alone is fine; so is replacing it: untag, then tag.
      const ok = await trainer.createImageTags(project.projectId, { tags: [{ imageId: untagged, tagId: project.negative }] });
      assert.equal(ok.created?.length, 1);
      await trainer.deleteImageTags(project.projectId, [untagged], [project.negative]);
      await trainer.createImageTags(project.projectId, { tags: [{ imageId: untagged, tagId: project.barren }] });
      await trainer.deleteImages(project.projectId, { imageIds: [untagged] });
    });

    it('training needs 5 images of the Negative tag too, like every tag', async () => {
      const negatives = (await trainer.getTaggedImageCount(project.projectId, { tagIds: [project.negative] })).body;
      assert.ok(negatives < 5, `${negatives} Negative images so far`);
      await assert.rejects(trainer.trainProject(project.projectId), sdkError(400, 'BadRequestTrainingValidationFailed', /"Neither" has \d image\(s\); each tag, the Negative tag too/));
    });

    it('trains with Developed images as Negative: Negative is what the model says on Developed test tiles, and probabilities sum to 1', async (t) => {
      // Developed[0] is new; Developed[1] is there already (OKDuplicate, keeping its Negative tag).
      await uploadTagged(trainer, project.projectId, imageFiles('train', 'Developed').slice(0, PER_TAG), project.negative);
      iteration = await trainAndWait({ trainer }, project.projectId, { pollIntervalInMs: 200 });
      assert.equal(iteration.status, 'Completed');
      const developed = await quickTests(trainer, project.projectId, iteration.id as string, 'Developed');
      const barren = await quickTests(trainer, project.projectId, iteration.id as string, 'Barren');
      for (const result of [...developed, ...barren]) {
        assert.deepEqual(result.predictions?.map((p) => p.tagName).sort(), ['Barren', 'Cultivated', 'Neither']);
        assert.equal(result.predictions?.find((p) => p.tagName === 'Neither')?.tagType, 'Negative');
        assert.equal(result.predictions?.find((p) => p.tagName === 'Barren')?.tagType, 'Regular');
        assert.ok(Math.abs(sum(result.predictions!.map((p) => p.probability as number)) - 1) < 1e-6);
      }
      const developedAsNegative = developed.filter((r) => top(r) === 'Neither').length;
      const barrenAsBarren = barren.filter((r) => top(r) === 'Barren').length;
      t.diagnostic(`Developed test tiles answered Neither: ${developedAsNegative}/10; Barren test tiles answered Barren: ${barrenAsBarren}/10`);
      assert.ok(developedAsNegative >= 8, `${developedAsNegative}/10 Developed test tiles answered Neither`);
      assert.ok(barrenAsBarren >= 8);
    });

    it('reports cross-validated performance for the Negative tag like any tag', async (t) => {
      const performance = await trainer.getIterationPerformance(project.projectId, iteration.id as string, { threshold: 0.5 });
      const negative = performance.perTagPerformance?.find((t) => t.id === project.negative);
      assert.ok(negative, 'the Negative tag has its per-tag performance');
      t.diagnostic(`per tag P/R: ${performance.perTagPerformance?.map((p) => `${p.name} ${p.precision?.toFixed(3)}/${p.recall?.toFixed(3)}`).join(', ')}`);
      assert.equal(negative.name, 'Neither');
      assert.ok((negative.recall as number) >= 0.8 && (negative.precision as number) >= 0.8, JSON.stringify(negative));
      assert.equal(performance.perTagPerformance?.length, 3);
      const images = await trainer.getImagePerformances(project.projectId, iteration.id as string, { tagIds: [project.negative] });
      assert.equal(images.length, PER_TAG);
      for (const image of images) {
        assert.deepEqual(image.tags?.map((t) => t.tagId), [project.negative]);
        assert.ok(Math.abs(sum(image.predictions!.map((p) => p.probability as number)) - 1) < 1e-6);
      }
    });

    it('a project with only the Negative tag has nothing to learn', async () => {
      const projectId = (await trainer.createProject('only negative')).id as string;
      const negative = (await trainer.createTag(projectId, 'Neither', { type: 'Negative' })).id as string;
      await uploadTagged(trainer, projectId, imageFiles('train', 'Developed').slice(0, 5), negative);
      await assert.rejects(trainer.trainProject(projectId), sdkError(400, 'BadRequestTrainingValidationFailed', /not the Negative tag/));
      await trainer.deleteProject(projectId);
    });
  });

  describe('Multilabel: Negative images are images where no tag applies', () => {
    it('trains, and on Developed test tiles Negative leads while no real tag reaches 0.5', async (t) => {
      const project = await negativeProject(trainer, 'Multilabel');
      await uploadTagged(trainer, project.projectId, imageFiles('train', 'Developed').slice(0, PER_TAG), project.negative);
      const iteration = await trainAndWait({ trainer }, project.projectId, { pollIntervalInMs: 200 });
      assert.equal(iteration.status, 'Completed');
      const developed = await quickTests(trainer, project.projectId, iteration.id as string, 'Developed');
      const quiet = developed.filter((r) => top(r) === 'Neither' && r.predictions!.every((p) => p.tagType === 'Negative' || (p.probability as number) < 0.5));
      t.diagnostic(`Multilabel: Developed test tiles answered Neither with no real tag at 0.5: ${quiet.length}/10`);
      assert.ok(quiet.length >= 8, `${quiet.length}/10 Developed test tiles answered Neither with no tag at 0.5`);
      const cultivated = await quickTests(trainer, project.projectId, iteration.id as string, 'Cultivated');
      assert.ok(cultivated.filter((r) => top(r) === 'Cultivated').length >= 8);
      // Same images, but the Negative tag turned Regular: that is a different training.
      await assert.rejects(trainer.trainProject(project.projectId), sdkError(400, 'BadRequestTrainingNotNeeded'));
      const neither = await trainer.getTag(project.projectId, project.negative);
      await trainer.updateTag(project.projectId, project.negative, { ...neither, type: 'Regular' });
      const again = await trainAndWait({ trainer }, project.projectId, { pollIntervalInMs: 200 });
      assert.equal(again.status, 'Completed');
      const [result] = await quickTests(trainer, project.projectId, again.id as string, 'Developed');
      assert.equal(result.predictions?.find((p) => p.tagName === 'Neither')?.tagType, 'Regular');
    });

    it('turning a tag whose images carry another tag into the Negative tag is refused', async () => {
      const projectId = (await trainer.createProject('negative retype', { classificationType: 'Multilabel' })).id as string;
      const a = await trainer.createTag(projectId, 'A');
      const b = (await trainer.createTag(projectId, 'B')).id as string;
      await trainer.createImagesFromData(projectId, readImage(imageFiles('train', 'Barren')[0]), { tagIds: [a.id as string, b] });
      await assert.rejects(trainer.updateTag(projectId, a.id as string, { ...a, type: 'Negative' }), sdkError(400, 'BadRequestNegativeAndRegularTagOnSameImage'));
      assert.equal((await trainer.getTag(projectId, a.id as string)).type, 'Regular');
      await trainer.deleteImageTags(projectId, [(await trainer.getTaggedImages(projectId))[0].id as string], [b]);
      assert.equal((await trainer.updateTag(projectId, a.id as string, { ...a, type: 'Negative' })).type, 'Negative');
      await trainer.deleteProject(projectId);
    });
  });
});

describe('Project settings say what the trainer does', () => {
  let service: ServiceProcess;
  let trainer: TrainingAPIClient;
  let projectId: string;

  before(async () => {
    service = await startServiceProcess();
    trainer = trainingClient(service.url);
    projectId = (await trainer.createProject('settings')).id as string;
  });
  after(async () => {
    await service?.stop();
  });

  const patch = (body: unknown) =>
    fetch(`${service.url}/customvision/v3.4-preview/training/projects/${projectId}`, {
      method: 'PATCH',
      headers: { 'Training-Key': TRAINING_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('augmentations follow the training configuration: zoomed-out copies, no flipped or turned training copies', async () => {
    const methods = (rotation: boolean, scaling: boolean, flip: boolean) =>
      ({ rotation, scaling, translation: false, 'horizontal flip': flip, equalize: false, solarize: false, padtosquare: false });
    assert.deepEqual(trainingAugmentations({ trainViews: 1, testViews: 4, scales: [112] }), methods(false, true, false));
    assert.deepEqual(trainingAugmentations({ trainViews: 2, testViews: 4, scales: [] }), methods(false, false, true));
    assert.deepEqual(trainingAugmentations({ trainViews: 4, testViews: 4, scales: [] }), methods(true, false, true));
    // The service's defaults: one training view at 224 and at 112 px.
    assert.equal(DEFAULT_TRAINING_CONFIG.trainViews, 1);
    assert.deepEqual(DEFAULT_TRAINING_CONFIG.scales, [112]);
    const project = await trainer.getProject(projectId);
    assert.deepEqual(project.settings?.imageProcessingSettings?.augmentationMethods, methods(false, true, false));
    assert.equal(project.settings?.useNegativeSet, false);
    assert.deepEqual((await trainer.getProjects()).find((p) => p.id === projectId)?.settings, project.settings);
  });

  it('updateProject accepts the settings as read back, and what the trainer does', async () => {
    const project = await trainer.getProject(projectId);
    const renamed = await trainer.updateProject(projectId, { ...project, name: 'settings renamed' });
    assert.equal(renamed.name, 'settings renamed');
    const stated = { ...project.settings, imageProcessingSettings: { augmentationMethods: { scaling: true, solarize: false, 'horizontal flip': false, mixup: false } } };
    assert.deepEqual((await trainer.updateProject(projectId, { ...project, settings: stated })).settings, project.settings);
    const empty = { ...project.settings, imageProcessingSettings: { augmentationMethods: {} } };
    assert.deepEqual((await trainer.updateProject(projectId, { ...project, settings: empty })).settings, project.settings);
  });

  it('updateProject refuses augmentations the trainer cannot honour, with the reason, and changes nothing', async () => {
    const project = await trainer.getProject(projectId);
    const asking = (augmentationMethods: Record<string, boolean>) => ({ ...project, name: 'changed', settings: { ...project.settings, imageProcessingSettings: { augmentationMethods } } });
    await assert.rejects(trainer.updateProject(projectId, asking({ rotation: true })), sdkError(400, 'BadRequestProjectImagePreprocessingSettings', /does not use "rotation"/));
    await assert.rejects(trainer.updateProject(projectId, asking({ scaling: false })), sdkError(400, 'BadRequestProjectImagePreprocessingSettings', /always uses "scaling"/));
    await assert.rejects(trainer.updateProject(projectId, asking({ solarize: true })), sdkError(400, 'BadRequestProjectImagePreprocessingSettings', /does not use "solarize"/));
    await assert.rejects(trainer.updateProject(projectId, asking({ mixup: true })), sdkError(400, 'BadRequestProjectImagePreprocessingSettings', /augmentation named "mixup"/));
    // Azure's defaults, as a project copied from Azure would carry them.
    const azure = { rotation: true, scaling: true, translation: true, 'horizontal flip': true, equalize: true, solarize: true, padtosquare: true };
    await assert.rejects(trainer.updateProject(projectId, asking(azure)), sdkError(400, 'BadRequestProjectImagePreprocessingSettings', /does not use "rotation"/));
    assert.equal((await trainer.getProject(projectId)).name, project.name);
  });

  it('read-only settings sent with values the service cannot have get 400, not silence', async () => {
    const refused = async (settings: Record<string, unknown>, code: string) => {
      const response = await patch({ settings });
      assert.equal(response.status, 400, JSON.stringify(settings));
      assert.equal(((await response.json()) as { code: string }).code, code);
    };
    await refused({ useNegativeSet: true }, 'BadRequestNotSupported');
    await refused({ detectionParameters: 'x' }, 'BadRequestNotSupported');
    await refused({ exportModelContainerUri: 'https://example.blob.core.windows.net/models' }, 'BadRequestNotSupported');
    await refused({ imageProcessingSettings: { augmentationMethods: ['rotation'] } }, 'BadRequestProjectImagePreprocessingSettings');
    await refused({ imageProcessingSettings: { augmentationMethods: { scaling: 'yes' } } }, 'BadRequestProjectImagePreprocessingSettings');
    const same = await patch({ settings: { useNegativeSet: false, detectionParameters: null } });
    assert.equal(same.status, 200);
  });

  it('createProject refuses Azure Storage options', async () => {
    const before = (await trainer.getProjects()).length;
    await assert.rejects(
      trainer.createProject('with storage', { options: { notificationQueueUri: 'https://example.queue.core.windows.net/q' } }),
      sdkError(400, 'BadRequestNotSupported', /notificationQueueUri/),
    );
    assert.equal((await trainer.getProjects()).length, before);
  });
});
