/** @module Training API: GetArtifact, the files an iteration's training produced (see projects/artifacts.ts). */
import type { FastifyInstance } from 'fastify';
import { getArtifact } from '../../projects/artifacts';
import * as p from '../params';
import { projectIdOf, type Req } from './request';

export function registerArtifactRoutes(app: FastifyInstance): void {
  app.get('/projects/:projectId/artifacts', async (req: Req, reply) => {
    const artifact = getArtifact(req.store, projectIdOf(req), p.requiredString(req.query, 'path'));
    return reply.type(artifact.contentType).send(artifact.body);
  });
}
