/** @module Training images of a project: upload with per-image status, listings, tagging, deletion. */
import { badRequest, notFound } from '../errors';
import { ImageDecodeError, inspectImage } from '../ml/image';
import { imageUris, newId, now, type ImageLinks, type Store } from './context';
import { iterationRow, readSnapshot, type TrainingSnapshot } from './iterations';
import { requireProject } from './projects';
import { tagsById } from './tags';

/** Limits of the real service (customvision-api README, limits-and-quotas). */
export const LIMITS = {
  batchSize: 64,
  tagsPerBatch: 20,
  idsPerRequest: 256,
  imageTagBatch: 128,
  trainingImageBytes: 6 * 1024 * 1024,
  maxSide: 10240,
  maxAspectRatio: 25,
  metadataPairs: 10,
  metadataKeyLength: 128,
  metadataValueLength: 256,
  tagsPerImage: 100,
} as const;

export type ImageCreateStatus =
  | 'OK'
  | 'OKDuplicate'
  | 'ErrorSource'
  | 'ErrorImageFormat'
  | 'ErrorImageSize'
  | 'ErrorStorage'
  | 'ErrorLimitExceed'
  | 'ErrorTagLimitExceed'
  | 'ErrorUnknown'
  | 'ErrorImageDimensions'
  | 'ErrorInvalidTag';

export interface ImageTag {
  tagId: string;
  tagName: string;
  created: string;
}

export interface Image {
  id: string;
  created: string;
  width: number;
  height: number;
  resizedImageUri: string;
  thumbnailUri: string;
  originalImageUri: string;
  tags: ImageTag[];
  regions: [];
  metadata: Record<string, string>;
}

export interface ImageCreateResult {
  sourceUrl: string | null;
  status: ImageCreateStatus;
  image: Image | null;
}

export interface ImageCreateSummary {
  isBatchSuccessful: boolean;
  images: ImageCreateResult[];
}

/** One image to add: its bytes, or the reason they could not be had (a failed URL fetch, an oversized part). */
export interface NewImage {
  bytes?: Buffer;
  failure?: ImageCreateStatus;
  sourceUrl?: string;
  tagIds?: string[];
  metadata?: Record<string, string>;
}

interface ImageRow {
  id: string;
  project_id: string;
  hash: string;
  format: string;
  width: number;
  height: number;
  created: string;
  metadata: string | null;
}

export function checkTagIds(store: Store, projectId: string, tagIds: readonly string[]): string[] {
  if (tagIds.length > LIMITS.tagsPerBatch) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.tagsPerBatch} tags per request, got ${tagIds.length}.`);
  }
  const known = tagsById(store, projectId);
  const ids = tagIds.map((t) => t.toLowerCase());
  const unknown = ids.filter((t) => !known.has(t));
  if (unknown.length) throw badRequest('BadRequestImageTags', `Unknown tag ids for this project: ${unknown.join(', ')}.`);
  return [...new Set(ids)];
}

function checkMetadata(metadata: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!metadata) return undefined;
  const entries = Object.entries(metadata);
  if (entries.length > LIMITS.metadataPairs) throw badRequest('BadRequestImageMetadataKey', `At most ${LIMITS.metadataPairs} metadata pairs per image.`);
  for (const [key, value] of entries) {
    if (!key || key.length > LIMITS.metadataKeyLength) throw badRequest('BadRequestImageMetadataKey', `Metadata key "${key}" is empty or longer than ${LIMITS.metadataKeyLength} characters.`);
    if (typeof value !== 'string' || value.length > LIMITS.metadataValueLength) {
      throw badRequest('BadRequestImageMetadataValue', `Metadata value of "${key}" must be a string of at most ${LIMITS.metadataValueLength} characters.`);
    }
  }
  return metadata;
}

/** Decodes and checks one upload; the status the summary reports when it is not acceptable. */
async function validate(entry: NewImage): Promise<{ status: ImageCreateStatus; width?: number; height?: number; format?: string }> {
  if (entry.failure) return { status: entry.failure };
  const bytes = entry.bytes;
  if (!bytes || bytes.length === 0) return { status: 'ErrorImageFormat' };
  if (bytes.length > LIMITS.trainingImageBytes) return { status: 'ErrorImageSize' };
  try {
    const info = await inspectImage(bytes);
    const { width, height } = info;
    if (Math.max(width, height) > LIMITS.maxSide) return { status: 'ErrorImageDimensions' };
    if (Math.max(width, height) / Math.max(1, Math.min(width, height)) > LIMITS.maxAspectRatio) return { status: 'ErrorImageDimensions' };
    return { status: 'OK', width, height, format: info.format };
  } catch (error) {
    if (error instanceof ImageDecodeError) return { status: 'ErrorImageFormat' };
    throw error;
  }
}

/**
 * Adds a batch of images. Every image gets a status; bad ones never fail the batch. Bytes go to
 * the blob store first, then all rows in one transaction, so an acknowledged image is durable
 * and a crash mid-batch leaves no half-stored image.
 */
export async function createImages(
  store: Store,
  projectId: string,
  entries: NewImage[],
  batchTagIds: string[],
  links: ImageLinks,
): Promise<ImageCreateSummary> {
  const project = requireProject(store, projectId);
  if (entries.length === 0) throw badRequest('BadRequestImageBatch', 'The batch holds no images.');
  if (entries.length > LIMITS.batchSize) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.batchSize} images per batch, got ${entries.length}.`);
  }
  const defaultTags = checkTagIds(store, project.id, batchTagIds);
  const known = tagsById(store, project.id);
  entries.forEach((e) => checkMetadata(e.metadata));

  const findByHash = store.db.prepare<[string, string], ImageRow>('SELECT * FROM images WHERE project_id = ? AND hash = ?');
  type Planned = { status: ImageCreateStatus; sourceUrl: string | null; row?: ImageRow; tagIds?: string[]; isNew?: boolean };
  const planned: Planned[] = [];
  const batchHashes = new Map<string, ImageRow>();
  for (const entry of entries) {
    const sourceUrl = entry.sourceUrl ?? null;
    const tagIds = entry.tagIds ? entry.tagIds.map((t) => t.toLowerCase()) : defaultTags;
    if (tagIds.some((t) => !known.has(t))) {
      planned.push({ status: 'ErrorInvalidTag', sourceUrl });
      continue;
    }
    if (tagIds.length > LIMITS.tagsPerImage) {
      planned.push({ status: 'ErrorTagLimitExceed', sourceUrl });
      continue;
    }
    const check = await validate(entry);
    if (check.status !== 'OK') {
      planned.push({ status: check.status, sourceUrl });
      continue;
    }
    const hash = await store.blobs.put(entry.bytes as Buffer);
    const existing = findByHash.get(project.id, hash) ?? batchHashes.get(hash);
    if (existing) {
      planned.push({ status: 'OKDuplicate', sourceUrl, row: existing });
      continue;
    }
    const row: ImageRow = {
      id: newId(),
      project_id: project.id,
      hash,
      format: check.format as string,
      width: check.width as number,
      height: check.height as number,
      created: now(),
      metadata: entry.metadata ? JSON.stringify(entry.metadata) : null,
    };
    batchHashes.set(hash, row);
    planned.push({ status: 'OK', sourceUrl, row, tagIds: [...new Set(tagIds)], isNew: true });
  }

  const insertImage = store.db.prepare(
    `INSERT INTO images (id, project_id, hash, format, width, height, created, metadata)
     VALUES (@id, @project_id, @hash, @format, @width, @height, @created, @metadata)`,
  );
  const insertTag = store.db.prepare('INSERT OR IGNORE INTO image_tags (image_id, tag_id, created) VALUES (?, ?, ?)');
  store.db.transaction(() => {
    for (const p of planned) {
      if (!p.isNew || !p.row) continue;
      // A concurrent upload of the same bytes may have committed since we looked: then it is a duplicate.
      const committed = findByHash.get(project.id, p.row.hash);
      if (committed) {
        Object.assign(p, { status: 'OKDuplicate', row: committed, isNew: false });
        continue;
      }
      insertImage.run(p.row);
      for (const tagId of p.tagIds ?? []) insertTag.run(p.row.id, tagId, p.row.created);
    }
  })();

  const rows = planned.flatMap((p) => (p.row ? [p.row] : []));
  const shaped = new Map(toImages(store, rows, links).map((img) => [img.id, img]));
  const images = planned.map((p) => ({ sourceUrl: p.sourceUrl, status: p.status, image: p.row ? (shaped.get(p.row.id) ?? null) : null }));
  return { isBatchSuccessful: images.every((i) => i.status === 'OK' || i.status === 'OKDuplicate'), images };
}

/** Shapes rows as the spec's Image, with their current tags. */
function toImages(store: Store, rows: ImageRow[], links: ImageLinks): Image[] {
  const tagsOf = store.db.prepare<[string], ImageTag>(
    `SELECT it.tag_id AS tagId, t.name AS tagName, it.created AS created
     FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE it.image_id = ? ORDER BY it.created, t.name`,
  );
  return rows.map((row) => ({
    id: row.id,
    created: row.created,
    width: row.width,
    height: row.height,
    ...imageUris(links, row.hash),
    tags: tagsOf.all(row.id),
    regions: [],
    metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, string>) : {},
  }));
}

export type TaggingStatus = 'All' | 'Tagged' | 'Untagged';
export type OrderBy = 'Newest' | 'Oldest';

/** One page of an iteration's rows, which are stored oldest first, in the requested order (newest first by default). */
export function pageOf<T>(rows: T[], query: { orderBy?: OrderBy; skip?: number; take?: number }): T[] {
  const ordered = query.orderBy === 'Oldest' ? rows : [...rows].reverse();
  return ordered.slice(query.skip ?? 0, (query.skip ?? 0) + (query.take ?? 50));
}

export interface ImageQuery {
  taggingStatus: TaggingStatus;
  tagIds?: string[];
  orderBy?: OrderBy;
  take?: number;
  skip?: number;
  /** Metadata equality filters, all of which must hold. */
  metadata?: Record<string, string>;
  /** The images as an iteration trained on them (its snapshot), instead of the workspace. */
  iterationId?: string;
}

function whereClause(projectId: string, query: ImageQuery): { sql: string; params: unknown[] } {
  const clauses = ['i.project_id = ?'];
  const params: unknown[] = [projectId];
  const tagged = 'EXISTS (SELECT 1 FROM image_tags it WHERE it.image_id = i.id)';
  if (query.taggingStatus === 'Tagged') clauses.push(tagged);
  if (query.taggingStatus === 'Untagged') clauses.push(`NOT ${tagged}`);
  if (query.tagIds && query.tagIds.length) {
    clauses.push(`EXISTS (SELECT 1 FROM image_tags it WHERE it.image_id = i.id AND it.tag_id IN (${query.tagIds.map(() => '?').join(',')}))`);
    params.push(...query.tagIds);
  }
  for (const [key, value] of Object.entries(query.metadata ?? {})) {
    clauses.push('json_extract(i.metadata, ?) = ?');
    params.push(`$.${JSON.stringify(key)}`, value);
  }
  return { sql: clauses.join(' AND '), params };
}

/** The tagged images an iteration trained on, with the tags they had then, filtered (oldest first); and its tags. */
function iterationImages(store: Store, projectId: string, query: ImageQuery): TrainingSnapshot {
  const iteration = iterationRow(store, projectId, query.iterationId as string);
  const snapshot = readSnapshot(store, iteration.id);
  if (query.taggingStatus === 'Untagged') return { images: [], tags: snapshot.tags }; // an iteration trains on tagged images only
  const wanted = query.tagIds?.length ? new Set(query.tagIds) : undefined;
  return { images: snapshot.images.filter((i) => !wanted || i.tagIds.some((t) => wanted.has(t))), tags: snapshot.tags };
}

function snapshotImages(snapshot: TrainingSnapshot, links: ImageLinks): Image[] {
  const names = new Map(snapshot.tags.map((t) => [t.id, t.name]));
  return snapshot.images.map((i) => ({
    id: i.imageId,
    created: i.created,
    width: i.width,
    height: i.height,
    ...imageUris(links, i.hash),
    tags: i.tagIds.map((t) => ({ tagId: t, tagName: names.get(t) ?? '', created: i.created })),
    regions: [],
    metadata: {},
  }));
}

export function listImages(store: Store, projectId: string, query: ImageQuery, links: ImageLinks): Image[] {
  const project = requireProject(store, projectId);
  if (query.iterationId) {
    const { images, tags } = iterationImages(store, project.id, query);
    return snapshotImages({ images: pageOf(images, query), tags }, links);
  }
  const tagIds = query.tagIds ? checkTagIds(store, project.id, query.tagIds) : undefined;
  const { sql, params } = whereClause(project.id, { ...query, tagIds });
  const order = query.orderBy === 'Oldest' ? 'ASC' : 'DESC';
  const rows = store.db
    .prepare<unknown[], ImageRow>(`SELECT i.* FROM images i WHERE ${sql} ORDER BY i.created ${order}, i.rowid ${order} LIMIT ? OFFSET ?`)
    .all(...params, query.take ?? 50, query.skip ?? 0);
  return toImages(store, rows, links);
}

export function countImages(store: Store, projectId: string, query: ImageQuery): number {
  const project = requireProject(store, projectId);
  if (query.iterationId) return iterationImages(store, project.id, query).images.length;
  const tagIds = query.tagIds ? checkTagIds(store, project.id, query.tagIds) : undefined;
  const { sql, params } = whereClause(project.id, { ...query, tagIds });
  return store.db.prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM images i WHERE ${sql}`).get(...params)?.n ?? 0;
}

/** Images by id, in the order asked; unknown ids are left out, as the real service does. */
export function getImagesByIds(store: Store, projectId: string, imageIds: string[], links: ImageLinks): Image[] {
  const project = requireProject(store, projectId);
  if (imageIds.length > LIMITS.idsPerRequest) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.idsPerRequest} image ids per request, got ${imageIds.length}.`);
  }
  const find = store.db.prepare<[string, string], ImageRow>('SELECT * FROM images WHERE project_id = ? AND id = ?');
  const rows = imageIds.flatMap((id) => {
    const row = find.get(project.id, id.toLowerCase());
    return row ? [row] : [];
  });
  return toImages(store, rows, links);
}

/** Deletes images from the workspace; trained iterations keep their own copy of what they used. */
export function deleteImages(store: Store, projectId: string, selection: { imageIds?: string[]; allImages?: boolean }): void {
  const project = requireProject(store, projectId);
  if (selection.allImages) {
    store.db.prepare('DELETE FROM images WHERE project_id = ?').run(project.id);
    return;
  }
  const ids = selection.imageIds ?? [];
  if (ids.length === 0) throw badRequest('BadRequestInvalidIds', 'Give the ids of the images to delete (imageIds), or allImages=true.');
  if (ids.length > LIMITS.idsPerRequest) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.idsPerRequest} image ids per request, got ${ids.length}.`);
  }
  const remove = store.db.prepare('DELETE FROM images WHERE project_id = ? AND id = ?');
  store.db.transaction(() => ids.forEach((id) => remove.run(project.id, id.toLowerCase())))();
}

export interface ImageTagPair {
  imageId: string;
  tagId: string;
}

export interface ImageTagCreateSummary {
  created: ImageTagPair[];
  duplicated: ImageTagPair[];
  exceeded: ImageTagPair[];
}

export function createImageTags(store: Store, projectId: string, pairs: ImageTagPair[]): ImageTagCreateSummary {
  const project = requireProject(store, projectId);
  if (pairs.length === 0) throw badRequest('BadRequestImageTags', 'The batch holds no image tags.');
  if (pairs.length > LIMITS.imageTagBatch) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.imageTagBatch} image tags per batch, got ${pairs.length}.`);
  }
  const known = tagsById(store, project.id);
  const imageExists = store.db.prepare<[string, string], { id: string }>('SELECT id FROM images WHERE project_id = ? AND id = ?');
  const normalised = pairs.map((p) => ({ imageId: String(p.imageId ?? '').toLowerCase(), tagId: String(p.tagId ?? '').toLowerCase() }));
  for (const p of normalised) {
    if (!known.has(p.tagId)) throw badRequest('BadRequestImageTags', `Unknown tag id ${p.tagId} for this project.`);
    if (!imageExists.get(project.id, p.imageId)) throw notFound('NotFoundImage', `Image ${p.imageId} not found in this project.`);
  }
  const exists = store.db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM image_tags WHERE image_id = ? AND tag_id = ?');
  const countTags = store.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM image_tags WHERE image_id = ?');
  const insert = store.db.prepare('INSERT INTO image_tags (image_id, tag_id, created) VALUES (?, ?, ?)');
  const summary: ImageTagCreateSummary = { created: [], duplicated: [], exceeded: [] };
  store.db.transaction(() => {
    for (const p of normalised) {
      if ((exists.get(p.imageId, p.tagId)?.n ?? 0) > 0) summary.duplicated.push(p);
      else if ((countTags.get(p.imageId)?.n ?? 0) >= LIMITS.tagsPerImage) summary.exceeded.push(p);
      else {
        insert.run(p.imageId, p.tagId, now());
        summary.created.push(p);
      }
    }
  })();
  return summary;
}

export function deleteImageTags(store: Store, projectId: string, imageIds: string[], tagIds: string[]): void {
  const project = requireProject(store, projectId);
  if (imageIds.length === 0 || tagIds.length === 0) throw badRequest('BadRequestInvalidIds', 'Give both imageIds and tagIds.');
  if (imageIds.length > LIMITS.batchSize) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.batchSize} image ids per request, got ${imageIds.length}.`);
  }
  const tags = checkTagIds(store, project.id, tagIds);
  const remove = store.db.prepare(
    'DELETE FROM image_tags WHERE tag_id = ? AND image_id = (SELECT id FROM images WHERE project_id = ? AND id = ?)',
  );
  store.db.transaction(() => {
    for (const imageId of imageIds) for (const tagId of tags) remove.run(tagId, project.id, imageId.toLowerCase());
  })();
}
