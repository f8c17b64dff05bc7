/** @module Calls QuickTestImage (multipart, one `imageData` part, as the SDK sends it) or QuickTestImageUrl for one iteration. */
import type { Api } from '../../api/client';
import type { ImagePrediction, PredictionQueryResult } from '../../api/types';

export type ImageSource = { kind: 'file'; file: File } | { kind: 'url'; url: string };

export interface QuickTestOutcome {
  source: ImageSource;
  prediction: ImagePrediction;
  /** The stored copy of a URL's image (same origin), when it could be found among the stored predictions. */
  storedImageUri?: string;
}

/** The answer carries no image URI; a quick test is stored, so its image is found among the newest predictions. */
async function storedImageUri(api: Api, projectId: string, prediction: ImagePrediction): Promise<string | undefined> {
  const answer = await api.training<PredictionQueryResult>('POST', `/projects/${projectId}/predictions/query`, {
    json: { maxCount: 20, orderBy: 'Newest', iterationId: prediction.iteration },
  });
  return answer.results.find((r) => r.id === prediction.id)?.resizedImageUri;
}

export async function runQuickTest(api: Api, projectId: string, iterationId: string, source: ImageSource): Promise<QuickTestOutcome> {
  const query = { iterationId };
  if (source.kind === 'file') {
    const form = new FormData();
    form.append('imageData', source.file, source.file.name);
    const prediction = await api.training<ImagePrediction>('POST', `/projects/${projectId}/quicktest/image`, { query, body: form });
    return { source, prediction };
  }
  const prediction = await api.training<ImagePrediction>('POST', `/projects/${projectId}/quicktest/url`, { query, json: { url: source.url } });
  // The preview is a nicety: the probabilities stand without it.
  const uri = await storedImageUri(api, projectId, prediction).catch(() => undefined);
  return { source, prediction, storedImageUri: uri };
}
