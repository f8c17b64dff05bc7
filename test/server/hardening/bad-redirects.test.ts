/**
 * A source that redirects to a Location that is not a URL (`http://[bad`, `http://a b`) fails
 * that one image or that one request with a clear message; it used to throw out of the HTTP
 * client's event handler and end the whole service.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fetchImage, ImageFetchError } from '../../../server/net/fetch-image';
import { predictionClient, type SdkError } from '../../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';
import { PUBLISH_NAME, trainSmallProject, type TrainedProject } from '../../support/trained-project';

const BAD_LOCATIONS = { '/bracket': 'http://[bad', '/space': 'http://a b' };

/** A loopback server answering 302 with a malformed Location, by path. */
async function startRedirector(): Promise<{ urls: { url: string; location: string }[]; close(): void }> {
  const server = http.createServer((req, res) => {
    const location = BAD_LOCATIONS[req.url as keyof typeof BAD_LOCATIONS];
    if (location) res.writeHead(302, { location }).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { urls: Object.entries(BAD_LOCATIONS).map(([path, location]) => ({ url: `${root}${path}`, location })), close: () => server.close() };
}

/** The message a failed fetch gives for a redirect to `location`. */
const notAUrl = (location: string) => new RegExp(`redirected to "${location.replace(/[[\]]/g, '\\$&')}", which is not a valid URL`);

describe('fetchImage given a redirect to a malformed Location', () => {
  let redirector: Awaited<ReturnType<typeof startRedirector>>;
  before(async () => (redirector = await startRedirector()));
  after(() => redirector.close());

  it('rejects with a source error naming the Location', async () => {
    for (const { url, location } of redirector.urls) {
      await assert.rejects(
        fetchImage(url, { maxBytes: 1 << 20, allowPrivate: true }),
        (e: unknown) => e instanceof ImageFetchError && e.reason === 'source' && notAUrl(location).test(e.message),
        location,
      );
    }
  });
});

describe('a service whose image URLs redirect to a malformed Location', () => {
  let service: ServiceProcess;
  let project: TrainedProject;
  let redirector: Awaited<ReturnType<typeof startRedirector>>;

  /** The service still answers, and printed no uncaught error. */
  async function assertAlive() {
    assert.ok(Array.isArray(await project.trainer.getProjects()));
    assert.doesNotMatch(service.output(), /ERR_INVALID_URL|Uncaught|TypeError/);
  }

  before(async () => {
    redirector = await startRedirector();
    // --allow-private-urls (the helper's default): the redirector is on loopback.
    service = await startServiceProcess();
    project = await trainSmallProject(service.url, { perClass: 6 });
  });
  after(async () => {
    redirector?.close();
    await service?.stop();
  });

  it('createImagesFromUrls gives each image ErrorSource, stores nothing, and the service goes on', async () => {
    const summary = await project.trainer.createImagesFromUrls(project.projectId, { images: redirector.urls.map(({ url }) => ({ url })) });
    assert.equal(summary.isBatchSuccessful, false);
    assert.deepEqual(summary.images?.map((i) => [i.sourceUrl, i.status]), redirector.urls.map(({ url }) => [url, 'ErrorSource']));
    assert.equal((await project.trainer.getImageCount(project.projectId)).body, 18, 'only the training images');
    await assertAlive();
  });

  it('quickTestImageUrl answers 400 BadRequestImageUrl saying where it was redirected', async () => {
    for (const { url, location } of redirector.urls) {
      await assert.rejects(
        project.trainer.quickTestImageUrl(project.projectId, { url }, { iterationId: project.iterationId }),
        (e: SdkError) => e.statusCode === 400 && e.code === 'BadRequestImageUrl' && notAUrl(location).test(e.message ?? ''),
        location,
      );
    }
    await assertAlive();
  });

  it('classifyImageUrl answers 400 BadRequestImageUrl saying where it was redirected', async () => {
    const predictor = predictionClient(service.url);
    for (const { url, location } of redirector.urls) {
      await assert.rejects(
        predictor.classifyImageUrl(project.projectId, PUBLISH_NAME, { url }),
        (e: SdkError) => e.statusCode === 400 && e.code === 'BadRequestImageUrl' && notAUrl(location).test(e.message ?? ''),
        location,
      );
    }
    await assertAlive();
  });
});
