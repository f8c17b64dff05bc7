/**
 * Partial operations made honest, through the official SDKs: getTags/getTag as an iteration
 * trained on them, queryPredictions' filters and continuation paging, and trainProject's
 * parameters (each honoured, or refused with the spec's 400).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { PredictionAPIClient } from '@azure/cognitiveservices-customvision-prediction';
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { imageFiles, readImage } from '../support/dataset';
import { predictionClient, sdkError, uploadTagged, waitForIteration } from '../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { PUBLISH_NAME, trainSmallProject, type TrainedProject } from '../support/trained-project';

type Stored = TrainingAPIModels.StoredImagePrediction;

describe('honest parameters', () => {
  let service: ServiceProcess;
  let project: TrainedProject;
  let predictor: PredictionAPIClient;
  /** Every stored prediction, newest first, as made in before(). */
  const made: { id: string; application?: string }[] = [];

  before(async () => {
    service = await startServiceProcess();
    project = await trainSmallProject(service.url, { perClass: 8 });
    predictor = predictionClient(service.url);
    const tests = imageFiles('test', 'Barren').slice(0, 2).concat(imageFiles('test', 'Developed').slice(0, 2));
    for (const [i, file] of tests.entries()) {
      const application = i % 2 === 0 ? 'app-a' : 'app-b';
      made.unshift({ id: (await predictor.classifyImage(project.projectId, PUBLISH_NAME, readImage(file), { application })).id as string, application });
    }
    // A quick test stores a prediction too, with no application; nostore keeps nothing.
    made.unshift({ id: (await project.trainer.quickTestImage(project.projectId, readImage(tests[0]))).id as string });
    await predictor.classifyImageWithNoStore(project.projectId, PUBLISH_NAME, readImage(tests[1]), { application: 'app-a' });
  });
  after(async () => {
    await service?.stop();
  });

  const query = (token: TrainingAPIModels.PredictionQueryToken) => project.trainer.queryPredictions(project.projectId, token);
  const ids = (results: Stored[] | undefined) => (results ?? []).map((r) => r.id as string);

  describe('getTags and getTag with iterationId', () => {
    it('answer the tags as the iteration trained on them, not the workspace', async () => {
      const { trainer, projectId, iterationId, tagIds } = project;
      const water = await trainer.createTag(projectId, 'Water');
      await trainer.updateTag(projectId, tagIds.Barren, { name: 'Bare ground', description: 'renamed after training', type: 'Regular' });
      await uploadTagged(trainer, projectId, imageFiles('train', 'Developed').slice(20, 23), tagIds.Developed);
      try {
        const workspace = await trainer.getTags(projectId);
        assert.deepEqual(workspace.map((t) => [t.name, t.imageCount]), [['Bare ground', 8], ['Cultivated', 8], ['Developed', 11], ['Water', 0]]);
        const trained = await trainer.getTags(projectId, { iterationId });
        assert.deepEqual(trained.map((t) => [t.id, t.name, t.type, t.imageCount]), [
          [tagIds.Barren, 'Barren', 'Regular', 8],
          [tagIds.Cultivated, 'Cultivated', 'Regular', 8],
          [tagIds.Developed, 'Developed', 'Regular', 8],
        ]);
        const barren = await trainer.getTag(projectId, tagIds.Barren, { iterationId });
        assert.equal(barren.name, 'Barren');
        assert.equal((await trainer.getTag(projectId, tagIds.Barren)).name, 'Bare ground');
        await assert.rejects(trainer.getTag(projectId, water.id as string, { iterationId }), sdkError(404, 'NotFoundTag', /iteration/));
      } finally {
        await trainer.updateTag(projectId, tagIds.Barren, { name: 'Barren', description: '', type: 'Regular' });
        await trainer.deleteTag(projectId, water.id as string);
      }
    });

    it('refuse an unknown iteration with 404 NotFoundIteration', async () => {
      const { trainer, projectId, tagIds } = project;
      await assert.rejects(trainer.getTags(projectId, { iterationId: randomUUID() }), sdkError(404, 'NotFoundIteration'));
      await assert.rejects(trainer.getTag(projectId, tagIds.Barren, { iterationId: randomUUID() }), sdkError(404, 'NotFoundIteration'));
    });
  });

  describe('queryPredictions', () => {
    it('lists every stored prediction newest first, and oldest first when asked', async () => {
      const newest = await query({});
      assert.deepEqual(ids(newest.results), made.map((m) => m.id));
      assert.equal(newest.token?.continuation, '');
      const oldest = await query({ orderBy: 'Oldest' });
      assert.deepEqual(ids(oldest.results), made.map((m) => m.id).reverse());
    });

    it('pages with a continuation token that resumes where the last page ended', async () => {
      for (const orderBy of ['Newest', 'Oldest'] as const) {
        const seen: string[] = [];
        let token: TrainingAPIModels.PredictionQueryToken = { orderBy, maxCount: 2 };
        let pages = 0;
        for (;;) {
          const page = await query(token);
          pages++;
          assert.ok((page.results ?? []).length <= 2);
          seen.push(...ids(page.results));
          if (!page.token?.continuation) break;
          assert.ok(page.token.session, 'a session ties the pages together');
          token = page.token;
        }
        const expected = made.map((m) => m.id);
        assert.deepEqual(seen, orderBy === 'Newest' ? expected : expected.reverse());
        assert.equal(pages, 3);
      }
    });

    it('refuses a continuation of another query or one it did not issue', async () => {
      const first = await query({ maxCount: 2 });
      const continuation = first.token?.continuation as string;
      assert.ok(continuation);
      await assert.rejects(query({ ...first.token, orderBy: 'Oldest' }), sdkError(400, 'BadRequestPredictionInvalidQueryParameters', /another query/));
      await assert.rejects(query({ ...first.token, session: 'other' }), sdkError(400, 'BadRequestPredictionInvalidQueryParameters', /session/));
      await assert.rejects(query({ continuation: 'not-a-token' }), sdkError(400, 'BadRequestPredictionInvalidQueryParameters'));
    });

    it('filters by application', async () => {
      const a = await query({ application: 'app-a' });
      assert.deepEqual(ids(a.results), made.filter((m) => m.application === 'app-a').map((m) => m.id));
      assert.equal(a.token?.application, 'app-a');
      assert.deepEqual(ids((await query({ application: 'nobody' })).results), []);
    });

    it("filters by a tag's probability range, at most 2 tags", async () => {
      const all = (await query({})).results as Stored[];
      const developed = project.tagIds.Developed;
      const probability = (r: Stored, tagId: string) => r.predictions?.find((p) => p.tagId === tagId)?.probability as number;
      const high = await query({ tags: [{ id: developed, minThreshold: 0.5, maxThreshold: 1 }] });
      const expected = all.filter((r) => probability(r, developed) >= 0.5).map((r) => r.id);
      assert.ok(expected.length > 0 && expected.length < all.length, 'the filter splits the predictions');
      assert.deepEqual(ids(high.results), expected);
      const low = await query({ tags: [{ id: developed, minThreshold: 0, maxThreshold: 0.5 }] });
      assert.deepEqual(ids(low.results), all.filter((r) => probability(r, developed) <= 0.5).map((r) => r.id));
      const both = await query({ tags: [{ id: developed, minThreshold: 0.5 }, { id: project.tagIds.Barren, minThreshold: 0.5 }] });
      assert.deepEqual(ids(both.results), []);
      const three = Object.values(project.tagIds).map((id) => ({ id }));
      await assert.rejects(query({ tags: three }), sdkError(400, 'BadRequestPredictionTagsExceededCount'));
      await assert.rejects(query({ tags: [{ id: developed, minThreshold: 0.8, maxThreshold: 0.2 }] }), sdkError(400, 'BadRequestPredictionInvalidQueryParameters'));
    });

    it('filters by time range and iteration', async () => {
      const all = (await query({ orderBy: 'Oldest' })).results as Stored[];
      const middle = all[2].created as Date;
      // Expected from the created times themselves: two predictions may share a millisecond.
      const at = (p: Stored) => (p.created as Date).getTime();
      assert.deepEqual(ids((await query({ orderBy: 'Oldest', startTime: middle })).results), ids(all.filter((p) => at(p) >= middle.getTime())));
      assert.deepEqual(ids((await query({ orderBy: 'Oldest', endTime: middle })).results), ids(all.filter((p) => at(p) <= middle.getTime())));
      assert.deepEqual(ids((await query({ endTime: new Date('2000-01-01T00:00:00Z') })).results), []);
      await assert.rejects(query({ startTime: middle, endTime: new Date('2000-01-01T00:00:00Z') }), sdkError(400, 'BadRequestPredictionInvalidQueryParameters'));
      assert.equal((await query({ iterationId: project.iterationId })).results?.length, made.length);
      assert.deepEqual(ids((await query({ iterationId: randomUUID() })).results), []);
    });

    it('refuses what it cannot honour: Suggested order, more than 256 results', async () => {
      await assert.rejects(query({ orderBy: 'Suggested' }), sdkError(400, 'BadRequestNotSupported', /Suggested/));
      await assert.rejects(query({ maxCount: 1000 }), sdkError(400, 'BadRequestPredictionResultsExceededCount'));
    });
  });

  describe('trainProject parameters', () => {
    it('takes a notification address (logged as ignored) and honours selectedTags and forceTrain', async () => {
      const { trainer, projectId, tagIds } = project;
      const selectedTags = [tagIds.Barren, tagIds.Cultivated];
      const started = await trainer.trainProject(projectId, { forceTrain: true, notificationEmailAddress: 'teacher@example.org', trainingParameters: { selectedTags } });
      const done = await waitForIteration(trainer, projectId, started.id as string);
      assert.equal(done.status, 'Completed', done.status);
      assert.match(service.output(), /notificationEmailAddress ignored \(the local service sends no email/);
      assert.deepEqual((await trainer.getTags(projectId, { iterationId: done.id })).map((t) => t.id), selectedTags);
    });

    it('refuses a malformed address, unknown selected tags and a custom base model', async () => {
      const { trainer, projectId, iterationId } = project;
      await assert.rejects(trainer.trainProject(projectId, { forceTrain: true, notificationEmailAddress: 'not an address' }), sdkError(400, 'BadRequestInvalidEmailAddress'));
      await assert.rejects(trainer.trainProject(projectId, { forceTrain: true, trainingParameters: { selectedTags: [randomUUID()] } }), sdkError(404, 'NotFoundTag'));
      const customBaseModelInfo = { projectId, iterationId };
      await assert.rejects(trainer.trainProject(projectId, { forceTrain: true, trainingParameters: { customBaseModelInfo } }), sdkError(400, 'BadRequestNotSupported'));
      await assert.rejects(trainer.trainProject(projectId, { trainingType: 'Expensive' as 'Regular' }), sdkError(400, 'BadRequest'));
    });
  });
});
