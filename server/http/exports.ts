/** @module Export routes: request and list exports (Training API), and download packages by their unguessable link (no key). */
import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Exporter } from '../projects/exports';
import { baseUrlOf } from './images';
import * as p from './params';

type Req = FastifyRequest<{ Params: { projectId: string; iterationId: string }; Querystring: Record<string, string> }>;

/** Under a Training API prefix (key checked there). */
export function registerExportRoutes(app: FastifyInstance, exporter: Exporter): void {
  app.post('/projects/:projectId/iterations/:iterationId/export', async (req: Req) =>
    exporter.request(
      p.uuid(req.params.projectId, 'projectId'),
      p.uuid(req.params.iterationId, 'iterationId'),
      p.requiredString(req.query, 'platform'),
      p.optionalString(req.query, 'flavor') ?? null,
      baseUrlOf(req),
    ),
  );
  app.get('/projects/:projectId/iterations/:iterationId/export', async (req: Req) =>
    exporter.list(p.uuid(req.params.projectId, 'projectId'), p.uuid(req.params.iterationId, 'iterationId'), baseUrlOf(req)),
  );
}

/** The download link works without a key, like the real service's SAS links. */
export function registerDownloadRoute(app: FastifyInstance, exporter: Exporter): void {
  app.get<{ Params: { token: string; name: string } }>('/customvision/exports/:token/:name', async (req, reply) => {
    const { file, name } = exporter.download(req.params.token);
    return reply.type('application/zip').header('Content-Disposition', `attachment; filename="${name}"`).send(createReadStream(file));
  });
}
