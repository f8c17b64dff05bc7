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
}

/** Columns under their record names; the tag scores are a JSON array. */
const SELECT_PREDICTIONS =
  'SELECT id, project_id AS projectId, iteration_id AS iterationId, hash, width, height, created, predictions FROM predictions';

type PredictionRow = Omit<PredictionRecord, 'predictions'> & { predictions: string };

const toRecord = (row: PredictionRow): PredictionRecord => ({ ...row, predictions: JSON.parse(row.predictions) as TagScore[] });

export class PredictionRepository {
  constructor(private readonly db: Db) {}

  insert(prediction: PredictionRecord): void {
    this.db
      .prepare(
        `INSERT INTO predictions (id, project_id, iteration_id, hash, width, height, created, predictions)
         VALUES (@id, @projectId, @iterationId, @hash, @width, @height, @created, @predictions)`,
      )
      .run({ ...prediction, predictions: JSON.stringify(prediction.predictions) });
  }

  /** The project's predictions, of one iteration when given, newest first unless `oldestFirst`. */
  query(projectId: string, options: { iterationId?: string; oldestFirst: boolean; limit: number }): PredictionRecord[] {
    const params = [projectId, ...(options.iterationId ? [options.iterationId] : []), options.limit];
    return this.db
      .prepare<unknown[], PredictionRow>(
        `${SELECT_PREDICTIONS} WHERE project_id = ? ${options.iterationId ? 'AND iteration_id = ?' : ''}
         ORDER BY created ${options.oldestFirst ? 'ASC' : 'DESC'}, rowid LIMIT ?`,
      )
      .all(...params)
      .map(toRecord);
  }

  /** Deletes predictions of the project by id; other ids are ignored. */
  delete(projectId: string, ids: readonly string[]): void {
    const remove = this.db.prepare('DELETE FROM predictions WHERE project_id = ? AND id = ?');
    this.db.transaction(() => ids.forEach((id) => remove.run(projectId, id)))();
  }

  /** Hashes of every stored prediction's image, for the blob sweep. */
  hashes(): string[] {
    return this.db.prepare<[], { hash: string }>('SELECT hash FROM predictions').all().map((r) => r.hash);
  }
}
