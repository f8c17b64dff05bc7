/** @module Reads images from a request body: multipart parts, a raw body, JSON batches of base64 files or URLs, an image URL. */
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../errors';
import type { NewImage } from '../projects/images';
import { LIMITS } from '../projects/limits';
import { arrayField, objectBody, optionalStringField } from './params';

/**
 * Collects every image of a multipart/form-data or application/octet-stream request. Parts
 * beyond the batch limit are still read off the wire (so the client gets our answer rather
 * than a reset connection) but not kept.
 */
export async function readImageBodies(request: FastifyRequest): Promise<NewImage[]> {
  if (!request.isMultipart()) {
    const body = request.body;
    if (!Buffer.isBuffer(body)) {
      throw badRequest('BadRequestImageStream', 'Send the image as multipart/form-data (field imageData) or as an application/octet-stream body.');
    }
    return [{ bytes: body }];
  }
  const images: NewImage[] = [];
  let count = 0;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      count++;
      const bytes = await part.toBuffer();
      if (count <= LIMITS.batchSize + 1) images.push({ bytes });
    } else if (part.fieldname.toLowerCase() === 'imagedata') {
      // A text field cannot carry binary data intact; keep it so its status says the format is wrong.
      count++;
      if (count <= LIMITS.batchSize + 1) images.push({ bytes: Buffer.from(String(part.value)) });
    }
  }
  if (images.length === 0) throw badRequest('BadRequestImageBatch', 'The request holds no image: send it in a form part named imageData.');
  if (count > LIMITS.batchSize) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.batchSize} images per request, got ${count}.`);
  }
  return images;
}

/** The URL of an ImageUrl body (`{"url": ...}`): a quick test's or a prediction's. */
export function readImageUrl(request: FastifyRequest): string {
  const body = objectBody(request.body, 'an ImageUrl');
  // Azure reads property names regardless of case, and its portal's Prediction URL dialog shows {"Url": ...}.
  const url = optionalStringField(body, Object.keys(body).find((key) => key.toLowerCase() === 'url') ?? 'url');
  if (!url) throw badRequest('BadRequestImageUrl', 'The body needs a url: {"url": "https://..."}.');
  return url;
}

/** The one image of a quick test or prediction request. */
export async function readSingleImage(request: FastifyRequest): Promise<Buffer> {
  const images = await readImageBodies(request);
  if (images.length !== 1) throw badRequest('BadRequestImageBatch', `Send exactly one image, got ${images.length}.`);
  return images[0].bytes as Buffer;
}

function metadataOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('BadRequestImageMetadataKey', 'An image\'s metadata must be an object of string values.');
  return value as Record<string, string>;
}

function tagIdsOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) throw badRequest('BadRequestImageTags', 'tagIds must be an array of tag ids.');
  return value as string[];
}

export interface JsonBatch<T> {
  entries: T[];
  tagIds: string[];
  metadata?: Record<string, string>;
}

function batchOf(body: unknown, what: string): { items: Record<string, unknown>[]; tagIds: string[]; metadata?: Record<string, string> } {
  const batch = objectBody(body, what);
  const items = arrayField(batch, 'images');
  if (items.length > LIMITS.batchSize) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.batchSize} images per batch, got ${items.length}.`);
  }
  return {
    items: items.map((item) => objectBody(item, `${what} entry`)),
    tagIds: tagIdsOf(batch.tagIds) ?? [],
    metadata: metadataOf(batch.metadata),
  };
}

/** ImageFileCreateBatch: `{ images: [{ name, contents (base64), tagIds, regions, metadata }], tagIds, metadata }`. */
export function readFileBatch(body: unknown): JsonBatch<NewImage> {
  const { items, tagIds, metadata } = batchOf(body, 'an ImageFileCreateBatch');
  const entries = items.map((item): NewImage => {
    const contents = item.contents;
    const bytes = typeof contents === 'string' ? Buffer.from(contents, 'base64') : undefined;
    return {
      bytes,
      failure: bytes ? undefined : 'ErrorImageFormat',
      sourceUrl: optionalStringField(item, 'name'),
      tagIds: tagIdsOf(item.tagIds) ?? (tagIds.length ? tagIds : undefined),
      metadata: metadataOf(item.metadata) ?? metadata,
    };
  });
  return { entries, tagIds, metadata };
}

/** ImageUrlCreateBatch: `{ images: [{ url, tagIds, regions }], tagIds, metadata }`. */
export function readUrlBatch(body: unknown): JsonBatch<{ url: string; tagIds?: string[]; metadata?: Record<string, string> }> {
  const { items, tagIds, metadata } = batchOf(body, 'an ImageUrlCreateBatch');
  const entries = items.map((item) => {
    const url = optionalStringField(item, 'url');
    if (!url) throw badRequest('BadRequestImageUrl', 'Every entry needs a url.');
    return { url, tagIds: tagIdsOf(item.tagIds) ?? (tagIds.length ? tagIds : undefined), metadata: metadataOf(item.metadata) ?? metadata };
  });
  return { entries, tagIds, metadata };
}
