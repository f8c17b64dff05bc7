/**
 * @module Training API: copying a project within this service (ExportProject's token, ImportProject).
 * The token is a bearer credential, as on Azure: whoever holds it imports, and the copy belongs to
 * the importing resource (the key of the ImportProject request), never to the exporting one.
 */
import type { FastifyInstance } from 'fastify';
import { exportProject, importProject } from '../../projects/project-transfer';
import * as p from '../params';
import { projectIdOf, type Req } from './request';

export function registerProjectTransferRoutes(app: FastifyInstance): void {
  app.get('/projects/:projectId/export', async (req: Req) => exportProject(req.store, projectIdOf(req)));
  app.post('/projects/import', async (req: Req) => importProject(req.store, p.requiredString(req.query, 'token'), p.optionalString(req.query, 'name')));
}
