/** @module One error handler: every failure becomes the spec's `{ code, message }` body with a fitting status. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CustomVisionError } from '../errors';
import { drainRequestBody } from './drain';
import { withoutCredentials } from './links';

/** Maps any error to the spec's error with a fitting status; unknown errors are 500s without details. */
export function toCustomVisionError(error: FastifyError | CustomVisionError | Error): CustomVisionError {
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
    case 'FST_ERR_BAD_URL':
      return new CustomVisionError(400, 'BadRequest', 'The request path is not valid: a percent-encoded part of it does not decode.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new CustomVisionError(414, 'BadRequest', 'A part of the request path is too long.');
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
 * Sends the spec's error body once the rest of the request body has been read and discarded
 * (within bounds), so that a client still sending sees the answer; past the bounds the
 * connection is closed after the answer.
 */
export async function sendError(request: FastifyRequest, reply: FastifyReply, error: CustomVisionError): Promise<FastifyReply> {
  if (!(await drainRequestBody(request.raw))) reply.header('Connection', 'close');
  return reply.status(error.status).send({ code: error.code, message: error.message });
}

/** Installs the error handler (server errors are logged with their stack) and the 404 for unknown paths. */
export function handleErrors(app: FastifyInstance, log: (line: string) => void): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const cv = toCustomVisionError(error);
    if (cv.status >= 500) log(`${new Date().toISOString()} ERROR ${request.method} ${withoutCredentials(request.url)}: ${error.stack ?? error.message}`);
    return sendError(request, reply, cv);
  });
  app.setNotFoundHandler(async (request, reply) => {
    return sendError(request, reply, new CustomVisionError(404, 'NotFound', `No route for ${request.method} ${withoutCredentials(request.url.split('?')[0])}.`));
  });
}

/** Fastify's `frameworkErrors` option: errors the router raises before any route or hook (a path that does not decode). */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(request, reply, toCustomVisionError(error));
}
