/** The smart labeler (SuggestTagsAndRegions, QuerySuggestedImages, QuerySuggestedImageCount) through the official Training SDK. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { openDatabase } from '../../server/store/db';
import { openRepositories, type IterationRecord } from '../../server/store/repositories';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { sdkError, trainingClient, waitForIteration } from '../support/sdk';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';
import { trainSmallProject, type TrainedProject } from '../support/trained-project';

type Suggested = TrainingAPIModels.SuggestedTagAndRegion;
const entropy = (s: Suggested) => s.predictions!.reduce((h, { probability: p }) => h - (p! > 0 ? p! * Math.log(p!) : 0), 0);
const probabilityOf = (s: Suggested, tagId: string) => s.predictions!.find((p) => p.tagId === tagId)!.probability!;

describe('suggested tags for untagged images', () => {
  let service: ServiceProcess;
  let project: TrainedProject;
  /** The untagged test images: their id, true class, and the iteration's suggestion. */
  const untagged: { id: string; tag: string; file: string }[] = [];
  const suggestion = new Map<string, Suggested>();
  let taggedId: string;

  before(async () => {
    service = await startServiceProcess();
    project = await trainSmallProject(service.url, { perClass: 20, publish: false });
    const { trainer, projectId } = project;
    for (const tag of CLASSES) {
      const files = imageFiles('test', tag);
      const summary = await trainer.createImagesFromFiles(projectId, { images: files.map((f) => ({ name: path.basename(f), contents: readImage(f) })) });
      summary.images!.forEach((r, i) => untagged.push({ id: r.image!.id!, tag, file: files[i] }));
    }
    taggedId = (await trainer.getTaggedImages(projectId, { take: 1 }))[0].id!;
  });
  after(() => service?.stop());

  it('suggests what a quick test of the same image predicts, for a batch of untagged images', async () => {
    const { trainer, projectId, iterationId, tagIds } = project;
    const ids = untagged.map((u) => u.id);
    const answer = await trainer.suggestTagsAndRegions(projectId, iterationId, ids);
    assert.deepEqual(answer.map((s) => s.id), ids);
    let right = 0;
    for (const [i, s] of answer.entries()) {
      suggestion.set(s.id!, s);
      assert.equal(s.project, projectId);
      assert.equal(s.iteration, iterationId);
      assert.ok(s.created instanceof Date);
      assert.deepEqual(new Set(s.predictions!.map((p) => p.tagId)), new Set(Object.values(tagIds)));
      assert.ok(s.predictions!.every((p, k) => k === 0 || p.probability! <= s.predictions![k - 1].probability!), 'most probable first');
      assert.ok(s.predictions!.every((p) => p.boundingBox === undefined || p.boundingBox === null), 'classification: no regions');
      assert.ok(Math.abs(s.predictionUncertainty! - entropy(s)) < 1e-9);
      if (s.predictions![0].tagName === untagged[i].tag) right++;
    }
    assert.ok(right >= 24, `${right}/30 suggestions name the image's class`);
    const quick = await trainer.quickTestImage(projectId, readImage(untagged[4].file), { iterationId, store: false });
    for (const p of quick.predictions!) assert.ok(Math.abs(probabilityOf(answer[4], p.tagId!) - p.probability!) < 1e-6);
    // Tagged images of the project may be asked about too; unknown ones are refused.
    assert.equal((await trainer.suggestTagsAndRegions(projectId, iterationId, [taggedId]))[0].id, taggedId);
    await assert.rejects(trainer.suggestTagsAndRegions(projectId, iterationId, ['00000000-0000-4000-8000-000000000009']), sdkError(400, 'BadRequestInvalidIds'));
  });

  it('counts, per tag, the untagged images whose suggestion reaches the threshold', async () => {
    const { trainer, projectId, iterationId, tagIds } = project;
    const all = Object.values(tagIds);
    for (const threshold of [0, 0.5, 0.9]) {
      const counts = await trainer.querySuggestedImageCount(projectId, iterationId, { tagIds: all, threshold });
      const expected = Object.fromEntries(all.map((t) => [t, [...suggestion.values()].filter((s) => probabilityOf(s, t) >= threshold).length]));
      assert.deepEqual({ ...counts }, expected, `threshold ${threshold}`);
      if (threshold === 0) assert.ok(all.every((t) => counts[t] === untagged.length));
    }
    const one = await trainer.querySuggestedImageCount(projectId, iterationId, { tagIds: [tagIds.Barren], threshold: 0.5 });
    assert.deepEqual(Object.keys(one), [tagIds.Barren]);
  });

  it('pages through the matching images once each, in the order asked, with a pinned session', async () => {
    const { trainer, projectId, iterationId, tagIds } = project;
    const filter = { tagIds: [tagIds.Barren, tagIds.Developed], threshold: 0.5 };
    const matching = untagged.filter((u) => filter.tagIds.some((t) => probabilityOf(suggestion.get(u.id)!, t) >= 0.5)).map((u) => u.id);
    assert.ok(matching.length >= 10 && matching.length < untagged.length, `${matching.length} match`);

    let token: TrainingAPIModels.SuggestedTagAndRegionQueryToken = { ...filter, maxCount: 7, sortBy: 'UncertaintyAscending' };
    const seen: TrainingAPIModels.StoredSuggestedTagAndRegion[] = [];
    let pages = 0;
    let replay: { token: typeof token; ids: string[] } | undefined;
    let retagged: string[] = [];
    do {
      const page = await trainer.querySuggestedImages(projectId, iterationId, token);
      assert.ok(page.results!.length <= 7);
      if (pages === 1) replay = { token, ids: page.results!.map((r) => r.id!) };
      seen.push(...page.results!);
      token = page.token!;
      assert.ok(token.session);
      if (pages++ === 0) {
        // Neither a new untagged image nor tagging two already listed changes the pinned pages.
        const extra = imageFiles('train', 'Barren').at(-1)!;
        await trainer.createImagesFromFiles(projectId, { images: [{ name: 'extra.png', contents: readImage(extra) }] });
        retagged = page.results!.slice(0, 2).map((r) => r.id!);
        await trainer.createImageTags(projectId, { tags: retagged.map((imageId) => ({ imageId, tagId: tagIds.Developed })) });
      }
    } while (token.continuation);
    assert.equal(pages, Math.ceil(matching.length / 7));
    assert.deepEqual(seen.map((r) => r.id).sort(), [...matching].sort(), 'every matching image exactly once');
    const uncertainties = seen.map((r) => r.predictionUncertainty!);
    assert.ok(uncertainties.every((u, i) => i === 0 || u >= uncertainties[i - 1]), 'least uncertain first');
    const first = seen[0];
    assert.equal(first.iteration, iterationId);
    assert.equal(first.width, 224);
    assert.match(first.originalImageUri!, /^http/);
    assert.equal((await fetch(first.originalImageUri!)).status, 200);

    // A continuation token resumes at its page, again and again.
    const again = await trainer.querySuggestedImages(projectId, iterationId, replay!.token);
    assert.deepEqual(again.results!.map((r) => r.id), replay!.ids);

    // A new query sees the project as it is now: the tagged image is gone, the new one is in if it matches.
    const fresh = await trainer.querySuggestedImages(projectId, iterationId, { ...filter, maxCount: 256, sortBy: 'UncertaintyDescending' });
    const freshIds = fresh.results!.map((r) => r.id!);
    assert.ok(retagged.every((id) => !freshIds.includes(id)));
    assert.equal(fresh.token!.continuation, '');
    assert.notEqual(fresh.token!.session, token.session);
    const freshUncertainty = fresh.results!.map((r) => r.predictionUncertainty!);
    assert.ok(freshUncertainty.every((u, i) => i === 0 || u <= freshUncertainty[i - 1]), 'most uncertain first');
    await trainer.deleteImageTags(projectId, retagged, [tagIds.Developed]);
  });

  it('filters results by the threshold', async () => {
    const { trainer, projectId, iterationId, tagIds } = project;
    const query = { tagIds: [tagIds.Cultivated], threshold: 0.9, maxCount: 256 };
    const page = await trainer.querySuggestedImages(projectId, iterationId, query);
    const count = await trainer.querySuggestedImageCount(projectId, iterationId, query);
    assert.equal(page.results!.length, count[tagIds.Cultivated]);
    assert.ok(page.results!.every((r) => probabilityOf(r, tagIds.Cultivated) >= 0.9));
    const lower = await trainer.querySuggestedImageCount(projectId, iterationId, { ...query, threshold: 0.3 });
    assert.ok(lower[tagIds.Cultivated] > count[tagIds.Cultivated]);
  });

  it('refuses unknown iterations and tags, bad paging tokens and too many images', async () => {
    const { trainer, projectId, iterationId, tagIds } = project;
    const unknownId = '00000000-0000-4000-8000-000000000001';
    const filter = { tagIds: [tagIds.Barren], threshold: 0.5 };
    await assert.rejects(trainer.suggestTagsAndRegions(projectId, unknownId, [untagged[0].id]), sdkError(404, 'NotFoundIteration'));
    await assert.rejects(trainer.querySuggestedImageCount(projectId, unknownId, filter), sdkError(404, 'NotFoundIteration'));
    await assert.rejects(trainer.querySuggestedImages(unknownId, iterationId, filter), sdkError(404, 'NotFoundProject'));

    // An iteration still training cannot suggest yet, as it cannot be quick-tested.
    const training = await trainer.trainProject(projectId, { forceTrain: true });
    await assert.rejects(trainer.suggestTagsAndRegions(projectId, training.id!, [untagged[0].id]), sdkError(400, 'BadRequestIterationIsNotTrained'));
    await assert.rejects(trainer.querySuggestedImageCount(projectId, training.id!, filter), sdkError(400, 'BadRequestIterationIsNotTrained'));
    assert.equal((await waitForIteration(trainer, projectId, training.id!)).status, 'Completed');
    // A tag made after the iteration trained is not one it can suggest.
    const newTag = (await trainer.createTag(projectId, 'Forest')).id!;
    await assert.rejects(trainer.querySuggestedImageCount(projectId, iterationId, { tagIds: [newTag], threshold: 0.5 }), sdkError(400, 'BadRequestInvalidIds', /not trained on tags/));
    await assert.rejects(trainer.querySuggestedImages(projectId, iterationId, { tagIds: [], threshold: 0.5 }), sdkError(400, 'BadRequestRequiredParamIsNull'));
    await assert.rejects(trainer.querySuggestedImageCount(projectId, iterationId, { tagIds: [tagIds.Barren], threshold: 1.5 }), sdkError(400, 'BadRequest', /threshold/));
    await assert.rejects(trainer.querySuggestedImages(projectId, iterationId, { ...filter, maxCount: 257 }), sdkError(400, 'BadRequest', /maxCount/));
    await assert.rejects(trainer.querySuggestedImages(projectId, iterationId, { ...filter, sortBy: 'Newest' as string as TrainingAPIModels.SortBy }), sdkError(400, 'BadRequest', /sortBy/));

    const { token } = await trainer.querySuggestedImages(projectId, iterationId, { ...filter, maxCount: 1 });
    assert.ok(token!.continuation);
    const invalid = (re: RegExp) => sdkError(400, 'BadRequestPredictionInvalidQueryParameters', re);
    await assert.rejects(trainer.querySuggestedImages(projectId, iterationId, { ...filter, continuation: token!.continuation }), invalid(/session/));
    await assert.rejects(trainer.querySuggestedImages(projectId, iterationId, { ...token!, threshold: 0.2 }), invalid(/other tagIds, threshold/));
    await assert.rejects(trainer.querySuggestedImages(projectId, iterationId, { ...token!, continuation: 'Zm9yZ2Vk' }), invalid(/continuation token/));
    await assert.rejects(trainer.querySuggestedImages(projectId, iterationId, { ...token!, session: unknownId }), invalid(/unknown or expired/));

    // The SDK checks the spec's 64 images per call itself; the service does too.
    const ids = Array.from({ length: 65 }, () => untagged[0].id).join(',');
    const url = `${service.url}/customvision/v3.4-preview/training/projects/${projectId}/tagsandregions/suggestions?iterationId=${iterationId}&imageIds=${ids}`;
    const tooMany = await fetch(url, { method: 'POST', headers: { 'Training-Key': TRAINING_KEY } });
    assert.equal(tooMany.status, 400);
    assert.equal(((await tooMany.json()) as { code: string }).code, 'BadRequestExceededBatchSize');
  });

  it('computes a suggestion once: it is stored, and survives a restart', async () => {
    await service.stop();
    service = await startServiceProcess({ dataDir: service.dataDir });
    const { projectId, iterationId } = project;
    const [again] = await trainingClient(service.url).suggestTagsAndRegions(projectId, iterationId, [untagged[0].id]);
    const before = suggestion.get(untagged[0].id)!;
    assert.equal(again.created!.toISOString(), before.created!.toISOString());
    assert.deepEqual(again.predictions, before.predictions);
  });
});

describe('the suggestions table', () => {
  it('keeps the suggestions of the 3 iterations that computed some last, for images still in the project', () => {
    const store = openRepositories(openDatabase(path.join(mkdtempSync(path.join(os.tmpdir(), 'suggestions-')), 'db.sqlite')));
    const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
    const projectId = 'p';
    store.projectsOf('default').insert({ id: projectId, name: 'p', description: null, domainId: 'd', classificationType: 'Multiclass', targetExportPlatforms: [], created: at(0), lastModified: at(0) });
    for (const hash of ['a', 'b']) {
      store.images.insert({ id: `image-${hash}`, projectId, hash, format: 'png', width: 1, height: 1, created: at(0), metadata: null }, []);
    }
    const iterations = ['i1', 'i2', 'i3', 'i4'];
    iterations.forEach((id, n) => {
      const record: IterationRecord = {
        id, projectId, name: id, status: 'Completed', created: at(n), lastModified: at(n), trainedAt: at(n), domainId: 'd',
        classificationType: 'Multiclass', trainingType: 'Regular', reservedBudgetInHours: 0, isDefault: false,
        publishName: null, publishResourceId: null, trainingError: null, trainingTimeMs: 0,
      };
      store.iterations.insert(record, { tags: [], images: [] });
    });
    const put = (iterationId: string, n: number) => ['a', 'b'].forEach((h) => store.suggestions.put(iterationId, h, { created: at(n), predictions: [] }));
    const kept = () => iterations.filter((id) => store.suggestions.forHashes(id, ['a', 'b']).size > 0);

    iterations.forEach((id, n) => put(id, 10 + n));
    store.suggestions.prune(projectId, 3);
    assert.deepEqual(kept(), ['i2', 'i3', 'i4']);
    put('i1', 20); // computed last: kept, and i2 goes
    store.suggestions.prune(projectId, 3);
    assert.deepEqual(kept(), ['i1', 'i3', 'i4']);

    store.images.delete(projectId, ['image-b']);
    store.suggestions.prune(projectId, 3);
    assert.deepEqual([...store.suggestions.forHashes('i1', ['a', 'b']).keys()], ['a']);
    store.iterations.delete('i3');
    assert.deepEqual(kept(), ['i1', 'i4']);
    put('i3', 30); // an iteration deleted while its suggestions were computed: nothing stored, no error
    assert.deepEqual(kept(), ['i1', 'i4']);
  });
});
