/** @module The HTTP app: body parsers, key checks, one error handler, one log line per request. */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { CustomVisionError, unauthorized } from '../errors';
import type { Store } from '../projects/context';
import type { TrainingQueue } from '../projects/training-queue';
import type { Exporter } from '../projects/exports';
import type { Predictor } from '../projects/predictor';
import { registerDownloadRoute, registerExportRoutes } from './exports';
import { registerImageRoutes, type ImageUriSigner } from './images';
import { registerPredictionRoutes } from './prediction';
import { registerTrainingRoutes } from './training';

export interface AppOptions {
  store: Store;
  queue: TrainingQueue;
  predictor: Predictor;
  exporter: Exporter;
  signer: ImageUriSigner;
  trainingKeys: string[];
  predictionKeys: string[];
  /** Allows image URLs that resolve to loopback or private addresses (tests, closed classrooms). */
  allowPrivateUrls: boolean;
  log: (line: string) => void;
}

/** Largest request body accepted: a batch of 64 images of 6 MB, base64-encoded in JSON, is about 512 MB; we cap lower. */
export const MAX_BODY_BYTES = 200 * 1024 * 1024;
/** A single image part may exceed 6 MB by this much and still be read, so it is reported as ErrorImageSize. */
export const MAX_IMAGE_PART_BYTES = 32 * 1024 * 1024;

export const TRAINING_PREFIXES = ['/customvision/v3.4-preview/training', '/customvision/v3.3/training'];
export const PREDICTION_PREFIXES = ['/customvision/v3.1/prediction', '/customvision/v3.0/prediction'];

function keyMatches(given: string | undefined, keys: string[]): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  return keys.some((k) => {
    const b = Buffer.from(k);
    return a.length === b.length && timingSafeEqual(a, b);
  });
}

/** A request-level guard: the named header must carry one of the keys. */
export function requireKey(header: string, keys: string[]) {
  return async (request: FastifyRequest) => {
    const value = request.headers[header.toLowerCase()];
    const given = Array.isArray(value) ? value[0] : value;
    if (!given) throw unauthorized(`Access denied: the ${header} header is missing. Send your ${header.replace('-', ' ').toLowerCase()} in the ${header} header.`);
    if (!keyMatches(given, keys)) throw unauthorized(`Access denied due to an invalid ${header}. Make sure to provide a valid key for an active subscription.`);
  };
}

/** Maps any error to the spec's `{ code, message }` body with a fitting status. */
function toCustomVisionError(error: FastifyError | CustomVisionError | Error): CustomVisionError {
  if (error instanceof CustomVisionError) return error;
  const fe = error as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new CustomVisionError(415, 'UnsupportedMediaType', `Unsupported content type: ${fe.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
      return new CustomVisionError(413, 'BadRequestImageSizeBytes', `The request is too large: ${fe.message}`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new CustomVisionError(400, 'BadRequest', `The request body is not valid JSON: ${fe.message}`);
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new CustomVisionError(400, 'BadRequestImageBatch', `Malformed multipart request: ${fe.message}`);
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new CustomVisionError(fe.statusCode, 'BadRequest', fe.message);
  }
  // Bad multipart framing surfaces from busboy as a plain Error.
  if (/multipart|boundary|Unexpected end of form/i.test(error.message)) {
    return new CustomVisionError(400, 'BadRequestImageBatch', `Malformed multipart request: ${error.message}`);
  }
  return new CustomVisionError(500, 'ErrorUnknown', 'An internal error occurred; the server log has the details.');
}

/**
 * On close, connections with no request in progress are ended at once. Fastify ends idle keep-alive
 * connections itself, but not one a client opened and never sent on (an HTTP agent's spare socket):
 * shutting down would wait for Node's 60 s headers timeout.
 */
function closeQuietConnections(app: FastifyInstance): void {
  const inProgress = new Map<Socket, number>();
  app.server.on('connection', (socket: Socket) => {
    inProgress.set(socket, 0);
    socket.on('close', () => inProgress.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    inProgress.set(socket, (inProgress.get(socket) ?? 0) + 1);
    response.on('close', () => inProgress.set(socket, (inProgress.get(socket) ?? 1) - 1));
  });
  app.addHook('preClose', async () => {
    for (const [socket, requests] of inProgress) if (requests === 0) socket.destroy();
  });
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, trustProxy: false, requestTimeout: 10 * 60 * 1000 });
  closeQuietConnections(app);

  await app.register(multipart, {
    limits: { fileSize: MAX_IMAGE_PART_BYTES, files: 256, fields: 64, parts: 320 },
    throwFileSizeLimit: true,
  });
  // An empty JSON body (the SDK sends one for optional bodies) means "no body", not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new CustomVisionError(400, 'BadRequest', `The request body is not valid JSON: ${(error as Error).message}`));
    }
  });
  const rawBody = (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => done(null, body);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_IMAGE_PART_BYTES }, rawBody);
  app.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: MAX_IMAGE_PART_BYTES }, rawBody);

  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const ms = reply.elapsedTime.toFixed(1);
    // The signature of image URIs is a credential of sorts: keep it out of logs.
    options.log(`${new Date().toISOString()} ${request.method} ${request.url.replace(/sig=[^&]+/, 'sig=***')} ${reply.statusCode} ${ms}ms`);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const cv = toCustomVisionError(error);
    if (cv.status >= 500) options.log(`${new Date().toISOString()} ERROR ${request.method} ${request.url}: ${error.stack ?? error.message}`);
    void reply.status(cv.status).send({ code: cv.code, message: cv.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'NotFound', message: `No route for ${request.method} ${request.url.split('?')[0]}.` });
  });

  registerImageRoutes(app, options.store, options.signer);
  registerDownloadRoute(app, options.exporter);
  for (const prefix of TRAINING_PREFIXES) {
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', requireKey('Training-Key', options.trainingKeys));
        registerTrainingRoutes(scope, options);
        registerExportRoutes(scope, options.exporter);
      },
      { prefix },
    );
  }
  for (const prefix of PREDICTION_PREFIXES) {
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', requireKey('Prediction-Key', options.predictionKeys));
        registerPredictionRoutes(scope, options);
      },
      { prefix },
    );
  }
  return app;
}
