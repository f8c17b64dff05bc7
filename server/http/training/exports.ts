/** @module Training API: exporting an iteration (ONNX, Dockerfile) and listing its exports. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { iterationIdOf, projectIdOf, type Req } from './request';

export function registerExportRoutes(app: FastifyInstance, { exporter, links }: AppContext): void {
  app.post('/projects/:projectId/iterations/:iterationId/export', async (req: Req) =>
    exporter.request(
      req.store,
      projectIdOf(req),
      iterationIdOf(req),
      { platform: p.requiredString(req.query, 'platform'), flavor: p.optionalString(req.query, 'flavor') ?? null },
      links.forRequest(req),
    ),
  );
  app.get('/projects/:projectId/iterations/:iterationId/export', async (req: Req) => exporter.list(req.store, projectIdOf(req), iterationIdOf(req), links.forRequest(req)));
}
