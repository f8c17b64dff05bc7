/** @module Reads images from a request body: multipart parts, a raw body, JSON batches of base64 files or URLs, an image URL. */
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { badRequest, CustomVisionError } from '../errors';
import type { NewImage } from '../projects/images';
import { LIMITS } from '../projects/limits';
import { MAX_BODY_BYTES, MAX_IMAGE_PART_BYTES } from './body-parsers';
import { arrayField, objectBody, optionalStringField } from './params';

const MIB = 1024 * 1024;

/** An image part as read: its bytes when they are within the size kept, and how many there were. */
interface ReadImage {
  bytes?: Buffer;
  size: number;
}

const tooLarge = (message: string) => new CustomVisionError(413, 'BadRequestImageSizeBytes', `The request is too large: ${message}`);

/** The spec's answer for one image over its size limit (quick tests and predictions). */
const imageTooLarge = (size: number, maxBytes: number) => badRequest('BadRequestImageSizeBytes', `The image is ${size} bytes; the limit is ${maxBytes} bytes.`);

/**
 * Reads one file part, keeping its bytes only while they are within `keepAtMost`: past it they are
 * counted and dropped. `count` sees every chunk, for the bound on the whole body.
 */
async function readFilePart(file: Readable, keepAtMost: number, count: (bytes: number) => void): Promise<ReadImage> {
  let chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    size += chunk.length;
    count(chunk.length);
    if (size > MAX_IMAGE_PART_BYTES) throw tooLarge(`an image part is more than ${MAX_IMAGE_PART_BYTES / MIB} MB.`);
    if (size <= keepAtMost) chunks.push(chunk);
    else chunks = [];
  }
  return { bytes: size <= keepAtMost ? Buffer.concat(chunks) : undefined, size };
}

/**
 * The image parts of a multipart/form-data body, the first `keep.parts` kept if within `keep.bytes`. The bytes
 * of every part count towards MAX_BODY_BYTES, the bound Fastify's body limit puts on other bodies
 * (which does not apply to multipart, read here as a stream): past it, 413 at once, and the rest
 * of the body is read away by the error handler's bounded drain. Parts beyond those kept (a batch
 * over its limit, a second image to classify) are still read off the wire, so the client gets our
 * answer rather than a reset connection. A body cut short (the client went away, or was too slow)
 * gives nothing: no image of it is stored.
 */
async function readImageParts(request: FastifyRequest, keep: { parts: number; bytes: number }): Promise<{ images: ReadImage[]; count: number }> {
  const images: ReadImage[] = [];
  let count = 0;
  let total = 0;
  const counted = (bytes: number) => {
    total += bytes;
    if (total > MAX_BODY_BYTES) throw tooLarge(`its parts come to more than ${MAX_BODY_BYTES / MIB} MB, the most one request may carry.`);
  };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        count++;
        const image = await readFilePart(part.file, count <= keep.parts ? keep.bytes : 0, counted);
        if (count <= keep.parts) images.push(image);
      } else {
        const value = String(part.value);
        counted(Buffer.byteLength(value));
        if (part.fieldname.toLowerCase() !== 'imagedata') continue;
        // A text field cannot carry binary data intact; keep it so its status says the format is wrong.
        count++;
        if (count <= keep.parts) images.push({ bytes: Buffer.from(value), size: Buffer.byteLength(value) });
      }
    }
  } catch (error) {
    // The multipart parser stops here: what the client still sends is the error handler's to read away.
    request.raw.unpipe();
    throw error;
  }
  if (!request.raw.complete) throw badRequest('BadRequestImageBatch', 'The request body ended before its last part.');
  return { images, count };
}

/** Collects every image of a multipart/form-data or application/octet-stream request; an image over 6 MB is reported ErrorImageSize without being kept. */
export async function readImageBodies(request: FastifyRequest): Promise<NewImage[]> {
  if (!request.isMultipart()) {
    const body = request.body;
    if (!Buffer.isBuffer(body)) {
      throw badRequest('BadRequestImageStream', 'Send the image as multipart/form-data (field imageData) or as an application/octet-stream body.');
    }
    return [{ bytes: body }];
  }
  const { images, count } = await readImageParts(request, { parts: LIMITS.batchSize + 1, bytes: LIMITS.trainingImageBytes });
  if (images.length === 0) throw badRequest('BadRequestImageBatch', 'The request holds no image: send it in a form part named imageData.');
  if (count > LIMITS.batchSize) {
    throw badRequest('BadRequestExceededBatchSize', `At most ${LIMITS.batchSize} images per request, got ${count}.`);
  }
  return images.map(({ bytes }): NewImage => (bytes ? { bytes } : { failure: 'ErrorImageSize' }));
}

/** The URL of an ImageUrl body (`{"url": ...}`): a quick test's or a prediction's. */
export function readImageUrl(request: FastifyRequest): string {
  const body = objectBody(request.body, 'an ImageUrl');
  // Azure reads property names regardless of case, and its portal's Prediction URL dialog shows {"Url": ...}.
  const url = optionalStringField(body, Object.keys(body).find((key) => key.toLowerCase() === 'url') ?? 'url');
  if (!url) throw badRequest('BadRequestImageUrl', 'The body needs a url: {"url": "https://..."}.');
  return url;
}

/** The one image of a quick test or prediction request, kept only when it is within `maxBytes` (else the spec's 400). */
export async function readSingleImage(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  if (!request.isMultipart()) {
    const body = request.body;
    if (!Buffer.isBuffer(body)) {
      throw badRequest('BadRequestImageStream', 'Send the image as multipart/form-data (field imageData) or as an application/octet-stream body.');
    }
    if (body.length > maxBytes) throw imageTooLarge(body.length, maxBytes);
    return body;
  }
  const { images, count } = await readImageParts(request, { parts: 1, bytes: maxBytes });
  if (count !== 1) throw badRequest('BadRequestImageBatch', `Send exactly one image, got ${count}.`);
  const [{ bytes, size }] = images;
  if (!bytes) throw imageTooLarge(size, maxBytes);
  return bytes;
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
