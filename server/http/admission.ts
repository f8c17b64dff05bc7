/**
 * @module Bounds on the shared machine: how many image bodies are being received at once and how
 * many of their bytes are held, service-wide and per resource, and how slowly one may arrive. A
 * request over a bound is answered before its body is read: 429 when its resource holds more than
 * its share, 503 when the service is full, both with `Retry-After`. Requests that name images to
 * fetch (URLs) or to copy (stored predictions) are admitted the same way once their small body is read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CustomVisionError } from '../errors';
import { LIMITS } from '../projects/limits';
import type { Resource } from '../resources/resource';
import { MAX_BODY_BYTES, MAX_IMAGE_PART_BYTES } from './body-parsers';
import { releaseWhenDiscarded } from './drain';
import { answerRetryLater } from './rate-limits';

const MIB = 1024 * 1024;

export interface UploadLimits {
  /** Image bodies being received at once, service-wide. */
  maxUploads: number;
  /** Bytes of image bodies held at once, service-wide (each body counts its Content-Length). */
  maxUploadBytes: number;
  /** Image bodies one resource may have in flight at once (a student's notebook sends one at a time). */
  maxUploadsPerResource: number;
  /** Bytes one resource may hold at once: a quarter of the service's, and never less than the largest body accepted. */
  maxUploadBytesPerResource: number;
}

/**
 * Sized for a classroom machine of 2 cores and 23 GB with 30 students: 64 bodies and 1 GiB of them
 * at once (the lab's batches of 64 tiles are about 5 MB as JSON, which the parsed copies and the
 * decoded images make three to four times that while a batch is checked, so the bound keeps the
 * uploads' share of memory within about 4 GB); 8 bodies per resource.
 */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = uploadLimits({ maxUploads: 64, maxUploadMiB: 1024, maxUploadsPerResource: 8 });

/** The limits from the three numbers the command line takes; the per-resource byte share follows from the service's. */
export function uploadLimits(options: { maxUploads: number; maxUploadMiB: number; maxUploadsPerResource: number }): UploadLimits {
  const maxUploadBytes = options.maxUploadMiB * MIB;
  return {
    maxUploads: options.maxUploads,
    maxUploadBytes,
    maxUploadsPerResource: Math.min(options.maxUploadsPerResource, options.maxUploads),
    maxUploadBytesPerResource: Math.min(maxUploadBytes, Math.max(maxUploadBytes / 4, MAX_BODY_BYTES)),
  };
}

/** The limits for a service of one resource: its share is the whole service. */
export function forSingleResource(limits: UploadLimits): UploadLimits {
  return { ...limits, maxUploadsPerResource: limits.maxUploads, maxUploadBytesPerResource: limits.maxUploadBytes };
}

/** Whether the request carries image bytes: multipart forms, raw bodies, or a batch of base64 files. */
export function isImageBody(method: string, url: string, contentType: string | undefined): boolean {
  if (method !== 'POST' && method !== 'PUT') return false;
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type.startsWith('multipart/') || type === 'application/octet-stream' || type.startsWith('image/')) return true;
  return /\/images\/files\/?$/i.test(url.split('?')[0]);
}

/** The bytes a body will hold: its declared length, or without one (chunked) the most its parser accepts. */
export function bodyBytes(contentType: string | undefined, contentLength: string | undefined): number {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const most = type === 'application/octet-stream' || type.startsWith('image/') ? MAX_IMAGE_PART_BYTES : MAX_BODY_BYTES;
  const declared = Number(contentLength);
  // A body over the parser's limit is refused (413) by the parser: it never holds more than that.
  return contentLength !== undefined && Number.isFinite(declared) && declared >= 0 ? Math.min(declared, most) : most;
}

interface Held {
  uploads: number;
  bytes: number;
}

export type Refusal = { status: 429 | 503; reason: string };

/** What is held, service-wide and per resource, and the admission decision. */
export class UploadAdmission {
  private readonly total: Held = { uploads: 0, bytes: 0 };
  private readonly byResource = new Map<string, Held>();

  constructor(readonly limits: UploadLimits) {}

  /** Takes a place for a body of `bytes` and returns its release, or why there is none. */
  admit(resource: string, bytes: number): { release: () => void } | Refusal {
    const mine = this.byResource.get(resource) ?? { uploads: 0, bytes: 0 };
    const { limits } = this;
    // The service first: when it is full, every resource waits (503); when it is not, a resource over its share does (429).
    if (this.total.uploads + 1 > limits.maxUploads) {
      return { status: 503, reason: `the service is receiving ${this.total.uploads} image uploads, its most at once` };
    }
    // One body may always be taken when nothing else is held, so no single valid body waits forever.
    if (this.total.bytes > 0 && this.total.bytes + bytes > limits.maxUploadBytes) {
      return { status: 503, reason: `the service holds ${mb(this.total.bytes)} of images being uploaded, its most at once (${mb(limits.maxUploadBytes)})` };
    }
    if (mine.uploads + 1 > limits.maxUploadsPerResource) {
      return { status: 429, reason: `resource ${resource} already has ${mine.uploads} image uploads in progress, its share (${limits.maxUploadsPerResource})` };
    }
    if (mine.bytes > 0 && mine.bytes + bytes > limits.maxUploadBytesPerResource) {
      return { status: 429, reason: `resource ${resource} already has ${mb(mine.bytes)} of images in memory, its share (${mb(limits.maxUploadBytesPerResource)})` };
    }
    mine.uploads++;
    mine.bytes += bytes;
    this.byResource.set(resource, mine);
    this.total.uploads++;
    this.total.bytes += bytes;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        mine.uploads--;
        mine.bytes -= bytes;
        this.total.uploads--;
        this.total.bytes -= bytes;
        if (mine.uploads === 0) this.byResource.delete(resource);
      },
    };
  }

  /** What is held now (for tests and the log). */
  held(resource?: string): Held {
    return resource === undefined ? { ...this.total } : { ...(this.byResource.get(resource) ?? { uploads: 0, bytes: 0 }) };
  }
}

const mb = (bytes: number) => `${(bytes / MIB).toFixed(0)} MB`;

/** How long a refused upload is told to wait: about the time a batch of 64 tiles takes to be received and stored. */
const RETRY_AFTER_MS = 2000;

/**
 * How slowly an admitted body may arrive: after a grace period, on average at least this rate, or
 * 408 and its place is given back. Without it a client sending a byte a second would hold its
 * place (and its resource's share) until the request timeout, ten minutes.
 */
export interface BodyPace {
  graceMs: number;
  minBytesPerSecond: number;
  checkEveryMs: number;
}

/** 64 KB/s after 10 s: a 5 MB batch of the lab's tiles passes on a link of about 0.6 Mbit/s. */
export const BODY_PACE: BodyPace = { graceMs: 10_000, minBytesPerSecond: 64 * 1024, checkEveryMs: 1000 };

/**
 * The pace's arithmetic: whether a body that began `started` ms ago has fallen behind, given the
 * bytes received so far. Time the service was the slow one is not counted: while bytes wait unread
 * in the request, and when a check comes late (the event loop was busy, so what arrived meanwhile
 * has not been read from the socket yet).
 */
export function paceKeeper(pace: BodyPace, started: number) {
  let last = started;
  let excusedMs = 0;
  return {
    isBehind(now: number, received: number, unreadWaiting: boolean): boolean {
      excusedMs += unreadWaiting ? now - last : Math.max(0, now - last - pace.checkEveryMs);
      last = now;
      const owed = ((now - started - excusedMs - pace.graceMs) / 1000) * pace.minBytesPerSecond;
      return received < owed;
    },
  };
}

/**
 * Calls `tooSlow` once the body has fallen behind the pace, measured on the socket every
 * `checkEveryMs`. Stops when the body is complete or the request ends.
 */
export function watchPace(raw: IncomingMessage, pace: BodyPace, tooSlow: (received: number, elapsedMs: number) => void): void {
  const socket = raw.socket;
  const started = performance.now();
  const before = socket.bytesRead;
  const keeper = paceKeeper(pace, started);
  const stop = () => {
    clearInterval(timer);
    raw.off('end', stop).off('close', stop);
  };
  const timer = setInterval(() => {
    if (raw.complete || raw.destroyed) return stop();
    const now = performance.now();
    const received = socket.bytesRead - before;
    if (keeper.isBehind(now, received, raw.readableLength > 0)) {
      stop();
      tooSlow(received, now - started);
    }
  }, pace.checkEveryMs);
  timer.unref();
  raw.once('end', stop).once('close', stop);
}

/**
 * Holds an admitted request's place until its response is done or its client goes away, or until
 * its body is discarded (a refusal reads it away holding nothing). A request whose connection has
 * closed already gives it back at once (false): its 'close' has been and will not come again.
 */
export function holdPlace(request: IncomingMessage, response: ServerResponse, release: () => void): boolean {
  if (response.closed || request.destroyed) {
    release();
    return false;
  }
  response.once('close', release);
  releaseWhenDiscarded(request, release);
  return true;
}

/**
 * How many images a request gives by reference, each to be fetched (a URL) or read from storage (a
 * stored prediction) and held while it is served: CreateImagesFromUrls, CreateImagesFromPredictions,
 * QuickTestImageUrl and the Prediction API's URL routes. 0 for every other request.
 */
export function referencedImages(method: string, route: string | undefined, body: unknown): number {
  if (method !== 'POST' || !route) return 0;
  if (/\/quicktest\/url$|\/classify\/iterations\/[^/]+\/url(\/nostore)?$/i.test(route)) return 1;
  if (!/\/images\/(urls|predictions)$/i.test(route)) return 0;
  const images = (body as { images?: unknown } | undefined)?.images;
  // A longer list is refused (400) before anything is fetched.
  return Array.isArray(images) ? Math.min(images.length, LIMITS.batchSize) : 0;
}

/**
 * Admits each image body of the two APIs before it is read (preParsing: after the key check, so the
 * resource is known), and each request naming images by reference once its body is parsed
 * (preHandler), counting 6 MB per image; the place is given back when the response is done, the
 * client goes away, or the body is refused. An admitted body that arrives too slowly gets 408.
 */
export function registerUploadAdmission(app: FastifyInstance, admission: UploadAdmission, pace: BodyPace = BODY_PACE): void {
  const refuse = (reply: FastifyReply, decision: Refusal) => {
    const message = `Too many image uploads at once: ${decision.reason}. Please retry after ${RETRY_AFTER_MS / 1000} seconds.`;
    answerRetryLater(reply, new CustomVisionError(decision.status, decision.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message), RETRY_AFTER_MS);
  };
  app.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply) => {
    const resource = request.resource as Resource | null;
    if (!resource || !isImageBody(request.method, request.url, request.headers['content-type'])) return;
    const decision = admission.admit(resource.name, bodyBytes(request.headers['content-type'], request.headers['content-length']));
    if (!('release' in decision)) return refuse(reply, decision);
    if (!holdPlace(request.raw, reply.raw, decision.release)) return;
    watchPace(request.raw, pace, (received, elapsedMs) => {
      decision.release();
      if (reply.sent) return;
      const message =
        `The request body arrived too slowly: ${(received / 1024).toFixed(0)} KB in ${(elapsedMs / 1000).toFixed(0)} s. ` +
        `An image upload must arrive at ${pace.minBytesPerSecond / 1024} KB/s or more after its first ${pace.graceMs / 1000} s.`;
      // The connection is closed after the answer: the rest of this body is not waited for.
      void reply.status(408).header('Connection', 'close').send({ code: 'RequestTimeout', message });
    });
  });
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const resource = request.resource as Resource | null;
    const images = resource ? referencedImages(request.method, request.routeOptions.url, request.body) : 0;
    if (!resource || images === 0) return;
    const decision = admission.admit(resource.name, images * LIMITS.trainingImageBytes);
    if (!('release' in decision)) return refuse(reply, decision);
    holdPlace(request.raw, reply.raw, decision.release);
  });
}
