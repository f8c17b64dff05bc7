/** @module Training API: quick tests of an image or an image URL against any trained iteration. */
import type { FastifyInstance } from 'fastify';
import { quickTest } from '../../projects/classify';
import { fetchImageToClassify } from '../../projects/image-urls';
import { requireProject } from '../../projects/projects';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { readImageUrl, readSingleImage } from '../uploads';
import { projectIdOf, type Req } from './request';

export function registerQuickTestRoutes(app: FastifyInstance, { predictor, allowPrivateUrls, urlFetches }: AppContext): void {
  // The project is looked up before the parameters are read: an unknown project is a 404 whatever they say.
  const projectOf = (req: Req) => requireProject(req.store, projectIdOf(req));
  const testOf = (req: Req) => ({ iterationId: p.optionalUuid(req.query, 'iterationId'), store: p.boolean(req.query, 'store', true) });
  app.post('/projects/:projectId/quicktest/image', async (req: Req) => {
    const project = projectOf(req);
    return quickTest(req.store, predictor, project, (maxBytes) => readSingleImage(req, maxBytes), testOf(req));
  });
  app.post('/projects/:projectId/quicktest/url', async (req: Req) => {
    const project = projectOf(req);
    const fetchImage = (maxBytes: number) => fetchImageToClassify(readImageUrl(req), req.resource.name, { maxBytes, allowPrivate: allowPrivateUrls, slots: urlFetches });
    return quickTest(req.store, predictor, project, fetchImage, testOf(req));
  });
}
