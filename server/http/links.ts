/**
 * @module The key-less links the service hands out, like the real service's SAS links: stored
 * images (signed for one project, with an expiry, so they cannot be guessed, moved to another
 * project or kept forever) and export packages (by their random token). One place builds them,
 * checks them and names their routes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ExportLinks, ImageLinks } from '../projects/context';

export const IMAGE_KINDS = ['original', 'resized', 'thumbnail'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

export const IMAGE_ROUTE = '/customvision/images/:projectId/:kind/:hash';
/** Where image links pointed before they named their project and expired: answered as expired. */
export const UNBOUND_IMAGE_ROUTE = '/customvision/images/:kind/:hash';
export const EXPORT_ROUTE = '/customvision/exports/:token/:name';

/** How long an image link works: a day, like the SAS links of a real project's listings; every listing issues fresh ones. */
export const IMAGE_LINK_LIFETIME_IN_S = 24 * 60 * 60;

/** The image a link names, and until when (Unix seconds). */
export interface ImageLink {
  projectId: string;
  kind: ImageKind;
  hash: string;
  expiresAt: number;
}

/** The links of one request: absolute, under the base URL the client used to reach us. */
export type Links = ImageLinks & ExportLinks;

/** Replaces the credentials in a request URL (image signatures, import tokens, export tokens) by `***`, for logs. */
export function withoutCredentials(url: string): string {
  return url.replace(/([?&](?:sig|token)=)[^&]+/gi, '$1***').replace(/^(\/customvision\/exports\/)[^/?]+/, '$1***');
}

/** Compares signatures in constant time. */
function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class LinkSigner {
  constructor(
    private readonly secret: Buffer,
    private readonly nowInS: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  private sign({ projectId, kind, hash, expiresAt }: ImageLink): string {
    return createHmac('sha256', this.secret).update(`image\n${projectId.toLowerCase()}\n${kind}\n${hash}\n${expiresAt}`).digest('base64url').slice(0, 32);
  }

  /** The link's path and query, relative to the service's base URL; it expires a day from now unless told otherwise. */
  imagePath(link: Omit<ImageLink, 'expiresAt'> & { expiresAt?: number }): string {
    const signed = { ...link, projectId: link.projectId.toLowerCase(), expiresAt: link.expiresAt ?? this.nowInS() + IMAGE_LINK_LIFETIME_IN_S };
    return `/customvision/images/${signed.projectId}/${signed.kind}/${signed.hash}?se=${signed.expiresAt}&sig=${this.sign(signed)}`;
  }

  /** 'forged' unless this signer made the link (a changed project, image or expiry included); else whether it is still valid. */
  check(link: ImageLink, signature: string): 'valid' | 'expired' | 'forged' {
    if (!sameSignature(this.sign(link), signature)) return 'forged';
    return link.expiresAt > this.nowInS() ? 'valid' : 'expired';
  }

  /** True when this signer issued the link of the old form, without project or expiry (signed as `<hash>/<kind>`); such links are no longer served. */
  issuedUnbound(kind: string, hash: string, signature: string): boolean {
    return sameSignature(createHmac('sha256', this.secret).update(`${hash}/${kind}`).digest('base64url').slice(0, 32), signature);
  }

  /**
   * Links as seen from the request's own base URL, so they work from where the client stands (the
   * Host check has accepted that name), with image links bound to the project the caller works on.
   */
  forProject(request: FastifyRequest, projectId: string): Links {
    const base = `${request.protocol}://${request.host}`;
    const image = (hash: string, kind: ImageKind) => `${base}${this.imagePath({ projectId, kind, hash })}`;
    return {
      original: (hash) => image(hash, 'original'),
      resized: (hash) => image(hash, 'resized'),
      thumbnail: (hash) => image(hash, 'thumbnail'),
      exportPackage: (token, fileName) => `${base}/customvision/exports/${token}/${encodeURIComponent(fileName)}`,
    };
  }
}
