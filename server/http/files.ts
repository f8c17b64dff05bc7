/**
 * @module Key-less downloads: stored images by their signed link, export packages by their token.
 * A link that was never issued (a changed signature, project, image or expiry) is 404, as an
 * unknown blob: it tells nothing about what exists. A genuine link past its expiry is 403
 * AuthenticationFailed, as an expired SAS link is on Azure, so its holder knows to list again.
 */
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { CustomVisionError, notFound } from '../errors';
import { renderImage } from '../projects/renditions';
import type { AppContext } from './app-context';
import { EXPORT_ROUTE, IMAGE_KINDS, IMAGE_ROUTE, UNBOUND_IMAGE_ROUTE, type ImageKind } from './links';

const expired = (message: string) => new CustomVisionError(403, 'AuthenticationFailed', `${message} List the images again for a fresh link.`);

type ImageRequest = { Params: { projectId: string; kind: string; hash: string }; Querystring: { se?: string; sig?: string } };

export function registerFileRoutes(app: FastifyInstance, { store, exporter, links }: AppContext): void {
  app.get<ImageRequest>(IMAGE_ROUTE, async (request, reply) => {
    const { projectId, kind, hash } = request.params;
    const { se = '', sig = '' } = request.query;
    const wellFormed = (IMAGE_KINDS as readonly string[]).includes(kind) && /^[0-9a-f]{64}$/.test(hash) && /^[0-9a-f-]{36}$/.test(projectId) && /^\d{1,12}$/.test(se);
    const link = { projectId, kind: kind as ImageKind, hash, expiresAt: Number(se) };
    const verdict = wellFormed ? links.check(link, sig) : 'forged';
    if (verdict === 'forged') throw notFound('NotFound', 'No image at this address.');
    if (verdict === 'expired') throw expired(`This image link expired at ${new Date(link.expiresAt * 1000).toISOString()}.`);
    const { contentType, bytes } = await renderImage(store, projectId, hash, link.kind);
    // The service stops serving a deleted image at once; a browser may show its copy for an hour at most.
    return reply.header('Cache-Control', 'private, max-age=3600').type(contentType).send(bytes);
  });

  // A link of the old form is expired only if we issued it; any other address of that shape never named an image.
  app.get<{ Params: { kind: string; hash: string }; Querystring: { sig?: string } }>(UNBOUND_IMAGE_ROUTE, async (request) => {
    const { kind, hash } = request.params;
    if (!links.issuedUnbound(kind, hash, request.query.sig ?? '')) throw notFound('NotFound', 'No image at this address.');
    throw expired('Image links without a project and an expiry (from before this version of the service) are no longer served.');
  });

  app.get<{ Params: { token: string; name: string } }>(EXPORT_ROUTE, async (request, reply) => {
    const { file, name } = await exporter.download(request.params.token);
    return reply.type('application/zip').header('Content-Disposition', `attachment; filename="${name}"`).send(createReadStream(file));
  });
}
