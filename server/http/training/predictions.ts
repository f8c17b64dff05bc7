/** @module Training API: the predictions stored by quick tests and the Prediction API. */
import type { FastifyInstance } from 'fastify';
import { deletePredictions, queryPredictions } from '../../projects/predictions';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { optionalObjectBody, projectIdOf, type Req } from './request';

export function registerPredictionQueryRoutes(app: FastifyInstance, { store, links }: AppContext): void {
  app.post('/projects/:projectId/predictions/query', async (req: Req) => {
    const token = optionalObjectBody(req.body, 'a PredictionQueryToken');
    const query = {
      iterationId: typeof token.iterationId === 'string' && token.iterationId ? p.uuid(token.iterationId, 'iterationId') : undefined,
      orderBy: token.orderBy === 'Oldest' ? ('Oldest' as const) : ('Newest' as const),
      maxCount: typeof token.maxCount === 'number' ? token.maxCount : undefined,
    };
    return { token: { ...token, continuation: '' }, results: queryPredictions(store, projectIdOf(req), query, links.forRequest(req)) };
  });
  app.delete('/projects/:projectId/predictions', async (req: Req, reply) => {
    deletePredictions(store, projectIdOf(req), p.uuidList(req.query, 'ids', 64) ?? []);
    return reply.status(204).send();
  });
}
