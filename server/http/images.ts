/** @module Serves stored images (original, resized, thumbnail) under signed, key-less URIs. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import sharp from 'sharp';
import { notFound } from '../errors';
import { INPUT_SIZE } from '../ml/image';
import type { ImageLinks, Store } from '../projects/context';

const KINDS = ['original', 'resized', 'thumbnail'] as const;
type Kind = (typeof KINDS)[number];
const THUMBNAIL_SIDE = 128;

/** Signs image URIs like the real service's SAS links: they work without a key, but cannot be guessed. */
export class ImageUriSigner {
  constructor(private readonly secret: Buffer) {}

  sign(hash: string, kind: string): string {
    return createHmac('sha256', this.secret).update(`${hash}/${kind}`).digest('base64url').slice(0, 32);
  }

  verify(hash: string, kind: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(hash, kind));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  linksFor(baseUrl: string): ImageLinks {
    const uri = (hash: string, kind: Kind) => `${baseUrl}/customvision/images/${kind}/${hash}?sig=${this.sign(hash, kind)}`;
    return {
      original: (hash) => uri(hash, 'original'),
      resized: (hash) => uri(hash, 'resized'),
      thumbnail: (hash) => uri(hash, 'thumbnail'),
    };
  }
}

/** The base URL the client used to reach us, so returned URIs work from where it stands. */
export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function registerImageRoutes(app: FastifyInstance, store: Store, signer: ImageUriSigner): void {
  app.get<{ Params: { kind: string; hash: string }; Querystring: { sig?: string } }>(
    '/customvision/images/:kind/:hash',
    async (request, reply) => {
      const { kind, hash } = request.params;
      const valid = (KINDS as readonly string[]).includes(kind) && /^[0-9a-f]{64}$/.test(hash);
      if (!valid || !signer.verify(hash, kind, request.query.sig ?? '')) throw notFound('NotFound', 'No image at this address.');
      let bytes: Buffer;
      try {
        bytes = await store.blobs.get(hash);
      } catch {
        throw notFound('NotFoundImage', 'The image was deleted.');
      }
      reply.header('Cache-Control', 'private, max-age=86400');
      if (kind === 'original') {
        const format = (await sharp(bytes).metadata().catch(() => ({ format: undefined }))).format;
        return reply.type(format ? `image/${format === 'jpg' ? 'jpeg' : format}` : 'application/octet-stream').send(bytes);
      }
      // Resized is what the model sees; the thumbnail is for listings. Both are made on demand.
      const side = kind === 'resized' ? INPUT_SIZE : THUMBNAIL_SIDE;
      const out = await sharp(bytes).rotate().resize(side, side, { fit: kind === 'resized' ? 'cover' : 'inside' }).jpeg({ quality: 90 }).toBuffer();
      return reply.type('image/jpeg').send(out);
    },
  );
}
