/** @module Request bodies the API accepts: JSON (empty means none), XML and form-urlencoded for the same bodies, raw image bytes, multipart forms. */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CustomVisionError, unsupportedMediaType } from '../errors';
import { parseForm, parseXml, toShape } from './body-formats';
import { shapeOf } from './body-shapes';

/** Largest request body accepted: a batch of 64 images of 6 MB, base64-encoded in JSON, is about 512 MB; we cap lower. */
export const MAX_BODY_BYTES = 200 * 1024 * 1024;
/** A single image part may exceed 6 MB by this much and still be read, so it is reported as ErrorImageSize. */
export const MAX_IMAGE_PART_BYTES = 32 * 1024 * 1024;

export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  // Multipart bodies are read as streams by uploads.ts, which bounds each part (MAX_IMAGE_PART_BYTES)
  // and the whole body (MAX_BODY_BYTES) itself: Fastify's bodyLimit does not apply to them. The
  // parser's own cut, one byte further, is what lets it see a part too large.
  await app.register(multipart, {
    limits: { fileSize: MAX_IMAGE_PART_BYTES + 1, files: 256, fields: 64, parts: 320 },
    throwFileSizeLimit: false,
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
  // The spec's other formats for the same bodies, read into the objects the JSON path gives.
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, shapedBody('XML', parseXml));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, shapedBody('form-urlencoded', parseForm));
  const rawBody = (_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: Buffer) => void) => done(null, body);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_IMAGE_PART_BYTES }, rawBody);
  app.addContentTypeParser(/^image\//, { parseAs: 'buffer', bodyLimit: MAX_IMAGE_PART_BYTES }, rawBody);
}

type Done = (err: Error | null, body?: unknown) => void;

/** A parser for a text format: the route's body type (the spec's) turns its text tree into the JSON path's object. */
function shapedBody(format: string, parse: (text: string) => unknown) {
  return (request: FastifyRequest, body: string | Buffer, done: Done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    const shape = shapeOf(request.method, request.routeOptions.url);
    if (!shape) return done(unsupportedMediaType(`The spec lists no ${format} body for this operation.`));
    try {
      done(null, toShape(parse(text), shape));
    } catch (error) {
      done(error as Error);
    }
  };
}
