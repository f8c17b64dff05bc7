/** @module Projects: create, list, read, update and delete, with the spec's validation rules. */
import { badRequest, notFound } from '../errors';
import { trainingAugmentations } from '../ml/config';
import type { ProjectRecord } from '../store/repositories';
import { CLASSIFICATION_TYPES, newId, now, type ClassificationType, type Store } from './context';
import { DEFAULT_DOMAIN_ID, findDomain } from './domains';
import { checkedName, checkedText, LIMITS } from './limits';
import { EXPORT_PLATFORMS } from './platforms';
import { checkProjectQuota } from './quota-checks';

export interface Project {
  id: string;
  name: string;
  description: string | null;
  settings: {
    domainId: string;
    classificationType: ClassificationType;
    targetExportPlatforms: string[];
    useNegativeSet: boolean;
    detectionParameters: null;
    imageProcessingSettings: { augmentationMethods: Record<string, boolean> };
  };
  created: string;
  lastModified: string;
  thumbnailUri: null;
  drModeEnabled: boolean;
  status: 'Succeeded';
}

function toProject(record: ProjectRecord): Project {
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    settings: {
      domainId: record.domainId,
      classificationType: record.classificationType,
      targetExportPlatforms: record.targetExportPlatforms,
      // What the trainer really does: no negative set of its own (Azure adds one; the project's
      // Negative-tagged images are trained whenever there are some), and its training augmentations.
      useNegativeSet: false,
      detectionParameters: null,
      imageProcessingSettings: { augmentationMethods: trainingAugmentations() },
    },
    created: record.created,
    lastModified: record.lastModified,
    thumbnailUri: null,
    drModeEnabled: false,
    status: 'Succeeded',
  };
}

/** The project by id (any case), or NotFoundProject. */
export function requireProject(store: Store, projectId: string): ProjectRecord {
  const project = store.projects.byId(projectId.toLowerCase());
  if (!project) throw notFound('NotFoundProject', `Project ${projectId} not found.`);
  return project;
}

export function getProject(store: Store, projectId: string): Project {
  return toProject(requireProject(store, projectId));
}

export function listProjects(store: Store): Project[] {
  return store.projects.all().map(toProject);
}

const checkName = (name: string | undefined) => checkedName(name, { what: 'The project name', max: LIMITS.projectNameLength, code: 'BadRequestProjectName' });
const checkDescription = <T extends string | null | undefined>(text: T) =>
  checkedText(text, { what: 'The project description', max: LIMITS.descriptionLength, code: 'BadRequestProjectDescription' });

function checkDomain(domainId: string): string {
  const domain = findDomain(domainId);
  if (!domain) throw badRequest('BadRequestProjectUnknownDomain', `Unknown domain ${domainId}.`);
  if (domain.type !== 'Classification') {
    throw badRequest(
      'BadRequestUnsupportedDomain',
      `Domain "${domain.name}" is an object detection domain: the local Custom Vision service trains image classification projects only.`,
    );
  }
  return domain.id;
}

function checkClassificationType(value: string | undefined): ClassificationType {
  const type = (value ?? 'Multiclass') as ClassificationType;
  if (!CLASSIFICATION_TYPES.includes(type)) {
    throw badRequest('BadRequestProjectUnknownClassification', `Unknown classification type ${value}: use Multiclass or Multilabel.`);
  }
  return type;
}

function checkPlatforms(platforms: string[]): string[] {
  for (const p of platforms) {
    if (!EXPORT_PLATFORMS.includes(p)) {
      throw badRequest('BadRequestProjectUnsupportedExportPlatform', `Unknown export platform ${p}.`);
    }
  }
  return platforms;
}

/** Azure Storage links (CreateProjectOptions, and read-only in ProjectSettings): the local service writes to no Azure Storage. */
interface StorageLinks {
  exportModelContainerUri?: unknown;
  notificationQueueUri?: unknown;
}

function checkNoStorage({ exportModelContainerUri, notificationQueueUri }: StorageLinks): void {
  for (const [name, value] of Object.entries({ exportModelContainerUri, notificationQueueUri })) {
    if (value !== undefined && value !== null && value !== '') {
      throw badRequest('BadRequestNotSupported', `${name}: the local Custom Vision service writes to no Azure Storage container or queue; leave it out.`);
    }
  }
}

/**
 * Settings the trainer does not choose per project: accepted when they say what it does (as a
 * client sends back the project it read), refused with the reason otherwise, never ignored.
 */
export interface FixedSettings extends StorageLinks {
  useNegativeSet?: unknown;
  detectionParameters?: unknown;
  imageProcessingSettings?: unknown;
}

function checkAugmentations(settings: unknown): void {
  if (settings === undefined || settings === null) return;
  const methods = (settings as { augmentationMethods?: unknown }).augmentationMethods;
  if (typeof settings !== 'object' || (methods !== undefined && methods !== null && (typeof methods !== 'object' || Array.isArray(methods)))) {
    throw badRequest('BadRequestProjectImagePreprocessingSettings', 'imageProcessingSettings must be { "augmentationMethods": { "<method>": true | false } }.');
  }
  const done: Record<string, boolean> = trainingAugmentations();
  for (const [name, wanted] of Object.entries(methods ?? {})) {
    const does = done[name] ?? false;
    if (typeof wanted !== 'boolean') throw badRequest('BadRequestProjectImagePreprocessingSettings', `augmentationMethods.${name} must be true or false.`);
    if (wanted !== does) {
      throw badRequest(
        'BadRequestProjectImagePreprocessingSettings',
        `augmentationMethods.${name}: the local trainer ${does ? 'always uses' : 'does not use'} ${name in done ? `"${name}"` : `an augmentation named "${name}"`} and cannot be set otherwise; it uses ${JSON.stringify(done)}.`,
      );
    }
  }
}

function checkFixedSettings(settings: FixedSettings): void {
  if (settings.useNegativeSet === true) {
    throw badRequest('BadRequestNotSupported', 'useNegativeSet: the local trainer has no negative set of its own; tag images with the project\'s Negative tag instead.');
  }
  if (settings.detectionParameters !== undefined && settings.detectionParameters !== null && settings.detectionParameters !== '') {
    throw badRequest('BadRequestNotSupported', 'detectionParameters: the local Custom Vision service trains image classification projects only.');
  }
  checkAugmentations(settings.imageProcessingSettings);
  checkNoStorage(settings);
}

export interface CreateProjectInput {
  name?: string;
  description?: string;
  domainId?: string;
  classificationType?: string;
  targetExportPlatforms?: string[];
  /** The request body's CreateProjectOptions. */
  options?: StorageLinks;
}

export function createProject(store: Store, input: CreateProjectInput): Project {
  checkNoStorage(input.options ?? {});
  checkProjectQuota(store);
  const created = now();
  const project: ProjectRecord = {
    id: newId(),
    name: checkName(input.name),
    description: checkDescription(input.description) ?? null,
    domainId: checkDomain(input.domainId ?? DEFAULT_DOMAIN_ID),
    classificationType: checkClassificationType(input.classificationType),
    targetExportPlatforms: checkPlatforms(input.targetExportPlatforms ?? []),
    created,
    lastModified: created,
  };
  store.projects.insert(project);
  return toProject(project);
}

export interface UpdateProjectInput {
  name?: string;
  description?: string | null;
  settings?: { domainId?: string; classificationType?: string; targetExportPlatforms?: string[] } & FixedSettings;
}

export function updateProject(store: Store, projectId: string, input: UpdateProjectInput): Project {
  const current = requireProject(store, projectId);
  const settings = input.settings ?? {};
  checkFixedSettings(settings);
  const updated: ProjectRecord = {
    ...current,
    name: input.name === undefined ? current.name : checkName(input.name),
    description: input.description === undefined ? current.description : checkDescription(input.description),
    domainId: settings.domainId === undefined ? current.domainId : checkDomain(settings.domainId),
    classificationType: settings.classificationType === undefined ? current.classificationType : checkClassificationType(settings.classificationType),
    targetExportPlatforms: settings.targetExportPlatforms === undefined ? current.targetExportPlatforms : checkPlatforms(settings.targetExportPlatforms),
    lastModified: now(),
  };
  store.projects.update(updated);
  return toProject(updated);
}

/**
 * Deletes the project with its tags, images, iterations and stored predictions. A training
 * still running for it finishes into nothing: the queue drops results of deleted iterations.
 */
export function deleteProject(store: Store, projectId: string): void {
  store.projects.delete(requireProject(store, projectId).id);
}
