/**
 * @module The iterations table with the snapshot each iteration trained on (iteration_tags,
 * iteration_images): every statement on them, their rows read as records.
 */
import type { Db } from '../db';
import type { ClassificationType } from './projects';

export type IterationStatus = 'Training' | 'Completed' | 'Failed';
export type TrainingType = 'Regular' | 'Advanced';

export interface IterationRecord {
  id: string;
  projectId: string;
  name: string;
  status: IterationStatus;
  created: string;
  lastModified: string;
  trainedAt: string | null;
  domainId: string;
  classificationType: ClassificationType;
  trainingType: TrainingType;
  reservedBudgetInHours: number;
  isDefault: boolean;
  publishName: string | null;
  publishResourceId: string | null;
  trainingError: string | null;
  trainingTimeMs: number | null;
}

/** A model output of an iteration: the tag as it was when the iteration was made. */
export interface SnapshotTag {
  id: string;
  name: string;
  type: string;
}

/** A training image as an iteration saw it. */
export interface SnapshotImage {
  imageId: string;
  hash: string;
  width: number;
  height: number;
  created: string;
  tagIds: string[];
  /** The image's metadata when the iteration was made. */
  metadata?: Record<string, string> | null;
  /** Deleted with allIterations: no bytes any more, but the iteration still differs from a workspace without it. */
  removed?: boolean;
}

/** A training image of a Completed iteration, with the prediction of the fold head that never saw it. */
export interface HeldOutImage extends SnapshotImage {
  fold: number;
  /** Probabilities in model-output order. */
  heldOut: number[];
}

/**
 * Every column but `model` (the trained head, tens of kB of JSON), under its record name: rows
 * are read on every prediction and listing, the head only once per iteration (see model()).
 */
const SELECT_ITERATIONS =
  'SELECT id, project_id AS projectId, name, status, created, last_modified AS lastModified, trained_at AS trainedAt, ' +
  'domain_id AS domainId, classification_type AS classificationType, training_type AS trainingType, ' +
  'reserved_budget_in_hours AS reservedBudgetInHours, is_default AS isDefault, publish_name AS publishName, ' +
  'publish_resource_id AS publishResourceId, training_error AS trainingError, training_time_ms AS trainingTimeMs FROM iterations';

/** SQLite keeps booleans as 0 or 1. */
type IterationRow = Omit<IterationRecord, 'isDefault'> & { isDefault: number };

const toRecord = (row: IterationRow): IterationRecord => ({ ...row, isDefault: row.isDefault === 1 });

/** A snapshot image's columns under their names; tag ids and held-out probabilities are JSON arrays. */
const SELECT_SNAPSHOT_IMAGES =
  'SELECT image_id AS imageId, hash, width, height, created, tag_ids AS tagIds, fold, held_out AS heldOut, metadata, removed FROM iteration_images';

type SnapshotImageRow = Omit<SnapshotImage, 'tagIds' | 'metadata' | 'removed'> & {
  tagIds: string;
  fold: number | null;
  heldOut: string | null;
  metadata: string | null;
  removed: number;
};

const toSnapshotImage = ({ imageId, hash, width, height, created, tagIds, metadata, removed }: SnapshotImageRow): SnapshotImage => ({
  imageId,
  hash,
  width,
  height,
  created,
  tagIds: JSON.parse(tagIds) as string[],
  metadata: metadata ? (JSON.parse(metadata) as Record<string, string>) : null,
  removed: removed === 1,
});

export class IterationRepository {
  constructor(private readonly db: Db) {}

  /** The first iteration matching `clause` (a condition, optionally followed by its ORDER BY). */
  private one(clause: string, ...params: unknown[]): IterationRecord | undefined {
    const row = this.db.prepare<unknown[], IterationRow>(`${SELECT_ITERATIONS} WHERE ${clause}`).get(...params);
    return row && toRecord(row);
  }

  byId(id: string): IterationRecord | undefined {
    return this.one('id = ?', id);
  }

  /** The resource whose project the iteration belongs to, for what serves every resource (the training queue at start). */
  ownerOf(id: string): string | undefined {
    const row = this.db.prepare<[string], { resource: string }>('SELECT p.resource FROM iterations i JOIN projects p ON p.id = i.project_id WHERE i.id = ?').get(id);
    return row?.resource;
  }

  inProject(projectId: string, id: string): IterationRecord | undefined {
    return this.one('project_id = ? AND id = ?', projectId, id);
  }

  named(projectId: string, name: string): IterationRecord | undefined {
    return this.one('project_id = ? AND name = ?', projectId, name);
  }

  publishedAs(projectId: string, publishName: string): IterationRecord | undefined {
    return this.one('project_id = ? AND publish_name = ?', projectId, publishName);
  }

  /** The project's iteration still Training, if any. */
  training(projectId: string): IterationRecord | undefined {
    return this.one("project_id = ? AND status = 'Training'", projectId);
  }

  /** The Completed iteration trained last, the default one first when `defaultFirst`. */
  latestCompleted(projectId: string, { defaultFirst }: { defaultFirst: boolean }): IterationRecord | undefined {
    const order = `${defaultFirst ? 'is_default DESC, ' : ''}trained_at DESC, rowid DESC`;
    return this.one(`project_id = ? AND status = 'Completed' ORDER BY ${order} LIMIT 1`, projectId);
  }

  /** Oldest first. */
  list(projectId: string): IterationRecord[] {
    return this.db.prepare<[string], IterationRow>(`${SELECT_ITERATIONS} WHERE project_id = ? ORDER BY created, rowid`).all(projectId).map(toRecord);
  }

  /** Records a new iteration with the snapshot it trains on, all or nothing. */
  insert(iteration: IterationRecord, snapshot: { tags: readonly SnapshotTag[]; images: readonly SnapshotImage[] }): void {
    const insertTag = this.db.prepare('INSERT INTO iteration_tags (iteration_id, position, tag_id, name, type) VALUES (?, ?, ?, ?, ?)');
    const insertImage = this.db.prepare(
      'INSERT INTO iteration_images (iteration_id, image_id, hash, width, height, created, tag_ids, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO iterations (id, project_id, name, status, created, last_modified, trained_at, domain_id, classification_type,
           training_type, reserved_budget_in_hours, is_default, publish_name, publish_resource_id, training_error, training_time_ms)
           VALUES (@id, @projectId, @name, @status, @created, @lastModified, @trainedAt, @domainId, @classificationType,
           @trainingType, @reservedBudgetInHours, @isDefault, @publishName, @publishResourceId, @trainingError, @trainingTimeMs)`,
        )
        .run({ ...iteration, isDefault: iteration.isDefault ? 1 : 0 });
      snapshot.tags.forEach((t, position) => insertTag.run(iteration.id, position, t.id, t.name, t.type));
      for (const i of snapshot.images) {
        const metadata = i.metadata && Object.keys(i.metadata).length ? JSON.stringify(i.metadata) : null;
        insertImage.run(iteration.id, i.imageId, i.hash, i.width, i.height, i.created, JSON.stringify(i.tagIds), metadata);
      }
    })();
  }

  update(id: string, fields: { name: string; isDefault: boolean; lastModified: string }): void {
    this.db.prepare('UPDATE iterations SET name = ?, is_default = ?, last_modified = ? WHERE id = ?').run(fields.name, fields.isDefault ? 1 : 0, fields.lastModified, id);
  }

  clearDefault(projectId: string): void {
    this.db.prepare('UPDATE iterations SET is_default = 0 WHERE project_id = ?').run(projectId);
  }

  publish(id: string, publishName: string, resourceId: string, at: string): void {
    this.setPublication(id, publishName, resourceId, at);
  }

  unpublish(id: string, at: string): void {
    this.setPublication(id, null, null, at);
  }

  private setPublication(id: string, publishName: string | null, resourceId: string | null, at: string): void {
    this.db.prepare('UPDATE iterations SET publish_name = ?, publish_resource_id = ?, last_modified = ? WHERE id = ?').run(publishName, resourceId, at, id);
  }

  /** Deletes the iteration with its snapshot and exports (cascade). */
  delete(id: string): void {
    this.db.prepare('DELETE FROM iterations WHERE id = ?').run(id);
  }

  /** The trained head as stored (parsed JSON); undefined until the iteration has trained. */
  model(id: string): unknown {
    const row = this.db.prepare<[string], { model: string | null }>('SELECT model FROM iterations WHERE id = ?').get(id);
    return row?.model ? (JSON.parse(row.model) as unknown) : undefined;
  }

  /** The tags an iteration trained on, in model-output order. */
  snapshotTags(id: string): SnapshotTag[] {
    return this.db.prepare<[string], SnapshotTag>('SELECT tag_id AS id, name, type FROM iteration_tags WHERE iteration_id = ? ORDER BY position').all(id);
  }

  /** The images an iteration trained on, in the order it took them, those removed since included (flagged). */
  snapshotImages(id: string): SnapshotImage[] {
    return this.imageRows(id).map(toSnapshotImage);
  }

  /** The images of a Completed iteration still held (not removed) with their held-out predictions. */
  heldOutImages(id: string): HeldOutImage[] {
    return this.imageRows(id)
      .filter((row) => row.removed === 0)
      .map((row) => ({ ...toSnapshotImage(row), fold: row.fold ?? 0, heldOut: JSON.parse(row.heldOut ?? '[]') as number[] }));
  }

  /**
   * Removes images from every iteration of the project (all of them when `imageIds` is absent):
   * the row stays, flagged and without its hash or metadata, so that the iteration still counts
   * as trained on something the workspace no longer holds.
   */
  removeImages(projectId: string, imageIds?: readonly string[]): void {
    const scope = 'iteration_id IN (SELECT id FROM iterations WHERE project_id = ?)';
    const remove = `UPDATE iteration_images SET removed = 1, hash = '', metadata = NULL WHERE ${scope}`;
    if (!imageIds) {
      this.db.prepare(remove).run(projectId);
      return;
    }
    const one = this.db.prepare(`${remove} AND image_id = ?`);
    this.db.transaction(() => imageIds.forEach((id) => one.run(projectId, id)))();
  }

  private imageRows(id: string): SnapshotImageRow[] {
    return this.db.prepare<[string], SnapshotImageRow>(`${SELECT_SNAPSHOT_IMAGES} WHERE iteration_id = ? ORDER BY rowid`).all(id);
  }

  /** Whether an iteration of the project still holds this image (its signed links stay served). */
  holdsHash(projectId: string, hash: string): boolean {
    const sql = 'SELECT 1 FROM iteration_images WHERE hash = ? AND removed = 0 AND iteration_id IN (SELECT id FROM iterations WHERE project_id = ?) LIMIT 1';
    return this.db.prepare(sql).get(hash, projectId) !== undefined;
  }

  /** Hashes of every image an iteration trained on, for the blob sweep. */
  hashes(): string[] {
    return this.db.prepare<[], { hash: string }>('SELECT hash FROM iteration_images WHERE removed = 0').all().map((r) => r.hash);
  }
}
