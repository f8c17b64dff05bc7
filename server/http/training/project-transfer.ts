/** @module Training API: copying a project within this service (ExportProject's token, ImportProject). */
import type { FastifyInstance } from 'fastify';
import { exportProject, importProject } from '../../projects/project-transfer';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { projectIdOf, type Req } from './request';

export function registerProjectTransferRoutes(app: FastifyInstance, { store }: AppContext): void {
  app.get('/projects/:projectId/export', async (req: Req) => exportProject(store, projectIdOf(req)));
  app.post('/projects/import', async (req: Req) => importProject(store, p.requiredString(req.query, 'token'), p.optionalString(req.query, 'name')));
}
