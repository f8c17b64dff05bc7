/** @module Training API: a project's images: upload (bytes, files, URLs), listings and counts, deletion, tagging. */
import type { FastifyInstance } from 'fastify';
import { createImagesFromUrls } from '../../projects/image-urls';
import * as images from '../../projects/images';
import { LIMITS } from '../../projects/limits';
import { requireProject } from '../../projects/projects';
import type { AppContext } from '../app-context';
import * as p from '../params';
import { readFileBatch, readImageBodies, readUrlBatch } from '../uploads';
import { metadataFilter, pageOf, projectIdOf, type Req } from './request';

const TAGGING = ['All', 'Tagged', 'Untagged'] as const;

/** 207 Multi-Status when some images of the batch were refused. */
const statusOf = (summary: images.ImageCreateSummary) => (summary.isBatchSuccessful ? 200 : 207);

function imageQuery(req: Req, taggingStatus: images.TaggingStatus): images.ImageQuery {
  return {
    taggingStatus,
    iterationId: p.optionalUuid(req.query, 'iterationId'),
    tagIds: p.uuidList(req.query, 'tagIds', LIMITS.tagsPerBatch),
    ...pageOf(req),
    metadata: metadataFilter(p.optionalString(req.query, '$filter')),
  };
}

export function registerImageRoutes(app: FastifyInstance, { links, allowPrivateUrls, urlFetches }: AppContext): void {
  app.post('/projects/:projectId/images', async (req: Req, reply) => {
    const projectId = projectIdOf(req);
    requireProject(req.store, projectId);
    const tagIds = p.uuidList(req.query, 'tagIds', LIMITS.tagsPerBatch) ?? [];
    const summary = await images.createImages(req.store, projectId, await readImageBodies(req), tagIds, links.forProject(req, projectId));
    return reply.status(statusOf(summary)).send(summary);
  });
  app.post('/projects/:projectId/images/files', async (req: Req, reply) => {
    const projectId = projectIdOf(req);
    const batch = readFileBatch(req.body);
    const summary = await images.createImages(req.store, projectId, batch.entries, batch.tagIds, links.forProject(req, projectId));
    return reply.status(statusOf(summary)).send(summary);
  });
  app.post('/projects/:projectId/images/urls', async (req: Req, reply) => {
    const projectId = projectIdOf(req);
    requireProject(req.store, projectId);
    const summary = await createImagesFromUrls(req.store, projectId, readUrlBatch(req.body), links.forProject(req, projectId), { allowPrivate: allowPrivateUrls, slots: urlFetches });
    return reply.status(statusOf(summary)).send(summary);
  });

  const listing = (status?: images.TaggingStatus) => async (req: Req) => {
    const projectId = projectIdOf(req);
    return images.listImages(req.store, projectId, imageQuery(req, status ?? p.oneOf(req.query, 'taggingStatus', TAGGING, 'All')), links.forProject(req, projectId));
  };
  const count = (status?: images.TaggingStatus) => async (req: Req) =>
    images.countImages(req.store, projectIdOf(req), imageQuery(req, status ?? p.oneOf(req.query, 'taggingStatus', TAGGING, 'All')));
  app.get('/projects/:projectId/images', listing());
  app.get('/projects/:projectId/images/count', count());
  app.get('/projects/:projectId/images/tagged', listing('Tagged'));
  app.get('/projects/:projectId/images/tagged/count', count('Tagged'));
  app.get('/projects/:projectId/images/untagged', listing('Untagged'));
  app.get('/projects/:projectId/images/untagged/count', count('Untagged'));
  app.get('/projects/:projectId/images/id', async (req: Req) => {
    const imageIds = p.uuidList(req.query, 'imageIds', LIMITS.idsPerRequest) ?? [];
    const projectId = projectIdOf(req);
    return images.getImagesByIds(req.store, projectId, imageIds, links.forProject(req, projectId), p.optionalUuid(req.query, 'iterationId'));
  });

  app.delete('/projects/:projectId/images', async (req: Req, reply) => {
    const allImages = p.boolean(req.query, 'allImages', false);
    const allIterations = p.boolean(req.query, 'allIterations', false);
    images.deleteImages(req.store, projectIdOf(req), { imageIds: p.uuidList(req.query, 'imageIds'), allImages, allIterations });
    return reply.status(allImages || allIterations ? 202 : 204).send();
  });

  app.post('/projects/:projectId/images/tags', async (req: Req) => {
    const body = p.objectBody(req.body, 'an ImageTagCreateBatch');
    const pairs = p.arrayField(body, 'tags').map((entry) => {
      const e = p.objectBody(entry, 'an ImageTagCreateEntry');
      return { imageId: p.uuid(String(e.imageId ?? ''), 'imageId'), tagId: p.uuid(String(e.tagId ?? ''), 'tagId') };
    });
    return images.createImageTags(req.store, projectIdOf(req), pairs);
  });
  app.delete('/projects/:projectId/images/tags', async (req: Req, reply) => {
    images.deleteImageTags(req.store, projectIdOf(req), p.uuidList(req.query, 'imageIds') ?? [], p.uuidList(req.query, 'tagIds') ?? []);
    return reply.status(204).send();
  });
}
