/** @module Training API: a project's tags. */
import type { FastifyInstance } from 'fastify';
import * as tags from '../../projects/tags';
import * as p from '../params';
import { projectIdOf, tagIdOf, type Req } from './request';

export function registerTagRoutes(app: FastifyInstance): void {
  app.get('/projects/:projectId/tags', async (req: Req) => tags.listTags(req.store, projectIdOf(req), p.optionalUuid(req.query, 'iterationId')));
  app.post('/projects/:projectId/tags', async (req: Req) =>
    tags.createTag(req.store, projectIdOf(req), {
      name: p.requiredString(req.query, 'name'),
      description: p.optionalString(req.query, 'description'),
      type: p.optionalString(req.query, 'type'),
    }),
  );
  app.get('/projects/:projectId/tags/:tagId', async (req: Req) =>
    tags.getTag(req.store, projectIdOf(req), tagIdOf(req), p.optionalUuid(req.query, 'iterationId')),
  );
  app.patch('/projects/:projectId/tags/:tagId', async (req: Req) => {
    const body = p.objectBody(req.body, 'a Tag');
    return tags.updateTag(req.store, projectIdOf(req), tagIdOf(req), {
      name: p.optionalStringField(body, 'name'),
      description: body.description === null ? null : p.optionalStringField(body, 'description'),
      type: p.optionalStringField(body, 'type'),
    });
  });
  app.delete('/projects/:projectId/tags/:tagId', async (req: Req, reply) => {
    tags.deleteTag(req.store, projectIdOf(req), tagIdOf(req));
    return reply.status(204).send();
  });
}
