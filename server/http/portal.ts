/**
 * @module The web portal's files at `/` and `/portal/…`. The portal is a client like any other:
 * it calls the public REST API with the keys the user types, so these routes need no key and
 * serve nothing but the built page, script and style sheet.
 */
import type { FastifyInstance } from 'fastify';
import { CustomVisionError } from '../errors';
import { PORTAL_ASSET_PREFIX, type PortalBuilds, type PortalBundle } from '../portal/bundle';

/** The portal's own policy: scripts, styles and API calls from this origin only; images also from blob: (previews of files to upload). */
export const PORTAL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `portal` resolves to the built files, or to the reason the build failed (the API still works then). */
export function registerPortalRoutes(app: FastifyInstance, portal: PortalBuilds): void {
  const file = async (urlPath: string) => {
    let bundle: PortalBundle;
    try {
      bundle = await (urlPath === '/' ? portal.forPage() : portal.current());
    } catch (error) {
      throw new CustomVisionError(503, 'PortalUnavailable', `The web portal could not be built: ${(error as Error).message.split('\n')[0]} The API works without it.`);
    }
    return { bundle, file: bundle.files.get(urlPath) };
  };

  app.get('/', async (request, reply) => {
    const { bundle, file: page } = await file('/');
    if (!page) throw new CustomVisionError(503, 'PortalUnavailable', 'The web portal has no page.');
    void reply.header('Content-Security-Policy', PORTAL_CSP).header('Cache-Control', 'no-cache').header('ETag', bundle.etag);
    if (request.headers['if-none-match'] === bundle.etag) return reply.status(304).send();
    return reply.type(page.contentType).send(page.body);
  });

  app.get<{ Params: { name: string } }>(`${PORTAL_ASSET_PREFIX}:name`, async (request, reply) => {
    const { file: asset } = await file(`${PORTAL_ASSET_PREFIX}${request.params.name}`);
    if (!asset) throw new CustomVisionError(404, 'NotFound', 'No such portal file (the portal was rebuilt: reload the page).');
    return reply.header('Cache-Control', 'public, max-age=31536000, immutable').type(asset.contentType).send(asset.body);
  });
}
