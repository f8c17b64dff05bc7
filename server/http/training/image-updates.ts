/** @module Training API: changing what a project's images are: UpdateImageMetadata, and CreateImagesFromPredictions (stored predictions' images become training images). */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors';
import { updateImageMetadata } from '../../projects/image-metadata';
import { createImagesFromPredictions, type PredictedImageBatch } from '../../projects/images-from-predictions';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { projectIdOf, type Req } from './request';

function idList(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest('BadRequestImageTags', `${what} must be an array of ids.`);
  return value.map((id) => p.uuid(String(id), what));
}

/** A metadata object; its values and limits are checked with the images' rules (projects/image-checks). */
function metadataOf(value: unknown, what: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  return p.objectBody(value, what) as Record<string, string>;
}

/** ImageIdCreateBatch: `{ images: [{ id, tagIds, regions }], tagIds, metadata }`, `id` naming a stored prediction. */
function readIdBatch(body: unknown): PredictedImageBatch {
  const batch = p.objectBody(body, 'an ImageIdCreateBatch');
  const images = p.arrayField(batch, 'images').map((item) => {
    const entry = p.objectBody(item, 'an ImageIdCreateEntry');
    return { id: p.uuid(String(entry.id ?? ''), 'id'), tagIds: idList(entry.tagIds, 'tagIds'), regions: Array.isArray(entry.regions) ? entry.regions : undefined };
  });
  return { images, tagIds: idList(batch.tagIds, 'tagIds') ?? [], metadata: metadataOf(batch.metadata, 'the batch metadata') };
}

export function registerImageUpdateRoutes(app: FastifyInstance, { links }: AppContext): void {
  app.post('/projects/:projectId/images/metadata', async (req: Req, reply) => {
    const imageIds = p.uuidList(req.query, 'imageIds') ?? [];
    const summary = updateImageMetadata(req.store, projectIdOf(req), imageIds, metadataOf(req.body, 'the metadata to set') ?? {});
    return reply.status(summary.isBatchSuccessful ? 200 : 207).send(summary);
  });
  app.post('/projects/:projectId/images/predictions', async (req: Req, reply) => {
    const projectId = projectIdOf(req);
    const summary = await createImagesFromPredictions(req.store, projectId, readIdBatch(req.body), links.forProject(req, projectId));
    return reply.status(summary.isBatchSuccessful ? 200 : 207).send(summary);
  });
}
