/** @module One error handler: every failure becomes the spec's `{ code, message }` body with a fitting status. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { CustomVisionError } from '../errors';

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

/** Installs the error handler (server errors are logged with their stack) and the 404 for unknown paths. */
export function handleErrors(app: FastifyInstance, log: (line: string) => void): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const cv = toCustomVisionError(error);
    if (cv.status >= 500) log(`${new Date().toISOString()} ERROR ${request.method} ${request.url}: ${error.stack ?? error.message}`);
    void reply.status(cv.status).send({ code: cv.code, message: cv.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ code: 'NotFound', message: `No route for ${request.method} ${request.url.split('?')[0]}.` });
  });
}
