/** @module Training API: training a project, its iterations, publishing them. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors';
import * as iterations from '../../projects/iterations';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { iterationIdOf, optionalObjectBody, projectIdOf, type Req } from './request';

export function registerIterationRoutes(app: FastifyInstance, { store, queue }: AppContext): void {
  app.post('/projects/:projectId/train', async (req: Req) => {
    const body = optionalObjectBody(req.body, 'TrainingParameters');
    const selectedTags = Array.isArray(body.selectedTags) ? body.selectedTags.map((t) => p.uuid(String(t), 'selectedTags')) : undefined;
    if (body.customBaseModelInfo) throw badRequest('BadRequestNotSupported', 'Training on a custom base model is not supported by the local service.');
    const iteration = iterations.createIterationForTraining(store, projectIdOf(req), {
      trainingType: p.optionalString(req.query, 'trainingType'),
      reservedBudgetInHours: p.integer(req.query, 'reservedBudgetInHours', { min: 0, max: 10000, fallback: 0 }),
      forceTrain: p.boolean(req.query, 'forceTrain', false),
      selectedTags,
    });
    queue.enqueue(iteration.id);
    return iteration;
  });

  app.get('/projects/:projectId/iterations', async (req: Req) => iterations.listIterations(store, projectIdOf(req)));
  app.get('/projects/:projectId/iterations/:iterationId', async (req: Req) => iterations.getIteration(store, projectIdOf(req), iterationIdOf(req)));
  app.patch('/projects/:projectId/iterations/:iterationId', async (req: Req) => {
    const body = p.objectBody(req.body, 'an Iteration');
    if (body.isDefault !== undefined && typeof body.isDefault !== 'boolean') throw badRequest('BadRequest', 'isDefault must be true or false.');
    return iterations.updateIteration(store, projectIdOf(req), iterationIdOf(req), {
      name: p.optionalStringField(body, 'name'),
      isDefault: body.isDefault as boolean | undefined,
    });
  });
  app.delete('/projects/:projectId/iterations/:iterationId', async (req: Req, reply) => {
    iterations.deleteIteration(store, projectIdOf(req), iterationIdOf(req));
    return reply.status(204).send();
  });

  app.post('/projects/:projectId/iterations/:iterationId/publish', async (req: Req) =>
    iterations.publishIteration(store, projectIdOf(req), iterationIdOf(req), {
      publishName: p.requiredString(req.query, 'publishName'),
      predictionId: p.requiredString(req.query, 'predictionId'),
      overwrite: p.boolean(req.query, 'overwrite', false),
    }),
  );
  app.delete('/projects/:projectId/iterations/:iterationId/publish', async (req: Req, reply) => {
    iterations.unpublishIteration(store, projectIdOf(req), iterationIdOf(req));
    return reply.status(204).send();
  });
}
