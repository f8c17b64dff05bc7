/** @module Training API: an iteration's cross-validated performance, overall and per image. */
import type { FastifyInstance } from 'fastify';
import { LIMITS } from '../../projects/limits';
import { imagePerformanceCount, imagePerformances, iterationPerformance } from '../../projects/performance';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { iterationIdOf, pageOf, projectIdOf, type Req } from './request';

export function registerPerformanceRoutes(app: FastifyInstance, { links }: AppContext): void {
  const base = '/projects/:projectId/iterations/:iterationId/performance';
  app.get(base, async (req: Req) =>
    iterationPerformance(req.store, projectIdOf(req), iterationIdOf(req), p.number(req.query, 'threshold', { min: 0, max: 1, fallback: 0.5 })),
  );
  app.get(`${base}/images`, async (req: Req) => {
    const projectId = projectIdOf(req);
    const iterationId = iterationIdOf(req);
    const page = { tagIds: p.uuidList(req.query, 'tagIds', LIMITS.tagsPerBatch), ...pageOf(req) };
    return imagePerformances(req.store, projectId, iterationId, page, links.forProject(req, projectId));
  });
  app.get(`${base}/images/count`, async (req: Req) =>
    imagePerformanceCount(req.store, projectIdOf(req), iterationIdOf(req), p.uuidList(req.query, 'tagIds', LIMITS.tagsPerBatch)),
  );
}
