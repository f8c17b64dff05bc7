/**
 * @module "Add to training images": CreateImagesFromPredictions with one tag, 64 predictions per
 * request (the API's batch limit), a result per prediction; then the ones now among the training
 * images are deleted from the stored predictions, as Custom Vision's portal does (the service
 * itself keeps them).
 */
import type { Api } from '../../api/client';
import type { ImageCreateSummary, StoredImagePrediction, Tag } from '../../api/types';
import { describeError } from '../../components/describe-error';

const BATCH_SIZE = 64;
/** Statuses after which the image is among the training images. */
const TAKEN = new Set(['OK', 'OKDuplicate']);

export interface PredictionAddResult {
  prediction: StoredImagePrediction;
  /** The API's per-image status (OK, OKDuplicate, ErrorSource…), or the error code of a refused request. */
  status: string;
  message: string;
}

export interface AddOutcome {
  tagName: string;
  results: PredictionAddResult[];
  /** Ids deleted from the stored predictions. */
  removed: string[];
  /** Why deleting the added predictions failed, if it did. */
  removeError?: unknown;
}

function statusMessage(status: string, tagName: string): string {
  switch (status) {
    case 'OK':
      return `added with tag ${tagName}`;
    case 'OKDuplicate':
      return 'already a training image: not added again, its tags unchanged';
    case 'ErrorSource':
      return 'its image is no longer stored';
    case 'ErrorInvalidTag':
      return `the tag ${tagName} no longer exists`;
    default:
      return 'not added';
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) out.push(items.slice(i, i + BATCH_SIZE));
  return out;
}

export async function addToTrainingImages(api: Api, projectId: string, predictions: readonly StoredImagePrediction[], tag: Tag): Promise<AddOutcome> {
  const results: PredictionAddResult[] = [];
  for (const batch of chunks(predictions)) {
    try {
      const summary = await api.training<ImageCreateSummary>('POST', `/projects/${projectId}/images/predictions`, {
        json: { images: batch.map((p) => ({ id: p.id, tagIds: [tag.id] })) },
      });
      // The summary lists the entries in the order sent.
      batch.forEach((prediction, index) => {
        const status = summary.images[index]?.status ?? 'NoAnswer';
        results.push({ prediction, status, message: statusMessage(status, tag.name) });
      });
    } catch (error) {
      // A refused request fails its whole batch; earlier batches stand, so each keeps its own result.
      for (const prediction of batch) results.push({ prediction, status: 'Refused', message: describeError(error) });
    }
  }
  const taken = results.filter((r) => TAKEN.has(r.status)).map((r) => r.prediction.id);
  try {
    await deletePredictions(api, projectId, taken);
    return { tagName: tag.name, results, removed: taken };
  } catch (removeError) {
    return { tagName: tag.name, results, removed: [], removeError };
  }
}

/** Deletes stored predictions, 64 ids per request. */
export async function deletePredictions(api: Api, projectId: string, ids: readonly string[]): Promise<void> {
  for (const chunk of chunks(ids)) await api.training('DELETE', `/projects/${projectId}/predictions`, { query: { ids: chunk } });
}
