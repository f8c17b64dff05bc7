/**
 * @module Custom Vision operations the local service knows but does not implement: they answer
 * 400 BadRequestNotSupported with the operation's name, so a client can tell "not here" from
 * "no such project" (unknown paths keep their 404).
 */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors';

type Method = 'GET' | 'POST' | 'DELETE';

/** Training API operations of the v3.3 and v3.4-preview specs that the local service lacks. */
export const UNSUPPORTED_TRAINING_OPERATIONS: readonly { operation: string; method: Method; path: string }[] = [
  { operation: 'CreateImageRegions', method: 'POST', path: '/projects/:projectId/images/regions' },
  { operation: 'DeleteImageRegions', method: 'DELETE', path: '/projects/:projectId/images/regions' },
  { operation: 'GetImageRegionProposals', method: 'POST', path: '/projects/:projectId/images/:imageId/regionproposals' },
];

/** Prediction API operations for object detection, which the local service does not train. */
export const UNSUPPORTED_PREDICTION_OPERATIONS: readonly { operation: string; method: Method; path: string }[] = [
  ['DetectImage', 'image'],
  ['DetectImageWithNoStore', 'image/nostore'],
  ['DetectImageUrl', 'url'],
  ['DetectImageUrlWithNoStore', 'url/nostore'],
].map(([operation, suffix]) => ({ operation, method: 'POST' as const, path: `/:projectId/detect/iterations/:publishedName/${suffix}` }));

function reasonFor(operation: string): string {
  if (operation.startsWith('Detect')) return 'object detection is not supported by the local Custom Vision service: use the classify routes of an image classification project';
  if (operation.includes('Region')) return 'regions belong to object detection projects, which the local Custom Vision service does not support';
  return 'the local Custom Vision service does not implement this operation';
}

export function registerUnsupported(app: FastifyInstance, operations: readonly { operation: string; method: Method; path: string }[]): void {
  for (const { operation, method, path } of operations) {
    const message = `${operation} is not supported: ${reasonFor(operation)}.`;
    app.route({ method, url: path, handler: async () => { throw badRequest('BadRequestNotSupported', message); } });
  }
}
