/** @module The Prediction API: classify an image or an image URL with a published iteration. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { classifyWithPublished } from '../projects/classify';
import { fetchImageToClassify } from '../projects/image-urls';
import type { AppContext } from './app-context';
import * as p from './params';
import { readImageUrl, readSingleImage } from './uploads';

type Req = FastifyRequest<{ Params: { projectId: string; publishedName: string }; Querystring: Record<string, string> }>;

export function registerPredictionRoutes(app: FastifyInstance, { predictor, allowPrivateUrls, urlFetches }: AppContext): void {
  const classify = (req: Req, image: (maxBytes: number) => Promise<Buffer>, storeResult: boolean) =>
    classifyWithPublished(req.store, predictor, p.uuid(req.params.projectId, 'projectId'), req.params.publishedName, image, {
      store: storeResult,
      application: p.optionalString(req.query, 'application') || undefined,
    });
  const imageRoute = (storeResult: boolean) => async (req: Req) => classify(req, (maxBytes) => readSingleImage(req, maxBytes), storeResult);
  const urlRoute = (storeResult: boolean) => async (req: Req) =>
    classify(req, (maxBytes) => fetchImageToClassify(readImageUrl(req), req.resource.name, { maxBytes, allowPrivate: allowPrivateUrls, slots: urlFetches }), storeResult);

  const base = '/:projectId/classify/iterations/:publishedName';
  app.post(`${base}/image`, imageRoute(true));
  app.post(`${base}/image/nostore`, imageRoute(false));
  app.post(`${base}/url`, urlRoute(true));
  app.post(`${base}/url/nostore`, urlRoute(false));
}
