/**
 * @module The checks a rule makes before it creates something counted by a quota of its resource:
 * projects per resource, images per project, iterations per project (what each quota is and its
 * default: resources/quotas.ts).
 */
import { badRequest } from '../errors';
import type { Store } from './context';

/** Before a project is created (or imported): the resource must have room for one more. */
export function checkProjectQuota(store: Store): void {
  const max = store.resource.quotas.maxProjects;
  if (!Number.isFinite(max)) return;
  const count = store.projects.all().length;
  if (count >= max) {
    throw badRequest('BadRequestExceedProjectLimit', `Resource ${store.resource.name} has ${count} projects, its quota (${max}): delete a project before creating another.`);
  }
}

/** How many more training images the project may take (Infinity when the resource has no such quota). */
export function imageRoom(store: Store, projectId: string): number {
  const max = store.resource.quotas.maxImagesPerProject;
  if (!Number.isFinite(max)) return Infinity;
  return Math.max(0, max - store.images.count(projectId, { taggingStatus: 'All' }));
}

/** Before an upload: refused outright when the project already holds its quota of images (a batch that crosses it gets ErrorLimitExceed per image). */
export function checkImageQuota(store: Store, projectId: string): void {
  const max = store.resource.quotas.maxImagesPerProject;
  if (imageRoom(store, projectId) > 0) return;
  throw badRequest('BadRequestImageExceededCount', `Project ${projectId} holds ${max} images, the quota of resource ${store.resource.name}: delete images before adding more.`);
}

/** Before an import: the imported project's images must fit the quota. */
export function checkImportQuota(store: Store, images: number): void {
  const max = store.resource.quotas.maxImagesPerProject;
  if (images <= max) return;
  throw badRequest('BadRequestImageExceededCount', `The exported project holds ${images} images, more than the quota of resource ${store.resource.name} (${max} per project).`);
}

/** Before training: the project must have room for one more iteration (Azure keeps 20; delete one to train again). */
export function checkIterationQuota(store: Store, projectId: string): void {
  const max = store.resource.quotas.maxIterations;
  if (!Number.isFinite(max)) return;
  const count = store.iterations.list(projectId).length;
  if (count >= max) {
    throw badRequest(
      'BadRequestExceedIterationPerProjectLimit',
      `Project ${projectId} has ${count} iterations, the quota of resource ${store.resource.name} (${max}): delete an iteration before training again.`,
    );
  }
}
