/** @module Iteration performance from the held-out (cross-validated) predictions recorded at training time. */
import { badRequest } from '../errors';
import { iterationPerformance as evaluate, type IterationPerformance as Figures, type TagPerformance as TagFigures } from '../ml/metrics';
import type { ImageLinks, Store } from './context';
import { LIMITS, pageOf, type OrderBy } from './images';
import { iterationRow, snapshotTags, type IterationImageRow, type IterationRow } from './iterations';

/** The spec's TagPerformance: the figures of ml/metrics, with the tag's id and name instead of its index. */
export type TagPerformance = Omit<TagFigures, 'tag'> & { id: string; name: string };

export type IterationPerformance = Omit<Figures, 'perTagPerformance'> & { perTagPerformance: TagPerformance[] };

/** Rows of a Completed iteration: fold and held_out are set. */
type HeldOutRow = IterationImageRow & { fold: number; held_out: string };

function completedRow(store: Store, projectId: string, iterationId: string): IterationRow {
  const row = iterationRow(store, projectId, iterationId);
  if (row.status !== 'Completed') {
    throw badRequest('BadRequestIterationIsNotTrained', `Iteration "${row.name}" is ${row.status}: its performance exists once it is Completed.`);
  }
  return row;
}

function heldOutRows(store: Store, iterationId: string): HeldOutRow[] {
  return store.db.prepare<[string], HeldOutRow>('SELECT * FROM iteration_images WHERE iteration_id = ? ORDER BY rowid').all(iterationId);
}

export function iterationPerformance(store: Store, projectId: string, iterationId: string, threshold: number): IterationPerformance {
  const row = completedRow(store, projectId, iterationId);
  const tags = snapshotTags(store, row.id);
  const tagIndex = new Map(tags.map((t, i) => [t.id, i]));
  const rows = heldOutRows(store, row.id);
  const labels = rows.map((r) => {
    const hot = new Array<number>(tags.length).fill(0);
    for (const t of JSON.parse(r.tag_ids) as string[]) hot[tagIndex.get(t) as number] = 1;
    return hot;
  });
  const result = evaluate(
    rows.map((r) => JSON.parse(r.held_out) as number[]),
    labels,
    rows.map((r) => r.fold),
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

function selectRows(store: Store, projectId: string, iterationId: string, tagIds: string[] | undefined) {
  const row = completedRow(store, projectId, iterationId);
  const tags = snapshotTags(store, row.id);
  if (tagIds && tagIds.length > LIMITS.tagsPerBatch) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.tagsPerBatch} tags per request, got ${tagIds.length}.`);
  }
  const wanted = tagIds?.length ? new Set(tagIds) : undefined;
  const rows = heldOutRows(store, row.id).filter((r) => !wanted || (JSON.parse(r.tag_ids) as string[]).some((t) => wanted.has(t)));
  return { row, tags, rows };
}

/** Each training image of the iteration with its tags and the prediction of the head that never saw it. */
export function imagePerformances(
  store: Store,
  projectId: string,
  iterationId: string,
  query: ImagePerformanceQuery,
  links: ImageLinks,
): ImagePerformance[] {
  const { row, tags, rows } = selectRows(store, projectId, iterationId, query.tagIds);
  const page = pageOf(rows, query);
  const byId = new Map(tags.map((t) => [t.id, t]));
  return page.map((r) => {
    const probabilities = JSON.parse(r.held_out) as number[];
    return {
      id: r.image_id,
      created: r.created,
      width: r.width,
      height: r.height,
      imageUri: links.original(r.hash),
      thumbnailUri: links.thumbnail(r.hash),
      tags: (JSON.parse(r.tag_ids) as string[]).map((t) => ({ tagId: t, tagName: byId.get(t)?.name ?? '', created: row.created })),
      regions: [],
      predictions: tags
        .map((t, i) => ({ probability: probabilities[i], tagId: t.id, tagName: t.name, tagType: t.type }))
        .sort((a, b) => b.probability - a.probability),
    };
  });
}

export function imagePerformanceCount(store: Store, projectId: string, iterationId: string, tagIds?: string[]): number {
  return selectRows(store, projectId, iterationId, tagIds).rows.length;
}
