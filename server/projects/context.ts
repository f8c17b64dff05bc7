/** @module What every project operation works on: the repositories as one resource sees them, the image store, the backbone and the clock. */
import { randomUUID } from 'node:crypto';
import type { Resource } from '../resources/resource';
import type { BlobStore } from '../store/blobs';
import type { ClassificationType, ProjectRepository, Repositories } from '../store/repositories';

/**
 * The repositories (metadata), the blob store (image bytes) and the backbone in use, shared by every
 * resource and without projects: what serves them all (the training queue, the predictor, the
 * exporter's builds, the blob sweep) works on iterations and hashes, never looks a project up.
 */
export interface SharedStore extends Repositories {
  blobs: BlobStore;
  /** Fingerprint of the backbone the service computes features with: heads trained on another cannot predict. */
  backbone: string;
}

/**
 * The storage as one resource sees it, which every rule takes: `projects` holds that resource's
 * projects only, and everything else of a project is reached through a project found there. So a
 * project of another resource is unknown (404) in every rule, with no check of its own.
 */
export interface Store extends SharedStore {
  resource: Resource;
  projects: ProjectRepository;
}

/** The service's storage: shared, and seen by each resource through `forResource`. */
export interface ServiceStore extends SharedStore {
  forResource(resource: Resource): Store;
}

/** Builds the service's storage; a resource's view is made once and reused (resource names are unique). */
export function serviceStore(shared: SharedStore, projectsOf: (resource: string) => ProjectRepository): ServiceStore {
  const views = new Map<string, Store>();
  const forResource = (resource: Resource): Store => {
    let view = views.get(resource.name);
    if (!view) views.set(resource.name, (view = { ...shared, resource, projects: projectsOf(resource.name) }));
    return view;
  };
  return { ...shared, forResource };
}

/** Builds the URIs under which the HTTP layer serves stored images. */
export interface ImageLinks {
  original(hash: string): string;
  resized(hash: string): string;
  thumbnail(hash: string): string;
}

/** Builds the key-less download link of an export package. */
export interface ExportLinks {
  exportPackage(token: string, fileName: string): string;
}

/** An image's three URIs as Image and StoredImagePrediction carry them. */
export function imageUris(links: ImageLinks, hash: string): { resizedImageUri: string; thumbnailUri: string; originalImageUri: string } {
  return { resizedImageUri: links.resized(hash), thumbnailUri: links.thumbnail(hash), originalImageUri: links.original(hash) };
}

export const now = (): string => new Date().toISOString();
export const newId = (): string => randomUUID();

export type { ClassificationType };
export const CLASSIFICATION_TYPES: readonly ClassificationType[] = ['Multiclass', 'Multilabel'];
