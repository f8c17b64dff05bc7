/**
 * Images given by URL are bounded like uploaded ones, against the real service and an image server
 * on the loopback that holds each answer until the test lets it go (so what is in flight is known,
 * not guessed from timing): the service fetches at most --max-url-fetches at once, handing freed
 * slots to the resources in turn; a URL request counts 6 MB per image against the upload bounds
 * while its images are fetched and held (503 or 429 with Retry-After beyond them); and a project
 * at its image quota is refused before anything is fetched.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { FetchSlots, mapAtMost } from '../../../server/projects/url-fetches';
import { imageFiles, readImage } from '../../support/dataset';
import { sdkError } from '../../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';
import { refusalOf, trainingClientFor, writeQuotaResources } from '../quotas/support';

/** Serves one image at every path; paths under /held/ wait until released, the others are answered at once. */
async function heldImageServer(image: Buffer) {
  const arrivals: string[] = [];
  const held = new Map<string, http.ServerResponse>();
  let mostHeld = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    arrivals.push(path);
    if (path.startsWith('/held/')) {
      held.set(path, res);
      mostHeld = Math.max(mostHeld, held.size);
    } else {
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(image);
    }
    for (const waiter of waiters.filter((w) => arrivals.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (path: string) => `${root}${path}`,
    arrivals,
    held: () => [...held.keys()],
    mostHeld: () => mostHeld,
    /** Resolves once `count` requests have arrived in all. */
    arrived: (count: number) => (arrivals.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    release(path: string) {
      held.get(path)?.writeHead(200, { 'content-type': 'image/jpeg' }).end(image);
      held.delete(path);
    },
    close: () => {
      for (const path of held.keys()) held.get(path)?.destroy();
      server.close();
    },
  };
}

const urlBatch = (urls: string[]) => ({ images: urls.map((url) => ({ url })) });

describe('URL fetches at once, service-wide (--max-url-fetches 2), the resources in turn; URL requests count 6 MB an image (--max-upload-mb 100)', () => {
  const { file, resources } = writeQuotaResources({ a: undefined, b: undefined, c: undefined });
  let service: ServiceProcess;
  let images: Awaited<ReturnType<typeof heldImageServer>>;

  before(async () => {
    images = await heldImageServer(readImage(imageFiles('train', 'Barren')[0]));
    service = await startServiceProcess({ resources: file, extraArgs: ['--max-url-fetches', '2', '--max-upload-mb', '100'] });
  });
  after(async () => {
    await service?.stop();
    images?.close();
  });

  it("A's batch of 6 URLs takes both slots; B's URL gets the next one, before A's third; a batch over the bytes held gets 503", async () => {
    const a = trainingClientFor(service.url, resources.a);
    const b = trainingClientFor(service.url, resources.b);
    const c = trainingClientFor(service.url, resources.c, { noRetryPolicy: true });
    const projectA = (await a.createProject('a')).id as string;
    const projectB = (await b.createProject('b')).id as string;
    const projectC = (await c.createProject('c')).id as string;

    const batchA = a.createImagesFromUrls(projectA, urlBatch([1, 2, 3, 4, 5, 6].map((i) => images.url(`/held/a${i}`))));
    await images.arrived(2);
    assert.deepEqual(images.held().sort(), ['/held/a1', '/held/a2']);
    const batchB = b.createImagesFromUrls(projectB, urlBatch([images.url('/held/b1')]));
    // C's batch of 64 URLs (384 MB counted) is refused while anything is held: its 503 says how much is,
    // 36 MB for A's batch alone, 42 MB once B's is admitted too (and so, within the same turn of the
    // event loop, waiting for a slot). Refused, C's batch never holds anything that could refuse B's.
    const probe = urlBatch(Array.from({ length: 64 }, (_, i) => images.url(`/now/c${i}`)));
    for (;;) {
      const refusal = await refusalOf(c.createImagesFromUrls(projectC, probe));
      assert.equal(refusal.statusCode, 503, refusal.message);
      assert.equal(refusal.code, 'ServiceUnavailable');
      assert.match(refusal.retryAfter ?? '', /^[1-9]\d*$/);
      assert.deepEqual(Object.keys(refusal.body as object).sort(), ['code', 'message']);
      const held = /the service holds (\d+) MB of images being uploaded, its most at once \(100 MB\)/.exec(refusal.message);
      assert.ok(held, refusal.message);
      if (held[1] === '42') break;
      assert.equal(held[1], '36', refusal.message);
    }

    // Each freed slot goes to the resource whose last fetch started longest ago: B's first, then A's.
    images.release('/held/a1');
    await images.arrived(3);
    assert.equal(images.arrivals[2], '/held/b1', `arrivals: ${images.arrivals.join(' ')}`);
    for (let next = 4; next <= 7; next++) {
      images.release(images.held()[0]);
      await images.arrived(next);
    }
    for (const path of images.held()) images.release(path);
    const [summaryA, summaryB] = await Promise.all([batchA, batchB]);
    assert.equal(summaryA.images?.filter((i) => i.status === 'OK' || i.status === 'OKDuplicate').length, 6);
    assert.equal(summaryB.isBatchSuccessful, true);
    assert.equal(images.mostHeld(), 2, 'never more than two fetches at once');
    assert.deepEqual(images.arrivals.slice(3).sort(), ['/held/a3', '/held/a4', '/held/a5', '/held/a6'], 'C fetched nothing');
  });
});

describe('URL requests of one resource at once (--max-uploads-per-resource 1), and the image quota', () => {
  const { file, resources } = writeQuotaResources({ a: undefined, b: undefined, full: { maxImagesPerProject: 1 } });
  let service: ServiceProcess;
  let images: Awaited<ReturnType<typeof heldImageServer>>;

  before(async () => {
    images = await heldImageServer(readImage(imageFiles('train', 'Cultivated')[0]));
    service = await startServiceProcess({ resources: file, extraArgs: ['--max-uploads-per-resource', '1'] });
  });
  after(async () => {
    await service?.stop();
    images?.close();
  });

  it("while A's URL is fetched and held, A's next URL request gets 429 with Retry-After; B's goes through", async () => {
    const a: TrainingAPIClient = trainingClientFor(service.url, resources.a, { noRetryPolicy: true });
    const b: TrainingAPIClient = trainingClientFor(service.url, resources.b, { noRetryPolicy: true });
    const projectA = (await a.createProject('a')).id as string;
    const projectB = (await b.createProject('b')).id as string;
    const first = a.createImagesFromUrls(projectA, urlBatch([images.url('/held/first')]));
    await images.arrived(1);

    const refusal = await refusalOf(a.quickTestImageUrl(projectA, { url: images.url('/now/a') }));
    assert.equal(refusal.statusCode, 429, refusal.message);
    assert.equal(refusal.code, 'TooManyRequests');
    assert.match(refusal.retryAfter ?? '', /^[1-9]\d*$/);
    assert.deepEqual(Object.keys(refusal.body as object).sort(), ['code', 'message']);
    assert.match(refusal.message, /resource a already has 1 image uploads in progress, its share \(1\)/);
    assert.deepEqual(images.arrivals, ['/held/first'], 'the refused request fetched nothing');

    assert.equal((await b.createImagesFromUrls(projectB, urlBatch([images.url('/now/b')]))).isBatchSuccessful, true, 'B is not held back by A');
    images.release('/held/first');
    assert.equal((await first).isBatchSuccessful, true);
  });

  it('a project at its image quota is refused before any URL is fetched', async () => {
    const full = trainingClientFor(service.url, resources.full, { noRetryPolicy: true });
    const projectId = (await full.createProject('full')).id as string;
    assert.equal((await full.createImagesFromUrls(projectId, urlBatch([images.url('/now/only')]))).isBatchSuccessful, true);
    const fetched = images.arrivals.length;
    await assert.rejects(full.createImagesFromUrls(projectId, urlBatch([images.url('/now/more-1'), images.url('/now/more-2')])), sdkError(400, 'BadRequestImageExceededCount'));
    assert.equal(images.arrivals.length, fetched, `fetched anyway: ${images.arrivals.slice(fetched).join(' ')}`);
  });
});

describe('FetchSlots and mapAtMost on their own', () => {
  it('mapAtMost runs at most N at once and keeps the order of the results', async () => {
    let running = 0;
    let most = 0;
    const results = await mapAtMost([1, 2, 3, 4, 5, 6, 7, 8, 9], 4, async (n) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setImmediate(r));
      running--;
      return n * 10;
    });
    assert.deepEqual(results, [10, 20, 30, 40, 50, 60, 70, 80, 90]);
    assert.equal(most, 4);
  });

  it('a freed slot goes to the waiting resource whose last fetch started longest ago', async () => {
    const slots = new FetchSlots(1);
    const order: string[] = [];
    const gates = new Map<string, () => void>();
    const fetch = (resource: string, name: string) =>
      slots.run(resource, () => {
        order.push(name);
        return new Promise<void>((resolve) => gates.set(name, resolve));
      });
    const all = [fetch('A', 'a1'), fetch('A', 'a2'), fetch('A', 'a3'), fetch('B', 'b1'), fetch('C', 'c1')];
    assert.deepEqual(slots.load(), { running: 1, waiting: 4 });
    for (const name of ['a1', 'b1', 'c1', 'a2', 'a3']) {
      await new Promise((r) => setImmediate(r));
      assert.equal(order.at(-1), name);
      gates.get(name)?.();
    }
    await Promise.all(all);
    assert.deepEqual(order, ['a1', 'b1', 'c1', 'a2', 'a3']);
    assert.deepEqual(slots.load(), { running: 0, waiting: 0 });
  });
});
