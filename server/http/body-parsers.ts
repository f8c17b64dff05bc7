/** @module Request bodies the API accepts: JSON (empty means none), raw image bytes, multipart forms. */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CustomVisionError } from '../errors';

/** Largest request body accepted: a batch of 64 images of 6 MB, base64-encoded in JSON, is about 512 MB; we cap lower. */
export const MAX_BODY_BYTES = 200 * 1024 * 1024;
/** A single image part may exceed 6 MB by this much and still be read, so it is reported as ErrorImageSize. */
export const MAX_IMAGE_PART_BYTES = 32 * 1024 * 1024;

export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
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
}
