/** @module Key-less downloads: stored images by their signed link, export packages by their token. */
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors';
import { renderImage } from '../projects/renditions';
import type { AppContext } from './app-context';
import { EXPORT_ROUTE, IMAGE_KINDS, IMAGE_ROUTE, type ImageKind } from './links';

export function registerFileRoutes(app: FastifyInstance, { store, exporter, links }: AppContext): void {
  app.get<{ Params: { kind: string; hash: string }; Querystring: { sig?: string } }>(IMAGE_ROUTE, async (request, reply) => {
    const { kind, hash } = request.params;
    const valid = (IMAGE_KINDS as readonly string[]).includes(kind) && /^[0-9a-f]{64}$/.test(hash);
    if (!valid || !links.verify(hash, kind, request.query.sig ?? '')) throw notFound('NotFound', 'No image at this address.');
    const { contentType, bytes } = await renderImage(store, hash, kind as ImageKind);
    return reply.header('Cache-Control', 'private, max-age=86400').type(contentType).send(bytes);
  });

  app.get<{ Params: { token: string; name: string } }>(EXPORT_ROUTE, async (request, reply) => {
    const { file, name } = await exporter.download(request.params.token);
    return reply.type('application/zip').header('Content-Disposition', `attachment; filename="${name}"`).send(createReadStream(file));
  });
}
