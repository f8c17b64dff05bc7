/** @module Training API: training a project, its iterations, publishing them. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors';
import * as iterations from '../../projects/iterations';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { iterationIdOf, optionalObjectBody, projectIdOf, type Req } from './request';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function registerIterationRoutes(app: FastifyInstance, { queue, log }: AppContext): void {
  app.post('/projects/:projectId/train', async (req: Req) => {
    const projectId = projectIdOf(req);
    const body = optionalObjectBody(req.body, 'TrainingParameters');
    if (body.customBaseModelInfo) throw badRequest('BadRequestNotSupported', 'Training on a custom base model is not supported by the local service.');
    const email = p.optionalString(req.query, 'notificationEmailAddress');
    if (email && !EMAIL.test(email)) throw badRequest('BadRequestInvalidEmailAddress', `notificationEmailAddress "${email}" is not an email address.`);
    const iteration = iterations.createIterationForTraining(req.store, projectId, {
      trainingType: p.optionalString(req.query, 'trainingType'),
      reservedBudgetInHours: p.integer(req.query, 'reservedBudgetInHours', { min: 0, max: 10000, fallback: 0 }),
      forceTrain: p.boolean(req.query, 'forceTrain', false),
      // The rules refuse a tag the project lacks.
      selectedTags: p.uuidArrayField(body.selectedTags, 'selectedTags'),
    });
    // Accepted, as Azure does, but the local service sends no email: say so where the operator looks.
    if (email) log(`trainProject ${projectId}: notificationEmailAddress ignored (the local service sends no email; poll getIteration)`);
    if (iteration.trainingType === 'Advanced') log(`trainProject ${projectId}: trainingType Advanced runs the local trainer's one procedure, as Regular does`);
    queue.enqueue(iteration.id, req.resource.name);
    return iteration;
  });

  app.get('/projects/:projectId/iterations', async (req: Req) => iterations.listIterations(req.store, projectIdOf(req)));
  app.get('/projects/:projectId/iterations/:iterationId', async (req: Req) => iterations.getIteration(req.store, projectIdOf(req), iterationIdOf(req)));
  app.patch('/projects/:projectId/iterations/:iterationId', async (req: Req) => {
    const body = p.objectBody(req.body, 'an Iteration');
    if (body.isDefault !== undefined && typeof body.isDefault !== 'boolean') throw badRequest('BadRequest', 'isDefault must be true or false.');
    return iterations.updateIteration(req.store, projectIdOf(req), iterationIdOf(req), {
      name: p.optionalStringField(body, 'name'),
      isDefault: body.isDefault as boolean | undefined,
    });
  });
  app.delete('/projects/:projectId/iterations/:iterationId', async (req: Req, reply) => {
    iterations.deleteIteration(req.store, projectIdOf(req), iterationIdOf(req));
    return reply.status(204).send();
  });

  app.post('/projects/:projectId/iterations/:iterationId/publish', async (req: Req) =>
    iterations.publishIteration(req.store, projectIdOf(req), iterationIdOf(req), {
      publishName: p.requiredString(req.query, 'publishName'),
      predictionId: p.requiredString(req.query, 'predictionId'),
      overwrite: p.boolean(req.query, 'overwrite', false),
    }),
  );
  app.delete('/projects/:projectId/iterations/:iterationId/publish', async (req: Req, reply) => {
    iterations.unpublishIteration(req.store, projectIdOf(req), iterationIdOf(req));
    return reply.status(204).send();
  });
}
