/**
 * @module The spec's request body types, as far as an XML or form-urlencoded body needs them:
 * those formats carry only text and no arrays or types of their own, so the body is read into the
 * JSON shape the routes take by this description (the spec's writable properties).
 */

/** A leaf, an array, a dictionary (string keys) or an object of named properties. */
export type Shape = 'string' | 'number' | 'integer' | 'boolean' | { array: Shape } | { map: Shape } | { object: Record<string, Shape> };

const list = (item: Shape): Shape => ({ array: item });
const object = (properties: Record<string, Shape>): Shape => ({ object: properties });
const ids = list('string');
const metadata: Shape = { map: 'string' };
const region = object({ tagId: 'string', left: 'number', top: 'number', width: 'number', height: 'number' });
const imageUrl = object({ url: 'string' });
const tagFilter = { tagIds: ids, threshold: 'number' } as const;

const batch = (entry: Record<string, Shape>) => object({ images: list(object({ ...entry, tagIds: ids, regions: list(region) })), tagIds: ids, metadata });

/** Body shape by route path (after the API's prefix) and method. */
const SHAPES: Record<string, Shape> = {
  'POST /projects': object({ exportModelContainerUri: 'string', notificationQueueUri: 'string' }),
  'PATCH /projects/:projectId': object({
    name: 'string',
    description: 'string',
    settings: object({
      domainId: 'string',
      classificationType: 'string',
      targetExportPlatforms: list('string'),
      useNegativeSet: 'boolean',
      detectionParameters: 'string',
      imageProcessingSettings: object({ augmentationMethods: { map: 'boolean' } }),
    }),
  }),
  'POST /projects/:projectId/images/files': batch({ name: 'string', contents: 'string' }),
  'POST /projects/:projectId/images/urls': batch({ url: 'string' }),
  'POST /projects/:projectId/images/predictions': batch({ id: 'string' }),
  'POST /projects/:projectId/images/metadata': metadata,
  'POST /projects/:projectId/images/tags': object({ tags: list(object({ imageId: 'string', tagId: 'string' })) }),
  'POST /projects/:projectId/images/regions': object({ regions: list(object({ imageId: 'string', tagId: 'string', left: 'number', top: 'number', width: 'number', height: 'number' })) }),
  'POST /projects/:projectId/images/suggested': object({ ...tagFilter, session: 'string', continuation: 'string', maxCount: 'integer', sortBy: 'string' }),
  'POST /projects/:projectId/images/suggested/count': object(tagFilter),
  'PATCH /projects/:projectId/iterations/:iterationId': object({ name: 'string', isDefault: 'boolean' }),
  'POST /projects/:projectId/predictions/query': object({
    session: 'string',
    continuation: 'string',
    maxCount: 'integer',
    orderBy: 'string',
    tags: list(object({ id: 'string', minThreshold: 'number', maxThreshold: 'number' })),
    iterationId: 'string',
    startTime: 'string',
    endTime: 'string',
    application: 'string',
  }),
  'POST /projects/:projectId/quicktest/url': imageUrl,
  'PATCH /projects/:projectId/tags/:tagId': object({ name: 'string', description: 'string', type: 'string' }),
  'POST /projects/:projectId/train': object({ selectedTags: ids, customBaseModelInfo: object({ projectId: 'string', iterationId: 'string' }) }),
  'POST /:projectId/classify/iterations/:publishedName/url': imageUrl,
  'POST /:projectId/classify/iterations/:publishedName/url/nostore': imageUrl,
  'POST /:projectId/detect/iterations/:publishedName/url': imageUrl,
  'POST /:projectId/detect/iterations/:publishedName/url/nostore': imageUrl,
};

/** The API's prefix: `/customvision/v3.4-preview/training`, `/customvision/v3.1/prediction`, ... */
const API_PREFIX = /^\/customvision\/v[^/]+\/(?:training|prediction)(?=\/)/i;

/** The body type of the route (as registered, with its `:params`), if the spec gives it one. */
export function shapeOf(method: string, routeUrl: string | undefined): Shape | undefined {
  if (!routeUrl || !API_PREFIX.test(routeUrl)) return undefined;
  return SHAPES[`${method.toUpperCase()} ${routeUrl.replace(API_PREFIX, '')}`];
}
