/** @module Stored predictions (quick tests and the storing prediction routes): QueryPredictions and DeletePrediction. */
import { badRequest } from '../errors';
import { imageUris, type ImageLinks, type Store } from './context';
import { requireProject } from './projects';

export interface PredictionQuery {
  iterationId?: string;
  orderBy?: 'Newest' | 'Oldest';
  maxCount?: number;
}

/** The spec's StoredImagePrediction list, newest first unless asked otherwise; all of them fit one page locally. */
export function queryPredictions(store: Store, projectId: string, query: PredictionQuery, links: ImageLinks) {
  const project = requireProject(store, projectId);
  const limit = Math.min(Math.max(query.maxCount ?? 50, 1), 256);
  const stored = store.predictions.query(project.id, { iterationId: query.iterationId, oldestFirst: query.orderBy === 'Oldest', limit });
  return stored.map((r) => ({
    ...imageUris(links, r.hash),
    domain: project.domainId,
    id: r.id,
    project: project.id,
    iteration: r.iterationId,
    created: r.created,
    predictions: r.predictions,
  }));
}

export function deletePredictions(store: Store, projectId: string, ids: string[]): void {
  const project = requireProject(store, projectId);
  if (ids.length === 0) throw badRequest('BadRequestPredictionIdsMissing', 'Give the prediction ids to delete (ids).');
  store.predictions.delete(project.id, ids);
}
