/** @module Stored predictions (quick tests and the storing prediction routes): QueryPredictions and DeletePrediction. */
import { badRequest } from '../errors';
import { imageUris, type ImageLinks, type Store } from './context';
import { requireProject } from './projects';

export interface PredictionQuery {
  iterationId?: string;
  orderBy?: 'Newest' | 'Oldest';
  maxCount?: number;
}

interface PredictionRow {
  id: string;
  iteration_id: string;
  hash: string;
  created: string;
  predictions: string;
}

/** The spec's StoredImagePrediction list, newest first unless asked otherwise; all of them fit one page locally. */
export function queryPredictions(store: Store, projectId: string, query: PredictionQuery, links: ImageLinks) {
  const project = requireProject(store, projectId);
  const maxCount = Math.min(Math.max(query.maxCount ?? 50, 1), 256);
  const rows = store.db
    .prepare<unknown[], PredictionRow>(
      `SELECT * FROM predictions WHERE project_id = ? ${query.iterationId ? 'AND iteration_id = ?' : ''}
       ORDER BY created ${query.orderBy === 'Oldest' ? 'ASC' : 'DESC'}, rowid LIMIT ?`,
    )
    .all(...[project.id, ...(query.iterationId ? [query.iterationId] : []), maxCount]);
  return rows.map((r) => ({
    ...imageUris(links, r.hash),
    domain: project.domain_id,
    id: r.id,
    project: project.id,
    iteration: r.iteration_id,
    created: r.created,
    predictions: JSON.parse(r.predictions) as unknown[],
  }));
}

export function deletePredictions(store: Store, projectId: string, ids: string[]): void {
  const project = requireProject(store, projectId);
  if (ids.length === 0) throw badRequest('BadRequestPredictionIdsMissing', 'Give the prediction ids to delete (ids).');
  const remove = store.db.prepare('DELETE FROM predictions WHERE project_id = ? AND id = ?');
  store.db.transaction(() => ids.forEach((id) => remove.run(project.id, id)))();
}
