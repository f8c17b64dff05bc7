/** @module Iterations: training requests and their validation, the iteration lifecycle, publishing. */
import { badRequest, notFound } from '../errors';
import type { HeadModel } from '../ml/head';
import { newId, now, type ClassificationType, type Store } from './context';
import { findDomain } from './domains';
import { LOCAL_EXPORT_PLATFORMS } from './platforms';
import { requireProject, type ProjectRow } from './projects';

export const MIN_IMAGES_PER_TAG = 5;

export type IterationStatus = 'Training' | 'Completed' | 'Failed';

export interface Iteration {
  id: string;
  name: string;
  status: IterationStatus;
  created: string;
  lastModified: string;
  trainedAt: string | null;
  projectId: string;
  exportable: boolean;
  exportableTo: string[];
  domainId: string;
  classificationType: ClassificationType;
  trainingType: 'Regular' | 'Advanced';
  reservedBudgetInHours: number;
  trainingTimeInMinutes: number;
  publishName: string | null;
  originalPublishResourceId: string | null;
  customBaseModelInfo: null;
  trainingErrorDetails: string | null;
}

export interface IterationRow {
  id: string;
  project_id: string;
  name: string;
  status: IterationStatus;
  created: string;
  last_modified: string;
  trained_at: string | null;
  domain_id: string;
  classification_type: ClassificationType;
  training_type: 'Regular' | 'Advanced';
  reserved_budget_in_hours: number;
  is_default: number;
  publish_name: string | null;
  publish_resource_id: string | null;
  training_error: string | null;
  training_time_ms: number | null;
}

/**
 * Every column but `model` (the trained head, tens of kB of JSON): rows are read on every
 * prediction and listing, the head only once per iteration (iterationModel).
 */
export const ITERATION_COLUMNS =
  'id, project_id, name, status, created, last_modified, trained_at, domain_id, classification_type, training_type, ' +
  'reserved_budget_in_hours, is_default, publish_name, publish_resource_id, training_error, training_time_ms';

/** The trained head of an iteration; undefined until it has trained. */
export function iterationModel(store: Store, iterationId: string): HeadModel | undefined {
  const row = store.db.prepare<[string], { model: string | null }>('SELECT model FROM iterations WHERE id = ?').get(iterationId);
  return row?.model ? (JSON.parse(row.model) as HeadModel) : undefined;
}

/** Whether an iteration's head was trained on the features the service computes now. */
function onCurrentBackbone(store: Store, model: HeadModel): boolean {
  return model.backbone === store.backbone;
}

/**
 * The head an iteration predicts (or exports) with. Refuses, with what to do, an iteration not
 * trained yet, or trained on an earlier backbone of the service (an upgrade changed it).
 */
export function predictingModel(store: Store, iteration: IterationRow): HeadModel {
  const model = iteration.status === 'Completed' ? iterationModel(store, iteration.id) : undefined;
  if (!model) throw badRequest('BadRequestIterationIsNotTrained', `Iteration "${iteration.name}" is ${iteration.status}, not Completed.`);
  if (!onCurrentBackbone(store, model)) {
    throw badRequest(
      'BadRequestIterationValidationFailed',
      `Iteration "${iteration.name}" was trained on an earlier version of the local service's backbone and cannot predict with this one: train the project again (no image needs to change).`,
    );
  }
  return model;
}

export function toIteration(row: IterationRow): Iteration {
  const exportable = row.status === 'Completed' && (findDomain(row.domain_id)?.exportable ?? false);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    created: row.created,
    lastModified: row.last_modified,
    trainedAt: row.trained_at,
    projectId: row.project_id,
    exportable,
    exportableTo: exportable ? LOCAL_EXPORT_PLATFORMS : [],
    domainId: row.domain_id,
    classificationType: row.classification_type,
    trainingType: row.training_type,
    reservedBudgetInHours: row.reserved_budget_in_hours,
    trainingTimeInMinutes: Math.ceil((row.training_time_ms ?? 0) / 60000),
    publishName: row.publish_name,
    originalPublishResourceId: row.publish_resource_id,
    customBaseModelInfo: null,
    trainingErrorDetails: row.training_error,
  };
}

export function iterationRow(store: Store, projectId: string, iterationId: string): IterationRow {
  const project = requireProject(store, projectId);
  const row = store.db
    .prepare<[string, string], IterationRow>(`SELECT ${ITERATION_COLUMNS} FROM iterations WHERE project_id = ? AND id = ?`)
    .get(project.id, iterationId.toLowerCase());
  if (!row) throw notFound('NotFoundIteration', `Iteration ${iterationId} not found in project ${projectId}.`);
  return row;
}

export function listIterations(store: Store, projectId: string): Iteration[] {
  const project = requireProject(store, projectId);
  return store.db
    .prepare<[string], IterationRow>(`SELECT ${ITERATION_COLUMNS} FROM iterations WHERE project_id = ? ORDER BY created, rowid`)
    .all(project.id)
    .map(toIteration);
}

export function getIteration(store: Store, projectId: string, iterationId: string): Iteration {
  return toIteration(iterationRow(store, projectId, iterationId));
}

export function updateIteration(store: Store, projectId: string, iterationId: string, input: { name?: string; isDefault?: boolean }): Iteration {
  const row = iterationRow(store, projectId, iterationId);
  const name = input.name === undefined ? row.name : input.name.trim();
  if (!name) throw badRequest('BadRequestIterationName', 'The iteration name must not be empty.');
  const clash = store.db
    .prepare<[string, string, string], { id: string }>('SELECT id FROM iterations WHERE project_id = ? AND name = ? AND id != ?')
    .get(row.project_id, name, row.id);
  if (clash) throw badRequest('BadRequestIterationNameNotUnique', `Another iteration is already named "${name}".`);
  store.db.transaction(() => {
    if (input.isDefault === true) {
      if (row.status !== 'Completed') throw badRequest('BadRequestIterationIsNotTrained', 'Only a completed iteration can be the default.');
      store.db.prepare('UPDATE iterations SET is_default = 0 WHERE project_id = ?').run(row.project_id);
    }
    const isDefault = input.isDefault === undefined ? row.is_default : input.isDefault ? 1 : 0;
    store.db.prepare('UPDATE iterations SET name = ?, is_default = ?, last_modified = ? WHERE id = ?').run(name, isDefault, now(), row.id);
  })();
  return getIteration(store, projectId, iterationId);
}

export function deleteIteration(store: Store, projectId: string, iterationId: string): void {
  const row = iterationRow(store, projectId, iterationId);
  if (row.publish_name) {
    throw badRequest('BadRequestIterationIsPublished', `Iteration "${row.name}" is published as "${row.publish_name}": unpublish it first.`);
  }
  store.db.prepare('DELETE FROM iterations WHERE id = ?').run(row.id);
}

export function publishIteration(
  store: Store,
  projectId: string,
  iterationId: string,
  input: { publishName?: string; predictionId?: string; overwrite?: boolean },
): boolean {
  const row = iterationRow(store, projectId, iterationId);
  const publishName = (input.publishName ?? '').trim();
  if (!publishName || publishName.length > 256 || /[\\/?#%]/.test(publishName)) {
    throw badRequest('BadRequestInvalidPublishName', 'The publish name must be 1 to 256 characters, without / \\ ? # or %.');
  }
  if (!input.predictionId || !input.predictionId.trim()) {
    throw badRequest('BadRequestInvalidPublishTarget', 'Give the prediction resource id (predictionId) to publish to.');
  }
  if (row.status !== 'Completed') throw badRequest('BadRequestIterationIsNotTrained', `Iteration "${row.name}" is ${row.status}, not Completed.`);
  store.db.transaction(() => {
    const holder = store.db
      .prepare<[string, string], { id: string }>('SELECT id FROM iterations WHERE project_id = ? AND publish_name = ?')
      .get(row.project_id, publishName);
    if (holder && holder.id !== row.id) {
      if (!input.overwrite) {
        throw badRequest('BadRequestInvalidPublishName', `Another iteration is already published as "${publishName}": pass overwrite=true to move the name.`);
      }
      store.db.prepare('UPDATE iterations SET publish_name = NULL, publish_resource_id = NULL, last_modified = ? WHERE id = ?').run(now(), holder.id);
    }
    store.db
      .prepare('UPDATE iterations SET publish_name = ?, publish_resource_id = ?, last_modified = ? WHERE id = ?')
      .run(publishName, input.predictionId?.trim(), now(), row.id);
  })();
  return true;
}

export function unpublishIteration(store: Store, projectId: string, iterationId: string): void {
  const row = iterationRow(store, projectId, iterationId);
  if (!row.publish_name) throw badRequest('BadRequestIterationNotPublished', `Iteration "${row.name}" is not published.`);
  store.db.prepare('UPDATE iterations SET publish_name = NULL, publish_resource_id = NULL, last_modified = ? WHERE id = ?').run(now(), row.id);
}

/** The iteration a quick test uses when none is named: the default one, else the latest completed. */
export function defaultIteration(store: Store, project: ProjectRow): IterationRow {
  const row = store.db
    .prepare<[string], IterationRow>(
      `SELECT ${ITERATION_COLUMNS} FROM iterations WHERE project_id = ? AND status = 'Completed' ORDER BY is_default DESC, trained_at DESC, rowid DESC LIMIT 1`,
    )
    .get(project.id);
  if (!row) throw notFound('NotFoundProjectDefaultIteration', `Project ${project.id} has no trained iteration yet: train the project first.`);
  return row;
}

/** A row of iteration_images: a training image as the iteration saw it, with its held-out result once trained. */
export interface IterationImageRow {
  image_id: string;
  hash: string;
  width: number;
  height: number;
  created: string;
  /** JSON array of tag ids. */
  tag_ids: string;
  fold: number | null;
  /** JSON array of held-out probabilities, in output order. */
  held_out: string | null;
}

/** One training image as an iteration saw it, and the tags (model outputs) in output order. */
export interface TrainingSnapshot {
  images: { imageId: string; hash: string; width: number; height: number; created: string; tagIds: string[] }[];
  tags: { id: string; name: string; type: string }[];
}

/** Reads what training would use now: tagged images and the tags they carry. */
function snapshotWorkspace(store: Store, project: ProjectRow, selectedTags?: string[]): TrainingSnapshot {
  const rows = store.db
    .prepare<[string], { id: string; hash: string; width: number; height: number; created: string; tag_ids: string }>(
      `SELECT i.id, i.hash, i.width, i.height, i.created, json_group_array(it.tag_id) AS tag_ids
       FROM images i JOIN image_tags it ON it.image_id = i.id
       WHERE i.project_id = ? GROUP BY i.id ORDER BY i.created, i.rowid`,
    )
    .all(project.id);
  const selected = selectedTags?.length ? new Set(selectedTags.map((t) => t.toLowerCase())) : undefined;
  const images = rows
    .map((r) => ({
      imageId: r.id,
      hash: r.hash,
      width: r.width,
      height: r.height,
      created: r.created,
      tagIds: (JSON.parse(r.tag_ids) as string[]).filter((t) => !selected || selected.has(t)).sort(),
    }))
    .filter((i) => i.tagIds.length > 0);
  const used = new Set(images.flatMap((i) => i.tagIds));
  const tags = store.db
    .prepare<[string], { id: string; name: string; type: string }>('SELECT id, name, type FROM tags WHERE project_id = ? ORDER BY created, rowid')
    .all(project.id)
    .filter((t) => used.has(t.id));
  return { images, tags };
}

export function readSnapshot(store: Store, iterationId: string): TrainingSnapshot {
  const images = store.db
    .prepare<[string], IterationImageRow>('SELECT * FROM iteration_images WHERE iteration_id = ? ORDER BY rowid')
    .all(iterationId)
    .map((r) => ({ imageId: r.image_id, hash: r.hash, width: r.width, height: r.height, created: r.created, tagIds: JSON.parse(r.tag_ids) as string[] }));
  return { images, tags: snapshotTags(store, iterationId) };
}

/** The tags an iteration trained on, in model-output order (without reading its images). */
export function snapshotTags(store: Store, iterationId: string): TrainingSnapshot['tags'] {
  return store.db
    .prepare<[string], { tag_id: string; name: string; type: string }>('SELECT * FROM iteration_tags WHERE iteration_id = ? ORDER BY position')
    .all(iterationId)
    .map((t) => ({ id: t.tag_id, name: t.name, type: t.type }));
}

/** A comparable summary of what an iteration trains on, to detect "nothing new to train". */
function signature(snapshot: TrainingSnapshot, domainId: string, type: string): string {
  const pairs = snapshot.images.map((i) => `${i.hash}:${i.tagIds.join(',')}`).sort();
  return JSON.stringify([domainId, type, pairs]);
}

function validateForTraining(snapshot: TrainingSnapshot, type: ClassificationType): void {
  const fail = (message: string) => {
    throw badRequest('BadRequestTrainingValidationFailed', message);
  };
  if (snapshot.tags.length < 2) {
    fail(`Not enough tags for training: tag images with at least 2 tags (found ${snapshot.tags.length} tag(s) with images).`);
  }
  for (const tag of snapshot.tags) {
    const count = snapshot.images.filter((i) => i.tagIds.includes(tag.id)).length;
    if (count < MIN_IMAGES_PER_TAG) {
      fail(`Not enough images for training: tag "${tag.name}" has ${count} image(s); each tag needs at least ${MIN_IMAGES_PER_TAG}.`);
    }
  }
  if (type === 'Multiclass') {
    const multi = snapshot.images.filter((i) => i.tagIds.length > 1);
    if (multi.length) {
      throw badRequest(
        'BadRequestMultiClassClassificationTrainingValidationFailed',
        `A Multiclass project needs exactly one tag per image; ${multi.length} image(s) have several (first: ${multi[0].imageId}). Remove the extra tags or switch the project to Multilabel.`,
      );
    }
  }
}

export interface TrainOptions {
  trainingType?: string;
  reservedBudgetInHours?: number;
  forceTrain?: boolean;
  selectedTags?: string[];
}

/**
 * Validates the workspace, records a snapshot of it as a new iteration with status Training, and
 * returns it at once; the caller hands the iteration to the training queue.
 */
export function createIterationForTraining(store: Store, projectId: string, options: TrainOptions): Iteration {
  const project = requireProject(store, projectId);
  const trainingType = options.trainingType ?? 'Regular';
  if (trainingType !== 'Regular' && trainingType !== 'Advanced') {
    throw badRequest('BadRequest', `Unknown trainingType ${trainingType}: use Regular or Advanced.`);
  }
  const domain = findDomain(project.domain_id);
  if (!domain || domain.type !== 'Classification') {
    throw badRequest('BadRequestUnsupportedDomain', 'The local Custom Vision service trains image classification projects only.');
  }
  const running = store.db
    .prepare<[string], { id: string }>("SELECT id FROM iterations WHERE project_id = ? AND status = 'Training'")
    .get(project.id);
  if (running) throw badRequest('BadRequestTrainingAlreadyInProgress', `Iteration ${running.id} of this project is still training.`);

  const snapshot = snapshotWorkspace(store, project, options.selectedTags);
  validateForTraining(snapshot, project.classification_type);
  const latest = store.db
    .prepare<[string], IterationRow>(`SELECT ${ITERATION_COLUMNS} FROM iterations WHERE project_id = ? AND status = 'Completed' ORDER BY trained_at DESC, rowid DESC LIMIT 1`)
    .get(project.id);
  // An iteration trained on an earlier backbone cannot predict any more: training is needed again.
  const latestModel = latest ? iterationModel(store, latest.id) : undefined;
  if (latest && latestModel && onCurrentBackbone(store, latestModel) && !options.forceTrain) {
    const previous = readSnapshot(store, latest.id);
    if (signature(previous, latest.domain_id, latest.classification_type) === signature(snapshot, project.domain_id, project.classification_type)) {
      throw badRequest('BadRequestTrainingNotNeeded', 'Nothing changed since the last iteration: add or retag images (or pass forceTrain=true) before training again.');
    }
  }

  const numbers = store.db
    .prepare<[string], { name: string }>('SELECT name FROM iterations WHERE project_id = ?')
    .all(project.id)
    .map((r) => Number(/^Iteration (\d+)$/.exec(r.name)?.[1] ?? 0));
  const created = now();
  const row: IterationRow = {
    id: newId(),
    project_id: project.id,
    name: `Iteration ${Math.max(0, ...numbers) + 1}`,
    status: 'Training',
    created,
    last_modified: created,
    trained_at: null,
    domain_id: project.domain_id,
    classification_type: project.classification_type,
    training_type: trainingType,
    reserved_budget_in_hours: options.reservedBudgetInHours ?? 0,
    is_default: 0,
    publish_name: null,
    publish_resource_id: null,
    training_error: null,
    training_time_ms: null,
  };
  const insertImage = store.db.prepare(
    `INSERT INTO iteration_images (iteration_id, image_id, hash, width, height, created, tag_ids)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTag = store.db.prepare('INSERT INTO iteration_tags (iteration_id, position, tag_id, name, type) VALUES (?, ?, ?, ?, ?)');
  store.db.transaction(() => {
    store.db
      .prepare(
        `INSERT INTO iterations (id, project_id, name, status, created, last_modified, trained_at, domain_id, classification_type,
         training_type, reserved_budget_in_hours, is_default, publish_name, publish_resource_id, training_error, training_time_ms)
         VALUES (@id, @project_id, @name, @status, @created, @last_modified, @trained_at, @domain_id, @classification_type,
         @training_type, @reserved_budget_in_hours, @is_default, @publish_name, @publish_resource_id, @training_error, @training_time_ms)`,
      )
      .run(row);
    snapshot.tags.forEach((t, position) => insertTag.run(row.id, position, t.id, t.name, t.type));
    for (const i of snapshot.images) insertImage.run(row.id, i.imageId, i.hash, i.width, i.height, i.created, JSON.stringify(i.tagIds));
  })();
  return toIteration(row);
}

/** The iteration published under this name in the project, as the Prediction API addresses it. */
export function publishedIteration(store: Store, projectId: string, publishName: string): IterationRow {
  const project = requireProject(store, projectId);
  const row = store.db
    .prepare<[string, string], IterationRow>(`SELECT ${ITERATION_COLUMNS} FROM iterations WHERE project_id = ? AND publish_name = ?`)
    .get(project.id, publishName);
  if (!row) {
    throw notFound('NotFoundIteration', `No iteration of project ${project.id} is published as "${publishName}": publish one with PublishIteration first.`);
  }
  return row;
}
