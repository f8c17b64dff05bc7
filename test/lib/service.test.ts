/** The lib's service helpers against the real local service: re-runnable setup, upload, training, review. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type Lab } from '../../lib/src/clients';
import { loadConfig } from '../../lib/src/config';
import { imagesOf } from '../../lib/src/dataset';
import { findOrCreateProject, findOrCreateTags, setProjectDomain } from '../../lib/src/projects';
import { findSuspects, retag } from '../../lib/src/review';
import { trainAndWait } from '../../lib/src/training';
import { uploadImages, type UploadProgress } from '../../lib/src/upload';
import { PREDICTION_KEY, startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';

describe('lib helpers with the local service', () => {
  let service: ServiceProcess;
  let lab: Lab;
  before(async () => {
    service = await startServiceProcess();
    const config = loadConfig({ CVLAB_LOCAL_ENDPOINT: service.url, CVLAB_TRAINING_KEY: TRAINING_KEY, CVLAB_PREDICTION_KEY: PREDICTION_KEY }, '/nonexistent/.env');
    lab = await connect(config);
  });
  after(async () => {
    await service?.stop();
  });

  it('connects to a running service without starting another', () => {
    assert.match(lab.describe(), /already running/);
  });

  it('finds the project and tags by name on a second run instead of duplicating them', async () => {
    const first = await findOrCreateProject(lab.trainer, 'lib test', { domainName: 'General' });
    const second = await findOrCreateProject(lab.trainer, 'lib test');
    assert.equal(first.created, true);
    assert.equal(second.created, false);
    assert.equal(second.project.id, first.project.id);
    const tags = await findOrCreateTags(lab.trainer, first.project.id as string, ['Barren', 'Cultivated']);
    assert.deepEqual(await findOrCreateTags(lab.trainer, first.project.id as string, ['Barren', 'Cultivated']), tags);
    assert.equal((await lab.trainer.getTags(first.project.id as string)).length, 2);
    await assert.rejects(findOrCreateProject(lab.trainer, 'x', { domainName: 'No such domain' }), /No classification domain named/);
  });

  it('uploads in batches of at most 64 with progress, and a re-run adds nothing', async () => {
    const { project } = await findOrCreateProject(lab.trainer, 'lib test');
    const tags = await findOrCreateTags(lab.trainer, project.id as string, ['Barren', 'Cultivated']);
    const seen: UploadProgress[] = [];
    const files = imagesOf('train', 'Barren').slice(0, 70);
    const result = await uploadImages(lab.trainer, project.id as string, files, tags.Barren, { onProgress: (p) => seen.push(p) });
    assert.deepEqual(seen.map((p) => p.done), [64, 70]);
    assert.equal(result.added, 70);
    const again = await uploadImages(lab.trainer, project.id as string, files, tags.Barren);
    assert.deepEqual([again.added, again.duplicates, again.failed.length], [0, 70, 0]);
    await uploadImages(lab.trainer, project.id as string, imagesOf('train', 'Cultivated').slice(0, 70), tags.Cultivated);
  });

  it('trains and waits; a second call with nothing new returns the latest iteration', async () => {
    const { project } = await findOrCreateProject(lab.trainer, 'lib test');
    const statuses: string[] = [];
    const iteration = await trainAndWait(lab.trainer, project.id as string, { pollIntervalInMs: 100, onProgress: (p) => statuses.push(p.iteration.status as string) });
    assert.equal(iteration.status, 'Completed');
    assert.equal(statuses[statuses.length - 1], 'Completed');
    const again = await trainAndWait(lab.trainer, project.id as string);
    assert.equal(again.id, iteration.id);
  });

  it('finds confidently contradicted images and retags them', async () => {
    const { project } = await findOrCreateProject(lab.trainer, 'lib test');
    const projectId = project.id as string;
    const tags = await findOrCreateTags(lab.trainer, projectId, ['Barren', 'Cultivated']);
    // Mislabel five Cultivated images as Barren, train, and expect the review to point at them.
    const cultivated = (await lab.trainer.getTaggedImages(projectId, { tagIds: [tags.Cultivated], take: 5 })).map((i) => i.id as string);
    await retag(lab.trainer, projectId, cultivated, tags.Cultivated, tags.Barren);
    const iteration = await trainAndWait(lab.trainer, projectId, { pollIntervalInMs: 100 });
    const suspects = await findSuspects(lab.trainer, projectId, iteration.id as string, { tagId: tags.Barren, minProbability: 0.5 });
    const found = suspects.filter((s) => cultivated.includes(s.imageId));
    assert.ok(found.length >= 4, `found ${found.length} of the 5 mislabelled images`);
    assert.ok(found.every((s) => s.tag === 'Barren' && s.predicted === 'Cultivated'));
    const probabilities = suspects.map((s) => s.probability);
    assert.deepEqual(probabilities, [...probabilities].sort((a, b) => b - a), 'most confident first');
  });

  it('switches the project to a compact domain', async () => {
    const { project } = await findOrCreateProject(lab.trainer, 'lib test');
    const updated = await setProjectDomain(lab.trainer, project.id as string, 'General (compact)');
    assert.equal(updated.settings?.domainId, '0732100f-1a38-4e49-a514-c9b44c697ab5');
  });
});
