/** @module Training API: exporting an iteration (ONNX, Dockerfile) and listing its exports. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { iterationIdOf, projectIdOf, type Req } from './request';

export function registerExportRoutes(app: FastifyInstance, { exporter, links }: AppContext): void {
  app.post('/projects/:projectId/iterations/:iterationId/export', async (req: Req) => {
    const projectId = projectIdOf(req);
    const iterationId = iterationIdOf(req);
    const target = { platform: p.requiredString(req.query, 'platform'), flavor: p.optionalString(req.query, 'flavor') ?? null };
    return exporter.request(req.store, projectId, iterationId, target, links.forProject(req, projectId));
  });
  app.get('/projects/:projectId/iterations/:iterationId/export', async (req: Req) => {
    const projectId = projectIdOf(req);
    return exporter.list(req.store, projectId, iterationIdOf(req), links.forProject(req, projectId));
  });
}
