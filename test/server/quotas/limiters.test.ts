/** The token bucket, the per-resource rates and the upload admission on their own, with a clock the test moves. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { bodyBytes, forSingleResource, holdPlace, isImageBody, paceKeeper, referencedImages, UploadAdmission, uploadLimits } from '../../../server/http/admission';
import { drainRequestBody } from '../../../server/http/drain';
import { apiOf, costOf, RateLimits, retryAfterSeconds, TokenBucket } from '../../../server/http/rate-limits';
import { AZURE_S0_QUOTAS, NO_QUOTAS, resolveQuotas, withQuotas } from '../../../server/resources/quotas';
import { defaultResource, type Resource, type ResourceQuotas } from '../../../server/resources/resource';

function fakeClock() {
  let ms = 0;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

/** A resource with the quotas given and no limit on the others. */
const resource = (name: string, quotas: ResourceQuotas): Resource => ({ name, quotas: { ...NO_QUOTAS, ...quotas }, acceptsAnyPredictionId: false });

describe('TokenBucket', () => {
  it('grants its capacity at once, then one token per 1/rate seconds, and says how long to wait', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(2, 4, clock.now);
    for (let i = 0; i < 4; i++) assert.equal(bucket.take(), 0, `request ${i + 1} of the burst`);
    assert.equal(bucket.take(), 500, 'the fifth waits half a second at 2/s');
    clock.advance(499);
    assert.ok(bucket.take() > 0, 'not yet');
    clock.advance(1);
    assert.equal(bucket.take(), 0, 'a token came back');
    clock.advance(60_000);
    for (let i = 0; i < 4; i++) assert.equal(bucket.take(), 0);
    assert.ok(bucket.take() > 0, 'an idle minute refills to the capacity, not beyond');
  });

  it('a request costing two waits for two tokens and takes none meanwhile', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(1, 2, clock.now);
    assert.equal(bucket.take(1), 0);
    assert.equal(bucket.take(2), 1000, 'one token left: a second more for two');
    assert.equal(bucket.take(1), 0, 'the refused request took nothing');
  });
});

describe('RateLimits', () => {
  it('keeps one bucket per resource and API: one student over the rate does not slow another', () => {
    const clock = fakeClock();
    const limits = new RateLimits(clock.now);
    const a = resource('a', { trainingRequestsPerSecond: 1, predictionRequestsPerSecond: 1 });
    const b = resource('b', { trainingRequestsPerSecond: 1, predictionRequestsPerSecond: 1 });
    // Ten seconds' burst, then refused.
    for (let i = 0; i < 10; i++) assert.equal(limits.take(a, 'training', 1), 0);
    assert.ok(limits.take(a, 'training', 1) > 0);
    assert.equal(limits.take(a, 'prediction', 1), 0, "a's predictions have their own bucket");
    assert.equal(limits.take(b, 'training', 1), 0, 'b has its own bucket');
  });

  it('no limit when the quota is Infinity (the lab without a resources file)', () => {
    const limits = new RateLimits(fakeClock().now);
    const lab = resource('default', NO_QUOTAS);
    for (let i = 0; i < 10_000; i++) assert.equal(limits.take(lab, 'prediction', 2), 0);
  });

  it('a resource whose rate is under one per second still gets one request of the dearest kind', () => {
    const limits = new RateLimits(fakeClock().now);
    const slow = resource('slow', { predictionRequestsPerSecond: 0.05 });
    assert.equal(limits.take(slow, 'prediction', 2), 0);
    assert.equal(limits.take(slow, 'prediction', 1), 20_000);
  });

  it('tells the APIs apart by path, and a stored prediction costs two', () => {
    assert.equal(apiOf('/customvision/v3.4-preview/training/projects?x=1'), 'training');
    assert.equal(apiOf('/customvision/v3.3/training/domains'), 'training');
    assert.equal(apiOf('/customvision/v3.1/prediction/abc/classify/iterations/x/image'), 'prediction');
    assert.equal(apiOf('/images/abc?sig=1'), undefined);
    assert.equal(costOf('prediction', '/customvision/v3.1/prediction/p/classify/iterations/x/image'), 2);
    assert.equal(costOf('prediction', '/customvision/v3.1/prediction/p/classify/iterations/x/url'), 2);
    assert.equal(costOf('prediction', '/customvision/v3.1/prediction/p/classify/iterations/x/image/nostore?application=a'), 1);
    assert.equal(costOf('training', '/customvision/v3.4-preview/training/projects/p/images'), 1);
  });

  it('Retry-After is a whole number of seconds, at least one', () => {
    assert.equal(retryAfterSeconds(1), 1);
    assert.equal(retryAfterSeconds(1000), 1);
    assert.equal(retryAfterSeconds(1001), 2);
  });
});

describe('quotas and their defaults', () => {
  it('a resource of a file gets Azure S0 for what its entry leaves out; the lab resource gets none', () => {
    assert.deepEqual(resolveQuotas({ maxProjects: 3 }, AZURE_S0_QUOTAS), { ...AZURE_S0_QUOTAS, maxProjects: 3 });
    const [fromFile] = withQuotas([{ ...defaultResource(['t'], ['p']), name: 'student-01', quotas: { predictionRequestsPerSecond: 2 } }], true);
    assert.equal(fromFile.quotas.predictionRequestsPerSecond, 2);
    assert.equal(fromFile.quotas.trainingRequestsPerSecond, 10);
    assert.equal(fromFile.quotas.maxIterations, 20);
    const [lab] = withQuotas([defaultResource(['t'], ['p'])], false);
    assert.deepEqual(lab.quotas, NO_QUOTAS);
  });
});

describe('UploadAdmission', () => {
  const MB = 1024 * 1024;
  const limits = { maxUploads: 3, maxUploadBytes: 300 * MB, maxUploadsPerResource: 2, maxUploadBytesPerResource: 200 * MB };

  it('refuses a resource over its share with 429 and the service over its bound with 503, and takes releases back', () => {
    const admission = new UploadAdmission(limits);
    const a1 = admission.admit('a', 10 * MB);
    const a2 = admission.admit('a', 10 * MB);
    assert.ok('release' in a1 && 'release' in a2);
    const a3 = admission.admit('a', 10 * MB);
    assert.equal('status' in a3 && a3.status, 429, 'a third upload of one resource');
    const b1 = admission.admit('b', 10 * MB);
    assert.ok('release' in b1);
    const c1 = admission.admit('c', 10 * MB);
    assert.equal('status' in c1 && c1.status, 503, 'a fourth upload in the service');
    a1.release();
    a1.release(); // twice is once
    assert.deepEqual(admission.held(), { uploads: 2, bytes: 20 * MB });
    assert.ok('release' in admission.admit('c', 10 * MB));
  });

  it('bounds the bytes held, but always admits one body when nothing is held', () => {
    const admission = new UploadAdmission(limits);
    const big = admission.admit('a', 250 * MB);
    assert.ok('release' in big, 'over the per-resource share, but alone');
    const more = admission.admit('b', 60 * MB);
    assert.equal('status' in more && more.status, 503, '310 MB would be over the 300 MB bound');
    assert.ok('release' in admission.admit('b', 40 * MB));
  });

  it('derives the per-resource byte share from the service bound, and the lab has the whole service', () => {
    const classroom = uploadLimits({ maxUploads: 64, maxUploadMiB: 1024, maxUploadsPerResource: 8 });
    assert.equal(classroom.maxUploadBytesPerResource, 256 * MB);
    assert.equal(uploadLimits({ maxUploads: 64, maxUploadMiB: 400, maxUploadsPerResource: 8 }).maxUploadBytesPerResource, 200 * MB, 'never under the largest body');
    assert.equal(uploadLimits({ maxUploads: 2, maxUploadMiB: 400, maxUploadsPerResource: 8 }).maxUploadsPerResource, 2);
    const lab = forSingleResource(classroom);
    assert.equal(lab.maxUploadsPerResource, 64);
    assert.equal(lab.maxUploadBytesPerResource, 1024 * MB);
  });

  it('counts image bodies only, by their declared length (or the parser limit when chunked)', () => {
    assert.equal(isImageBody('POST', '/x/projects/p/images', 'multipart/form-data; boundary=x'), true);
    assert.equal(isImageBody('POST', '/x/prediction/p/classify/iterations/n/image', 'application/octet-stream'), true);
    assert.equal(isImageBody('POST', '/x/projects/p/images/files', 'application/json'), true);
    assert.equal(isImageBody('POST', '/x/projects/p/tags?name=a', 'application/json'), false);
    assert.equal(isImageBody('GET', '/x/projects/p/images', undefined), false);
    assert.equal(bodyBytes('application/json', '1234'), 1234);
    assert.equal(bodyBytes('application/octet-stream', undefined), 32 * MB);
    assert.equal(bodyBytes('application/octet-stream', String(900 * MB)), 32 * MB, 'a body over the parser limit is refused by it (413)');
  });
});

describe('what admission counts and how long it holds', () => {
  const MB = 1024 * 1024;

  it('counts the images a request names by reference: URL batches and stored predictions (at most a batch), a URL to classify', () => {
    const base = '/customvision/v3.4-preview/training/projects/:projectId';
    assert.equal(referencedImages('POST', `${base}/images/urls`, { images: [{ url: 'u' }, { url: 'v' }] }), 2);
    assert.equal(referencedImages('POST', `${base}/images/predictions`, { images: Array(500).fill({ id: 'x' }) }), 64);
    assert.equal(referencedImages('POST', `${base}/quicktest/url`, { url: 'u' }), 1);
    assert.equal(referencedImages('POST', '/customvision/v3.0/prediction/:projectId/classify/iterations/:publishedName/url/nostore', { url: 'u' }), 1);
    assert.equal(referencedImages('POST', `${base}/images/urls`, { images: 'not a list' }), 0, 'refused (400) before anything is fetched');
    assert.equal(referencedImages('POST', `${base}/images/files`, { images: [{ contents: '' }] }), 0, 'bytes in the body: admitted before parsing');
    assert.equal(referencedImages('GET', `${base}/images`, undefined), 0);
  });

  it('gives a place back at once when the client has gone already, else when the response closes or the body is discarded', async () => {
    const admission = new UploadAdmission({ maxUploads: 1, maxUploadBytes: 100 * MB, maxUploadsPerResource: 1, maxUploadBytesPerResource: 100 * MB });
    const place = () => {
      const decision = admission.admit('a', MB);
      assert.ok('release' in decision, 'admitted');
      return decision.release;
    };
    // 'close' came before the place was taken: it will not come again.
    holdPlace({ destroyed: false } as IncomingMessage, Object.assign(new EventEmitter(), { closed: true }) as unknown as ServerResponse, place());
    assert.deepEqual(admission.held(), { uploads: 0, bytes: 0 });

    const response = Object.assign(new EventEmitter(), { closed: false }) as unknown as ServerResponse;
    holdPlace({ destroyed: false } as IncomingMessage, response, place());
    assert.deepEqual(admission.held(), { uploads: 1, bytes: MB });
    response.emit('close');
    assert.deepEqual(admission.held(), { uploads: 0, bytes: 0 });

    // A refused body is read away holding nothing.
    const request = Object.assign(new PassThrough(), { complete: false }) as unknown as IncomingMessage;
    holdPlace(request, Object.assign(new EventEmitter(), { closed: false }) as unknown as ServerResponse, place());
    const drained = drainRequestBody(request, { maxBytes: 10, timeoutInMs: 60_000 });
    assert.deepEqual(admission.held(), { uploads: 0, bytes: 0 }, 'given back before the drain reads anything');
    (request as unknown as PassThrough).end();
    await drained;
  });

  it('a body must arrive at the pace after the grace period; time the service leaves bytes unread does not count', () => {
    const pace = { graceMs: 10_000, minBytesPerSecond: 1000, checkEveryMs: 1000 };
    const steady = paceKeeper(pace, 0);
    for (let now = 1000; now <= 15_000; now += 1000) {
      assert.equal(steady.isBehind(now, Math.max(0, now - 10_000), false), false, `${now} ms: nothing owed within the grace period, then 1000 bytes a second came`);
    }
    assert.equal(steady.isBehind(16_000, 5_000, false), true, 'a second later, still 5000 of 6000: behind');

    const waitedOn = paceKeeper(pace, 0);
    for (let now = 1000; now <= 10_000; now += 1000) assert.equal(waitedOn.isBehind(now, 0, false), false);
    assert.equal(waitedOn.isBehind(30_000, 0, true), false, 'bytes waited unread for 20 s: the service was the slow one');
    assert.equal(waitedOn.isBehind(31_000, 0, false), true, 'then a second owed, and nothing came');

    const busy = paceKeeper(pace, 0);
    for (let now = 1000; now <= 10_000; now += 1000) assert.equal(busy.isBehind(now, 0, false), false);
    assert.equal(busy.isBehind(25_000, 1000, false), false, 'the check came 14 s late: only its one second on time counts (the service was busy, what came meanwhile is unread)');
    assert.equal(busy.isBehind(26_000, 1000, false), true, 'a check on time, and nothing more: behind');
  });
});
