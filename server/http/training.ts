/** @module The Training API routes: parse and validate each request, call the project rules, send the spec's JSON. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../errors';
import { fetchImage, ImageFetchError } from '../net/fetch-image';
import { DOMAINS, findDomain } from '../projects/domains';
import * as images from '../projects/images';
import * as iterations from '../projects/iterations';
import { imagePerformanceCount, imagePerformances, iterationPerformance } from '../projects/performance';
import { deletePredictions, queryPredictions } from '../projects/predictions';
import * as projects from '../projects/projects';
import * as tags from '../projects/tags';
import type { AppOptions } from './app';
import { baseUrlOf } from './images';
import * as p from './params';
import { readFileBatch, readImageBodies, readImageUrl, readSingleImage, readUrlBatch } from './uploads';

type Params = { projectId: string; tagId: string; iterationId: string; domainId: string };
type Req = FastifyRequest<{ Params: Params; Querystring: Record<string, string> }>;

const ORDER_BY = ['Newest', 'Oldest'] as const;
const TAGGING = ['All', 'Tagged', 'Untagged'] as const;

const projectIdOf = (req: Req) => p.uuid(req.params.projectId, 'projectId');
const iterationIdOf = (req: Req) => p.uuid(req.params.iterationId, 'iterationId');

/** `$filter` on image metadata: `key eq 'value'` clauses joined by `and` (what the lab and most clients use). */
function metadataFilter(filter: string | undefined): Record<string, string> | undefined {
  if (!filter) return undefined;
  const result: Record<string, string> = {};
  for (const clause of filter.split(/\s+and\s+/i)) {
    const m = /^\s*([A-Za-z0-9_.\-]+)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(clause);
    if (!m) throw badRequest('BadRequestNotSupported', `Unsupported $filter clause "${clause}": the local service supports key eq 'value' joined by and.`);
    result[m[1]] = m[2].replace(/''/g, "'");
  }
  return result;
}

export function registerTrainingRoutes(app: FastifyInstance, options: AppOptions): void {
  const { store, queue, predictor } = options;
  const links = (req: FastifyRequest) => options.signer.linksFor(baseUrlOf(req));

  // Domains
  app.get('/domains', async () => DOMAINS);
  app.get('/domains/:domainId', async (req: Req) => {
    const domain = findDomain(p.uuid(req.params.domainId, 'domainId'));
    if (!domain) throw notFound('NotFoundDomain', `Domain ${req.params.domainId} not found.`);
    return domain;
  });

  // Projects
  app.get('/projects', async () => projects.listProjects(store));
  app.post('/projects', async (req: Req) =>
    projects.createProject(store, {
      name: p.requiredString(req.query, 'name'),
      description: p.optionalString(req.query, 'description'),
      domainId: p.optionalUuid(req.query, 'domainId'),
      classificationType: p.optionalString(req.query, 'classificationType'),
      targetExportPlatforms: p.stringList(req.query, 'targetExportPlatforms'),
    }),
  );
  app.get('/projects/:projectId', async (req: Req) => projects.getProject(store, projectIdOf(req)));
  app.patch('/projects/:projectId', async (req: Req) => {
    const body = p.objectBody(req.body, 'a Project');
    const settings = body.settings === undefined || body.settings === null ? undefined : p.objectBody(body.settings, 'ProjectSettings');
    return projects.updateProject(store, projectIdOf(req), {
      name: p.optionalStringField(body, 'name'),
      description: body.description === null ? null : p.optionalStringField(body, 'description'),
      settings: settings && {
        domainId: settings.domainId === undefined || settings.domainId === null ? undefined : p.uuid(String(settings.domainId), 'settings.domainId'),
        classificationType: p.optionalStringField(settings, 'classificationType'),
        targetExportPlatforms: Array.isArray(settings.targetExportPlatforms) ? settings.targetExportPlatforms.map(String) : undefined,
      },
    });
  });
  app.delete('/projects/:projectId', async (req: Req, reply) => {
    projects.deleteProject(store, projectIdOf(req));
    return reply.status(204).send();
  });

  // Tags
  app.get('/projects/:projectId/tags', async (req: Req) => tags.listTags(store, projectIdOf(req)));
  app.post('/projects/:projectId/tags', async (req: Req) =>
    tags.createTag(store, projectIdOf(req), {
      name: p.requiredString(req.query, 'name'),
      description: p.optionalString(req.query, 'description'),
      type: p.optionalString(req.query, 'type'),
    }),
  );
  app.get('/projects/:projectId/tags/:tagId', async (req: Req) => tags.getTag(store, projectIdOf(req), p.uuid(req.params.tagId, 'tagId')));
  app.patch('/projects/:projectId/tags/:tagId', async (req: Req) => {
    const body = p.objectBody(req.body, 'a Tag');
    return tags.updateTag(store, projectIdOf(req), p.uuid(req.params.tagId, 'tagId'), {
      name: p.optionalStringField(body, 'name'),
      description: body.description === null ? null : p.optionalStringField(body, 'description'),
      type: p.optionalStringField(body, 'type'),
    });
  });
  app.delete('/projects/:projectId/tags/:tagId', async (req: Req, reply) => {
    tags.deleteTag(store, projectIdOf(req), p.uuid(req.params.tagId, 'tagId'));
    return reply.status(204).send();
  });

  // Images: creation
  const summaryReply = (summary: images.ImageCreateSummary) => (summary.isBatchSuccessful ? 200 : 207);
  app.post('/projects/:projectId/images', async (req: Req, reply) => {
    const projectId = projectIdOf(req);
    projects.requireProject(store, projectId);
    const tagIds = p.uuidList(req.query, 'tagIds', images.LIMITS.tagsPerBatch) ?? [];
    const entries = await readImageBodies(req);
    const summary = await images.createImages(store, projectId, entries, tagIds, links(req));
    return reply.status(summaryReply(summary)).send(summary);
  });
  app.post('/projects/:projectId/images/files', async (req: Req, reply) => {
    const projectId = projectIdOf(req);
    const batch = readFileBatch(req.body);
    const summary = await images.createImages(store, projectId, batch.entries, batch.tagIds, links(req));
    return reply.status(summaryReply(summary)).send(summary);
  });
  app.post('/projects/:projectId/images/urls', async (req: Req, reply) => {
    const projectId = projectIdOf(req);
    projects.requireProject(store, projectId);
    const batch = readUrlBatch(req.body);
    const entries: images.NewImage[] = await Promise.all(
      batch.entries.map(async (entry) => {
        try {
          const bytes = await fetchImage(entry.url, { maxBytes: images.LIMITS.trainingImageBytes, allowPrivate: options.allowPrivateUrls });
          return { bytes, sourceUrl: entry.url, tagIds: entry.tagIds, metadata: entry.metadata };
        } catch (error) {
          if (!(error instanceof ImageFetchError)) throw error;
          return { failure: error.reason === 'size' ? ('ErrorImageSize' as const) : ('ErrorSource' as const), sourceUrl: entry.url, tagIds: entry.tagIds };
        }
      }),
    );
    const summary = await images.createImages(store, projectId, entries, batch.tagIds, links(req));
    return reply.status(summaryReply(summary)).send(summary);
  });

  // Images: listings
  const imageQuery = (req: Req, taggingStatus: images.TaggingStatus): images.ImageQuery => ({
    taggingStatus,
    iterationId: p.optionalUuid(req.query, 'iterationId'),
    tagIds: p.uuidList(req.query, 'tagIds', images.LIMITS.tagsPerBatch),
    orderBy: p.oneOf(req.query, 'orderBy', ORDER_BY, 'Newest'),
    take: p.integer(req.query, 'take', { min: 0, max: 256, fallback: 50 }),
    skip: p.integer(req.query, 'skip', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
    metadata: metadataFilter(p.optionalString(req.query, '$filter')),
  });
  app.get('/projects/:projectId/images', async (req: Req) =>
    images.listImages(store, projectIdOf(req), imageQuery(req, p.oneOf(req.query, 'taggingStatus', TAGGING, 'All')), links(req)),
  );
  app.get('/projects/:projectId/images/count', async (req: Req) =>
    images.countImages(store, projectIdOf(req), imageQuery(req, p.oneOf(req.query, 'taggingStatus', TAGGING, 'All'))),
  );
  app.get('/projects/:projectId/images/tagged', async (req: Req) => images.listImages(store, projectIdOf(req), imageQuery(req, 'Tagged'), links(req)));
  app.get('/projects/:projectId/images/tagged/count', async (req: Req) => images.countImages(store, projectIdOf(req), imageQuery(req, 'Tagged')));
  app.get('/projects/:projectId/images/untagged', async (req: Req) => images.listImages(store, projectIdOf(req), imageQuery(req, 'Untagged'), links(req)));
  app.get('/projects/:projectId/images/untagged/count', async (req: Req) => images.countImages(store, projectIdOf(req), imageQuery(req, 'Untagged')));
  app.get('/projects/:projectId/images/id', async (req: Req) =>
    images.getImagesByIds(store, projectIdOf(req), p.uuidList(req.query, 'imageIds', images.LIMITS.idsPerRequest) ?? [], links(req)),
  );
  app.delete('/projects/:projectId/images', async (req: Req, reply) => {
    const allImages = p.boolean(req.query, 'allImages', false);
    const allIterations = p.boolean(req.query, 'allIterations', false);
    images.deleteImages(store, projectIdOf(req), { imageIds: p.uuidList(req.query, 'imageIds'), allImages });
    return reply.status(allImages || allIterations ? 202 : 204).send();
  });

  // Images: tagging
  app.post('/projects/:projectId/images/tags', async (req: Req) => {
    const body = p.objectBody(req.body, 'an ImageTagCreateBatch');
    const pairs = p.arrayField(body, 'tags').map((entry) => {
      const e = p.objectBody(entry, 'an ImageTagCreateEntry');
      return { imageId: p.uuid(String(e.imageId ?? ''), 'imageId'), tagId: p.uuid(String(e.tagId ?? ''), 'tagId') };
    });
    return images.createImageTags(store, projectIdOf(req), pairs);
  });
  app.delete('/projects/:projectId/images/tags', async (req: Req, reply) => {
    images.deleteImageTags(store, projectIdOf(req), p.uuidList(req.query, 'imageIds') ?? [], p.uuidList(req.query, 'tagIds') ?? []);
    return reply.status(204).send();
  });

  // Training and iterations
  app.post('/projects/:projectId/train', async (req: Req) => {
    const body = req.body === undefined || req.body === null || req.body === '' ? {} : p.objectBody(req.body, 'TrainingParameters');
    const selectedTags = Array.isArray(body.selectedTags) ? body.selectedTags.map((t) => p.uuid(String(t), 'selectedTags')) : undefined;
    if (body.customBaseModelInfo) throw badRequest('BadRequestNotSupported', 'Training on a custom base model is not supported by the local service.');
    const iteration = iterations.createIterationForTraining(store, projectIdOf(req), {
      trainingType: p.optionalString(req.query, 'trainingType'),
      reservedBudgetInHours: p.integer(req.query, 'reservedBudgetInHours', { min: 0, max: 10000, fallback: 0 }),
      forceTrain: p.boolean(req.query, 'forceTrain', false),
      selectedTags,
    });
    queue.enqueue(iteration.id);
    return iteration;
  });
  app.get('/projects/:projectId/iterations', async (req: Req) => iterations.listIterations(store, projectIdOf(req)));
  app.get('/projects/:projectId/iterations/:iterationId', async (req: Req) => iterations.getIteration(store, projectIdOf(req), iterationIdOf(req)));
  app.patch('/projects/:projectId/iterations/:iterationId', async (req: Req) => {
    const body = p.objectBody(req.body, 'an Iteration');
    if (body.isDefault !== undefined && typeof body.isDefault !== 'boolean') throw badRequest('BadRequest', 'isDefault must be true or false.');
    return iterations.updateIteration(store, projectIdOf(req), iterationIdOf(req), {
      name: p.optionalStringField(body, 'name'),
      isDefault: body.isDefault as boolean | undefined,
    });
  });
  app.delete('/projects/:projectId/iterations/:iterationId', async (req: Req, reply) => {
    const iterationId = iterationIdOf(req);
    iterations.deleteIteration(store, projectIdOf(req), iterationId);
    predictor.forget(iterationId);
    return reply.status(204).send();
  });
  app.post('/projects/:projectId/iterations/:iterationId/publish', async (req: Req) =>
    iterations.publishIteration(store, projectIdOf(req), iterationIdOf(req), {
      publishName: p.requiredString(req.query, 'publishName'),
      predictionId: p.requiredString(req.query, 'predictionId'),
      overwrite: p.boolean(req.query, 'overwrite', false),
    }),
  );
  app.delete('/projects/:projectId/iterations/:iterationId/publish', async (req: Req, reply) => {
    iterations.unpublishIteration(store, projectIdOf(req), iterationIdOf(req));
    return reply.status(204).send();
  });

  // Performance
  app.get('/projects/:projectId/iterations/:iterationId/performance', async (req: Req) =>
    iterationPerformance(store, projectIdOf(req), iterationIdOf(req), p.number(req.query, 'threshold', { min: 0, max: 1, fallback: 0.5 })),
  );
  app.get('/projects/:projectId/iterations/:iterationId/performance/images', async (req: Req) =>
    imagePerformances(
      store,
      projectIdOf(req),
      iterationIdOf(req),
      {
        tagIds: p.uuidList(req.query, 'tagIds', images.LIMITS.tagsPerBatch),
        orderBy: p.oneOf(req.query, 'orderBy', ORDER_BY, 'Newest'),
        take: p.integer(req.query, 'take', { min: 0, max: 256, fallback: 50 }),
        skip: p.integer(req.query, 'skip', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
      },
      links(req),
    ),
  );
  app.get('/projects/:projectId/iterations/:iterationId/performance/images/count', async (req: Req) =>
    imagePerformanceCount(store, projectIdOf(req), iterationIdOf(req), p.uuidList(req.query, 'tagIds', images.LIMITS.tagsPerBatch)),
  );

  // Quick tests
  const quickTestIteration = (req: Req) => {
    const project = projects.requireProject(store, projectIdOf(req));
    const iterationId = p.optionalUuid(req.query, 'iterationId');
    return iterationId ? iterations.iterationRow(store, project.id, iterationId) : iterations.defaultIteration(store, project);
  };
  const quickTestOptions = (req: Req) => ({ maxBytes: images.LIMITS.trainingImageBytes, store: p.boolean(req.query, 'store', true) });
  app.post('/projects/:projectId/quicktest/image', async (req: Req) => {
    const iteration = quickTestIteration(req);
    const bytes = await readSingleImage(req);
    return predictor.classify(iteration, bytes, quickTestOptions(req));
  });
  app.post('/projects/:projectId/quicktest/url', async (req: Req) => {
    const iteration = quickTestIteration(req);
    const bytes = await readImageUrl(req, { maxBytes: images.LIMITS.trainingImageBytes, allowPrivate: options.allowPrivateUrls });
    return predictor.classify(iteration, bytes, quickTestOptions(req));
  });

  // Stored predictions (quick tests with store=true)
  app.post('/projects/:projectId/predictions/query', async (req: Req) => {
    const token = req.body === undefined ? {} : p.objectBody(req.body, 'a PredictionQueryToken');
    const query = {
      iterationId: typeof token.iterationId === 'string' && token.iterationId ? p.uuid(token.iterationId, 'iterationId') : undefined,
      orderBy: token.orderBy === 'Oldest' ? ('Oldest' as const) : ('Newest' as const),
      maxCount: typeof token.maxCount === 'number' ? token.maxCount : undefined,
    };
    return { token: { ...token, continuation: '' }, results: queryPredictions(store, projectIdOf(req), query, links(req)) };
  });
  app.delete('/projects/:projectId/predictions', async (req: Req, reply) => {
    deletePredictions(store, projectIdOf(req), p.uuidList(req.query, 'ids', 64) ?? []);
    return reply.status(204).send();
  });
}
