/** @module Training API: the predictions stored by quick tests and the Prediction API. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors';
import { deletePredictions, queryPredictions, type PredictionQuery } from '../../projects/predictions';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { optionalObjectBody, projectIdOf, type Req } from './request';

function optionalNumber(body: Record<string, unknown>, name: string, integer = false): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw badRequest('BadRequest', `The body's "${name}" must be ${integer ? 'an integer' : 'a number'}.`);
  }
  return value;
}

const optionalUuidField = (body: Record<string, unknown>, name: string) => {
  const value = p.optionalStringField(body, name);
  return value ? p.uuid(value, name) : undefined;
};

/** A PredictionQueryToken body, every field type-checked; the rules are the query's own (projects/predictions). */
function readQueryToken(body: unknown): PredictionQuery {
  const token = optionalObjectBody(body, 'a PredictionQueryToken');
  const tags = token.tags === undefined || token.tags === null ? [] : p.arrayField(token, 'tags');
  return {
    session: p.optionalStringField(token, 'session'),
    continuation: p.optionalStringField(token, 'continuation'),
    maxCount: optionalNumber(token, 'maxCount', true),
    orderBy: p.optionalStringField(token, 'orderBy'),
    tags: tags.map((item) => {
      const tag = p.objectBody(item, 'a PredictionQueryTag');
      const id = optionalUuidField(tag, 'id');
      if (!id) throw badRequest('BadRequestPredictionInvalidQueryParameters', 'Every entry of tags needs an id.');
      return { id, minThreshold: optionalNumber(tag, 'minThreshold'), maxThreshold: optionalNumber(tag, 'maxThreshold') };
    }),
    iterationId: optionalUuidField(token, 'iterationId'),
    startTime: p.optionalStringField(token, 'startTime'),
    endTime: p.optionalStringField(token, 'endTime'),
    application: p.optionalStringField(token, 'application'),
  };
}

export function registerPredictionQueryRoutes(app: FastifyInstance, { links }: AppContext): void {
  app.post('/projects/:projectId/predictions/query', async (req: Req) => {
    const projectId = projectIdOf(req);
    return queryPredictions(req.store, projectId, readQueryToken(req.body), links.forProject(req, projectId));
  });
  app.delete('/projects/:projectId/predictions', async (req: Req, reply) => {
    deletePredictions(req.store, projectIdOf(req), p.uuidList(req.query, 'ids', 64) ?? []);
    return reply.status(204).send();
  });
}
