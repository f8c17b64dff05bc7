/** @module The Prediction API routes: classify an image or an image URL with a published iteration. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../errors';
import { publishedIteration } from '../projects/iterations';
import type { AppOptions } from './app';
import * as p from './params';
import { readImageUrl, readSingleImage } from './uploads';

/** The spec's limit for prediction images (4 MB). */
export const PREDICTION_IMAGE_BYTES = 4 * 1024 * 1024;

type Req = FastifyRequest<{ Params: { projectId: string; publishedName: string }; Querystring: Record<string, string> }>;

export function registerPredictionRoutes(app: FastifyInstance, options: AppOptions): void {
  const { store, predictor } = options;
  const iterationOf = (req: Req) => publishedIteration(store, p.uuid(req.params.projectId, 'projectId'), req.params.publishedName);

  const imageRoute = (storeResult: boolean) => async (req: Req) => {
    const iteration = iterationOf(req);
    const bytes = await readSingleImage(req);
    return predictor.classify(iteration, bytes, { maxBytes: PREDICTION_IMAGE_BYTES, store: storeResult });
  };
  const urlRoute = (storeResult: boolean) => async (req: Req) => {
    const iteration = iterationOf(req);
    const bytes = await readImageUrl(req, { maxBytes: PREDICTION_IMAGE_BYTES, allowPrivate: options.allowPrivateUrls });
    return predictor.classify(iteration, bytes, { maxBytes: PREDICTION_IMAGE_BYTES, store: storeResult });
  };

  const base = '/:projectId/classify/iterations/:publishedName';
  app.post(`${base}/image`, imageRoute(true));
  app.post(`${base}/image/nostore`, imageRoute(false));
  app.post(`${base}/url`, urlRoute(true));
  app.post(`${base}/url/nostore`, urlRoute(false));

  const detect = async () => {
    throw badRequest('BadRequestNotSupported', 'Object detection is not supported by the local Custom Vision service: use the classify routes of an image classification project.');
  };
  for (const suffix of ['image', 'image/nostore', 'url', 'url/nostore']) app.post(`/:projectId/detect/iterations/:publishedName/${suffix}`, detect);
}
