/** @module Training API: domains and projects. */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../errors';
import { DOMAINS, findDomain } from '../../projects/domains';
import * as projects from '../../projects/projects';
import * as p from '../params';
import { projectIdOf, type Req } from './request';

export function registerProjectRoutes(app: FastifyInstance): void {
  app.get('/domains', async () => DOMAINS);
  app.get('/domains/:domainId', async (req: Req) => {
    const domain = findDomain(p.uuid(req.params.domainId, 'domainId'));
    if (!domain) throw notFound('NotFoundDomain', `Domain ${req.params.domainId} not found.`);
    return domain;
  });

  app.get('/projects', async (req: Req) => projects.listProjects(req.store));
  app.post('/projects', async (req: Req) =>
    projects.createProject(req.store, {
      name: p.requiredString(req.query, 'name'),
      description: p.optionalString(req.query, 'description'),
      domainId: p.optionalUuid(req.query, 'domainId'),
      classificationType: p.optionalString(req.query, 'classificationType'),
      targetExportPlatforms: p.stringList(req.query, 'targetExportPlatforms'),
      options: req.body === undefined || req.body === null || req.body === '' ? undefined : p.objectBody(req.body, 'CreateProjectOptions'),
    }),
  );
  app.get('/projects/:projectId', async (req: Req) => projects.getProject(req.store, projectIdOf(req)));
  app.patch('/projects/:projectId', async (req: Req) => {
    const body = p.objectBody(req.body, 'a Project');
    const settings = body.settings === undefined || body.settings === null ? undefined : p.objectBody(body.settings, 'ProjectSettings');
    return projects.updateProject(req.store, projectIdOf(req), {
      name: p.optionalStringField(body, 'name'),
      description: body.description === null ? null : p.optionalStringField(body, 'description'),
      settings: settings && {
        domainId: settings.domainId === undefined || settings.domainId === null ? undefined : p.uuid(String(settings.domainId), 'settings.domainId'),
        classificationType: p.optionalStringField(settings, 'classificationType'),
        targetExportPlatforms: Array.isArray(settings.targetExportPlatforms) ? settings.targetExportPlatforms.map(String) : undefined,
        // Settings the trainer does not take per project: projects/ checks they say what it does.
        useNegativeSet: settings.useNegativeSet,
        detectionParameters: settings.detectionParameters,
        imageProcessingSettings: settings.imageProcessingSettings,
        exportModelContainerUri: settings.exportModelContainerUri,
        notificationQueueUri: settings.notificationQueueUri,
      },
    });
  });
  app.delete('/projects/:projectId', async (req: Req, reply) => {
    projects.deleteProject(req.store, projectIdOf(req));
    return reply.status(204).send();
  });
}
