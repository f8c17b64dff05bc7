/** @module Uploading images with their tag in batches of at most 64, and a progress line per batch. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { idOf, type Lab, type Ref } from './clients';
import { sdkOptions } from './waiting';

/** The service's limit of images per request. */
export const MAX_BATCH = 64;

/** Running totals of an upload. */
export interface UploadProgress {
  done: number;
  total: number;
  added: number;
  duplicates: number;
  failed: { file: string; status: string }[];
}

/** `uploadImages`'s options. */
export interface UploadOptions {
  /** Images per request, at most (and by default) 64. */
  batchSize?: number;
  /** Called after each batch with the running totals. */
  onProgress?: (progress: UploadProgress) => void;
  /** Passed to every request: an upload stops at the batch in flight. */
  abortSignal?: AbortSignal;
}

/** A one-line text progress bar, e.g. `[##########----------] 225/450`. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}

/**
 * One line for a batch `createImagesFromFiles` answered: a progress bar of `done` images out of
 * `total`, how many of the batch were new and how many already there (same content), and each failure.
 */
export function batchProgress(label: string, done: number, total: number, summary: TrainingAPIModels.ImageCreateSummary): string {
  const results = summary.images ?? [];
  const added = results.filter((r) => r.status === 'OK').length;
  const duplicates = results.filter((r) => r.status === 'OKDuplicate').length;
  const failures = results.filter((r) => r.status !== 'OK' && r.status !== 'OKDuplicate').map((r) => `\n  ! ${r.sourceUrl ?? r.image?.id ?? 'an image'}: ${r.status}`);
  return `${label.padEnd(22)} ${progressBar(done, total)}  this batch: ${added} new, ${duplicates} already there${failures.join('')}`;
}

/**
 * Uploads files with one tag, `batchSize` (at most 64) per `createImagesFromFiles` request. Images
 * already in the project come back as OKDuplicate and are counted, not added again; any other
 * status is collected in `failed`.
 */
export async function uploadImages(lab: Pick<Lab, 'trainer'>, project: Ref, files: string[], tag: Ref, options: UploadOptions = {}): Promise<UploadProgress> {
  const projectId = idOf(project, 'project');
  const tagId = idOf(tag, 'tag');
  const batchSize = Math.min(options.batchSize ?? MAX_BATCH, MAX_BATCH);
  const progress: UploadProgress = { done: 0, total: files.length, added: 0, duplicates: 0, failed: [] };
  for (let start = 0; start < files.length; start += batchSize) {
    const batch = files.slice(start, start + batchSize);
    const images = batch.map((file) => ({ name: path.basename(file), contents: readFileSync(file), tagIds: [tagId] }));
    const summary = await lab.trainer.createImagesFromFiles(projectId, { images }, sdkOptions(options.abortSignal));
    (summary.images ?? []).forEach((result, i) => {
      if (result.status === 'OK') progress.added++;
      else if (result.status === 'OKDuplicate') progress.duplicates++;
      else progress.failed.push({ file: batch[i], status: String(result.status) });
    });
    progress.done += batch.length;
    options.onProgress?.({ ...progress, failed: [...progress.failed] });
  }
  return progress;
}
