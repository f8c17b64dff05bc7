/** @module Iteration performance from the held-out (cross-validated) predictions recorded at training time. */
import { badRequest } from '../errors';
import { iterationPerformance as evaluate, type IterationPerformance as Figures, type TagPerformance as TagFigures } from '../ml/metrics';
import type { IterationRecord } from '../store/repositories';
import type { ImageLinks, Store } from './context';
import { pageOf, type OrderBy } from './images';
import { iterationRow } from './iterations';
import { LIMITS } from './limits';

/** The spec's TagPerformance: the figures of ml/metrics, with the tag's id and name instead of its index. */
export type TagPerformance = Omit<TagFigures, 'tag'> & { id: string; name: string };

export type IterationPerformance = Omit<Figures, 'perTagPerformance'> & { perTagPerformance: TagPerformance[] };

function completedIteration(store: Store, projectId: string, iterationId: string): IterationRecord {
  const iteration = iterationRow(store, projectId, iterationId);
  if (iteration.status !== 'Completed') {
    throw badRequest('BadRequestIterationIsNotTrained', `Iteration "${iteration.name}" is ${iteration.status}: its performance exists once it is Completed.`);
  }
  return iteration;
}

export function iterationPerformance(store: Store, projectId: string, iterationId: string, threshold: number): IterationPerformance {
  const iteration = completedIteration(store, projectId, iterationId);
  const tags = store.iterations.snapshotTags(iteration.id);
  const tagIndex = new Map(tags.map((t, i) => [t.id, i]));
  const images = store.iterations.heldOutImages(iteration.id);
  const labels = images.map((image) => {
    const hot = new Array<number>(tags.length).fill(0);
    for (const t of image.tagIds) hot[tagIndex.get(t) as number] = 1;
    return hot;
  });
  const result = evaluate(
    images.map((image) => image.heldOut),
    labels,
    images.map((image) => image.fold),
    threshold,
  );
  return {
    perTagPerformance: result.perTagPerformance.map(({ tag, ...figures }) => ({ id: tags[tag].id, name: tags[tag].name, ...figures })),
    precision: result.precision,
    precisionStdDeviation: result.precisionStdDeviation,
    recall: result.recall,
    recallStdDeviation: result.recallStdDeviation,
    averagePrecision: result.averagePrecision,
  };
}

export interface ImagePerformance {
  id: string;
  created: string;
  width: number;
  height: number;
  imageUri: string;
  thumbnailUri: string;
  tags: { tagId: string; tagName: string; created: string }[];
  regions: [];
  predictions: { probability: number; tagId: string; tagName: string; tagType: string }[];
}

export interface ImagePerformanceQuery {
  tagIds?: string[];
  orderBy?: OrderBy;
  take?: number;
  skip?: number;
}

function selectImages(store: Store, projectId: string, iterationId: string, tagIds: string[] | undefined) {
  const iteration = completedIteration(store, projectId, iterationId);
  const tags = store.iterations.snapshotTags(iteration.id);
  if (tagIds && tagIds.length > LIMITS.tagsPerBatch) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.tagsPerBatch} tags per request, got ${tagIds.length}.`);
  }
  const wanted = tagIds?.length ? new Set(tagIds) : undefined;
  const images = store.iterations.heldOutImages(iteration.id).filter((i) => !wanted || i.tagIds.some((t) => wanted.has(t)));
  return { iteration, tags, images };
}

/** Each training image of the iteration with its tags and the prediction of the head that never saw it. */
export function imagePerformances(
  store: Store,
  projectId: string,
  iterationId: string,
  query: ImagePerformanceQuery,
  links: ImageLinks,
): ImagePerformance[] {
  const { iteration, tags, images } = selectImages(store, projectId, iterationId, query.tagIds);
  const byId = new Map(tags.map((t) => [t.id, t]));
  return pageOf(images, query).map((image) => ({
    id: image.imageId,
    created: image.created,
    width: image.width,
    height: image.height,
    imageUri: links.original(image.hash),
    thumbnailUri: links.thumbnail(image.hash),
    tags: image.tagIds.map((t) => ({ tagId: t, tagName: byId.get(t)?.name ?? '', created: iteration.created })),
    regions: [],
    predictions: tags
      .map((t, i) => ({ probability: image.heldOut[i], tagId: t.id, tagName: t.name, tagType: t.type }))
      .sort((a, b) => b.probability - a.probability),
  }));
}

export function imagePerformanceCount(store: Store, projectId: string, iterationId: string, tagIds?: string[]): number {
  return selectImages(store, projectId, iterationId, tagIds).images.length;
}
