/**
 * @module Sends files to CreateImagesFromData, 64 per multipart request (one part per file), and
 * reports each file's status as the API gives it. Files over the API's size limit are not sent.
 */
import { ApiError, type Api } from '../../api/client';
import type { ImageCreateSummary } from '../../api/types';
import { describeError } from '../../components/describe-error';
import { chunks } from './image-api';

/** The API's limit per training image (the service's LIMITS.trainingImageBytes). */
export const MAX_IMAGE_BYTES = 6 * 1024 * 1024;

export interface FileUpload {
  file: File;
  /** queued, uploading, or the API's ImageCreateStatus (OK, OKDuplicate, ErrorImageFormat…), or a request error's code. */
  status: string;
  /** Set when the words are not the status's own: a refused request's message. */
  message?: string;
}

export function queueFiles(files: readonly File[]): FileUpload[] {
  return files.map((file) => (file.size > MAX_IMAGE_BYTES ? { file, status: 'ErrorImageSize', message: `ErrorImageSize: ${(file.size / 1048576).toFixed(1)} MB, over the API's 6 MB per image: not sent` } : { file, status: 'queued' }));
}

/** The summary's results in the batch's order; a result naming its file (sourceUrl) is matched by name. */
function statusesOf(batch: readonly FileUpload[], summary: ImageCreateSummary): string[] {
  const byName = new Map<string, string[]>();
  summary.images.forEach((r) => {
    const name = r.sourceUrl?.replace(/^"|"$/g, '');
    if (name) byName.set(name, [...(byName.get(name) ?? []), r.status]);
  });
  return batch.map((u, i) => byName.get(u.file.name)?.shift() ?? summary.images[i]?.status ?? 'ErrorUnknown');
}

/**
 * Uploads the queued files with the chosen tags, a batch at a time; `onChange` gets the whole
 * list after every step so the page can show each file's status as it changes.
 */
export async function uploadFiles(api: Api, projectId: string, uploads: readonly FileUpload[], tagIds: readonly string[], onChange: (uploads: FileUpload[]) => void): Promise<void> {
  const current = [...uploads];
  const set = (positions: readonly number[], change: (u: FileUpload, k: number) => FileUpload) => {
    positions.forEach((p, k) => (current[p] = change(current[p], k)));
    onChange([...current]);
  };
  const queued = current.flatMap((u, p) => (u.status === 'queued' ? [p] : []));
  for (const batch of chunks(queued)) {
    set(batch, (u) => ({ ...u, status: 'uploading' }));
    const form = new FormData();
    for (const p of batch) form.append('imageData', current[p].file, current[p].file.name);
    try {
      const summary = await api.training<ImageCreateSummary>('POST', `/projects/${projectId}/images`, { query: { tagIds: tagIds.length ? tagIds : undefined }, body: form });
      const statuses = statusesOf(batch.map((p) => current[p]), summary);
      set(batch, (u, k) => ({ ...u, status: statuses[k] }));
    } catch (error) {
      // The whole request was refused: every file of it gets the API's reason.
      const code = error instanceof ApiError ? error.code : 'Error';
      set(batch, (u) => ({ ...u, status: code, message: describeError(error) }));
    }
  }
}
