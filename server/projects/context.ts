/** @module What every project operation works on: the repositories, the image store, the backbone and the clock. */
import { randomUUID } from 'node:crypto';
import type { BlobStore } from '../store/blobs';
import type { ClassificationType, Repositories } from '../store/repositories';

/** The repositories (metadata), the blob store (image bytes) and the backbone in use. */
export interface Store extends Repositories {
  blobs: BlobStore;
  /** Fingerprint of the backbone the service computes features with: heads trained on another cannot predict. */
  backbone: string;
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
