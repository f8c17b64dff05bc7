/** @module Uploading images with their tag in batches of at most 64, with progress; re-runs add nothing twice. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';

/** The service's batch limit. */
export const MAX_BATCH = 64;

export interface UploadProgress {
  done: number;
  total: number;
  added: number;
  duplicates: number;
  failed: { file: string; status: string }[];
}

export interface UploadOptions {
  batchSize?: number;
  onProgress?: (progress: UploadProgress) => void;
}

/**
 * Uploads files with one tag, `batchSize` (at most 64) per request. Images already in the project
 * come back as OKDuplicate and are counted, not added again; any other status is collected in `failed`.
 */
export async function uploadImages(
  trainer: TrainingAPIClient,
  projectId: string,
  files: string[],
  tagId: string,
  options: UploadOptions = {},
): Promise<UploadProgress> {
  const batchSize = Math.min(options.batchSize ?? MAX_BATCH, MAX_BATCH);
  const progress: UploadProgress = { done: 0, total: files.length, added: 0, duplicates: 0, failed: [] };
  for (let start = 0; start < files.length; start += batchSize) {
    const batch = files.slice(start, start + batchSize);
    const summary = await trainer.createImagesFromFiles(projectId, {
      images: batch.map((file) => ({ name: path.basename(file), contents: readFileSync(file), tagIds: [tagId] })),
    });
    (summary.images ?? []).forEach((result, i) => {
      if (result.status === 'OK') progress.added++;
      else if (result.status === 'OKDuplicate') progress.duplicates++;
      else progress.failed.push({ file: batch[i], status: result.status as string });
    });
    progress.done += batch.length;
    options.onProgress?.({ ...progress, failed: [...progress.failed] });
  }
  return progress;
}

/** A one-line text progress bar, e.g. `[##########----------] 225/450`. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}
