/** @module Projects: create, list, read, update and delete, with the spec's validation rules. */
import { badRequest, notFound } from '../errors';
import { CLASSIFICATION_TYPES, newId, now, type ClassificationType, type Store } from './context';
import { DEFAULT_DOMAIN_ID, findDomain } from './domains';
import { EXPORT_PLATFORMS } from './platforms';

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

interface ProjectRow {
  id: string;
  name: string;
  description: string | null;
  domain_id: string;
  classification_type: ClassificationType;
  target_export_platforms: string;
  created: string;
  last_modified: string;
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    settings: {
      domainId: row.domain_id,
      classificationType: row.classification_type,
      targetExportPlatforms: JSON.parse(row.target_export_platforms) as string[],
      useNegativeSet: true,
      detectionParameters: null,
      // The local trainer always augments with flips and rotations; see the README.
      imageProcessingSettings: { augmentationMethods: { flipping: true, rotation: true } },
    },
    created: row.created,
    lastModified: row.last_modified,
    thumbnailUri: null,
    drModeEnabled: false,
    status: 'Succeeded',
  };
}

function projectRow(store: Store, projectId: string): ProjectRow {
  const row = store.db.prepare<[string], ProjectRow>('SELECT * FROM projects WHERE id = ?').get(projectId.toLowerCase());
  if (!row) throw notFound('NotFoundProject', `Project ${projectId} not found.`);
  return row;
}

export function getProject(store: Store, projectId: string): Project {
  return toProject(projectRow(store, projectId));
}

export function listProjects(store: Store): Project[] {
  return store.db.prepare<[], ProjectRow>('SELECT * FROM projects ORDER BY created, rowid').all().map(toProject);
}

function checkName(name: string | undefined): string {
  const trimmed = (name ?? '').trim();
  if (!trimmed) throw badRequest('BadRequestProjectName', 'The project name must not be empty.');
  if (trimmed.length > 200) throw badRequest('BadRequestProjectName', 'The project name is longer than 200 characters.');
  return trimmed;
}

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

export interface CreateProjectInput {
  name?: string;
  description?: string;
  domainId?: string;
  classificationType?: string;
  targetExportPlatforms?: string[];
}

export function createProject(store: Store, input: CreateProjectInput): Project {
  const row: ProjectRow = {
    id: newId(),
    name: checkName(input.name),
    description: input.description ?? null,
    domain_id: checkDomain(input.domainId ?? DEFAULT_DOMAIN_ID),
    classification_type: checkClassificationType(input.classificationType),
    target_export_platforms: JSON.stringify(checkPlatforms(input.targetExportPlatforms ?? [])),
    created: now(),
    last_modified: now(),
  };
  store.db
    .prepare(
      `INSERT INTO projects (id, name, description, domain_id, classification_type, target_export_platforms, created, last_modified)
       VALUES (@id, @name, @description, @domain_id, @classification_type, @target_export_platforms, @created, @last_modified)`,
    )
    .run(row);
  return toProject(row);
}

export interface UpdateProjectInput {
  name?: string;
  description?: string | null;
  settings?: { domainId?: string; classificationType?: string; targetExportPlatforms?: string[] };
}

export function updateProject(store: Store, projectId: string, input: UpdateProjectInput): Project {
  const row = projectRow(store, projectId);
  const updated: ProjectRow = {
    ...row,
    name: input.name === undefined ? row.name : checkName(input.name),
    description: input.description === undefined ? row.description : input.description,
    domain_id: input.settings?.domainId === undefined ? row.domain_id : checkDomain(input.settings.domainId),
    classification_type:
      input.settings?.classificationType === undefined
        ? row.classification_type
        : checkClassificationType(input.settings.classificationType),
    target_export_platforms:
      input.settings?.targetExportPlatforms === undefined
        ? row.target_export_platforms
        : JSON.stringify(checkPlatforms(input.settings.targetExportPlatforms)),
    last_modified: now(),
  };
  store.db
    .prepare(
      `UPDATE projects SET name = @name, description = @description, domain_id = @domain_id,
       classification_type = @classification_type, target_export_platforms = @target_export_platforms,
       last_modified = @last_modified WHERE id = @id`,
    )
    .run(updated);
  return toProject(updated);
}

/**
 * Deletes the project with its tags, images, iterations and stored predictions (cascade). A
 * training still running for it finishes into nothing: the trainer drops results of deleted iterations.
 */
export function deleteProject(store: Store, projectId: string): void {
  const row = projectRow(store, projectId);
  store.db.prepare('DELETE FROM projects WHERE id = ?').run(row.id);
}

/** The project's id in canonical (lower-case) form, or NotFoundProject. */
export function requireProject(store: Store, projectId: string): ProjectRow {
  return projectRow(store, projectId);
}
export type { ProjectRow };
