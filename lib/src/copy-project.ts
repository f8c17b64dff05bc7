/**
 * @module Copying a classification project from one Custom Vision endpoint to another (Azure to
 * local, local to Azure, local to local) through the Training SDK alone: settings, tags, and every
 * image's original with its tags and metadata. A re-run resumes: the target project and its tags
 * are found by name, and images already there come back `OKDuplicate` (same content) instead of twice.
 */
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import type { Lab } from './clients';
import { downloadOriginal, listAllImages, MAX_PAGE } from './copy-source';
import { findDomain } from './projects';
import { MAX_BATCH } from './upload';
import { sdkOptions } from './waiting';

type Image = TrainingAPIModels.Image;
type Metadata = Record<string, string>;

/** Images downloaded at once while a batch is prepared. */
const DOWNLOADS_IN_PARALLEL = 4;

/** `copyProject`'s options. */
export interface CopyOptions {
  /** The target project's name; default the source's. */
  name?: string;
  /** Read the source and the target and report what a copy would do, changing nothing. */
  dryRun?: boolean;
  /** Called once the source is listed and after each uploaded batch. */
  onProgress?: (progress: CopyProgress) => void;
  /** Stops the copy at the request in flight; a later run resumes where it stopped. */
  abortSignal?: AbortSignal;
  /** Images per listing request, at most (and by default) 256, Azure's limit. */
  pageSize?: number;
}

/** Running totals of the images. */
export interface CopyProgress {
  /** Source images handled so far (uploaded, found already there, or failed). */
  done: number;
  total: number;
  /** Batches uploaded so far. */
  batches: number;
  added: number;
  alreadyThere: number;
  failed: { imageId: string; status: string }[];
}

/** What a copy did, or in a dry run would do. */
export interface CopySummary extends CopyProgress {
  dryRun: boolean;
  source: { id: string; name: string };
  /** `id` is undefined in a dry run that would create the project. */
  target: { id?: string; name: string; created: boolean };
  domain: string;
  classificationType: string;
  tags: { created: string[]; reused: string[] };
  tagged: number;
  untagged: number;
  /** Tags added to (and metadata set on) images that were already at the target without them. */
  repaired: number;
  /** Differences the copy kept, e.g. an existing target project on another domain. */
  warnings: string[];
}

/**
 * Copies a classification project from `from` to `to`: the project (domain matched by name, since
 * endpoints may number domains differently; classification type, description, target export
 * platforms), its tags (name, description, type) and its images, tagged and untagged, as originals
 * downloaded from each image's `originalImageUri`, uploaded with `createImagesFromFiles` in batches
 * of at most 64 with their tags and metadata, oldest first (so that the copy trains as the source).
 *
 * Resumable: a project of the target name on `to` is reused with its tags, and images already there
 * are recognised by content. A run after a complete copy adds nothing. `dryRun` lists and changes nothing.
 *
 * @param from the source's connection (`connect()`'s `Lab`, or `{ trainer }`)
 * @param to the target's connection
 * @param project the source project's name or id
 * @returns what was copied; images that failed are listed in `failed`, not thrown
 */
export async function copyProject(from: Pick<Lab, 'trainer'>, to: Pick<Lab, 'trainer'>, project: string, options: CopyOptions = {}): Promise<CopySummary> {
  const signal = options.abortSignal;
  const source = await findSourceProject(from.trainer, project, signal);
  const sourceId = source.id as string;
  const domain = await from.trainer.getDomain(source.settings?.domainId as string, sdkOptions(signal));
  if (domain.type !== 'Classification') throw new Error(`Project "${source.name}" is an object detection project: only classification projects are copied.`);
  const targetDomain = await findDomain(to, domain.name as string);
  const name = options.name ?? (source.name as string);
  const sourceTags = await from.trainer.getTags(sourceId, sdkOptions(signal));
  const images = await listAllImages(from.trainer, sourceId, options.pageSize ?? MAX_PAGE, signal);

  const existing = (await to.trainer.getProjects(sdkOptions(signal))).filter((p) => p.name === name);
  if (existing.length > 1) throw new Error(`The target has ${existing.length} projects named "${name}": pass another name.`);
  if (existing[0]?.id === sourceId) throw new Error(`"${name}" is the source project itself: pass another name for the copy.`);
  const summary: CopySummary = {
    dryRun: options.dryRun ?? false,
    source: { id: sourceId, name: source.name as string },
    target: { id: existing[0]?.id, name, created: !existing[0] },
    domain: domain.name as string,
    classificationType: source.settings?.classificationType ?? 'Multiclass',
    tags: { created: [], reused: [] },
    tagged: images.filter((i) => i.tags?.length).length,
    untagged: images.filter((i) => !i.tags?.length).length,
    done: 0,
    total: images.length,
    batches: 0,
    added: 0,
    alreadyThere: 0,
    failed: [],
    repaired: 0,
    warnings: [],
  };
  const targetTags = existing[0] ? await to.trainer.getTags(existing[0].id as string, sdkOptions(signal)) : [];
  for (const tag of sourceTags) (targetTags.some((t) => t.name === tag.name) ? summary.tags.reused : summary.tags.created).push(tag.name as string);
  if (existing[0]) summary.warnings.push(...settingsDifferences(existing[0], targetDomain.id as string, summary.classificationType));
  options.onProgress?.(progressOf(summary));
  if (summary.dryRun) return summary;

  const target =
    existing[0] ??
    (await to.trainer.createProject(name, {
      description: source.description ?? undefined,
      domainId: targetDomain.id,
      classificationType: summary.classificationType as TrainingAPIModels.Classifier,
      targetExportPlatforms: source.settings?.targetExportPlatforms,
      ...sdkOptions(signal),
    }));
  const targetId = target.id as string;
  summary.target.id = targetId;
  const tagIds = new Map<string, string>();
  for (const tag of sourceTags) {
    const found = targetTags.find((t) => t.name === tag.name) ?? (await to.trainer.createTag(targetId, tag.name as string, { description: tag.description ?? undefined, type: tag.type, ...sdkOptions(signal) }));
    tagIds.set(tag.id as string, found.id as string);
  }

  for (const batch of batches(images)) {
    signal?.throwIfAborted();
    const files = await downloadAll(from.trainer, sourceId, batch, summary, signal);
    if (files.length > 0) await uploadBatch(to.trainer, targetId, files, tagIds, summary, signal);
    summary.done += batch.length;
    summary.batches++;
    options.onProgress?.(progressOf(summary));
  }
  return summary;
}

/** The source project by id or by name (a name must be unique). */
async function findSourceProject(trainer: TrainingAPIClient, nameOrId: string, signal?: AbortSignal): Promise<TrainingAPIModels.Project> {
  const projects = await trainer.getProjects(sdkOptions(signal));
  const byId = projects.find((p) => p.id?.toLowerCase() === nameOrId.toLowerCase());
  if (byId) return byId;
  const byName = projects.filter((p) => p.name === nameOrId);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw new Error(`${byName.length} source projects are named "${nameOrId}": pass an id (${byName.map((p) => p.id).join(', ')}).`);
  throw new Error(`No source project named "${nameOrId}" or with that id; the source has: ${projects.map((p) => `"${p.name}"`).join(', ') || 'no projects'}.`);
}

function settingsDifferences(target: TrainingAPIModels.Project, domainId: string, classificationType: string): string[] {
  const warnings: string[] = [];
  if (target.settings?.domainId !== domainId) warnings.push('The existing target project has another domain than the source: kept as it is.');
  if ((target.settings?.classificationType ?? 'Multiclass') !== classificationType) warnings.push(`The existing target project is not ${classificationType}: kept as it is.`);
  return warnings;
}

function progressOf(summary: CopySummary): CopyProgress {
  const { done, total, batches, added, alreadyThere, failed } = summary;
  return { done, total, batches, added, alreadyThere, failed: [...failed] };
}

function metadataKey(metadata: Metadata | undefined): string {
  return JSON.stringify(Object.entries(metadata ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Runs of at most 64 images in the source's order. `createImagesFromFiles` takes one metadata per
 * request, so a run also ends where the metadata changes.
 */
function* batches(images: Image[]): Generator<Image[]> {
  let run: Image[] = [];
  for (const image of images) {
    if (run.length === MAX_BATCH || (run.length > 0 && metadataKey(run[0].metadata) !== metadataKey(image.metadata))) {
      yield run;
      run = [];
    }
    run.push(image);
  }
  if (run.length > 0) yield run;
}

/** The batch's originals, a few at a time; an image that cannot be downloaded is counted as failed. */
async function downloadAll(trainer: TrainingAPIClient, projectId: string, batch: Image[], summary: CopySummary, signal?: AbortSignal) {
  const files: { image: Image; contents: Buffer }[] = [];
  for (let start = 0; start < batch.length; start += DOWNLOADS_IN_PARALLEL) {
    const slice = batch.slice(start, start + DOWNLOADS_IN_PARALLEL);
    const results = await Promise.allSettled(slice.map((image) => downloadOriginal(trainer, projectId, image, signal)));
    signal?.throwIfAborted();
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') files.push({ image: slice[i], contents: result.value });
      else summary.failed.push({ imageId: slice[i].id as string, status: `download failed: ${(result.reason as Error)?.message ?? result.reason}` });
    });
  }
  return files;
}

/**
 * One `createImagesFromFiles` request. An `OKDuplicate` image was already there: it gets the tags
 * (and metadata) it lacks, for images uploaded to the target by other means.
 */
async function uploadBatch(trainer: TrainingAPIClient, projectId: string, files: { image: Image; contents: Buffer }[], tagIds: Map<string, string>, summary: CopySummary, signal?: AbortSignal) {
  const wantedTags = (image: Image) => (image.tags ?? []).flatMap((t) => tagIds.get(t.tagId as string) ?? []);
  const metadata = files[0].image.metadata;
  const result = await trainer.createImagesFromFiles(
    projectId,
    {
      images: files.map(({ image, contents }) => ({ name: `${image.id}`, contents, tagIds: wantedTags(image) })),
      metadata: metadata && Object.keys(metadata).length > 0 ? metadata : undefined,
    },
    sdkOptions(signal),
  );
  const missingTags: TrainingAPIModels.ImageTagCreateEntry[] = [];
  const missingMetadata: string[] = [];
  (result.images ?? []).forEach((created, i) => {
    const source = files[i].image;
    if (created.status === 'OK') summary.added++;
    else if (created.status !== 'OKDuplicate') summary.failed.push({ imageId: source.id as string, status: String(created.status) });
    else {
      summary.alreadyThere++;
      const there = created.image;
      if (!there?.id) return;
      const present = new Set((there.tags ?? []).map((t) => t.tagId));
      const lacking = wantedTags(source).filter((tagId) => !present.has(tagId));
      missingTags.push(...lacking.map((tagId) => ({ imageId: there.id, tagId })));
      const lacksMetadata = Object.entries(source.metadata ?? {}).some(([k, v]) => there.metadata?.[k] !== v);
      if (lacksMetadata) missingMetadata.push(there.id);
      if (lacking.length > 0 || lacksMetadata) summary.repaired++;
    }
  });
  // The API takes at most 128 image-tag pairs per request.
  for (let start = 0; start < missingTags.length; start += 128) {
    await trainer.createImageTags(projectId, { tags: missingTags.slice(start, start + 128) }, sdkOptions(signal));
  }
  if (missingMetadata.length > 0) {
    const updated = await trainer.updateImageMetadata(projectId, missingMetadata, metadata ?? {}, sdkOptions(signal));
    for (const image of updated.images ?? []) {
      if (image.status !== 'OK') summary.warnings.push(`Image ${image.imageId} at the target kept its metadata: ${image.status}.`);
    }
  }
}
