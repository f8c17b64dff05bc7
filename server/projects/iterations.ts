/** @module Iterations: training requests and their validation, the iteration lifecycle, publishing. */
import { badRequest, notFound } from '../errors';
import { namesResource } from '../resources/resource';
import type { IterationRecord, IterationStatus, ProjectRecord } from '../store/repositories';
import { newId, now, type ClassificationType, type Store } from './context';
import { findDomain } from './domains';
import { iterationModel, onCurrentBackbone } from './heads';
import { checkedName, checkedText, LIMITS } from './limits';
import { LOCAL_EXPORT_PLATFORMS } from './platforms';
import { requireProject } from './projects';
import { checkIterationQuota } from './quota-checks';
import { readSnapshot, sameTraining, snapshotWorkspace, validateForTraining } from './snapshots';

export type { IterationStatus };

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

export function toIteration(record: IterationRecord): Iteration {
  const exportable = record.status === 'Completed' && (findDomain(record.domainId)?.exportable ?? false);
  return {
    id: record.id,
    name: record.name,
    status: record.status,
    created: record.created,
    lastModified: record.lastModified,
    trainedAt: record.trainedAt,
    projectId: record.projectId,
    exportable,
    exportableTo: exportable ? LOCAL_EXPORT_PLATFORMS : [],
    domainId: record.domainId,
    classificationType: record.classificationType,
    trainingType: record.trainingType,
    reservedBudgetInHours: record.reservedBudgetInHours,
    trainingTimeInMinutes: Math.ceil((record.trainingTimeMs ?? 0) / 60000),
    publishName: record.publishName,
    originalPublishResourceId: record.publishResourceId,
    customBaseModelInfo: null,
    trainingErrorDetails: record.trainingError,
  };
}

/** The iteration of the project by id (any case), or NotFoundIteration. */
export function iterationRow(store: Store, projectId: string, iterationId: string): IterationRecord {
  const project = requireProject(store, projectId);
  const iteration = store.iterations.inProject(project.id, iterationId.toLowerCase());
  if (!iteration) throw notFound('NotFoundIteration', `Iteration ${iterationId} not found in project ${projectId}.`);
  return iteration;
}

export function listIterations(store: Store, projectId: string): Iteration[] {
  const project = requireProject(store, projectId);
  return store.iterations.list(project.id).map(toIteration);
}

export function getIteration(store: Store, projectId: string, iterationId: string): Iteration {
  return toIteration(iterationRow(store, projectId, iterationId));
}

export function updateIteration(store: Store, projectId: string, iterationId: string, input: { name?: string; isDefault?: boolean }): Iteration {
  const current = iterationRow(store, projectId, iterationId);
  const name = input.name === undefined ? current.name : checkedName(input.name, { what: 'The iteration name', max: LIMITS.iterationNameLength, code: 'BadRequestIterationName' });
  const clash = store.iterations.named(current.projectId, name);
  if (clash && clash.id !== current.id) throw badRequest('BadRequestIterationNameNotUnique', `Another iteration is already named "${name}".`);
  if (input.isDefault === true && current.status !== 'Completed') {
    throw badRequest('BadRequestIterationIsNotTrained', 'Only a completed iteration can be the default.');
  }
  store.atomically(() => {
    // A project has one default iteration at most.
    if (input.isDefault === true) store.iterations.clearDefault(current.projectId);
    store.iterations.update(current.id, { name, isDefault: input.isDefault ?? current.isDefault, lastModified: now() });
  });
  return getIteration(store, projectId, iterationId);
}

export function deleteIteration(store: Store, projectId: string, iterationId: string): void {
  const iteration = iterationRow(store, projectId, iterationId);
  if (iteration.publishName) {
    throw badRequest('BadRequestIterationIsPublished', `Iteration "${iteration.name}" is published as "${iteration.publishName}": unpublish it first.`);
  }
  store.iterations.delete(iteration.id);
}

export function publishIteration(
  store: Store,
  projectId: string,
  iterationId: string,
  input: { publishName?: string; predictionId?: string; overwrite?: boolean },
): boolean {
  const iteration = iterationRow(store, projectId, iterationId);
  const publishName = (input.publishName ?? '').trim();
  if (!publishName || publishName.length > LIMITS.publishNameLength || /[\\/?#%]/.test(publishName)) {
    throw badRequest('BadRequestInvalidPublishName', `The publish name must be 1 to ${LIMITS.publishNameLength} characters, without / \\ ? # or %.`);
  }
  const predictionId = input.predictionId?.trim();
  if (!predictionId) throw badRequest('BadRequestInvalidPublishTarget', 'Give the prediction resource id (predictionId) to publish to.');
  checkedText(predictionId, { what: 'The prediction resource id (predictionId)', max: LIMITS.resourceIdLength, code: 'BadRequestInvalidPublishTarget' });
  // A resource publishes to itself only: its prediction keys then reach what it published, and no other resource's do.
  if (!namesResource(predictionId, store.resource)) {
    const { name } = store.resource;
    throw badRequest(
      'BadRequestInvalidPublishTarget',
      `predictionId "${predictionId}" is not your prediction resource: publish to "${name}" (its name, or a resource id ending in /accounts/${name}), the resource your keys belong to.`,
    );
  }
  if (iteration.status !== 'Completed') throw badRequest('BadRequestIterationIsNotTrained', `Iteration "${iteration.name}" is ${iteration.status}, not Completed.`);
  const holder = store.iterations.publishedAs(iteration.projectId, publishName);
  if (holder && holder.id !== iteration.id && !input.overwrite) {
    throw badRequest('BadRequestInvalidPublishName', `Another iteration is already published as "${publishName}": pass overwrite=true to move the name.`);
  }
  store.atomically(() => {
    // A publish name addresses one iteration of the project: overwriting moves it.
    if (holder && holder.id !== iteration.id) store.iterations.unpublish(holder.id, now());
    store.iterations.publish(iteration.id, publishName, predictionId, now());
  });
  return true;
}

export function unpublishIteration(store: Store, projectId: string, iterationId: string): void {
  const iteration = iterationRow(store, projectId, iterationId);
  if (!iteration.publishName) throw badRequest('BadRequestIterationNotPublished', `Iteration "${iteration.name}" is not published.`);
  store.iterations.unpublish(iteration.id, now());
}

/** The iteration a quick test uses when none is named: the default one, else the latest completed. */
export function defaultIteration(store: Store, project: ProjectRecord): IterationRecord {
  const iteration = store.iterations.latestCompleted(project.id, { defaultFirst: true });
  if (!iteration) throw notFound('NotFoundProjectDefaultIteration', `Project ${project.id} has no trained iteration yet: train the project first.`);
  return iteration;
}

/** The iteration published under this name in the project, as the Prediction API addresses it. */
export function publishedIteration(store: Store, projectId: string, publishName: string): IterationRecord {
  const project = requireProject(store, projectId);
  const iteration = store.iterations.publishedAs(project.id, publishName);
  if (!iteration) {
    throw notFound('NotFoundIteration', `No iteration of project ${project.id} is published as "${publishName}": publish one with PublishIteration first.`);
  }
  return iteration;
}

export interface TrainOptions {
  trainingType?: string;
  reservedBudgetInHours?: number;
  forceTrain?: boolean;
  selectedTags?: string[];
}

/** The next free "Iteration <n>" name of the project. */
function nextIterationName(store: Store, projectId: string): string {
  const numbers = store.iterations.list(projectId).map((i) => Number(i.name.match(/^Iteration (\d+)$/)?.[1] ?? 0));
  return `Iteration ${Math.max(0, ...numbers) + 1}`;
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
  const domain = findDomain(project.domainId);
  if (!domain || domain.type !== 'Classification') {
    throw badRequest('BadRequestUnsupportedDomain', 'The local Custom Vision service trains image classification projects only.');
  }
  const running = store.iterations.training(project.id);
  if (running) throw badRequest('BadRequestTrainingAlreadyInProgress', `Iteration ${running.id} of this project is still training.`);
  checkIterationQuota(store, project.id);

  const snapshot = snapshotWorkspace(store, project.id, options.selectedTags);
  validateForTraining(snapshot, project.classificationType);
  const latest = store.iterations.latestCompleted(project.id, { defaultFirst: false });
  // An iteration trained on an earlier backbone cannot predict any more: training is needed again.
  const latestModel = latest ? iterationModel(store, latest.id) : undefined;
  if (latest && latestModel && onCurrentBackbone(store, latestModel) && !options.forceTrain) {
    if (sameTraining({ ...latest, snapshot: readSnapshot(store, latest.id) }, { ...project, snapshot })) {
      throw badRequest('BadRequestTrainingNotNeeded', 'Nothing changed since the last iteration: add or retag images (or pass forceTrain=true) before training again.');
    }
  }

  const created = now();
  const iteration: IterationRecord = {
    id: newId(),
    projectId: project.id,
    name: nextIterationName(store, project.id),
    status: 'Training',
    created,
    lastModified: created,
    trainedAt: null,
    domainId: project.domainId,
    classificationType: project.classificationType,
    trainingType,
    reservedBudgetInHours: options.reservedBudgetInHours ?? 0,
    isDefault: false,
    publishName: null,
    publishResourceId: null,
    trainingError: null,
    trainingTimeMs: null,
  };
  store.iterations.insert(iteration, snapshot);
  return toIteration(iteration);
}
