/**
 * @module Request rates per resource: a token bucket for its Training API calls and one for its
 * Prediction API calls; over the rate, 429 with `Retry-After` before the request's body is read.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CustomVisionError } from '../errors';
import { BURST_SECONDS, PREDICTION_COST } from '../resources/quotas';
import type { Resource } from '../resources/resource';
import { discardRequestBody } from './drain';

/**
 * The classic token bucket: `capacity` tokens, refilled at `ratePerSecond`; a request takes its
 * cost or, when there are not enough, is told how long until there will be.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = clock();
  }

  /** Takes `cost` tokens and returns 0, or takes none and returns the milliseconds until `cost` will be there. */
  take(cost = 1): number {
    const now = this.clock();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return 0;
    }
    return ((cost - this.tokens) / this.ratePerSecond) * 1000;
  }
}

export type Api = 'training' | 'prediction';

/** The buckets of every resource, made on a resource's first request from its quotas. */
export class RateLimits {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock?: () => number) {}

  /** 0 when the request may go, else the milliseconds to wait. */
  take(resource: Resource, api: Api, cost: number): number {
    const rate = api === 'training' ? resource.quotas.trainingRequestsPerSecond : resource.quotas.predictionRequestsPerSecond;
    if (!Number.isFinite(rate)) return 0;
    const key = `${api}\n${resource.name}`;
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.ratePerSecond !== rate) {
      // A burst of BURST_SECONDS' worth, and never less than one request of the dearest kind.
      bucket = new TokenBucket(rate, Math.max(rate * BURST_SECONDS, PREDICTION_COST.stored), this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket.take(cost);
  }
}

/** Retry-After in whole seconds, at least 1: the SDK and most clients read it as an integer. */
export const retryAfterSeconds = (waitMs: number): number => Math.max(1, Math.ceil(waitMs / 1000));

/**
 * Answers a request over a limit at once: its status, `Retry-After` and the spec's error body. Not
 * through the error handler, which reads the rest of a refused body before answering: this answer
 * is meant to come before the body is read. What the client still sends is then read and discarded
 * within the drain's bounds, so a client that writes its whole body before reading gets the answer
 * too, and one that sends more than the bounds has its connection closed.
 */
export function answerRetryLater(reply: FastifyReply, error: CustomVisionError, waitMs: number): void {
  discardRequestBody(reply.request.raw);
  void reply
    .status(error.status)
    .header('Retry-After', String(retryAfterSeconds(waitMs)))
    .send({ code: error.code, message: error.message });
}

/** Which API a request calls, from its path; undefined for what neither API serves (image links, export downloads). */
export function apiOf(url: string): Api | undefined {
  const path = url.split('?')[0];
  if (/^\/customvision\/[^/]+\/training(\/|$)/i.test(path)) return 'training';
  if (/^\/customvision\/[^/]+\/prediction(\/|$)/i.test(path)) return 'prediction';
  return undefined;
}

/** A prediction that keeps the image costs two (Azure: 10/s with storage, 20/s without); every other call one. */
export function costOf(api: Api, url: string): number {
  if (api !== 'prediction') return 1;
  return /\/nostore\/?$/i.test(url.split('?')[0]) ? PREDICTION_COST.noStore : PREDICTION_COST.stored;
}

/**
 * Checks each API request against its resource's rate once its key is known (the key checks run
 * in onRequest) and before its body is read (preParsing). Image uploads count one request each, as
 * on Azure, whatever the number of images they carry.
 */
export function registerRateLimits(app: FastifyInstance, limits = new RateLimits()): void {
  app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply) => {
    const resource = request.resource as Resource | null;
    const api = apiOf(request.url);
    if (!resource || !api) return;
    const waitMs = limits.take(resource, api, costOf(api, request.url));
    if (waitMs === 0) return;
    const rate = api === 'training' ? resource.quotas.trainingRequestsPerSecond : resource.quotas.predictionRequestsPerSecond;
    const which = api === 'training' ? 'Training API' : 'Prediction API';
    const message = `Requests to the ${which} of resource ${resource.name} have exceeded its rate limit of ${rate} per second. Please retry after ${retryAfterSeconds(waitMs)} second(s).`;
    answerRetryLater(reply, new CustomVisionError(429, 'TooManyRequests', message), waitMs);
  });
}
