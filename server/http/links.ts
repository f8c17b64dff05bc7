/**
 * @module The key-less links the service hands out, like the real service's SAS links: stored
 * images (signed, so they cannot be guessed) and export packages (by their random token). One
 * place builds them and names their routes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ExportLinks, ImageLinks } from '../projects/context';

export const IMAGE_KINDS = ['original', 'resized', 'thumbnail'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

export const IMAGE_ROUTE = '/customvision/images/:kind/:hash';
export const EXPORT_ROUTE = '/customvision/exports/:token/:name';

/** The links of one request: absolute, under the base URL the client used to reach us. */
export type Links = ImageLinks & ExportLinks;

export class LinkSigner {
  constructor(private readonly secret: Buffer) {}

  private sign(hash: string, kind: string): string {
    return createHmac('sha256', this.secret).update(`${hash}/${kind}`).digest('base64url').slice(0, 32);
  }

  verify(hash: string, kind: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(hash, kind));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** Links as seen from the request's own base URL, so they work from where the client stands. */
  forRequest(request: FastifyRequest): Links {
    const base = `${request.protocol}://${request.host}`;
    const image = (hash: string, kind: ImageKind) => `${base}/customvision/images/${kind}/${hash}?sig=${this.sign(hash, kind)}`;
    return {
      original: (hash) => image(hash, 'original'),
      resized: (hash) => image(hash, 'resized'),
      thumbnail: (hash) => image(hash, 'thumbnail'),
      exportPackage: (token, fileName) => `${base}/customvision/exports/${token}/${encodeURIComponent(fileName)}`,
    };
  }
}
