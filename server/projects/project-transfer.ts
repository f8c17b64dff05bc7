/**
 * @module Copying a project within this service: ExportProject takes a snapshot of the project
 * and answers a token; ImportProject makes a new project from the snapshot that token names.
 */
import { randomBytes } from 'node:crypto';
import { badRequest } from '../errors';
import { sha256 } from '../store/blobs';
import type { ProjectSnapshot } from '../store/repositories';
import { newId, type Store } from './context';
import { createProject, requireProject, type Project } from './projects';
import { checkImportQuota } from './quota-checks';

/** How long a token can be imported. A snapshot keeps its images' bytes alive, so it must not live forever. */
export const TRANSFER_VALIDITY_MS = 24 * 60 * 60 * 1000;

export interface ProjectExport {
  iterationCount: number;
  imageCount: number;
  tagCount: number;
  regionCount: number;
  estimatedImportTimeInMS: number;
  token: string;
}

/** Only the token's hash is stored: the database alone does not let anyone import. */
const hashOf = (token: string): string => sha256(Buffer.from(token));

/**
 * Snapshots the project as it is now (settings, tags, images with their tags and metadata) under
 * a new unguessable token. Iterations are not exported: the copy trains again (iterationCount 0).
 */
export function exportProject(store: Store, projectId: string): ProjectExport {
  const project = requireProject(store, projectId);
  const snapshot: ProjectSnapshot = {
    name: project.name,
    description: project.description,
    domainId: project.domainId,
    classificationType: project.classificationType,
    targetExportPlatforms: project.targetExportPlatforms,
    tags: store.tags.list(project.id).map(({ id, name, description, type }) => ({ id, name, description, type })),
    images: store.transfers.imagesOf(project.id),
  };
  const token = randomBytes(32).toString('base64url');
  const created = new Date();
  store.atomically(() => {
    store.transfers.deleteExpired(created.toISOString());
    store.transfers.insert(hashOf(token), {
      projectId: project.id,
      created: created.toISOString(),
      expires: new Date(created.getTime() + TRANSFER_VALIDITY_MS).toISOString(),
      snapshot,
    });
  });
  return {
    iterationCount: 0,
    imageCount: snapshot.images.length,
    tagCount: snapshot.tags.length,
    regionCount: 0,
    // Rows only: the image bytes are content-addressed and shared, never copied.
    estimatedImportTimeInMS: Math.ceil(10 + snapshot.images.length * 0.05),
    token,
  };
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The name asked for (refused if another project has it), or the source's, numbered when taken. */
function importName(store: Store, snapshot: ProjectSnapshot, requested: string | undefined): string {
  const taken = store.projects.all().map((p) => p.name);
  if (requested !== undefined) {
    if (taken.some((n) => sameName(n, requested))) {
      throw badRequest('BadRequestProjectNameNotUnique', `A project named "${requested.trim()}" already exists: choose another name for the import.`);
    }
    return requested;
  }
  for (let n = 1; ; n++) {
    const name = n === 1 ? snapshot.name : `${snapshot.name.slice(0, 190)} (${n})`;
    if (!taken.some((t) => sameName(t, name))) return name;
  }
}

/**
 * A new project made from the snapshot, all at once (one transaction): the settings, tags and
 * images as they were when exported, whatever happened to the source since. A token can be
 * imported more than once while it is valid, each time into a new project.
 */
export function importProject(store: Store, token: string, name: string | undefined): Project {
  const transfer = store.transfers.byTokenHash(hashOf(token));
  if (!transfer) throw badRequest('BadRequestInvalidImportToken', 'The import token is not one this service gave (ExportProject on this service makes one).');
  if (transfer.expires <= new Date().toISOString()) {
    throw badRequest('BadRequestInvalidImportToken', `The import token expired at ${transfer.expires}: export the project again for a new one.`);
  }
  const { snapshot } = transfer;
  checkImportQuota(store, snapshot.images.length);
  return store.atomically(() => {
    const project = createProject(store, {
      name: importName(store, snapshot, name),
      description: snapshot.description ?? undefined,
      domainId: snapshot.domainId,
      classificationType: snapshot.classificationType,
      targetExportPlatforms: snapshot.targetExportPlatforms,
    });
    const tagIds = new Map<string, string>();
    for (const tag of snapshot.tags) {
      tagIds.set(tag.id, newId());
      store.tags.insert({ id: tagIds.get(tag.id) as string, projectId: project.id, name: tag.name, description: tag.description, type: tag.type, created: project.created });
    }
    for (const { tagIds: imageTags, ...image } of snapshot.images) {
      store.images.insert({ id: newId(), projectId: project.id, ...image }, imageTags.map((t) => tagIds.get(t) as string));
    }
    return project;
  });
}
