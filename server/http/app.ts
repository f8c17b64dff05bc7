/** @module The HTTP app: body parsers, key checks, one error handler, one log line per request, the routes. */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerUploadAdmission, UploadAdmission } from './admission';
import type { AppContext } from './app-context';
import { decorateResource, KeyRing, requireKey } from './auth';
import { MAX_BODY_BYTES, registerBodyParsers } from './body-parsers';
import { closeQuietConnections } from './connections';
import { handleClientError } from './client-errors';
import { handleErrors, handleFrameworkError } from './error-handler';
import { registerFileRoutes } from './files';
import { checkHost } from './host-check';
import { withoutCredentials } from './links';
import { registerPortalRoutes } from './portal';
import { registerPredictionRoutes } from './prediction';
import { registerRateLimits } from './rate-limits';
import { securityHeaders } from './security-headers';
import { registerArtifactRoutes } from './training/artifacts';
import { registerExportRoutes } from './training/exports';
import { registerImageUpdateRoutes } from './training/image-updates';
import { registerImageRoutes } from './training/images';
import { registerIterationRoutes } from './training/iterations';
import { registerPerformanceRoutes } from './training/performance';
import { registerPredictionQueryRoutes } from './training/predictions';
import { registerProjectTransferRoutes } from './training/project-transfer';
import { registerProjectRoutes } from './training/projects';
import { registerQuickTestRoutes } from './training/quick-test';
import { registerSuggestionRoutes } from './training/suggestions';
import { registerTagRoutes } from './training/tags';
import { registerUnsupported, UNSUPPORTED_PREDICTION_OPERATIONS, UNSUPPORTED_TRAINING_OPERATIONS } from './unsupported';

const TRAINING_PREFIXES = ['/customvision/v3.4-preview/training', '/customvision/v3.3/training'];
// Azure's own portal writes `Prediction` in the Prediction URL it shows; both spellings work there.
const PREDICTION_PREFIXES = ['/customvision/v3.1/prediction', '/customvision/v3.0/prediction', '/customvision/v3.1/Prediction', '/customvision/v3.0/Prediction'];

const TRAINING_ROUTES = [
  registerProjectRoutes,
  registerTagRoutes,
  registerImageRoutes,
  registerImageUpdateRoutes,
  registerIterationRoutes,
  registerPerformanceRoutes,
  registerQuickTestRoutes,
  registerPredictionQueryRoutes,
  registerExportRoutes,
  registerProjectTransferRoutes,
  registerArtifactRoutes,
  registerSuggestionRoutes,
];

export async function buildApp(context: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: false,
    requestTimeout: 10 * 60 * 1000,
    // A publish name in a path may be 256 characters, percent-encoded up to three times as long.
    routerOptions: { maxParamLength: 1024 },
    clientErrorHandler: handleClientError,
    frameworkErrors: handleFrameworkError,
  });
  closeQuietConnections(app);
  await registerBodyParsers(app);
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const ms = reply.elapsedTime.toFixed(1);
    // Image signatures, import and export tokens are credentials of sorts: keep them out of logs.
    context.log(`${new Date().toISOString()} ${request.method} ${withoutCredentials(request.url)} ${reply.statusCode} ${ms}ms`);
  });
  handleErrors(app, context.log);
  securityHeaders(app);
  // Before any key is looked at: a page rebound to this machine's address gets nothing.
  app.addHook('onRequest', checkHost(context.acceptedHosts));
  // After the key checks (onRequest), before any body is read: rates, then room for image bodies.
  registerRateLimits(app);
  registerUploadAdmission(app, new UploadAdmission(context.uploadLimits));

  registerPortalRoutes(app, context.portal);
  registerFileRoutes(app, context);
  decorateResource(app);
  const trainingKeys = new KeyRing(context.resources, 'Training-Key');
  const predictionKeys = new KeyRing(context.resources, 'Prediction-Key');
  for (const prefix of TRAINING_PREFIXES) {
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', requireKey('Training-Key', trainingKeys, context.store));
        for (const register of TRAINING_ROUTES) register(scope, context);
        registerUnsupported(scope, UNSUPPORTED_TRAINING_OPERATIONS);
      },
      { prefix },
    );
  }
  for (const prefix of PREDICTION_PREFIXES) {
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', requireKey('Prediction-Key', predictionKeys, context.store));
        registerPredictionRoutes(scope, context);
        registerUnsupported(scope, UNSUPPORTED_PREDICTION_OPERATIONS);
      },
      { prefix },
    );
  }
  return app;
}
