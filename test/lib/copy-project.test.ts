/**
 * lib's copyProject between two running local services, with the official SDK on both sides: a
 * project with 3 tags, 150 lab images (metadata on some) and an untagged one is copied; the copy is
 * byte-identical with the same tags and metadata, an interrupted copy resumes without duplicates, a
 * complete one copies nothing more, and the copy trains to the same cross-validated figures.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { copyProject, type CopySummary } from '../../lib/src/copy-project';
import { findDomain } from '../../lib/src/projects';
import { trainAndWait } from '../../lib/src/training';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { trainingClient } from '../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';

const SOURCE_NAME = 'copy me';
const PER_CLASS = 50;
const WITH_METADATA = 10;

/** Every image of a project, keyed by the sha256 of its original: tag names and metadata. */
async function contents(trainer: TrainingAPIClient, projectId: string): Promise<Map<string, { tags: string[]; metadata: Record<string, string> }>> {
  const images = [
    ...(await trainer.getTaggedImages(projectId, { take: 256 })),
    ...(await trainer.getUntaggedImages(projectId, { take: 256 })),
  ];
  const byHash = new Map<string, { tags: string[]; metadata: Record<string, string> }>();
  for (const image of images) {
    const bytes = Buffer.from(await (await fetch(image.originalImageUri as string)).arrayBuffer());
    const hash = createHash('sha256').update(bytes).digest('hex');
    assert.ok(!byHash.has(hash), `two images with the same content ${hash}`);
    byHash.set(hash, { tags: (image.tags ?? []).map((t) => t.tagName as string).sort(), metadata: image.metadata ?? {} });
  }
  return byHash;
}

const sha256 = (file: string) => createHash('sha256').update(readImage(file)).digest('hex');

describe('copyProject between two local services', { timeout: 600_000 }, () => {
  let source: ServiceProcess;
  let target: ServiceProcess;
  let from: { trainer: TrainingAPIClient };
  let to: { trainer: TrainingAPIClient };
  let sourceId: string;
  const expected = new Map<string, { tags: string[]; metadata: Record<string, string> }>();

  before(async () => {
    [source, target] = await Promise.all([startServiceProcess(), startServiceProcess()]);
    from = { trainer: trainingClient(source.url) };
    to = { trainer: trainingClient(target.url) };
    const compact = await findDomain(from, 'General (compact)');
    const project = await from.trainer.createProject(SOURCE_NAME, { description: 'three land uses', domainId: compact.id, classificationType: 'Multiclass', targetExportPlatforms: ['ONNX'] });
    sourceId = project.id as string;
    for (const name of CLASSES) {
      const tag = await from.trainer.createTag(sourceId, name, { description: `${name} land` });
      const files = imageFiles('train', name).slice(0, PER_CLASS);
      // createImagesFromFiles takes one metadata per request: the first few of each class carry some.
      const metadata = { site: `survey-${name.toLowerCase()}`, season: 'summer' };
      for (const [part, meta] of [[files.slice(0, WITH_METADATA), metadata], [files.slice(WITH_METADATA), undefined]] as const) {
        const summary = await from.trainer.createImagesFromFiles(sourceId, { images: part.map((f) => ({ name: path.basename(f), contents: readImage(f), tagIds: [tag.id as string] })), metadata: meta });
        assert.ok(summary.isBatchSuccessful);
        for (const f of part) expected.set(sha256(f), { tags: [name], metadata: meta ?? {} });
      }
    }
    const untagged = imageFiles('test', 'Barren')[0];
    await from.trainer.createImagesFromFiles(sourceId, { images: [{ name: 'untagged.png', contents: readImage(untagged) }] });
    expected.set(sha256(untagged), { tags: [], metadata: {} });
    assert.equal(expected.size, 3 * PER_CLASS + 1);
  });

  after(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  it('refuses a source project that does not exist, naming the ones there are', async () => {
    await assert.rejects(copyProject(from, to, 'no such project'), /No source project named "no such project".*"copy me"/);
  });

  it('refuses to copy a project onto itself; with another name, it copies within one service', async () => {
    await assert.rejects(copyProject(from, from, sourceId), /the source project itself/);
    const plan = await copyProject(from, from, sourceId, { name: 'copy me (2)', dryRun: true });
    assert.deepEqual([plan.source.name, plan.target, plan.total], [SOURCE_NAME, { id: undefined, name: 'copy me (2)', created: true }, 151]);
  });

  it('dry run: reports the project, tags and images it would copy, and changes nothing', async () => {
    const summary = await copyProject(from, to, SOURCE_NAME, { dryRun: true });
    assert.equal(summary.dryRun, true);
    assert.deepEqual(summary.target, { id: undefined, name: SOURCE_NAME, created: true });
    assert.deepEqual(summary.tags.created.sort(), [...CLASSES]);
    assert.deepEqual([summary.total, summary.tagged, summary.untagged, summary.added, summary.batches], [151, 150, 1, 0, 0]);
    assert.equal(summary.domain, 'General (compact)');
    assert.deepEqual(await to.trainer.getProjects(), []);
  });

  it('an interrupted copy, run again, ends with every image once, byte-identical, with its tags and metadata', async () => {
    const abort = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      copyProject(from, to, SOURCE_NAME, {
        abortSignal: abort.signal,
        onProgress: (p) => {
          seen.push(p.done);
          if (p.batches === 2) abort.abort();
        },
      }),
      (e: Error) => e.name === 'AbortError',
    );
    // Batches: 10 Barren with metadata, then 40 without: the copy stopped after 50 images.
    assert.deepEqual(seen, [0, 10, 50]);
    const [partial] = await to.trainer.getProjects();
    const copied = (await to.trainer.getTaggedImageCount(partial.id as string)).body;
    assert.equal(copied, 50);

    const resumed = await copyProject(from, to, SOURCE_NAME);
    assert.deepEqual(resumed.target, { id: partial.id, name: SOURCE_NAME, created: false });
    assert.deepEqual([resumed.tags.created, resumed.tags.reused.sort()], [[], [...CLASSES]]);
    assert.deepEqual([resumed.added, resumed.alreadyThere, resumed.failed, resumed.repaired], [101, 50, [], 0]);

    const projects = await to.trainer.getProjects();
    assert.equal(projects.length, 1);
    const copy = projects[0];
    assert.equal(copy.description, 'three land uses');
    assert.equal(copy.settings?.domainId, (await findDomain(to, 'General (compact)')).id);
    assert.equal(copy.settings?.classificationType, 'Multiclass');
    assert.deepEqual(copy.settings?.targetExportPlatforms, ['ONNX']);
    const tags = await to.trainer.getTags(copy.id as string);
    assert.deepEqual(tags.map((t) => [t.name, t.description, t.type, t.imageCount]).sort(), CLASSES.map((c) => [c, `${c} land`, 'Regular', PER_CLASS]));
    assert.deepEqual(await contents(to.trainer, copy.id as string), expected);
    assert.deepEqual(await contents(from.trainer, sourceId), expected);
  });

  it('a run after a complete copy adds nothing', async () => {
    const again: CopySummary = await copyProject(from, to, SOURCE_NAME);
    assert.deepEqual([again.target.created, again.tags.created, again.added, again.alreadyThere, again.failed], [false, [], 0, 151, []]);
    const [copy] = await to.trainer.getProjects();
    assert.equal((await to.trainer.getTaggedImageCount(copy.id as string)).body + (await to.trainer.getUntaggedImageCount(copy.id as string)).body, 151);
  });

  it('gives images already at the target the tags and metadata they lack', async () => {
    const [copy] = await to.trainer.getProjects();
    const all = await to.trainer.getTaggedImages(copy.id as string, { take: 256 });
    const [untag] = all.filter((i) => i.tags?.[0]?.tagName === 'Cultivated');
    await to.trainer.deleteImageTags(copy.id as string, [untag.id as string], [untag.tags?.[0]?.tagId as string]);
    const [recast] = all.filter((i) => i.metadata?.season === 'summer');
    await to.trainer.updateImageMetadata(copy.id as string, [recast.id as string], { season: 'winter' });
    assert.equal((await to.trainer.getUntaggedImageCount(copy.id as string)).body, 2);
    assert.notDeepEqual(await contents(to.trainer, copy.id as string), expected);
    const repaired = await copyProject(from, to, SOURCE_NAME);
    assert.deepEqual([repaired.added, repaired.alreadyThere, repaired.repaired, repaired.warnings], [0, 151, 2, []]);
    assert.equal((await to.trainer.getUntaggedImageCount(copy.id as string)).body, 1);
    assert.deepEqual(await contents(to.trainer, copy.id as string), expected);
  });

  it('the copy trains to the same cross-validated precision and recall as the source', async () => {
    const [copy] = await to.trainer.getProjects();
    const figures = async (trainer: TrainingAPIClient, projectId: string) => {
      const iteration = await trainAndWait({ trainer }, projectId, { pollIntervalInMs: 200 });
      const p: TrainingAPIModels.IterationPerformance = await trainer.getIterationPerformance(projectId, iteration.id as string);
      return { precision: p.precision, recall: p.recall, averagePrecision: p.averagePrecision, perTag: p.perTagPerformance?.map((t) => [t.name, t.precision, t.recall]).sort() };
    };
    const [a, b] = [await figures(from.trainer, sourceId), await figures(to.trainer, copy.id as string)];
    assert.ok((a.precision ?? 0) > 0.8, `source precision ${a.precision}`);
    assert.deepEqual(b, a);
  });
});
