/** @module The predictions table (stored quick tests and predictions): every statement on it, its rows read as PredictionRecord. */
import type { Db } from '../db';

/** One tag's probability, as the spec's Prediction lists it. */
export interface TagScore {
  probability: number;
  tagId: string;
  tagName: string;
  tagType: string;
}

export interface PredictionRecord {
  id: string;
  projectId: string;
  iterationId: string;
  /** Content hash of the image in the blob store. */
  hash: string;
  width: number;
  height: number;
  created: string;
  predictions: TagScore[];
  /** The Prediction API's `application` parameter, when the caller named one. */
  application?: string | null;
}

/** What QueryPredictions filters on; every condition given must hold. */
export interface PredictionFilter {
  iterationId?: string;
  application?: string;
  /** ISO 8601 UTC times, both ends included. */
  startTime?: string;
  endTime?: string;
  /** The tag's probability lies within [min, max]. */
  tags: readonly { id: string; min: number; max: number }[];
  oldestFirst: boolean;
  /** Resume after this prediction, in the order asked for (keyset paging: stable while others are added or deleted). */
  after?: { created: string; id: string };
  limit: number;
}

/** Columns under their record names; the tag scores are a JSON array. */
const SELECT_PREDICTIONS =
  'SELECT id, project_id AS projectId, iteration_id AS iterationId, hash, width, height, created, predictions, application FROM predictions';

type PredictionRow = Omit<PredictionRecord, 'predictions'> & { predictions: string };

const toRecord = (row: PredictionRow): PredictionRecord => ({ ...row, predictions: JSON.parse(row.predictions) as TagScore[] });

export class PredictionRepository {
  constructor(private readonly db: Db) {}

  insert(prediction: PredictionRecord): void {
    this.db
      .prepare(
        `INSERT INTO predictions (id, project_id, iteration_id, hash, width, height, created, predictions, application)
         VALUES (@id, @projectId, @iterationId, @hash, @width, @height, @created, @predictions, @application)`,
      )
      .run({ ...prediction, application: prediction.application ?? null, predictions: JSON.stringify(prediction.predictions) });
  }

  /** The project's predictions that pass the filter, newest first unless `oldestFirst`, ties by id. */
  query(projectId: string, filter: PredictionFilter): PredictionRecord[] {
    const where = ['project_id = ?'];
    const params: unknown[] = [projectId];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (filter.iterationId) add('iteration_id = ?', filter.iterationId);
    if (filter.application !== undefined) add('application = ?', filter.application);
    if (filter.startTime) add('created >= ?', filter.startTime);
    if (filter.endTime) add('created <= ?', filter.endTime);
    for (const tag of filter.tags) {
      add(
        `EXISTS (SELECT 1 FROM json_each(predictions) WHERE json_extract(value, '$.tagId') = ?
         AND json_extract(value, '$.probability') BETWEEN ? AND ?)`,
        tag.id,
        tag.min,
        tag.max,
      );
    }
    const direction = filter.oldestFirst ? 'ASC' : 'DESC';
    const beyond = filter.oldestFirst ? '>' : '<';
    if (filter.after) add(`(created ${beyond} ? OR (created = ? AND id ${beyond} ?))`, filter.after.created, filter.after.created, filter.after.id);
    return this.db
      .prepare<unknown[], PredictionRow>(`${SELECT_PREDICTIONS} WHERE ${where.join(' AND ')} ORDER BY created ${direction}, id ${direction} LIMIT ?`)
      .all(...params, filter.limit)
      .map(toRecord);
  }

  /** One stored prediction of the project (CreateImagesFromPredictions). */
  byId(projectId: string, id: string): PredictionRecord | undefined {
    const row = this.db.prepare<[string, string], PredictionRow>(`${SELECT_PREDICTIONS} WHERE project_id = ? AND id = ?`).get(projectId, id);
    return row && toRecord(row);
  }

  /** Deletes predictions of the project by id; other ids are ignored. */
  delete(projectId: string, ids: readonly string[]): void {
    const remove = this.db.prepare('DELETE FROM predictions WHERE project_id = ? AND id = ?');
    this.db.transaction(() => ids.forEach((id) => remove.run(projectId, id)))();
  }

  /** Whether a stored prediction of the project shows this image (its signed links stay served). */
  holdsHash(projectId: string, hash: string): boolean {
    return this.db.prepare('SELECT 1 FROM predictions WHERE project_id = ? AND hash = ? LIMIT 1').get(projectId, hash) !== undefined;
  }

  /** Hashes of every stored prediction's image, for the blob sweep. */
  hashes(): string[] {
    return this.db.prepare<[], { hash: string }>('SELECT hash FROM predictions').all().map((r) => r.hash);
  }
}
