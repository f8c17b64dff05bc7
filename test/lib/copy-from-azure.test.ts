/**
 * Copying a project from Azure, which we cannot reach from here, against responses recorded from the
 * spec's schemas (test/fixtures/azure/*.copy-source.*): a stand-in answers the Training API as Azure
 * does (pages of getTaggedImages / getUntaggedImages by take and skip, its own domain ids) and a second
 * one, on another host, serves the originals as Azure's blob storage does (time-limited links, a
 * transient 503). The target is a real local service; lib's copyProject and `npm run copy-project`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import { copyProject } from '../../lib/src/copy-project';
import { findDomain } from '../../lib/src/projects';
import { PROJECT_ROOT } from '../../lib/src/shared';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { trainingClient } from '../support/sdk';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'azure');
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
const PROJECT = fixture('GetProject.copy-source.body.json');
const DOMAIN = fixture('GetDomain.copy-source.body.json');
const TAGS: { id: string; name: string; description: string | null; type: string }[] = fixture('GetTags.copy-source.body.json');
const AZURE_KEY = 'azure-training-key';
const BASE = '/customvision/v3.4-preview/training';
const TAGGED = 44; // 11 full pages of 4: the copy must ask for a 12th, empty, page to know it is done
const UNTAGGED = 5;
const PAGE = 4;
/** An object detection project, which the copy refuses. */
const DETECTION = { ...PROJECT, id: 'da000000-0000-4000-8000-000000000001', name: 'boxes', settings: { ...PROJECT.settings, domainId: 'da2e3a8a-40a5-4171-82f4-58522f70fbc1' } };

type AzureImage = { id: string; created: string; originalImageUri: string; tags: { tagId: string; tagName: string }[] | null; metadata: Record<string, string> | null };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function listen(server: http.Server, host: string): Promise<string> {
  return new Promise((resolve) => server.listen(0, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`)));
}

/** The source's images from the recorded ones: the lab's files, some with two tags, some with metadata, and untagged ones. */
function makeImages(blobOrigin: string): { images: AzureImage[]; bytes: Map<string, Buffer> } {
  const tagged = fixture('GetTaggedImages.copy-source.item.json');
  const untagged = fixture('GetUntaggedImages.copy-source.item.json');
  const bytes = new Map<string, Buffer>();
  const byName = new Map(TAGS.map((t) => [t.name, t]));
  const make = (template: AzureImage, i: number, file: string, tags: string[], metadata: Record<string, string> | null): AzureImage => {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    bytes.set(id, readImage(file));
    const uri = new URL(template.originalImageUri);
    const originalImageUri = `${blobOrigin}${uri.pathname.replace(/o-[0-9a-f]+$/, `o-${id.replaceAll('-', '')}`)}${uri.search}`;
    const created = new Date(Date.parse(template.created) + i * 60_000).toISOString();
    return { ...template, id, created, originalImageUri, tags: tags.length ? tags.map((n) => ({ tagId: byName.get(n)!.id, tagName: n, created })) : null, metadata };
  };
  const images: AzureImage[] = [];
  for (let i = 0; i < TAGGED; i++) {
    const name = CLASSES[i % 3];
    const tags = i % 5 === 0 && name !== 'Cultivated' ? [name, 'Cultivated'] : [name];
    const metadata = i < 10 ? tagged.metadata : i >= 20 && i < 25 ? { flight: '2023-08-B' } : null;
    images.push(make(tagged, i, imageFiles('train', name)[i], tags, metadata));
  }
  for (let i = 0; i < UNTAGGED; i++) images.push(make(untagged, TAGGED + i, imageFiles('test', 'Developed')[i], [], null));
  return { images, bytes };
}

describe('copyProject from recorded Azure responses to a local service', { timeout: 300_000 }, () => {
  const api = { requests: [] as string[], server: undefined as http.Server | undefined };
  const blob = { requests: [] as string[], server: undefined as http.Server | undefined };
  let azureUrl: string;
  let images: AzureImage[];
  let bytes: Map<string, Buffer>;
  let target: ServiceProcess;
  let to: { trainer: TrainingAPIClient };
  const flaky = () => images[2];
  const expired = () => images[4];

  before(async () => {
    blob.server = http.createServer((req, res) => {
      const url = new URL(req.url as string, 'http://blob');
      blob.requests.push(`${req.method} ${url.pathname}?sig=${url.searchParams.get('sig')}`);
      const image = images.find((i) => url.pathname.endsWith(`o-${i.id.replaceAll('-', '')}`));
      if (!image) return res.writeHead(404).end();
      if (url.searchParams.get('sig') === 'expired') {
        return res.writeHead(403, { 'content-type': 'application/xml' }).end(readFileSync(path.join(FIXTURES, 'BlobAuthenticationFailed.body.xml')));
      }
      if (image === flaky() && blob.requests.filter((r) => r.includes(url.pathname)).length === 1) {
        return res.writeHead(503, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code></Error>');
      }
      res.writeHead(200, { 'content-type': 'image/png' }).end(bytes.get(image.id));
    });
    // Another host than the API, as Azure's blob storage is.
    const blobOrigin = await listen(blob.server, 'localhost');
    ({ images, bytes } = makeImages(blobOrigin));
    const listed = (image: AzureImage) => (image === expired() ? { ...image, originalImageUri: image.originalImageUri.replace(/sig=[^&]+/, 'sig=expired') } : image);

    api.server = http.createServer((req, res) => {
      const url = new URL(req.url as string, 'http://azure');
      api.requests.push(`${req.method} ${url.pathname.replace(BASE, '')}${url.search}`);
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
      if (req.headers['training-key'] !== AZURE_KEY) {
        return send(401, { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' } });
      }
      const route = url.pathname.replace(BASE, '');
      const take = Number(url.searchParams.get('take') ?? 50);
      const skip = Number(url.searchParams.get('skip') ?? 0);
      if (take > 256) return send(400, { code: 'BadRequestInvalidTake', message: 'take must be at most 256' });
      const page = (list: AzureImage[]) => send(200, list.slice(skip, skip + take).map(listed));
      if (req.method !== 'GET') return send(404, { code: 'NotFound', message: 'not recorded' });
      if (route === '/projects') return send(200, [PROJECT, DETECTION]);
      if (route === `/domains/${DOMAIN.id}`) return send(200, DOMAIN);
      if (route === `/domains/${DETECTION.settings.domainId}`) return send(200, { ...DOMAIN, id: DETECTION.settings.domainId, name: 'General', type: 'ObjectDetection' });
      if (route === `/projects/${PROJECT.id}/tags`) return send(200, TAGS);
      if (route === `/projects/${PROJECT.id}/images/tagged`) return page(images.filter((i) => i.tags));
      if (route === `/projects/${PROJECT.id}/images/untagged`) return page(images.filter((i) => !i.tags));
      if (route === `/projects/${PROJECT.id}/images/id`) {
        const ids = (url.searchParams.get('imageIds') ?? '').split(',');
        return send(200, images.filter((i) => ids.includes(i.id)));
      }
      send(404, { code: 'NotFound', message: 'not recorded' });
    });
    [azureUrl, target] = await Promise.all([listen(api.server, '127.0.0.1'), startServiceProcess()]);
    to = { trainer: trainingClient(target.url) };
  });

  after(async () => {
    api.server?.close();
    blob.server?.close();
    await target?.stop();
  });

  const runCommand = (from: string, ...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'copy-project.ts'), '--from', from, '--to', `${target.url},${TRAINING_KEY}`, '--project', PROJECT.name, ...args], { cwd: PROJECT_ROOT });

  it('refuses a wrong key (401) and an object detection project', async () => {
    await assert.rejects(copyProject({ trainer: trainingClient(azureUrl, 'wrong') }, to, PROJECT.name), (e: { statusCode?: number }) => e.statusCode === 401);
    await assert.rejects(copyProject({ trainer: trainingClient(azureUrl, AZURE_KEY) }, to, 'boxes'), /object detection project/);
    assert.deepEqual(await to.trainer.getProjects(), []);
  });

  it('npm run copy-project --dry-run: lists with Azure\'s largest page, downloads nothing, changes nothing', async () => {
    api.requests.length = 0;
    blob.requests.length = 0;
    // The source as a .env file names it (no prediction resource id: copying does not need one).
    const envFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'copy-env-')), '.env');
    writeFileSync(envFile, `VISION_TRAINING_ENDPOINT=${azureUrl}/\nVISION_TRAINING_KEY=${AZURE_KEY}\n`);
    const { stdout } = await runCommand(envFile, '--dry-run');
    assert.match(stdout, /Dry run: nothing was changed/);
    assert.match(stdout, /Target: "Aerial land use \(Azure\)" would be created/);
    assert.match(stdout, /Tags: 4 to create \(Barren, Cultivated, Developed, Not land\)/);
    assert.match(stdout, /Images: 49 \(44 tagged, 5 untagged\) would be downloaded/);
    assert.deepEqual(api.requests.filter((r) => r.includes('/images/')), [
      `GET /projects/${PROJECT.id}/images/tagged?orderBy=Oldest&take=256&skip=0`,
      `GET /projects/${PROJECT.id}/images/untagged?orderBy=Oldest&take=256&skip=0`,
    ]);
    assert.deepEqual(blob.requests, []);
    assert.deepEqual(await to.trainer.getProjects(), []);
  });

  it('follows the paging to the end, downloads every original (retrying, with fresh links) and uploads it with its tags and metadata', async () => {
    api.requests.length = 0;
    blob.requests.length = 0;
    const summary = await copyProject({ trainer: trainingClient(azureUrl, AZURE_KEY) }, to, PROJECT.name, { pageSize: PAGE });
    assert.deepEqual([summary.total, summary.tagged, summary.untagged, summary.added, summary.alreadyThere, summary.failed], [49, 44, 5, 49, 0, []]);

    const skips = (kind: string) => api.requests.filter((r) => r.includes(`/images/${kind}?`)).map((r) => new URL(r, 'http://x').searchParams);
    assert.deepEqual(skips('tagged').map((q) => [q.get('take'), q.get('skip')]), Array.from({ length: 12 }, (_, i) => ['4', String(i * 4)]));
    assert.deepEqual(skips('untagged').map((q) => [q.get('take'), q.get('skip')]), [['4', '0'], ['4', '4']]);
    assert.ok(api.requests.every((r) => r.startsWith('GET ')), 'nothing but reads at the source');
    // Every original once, the flaky one twice (503, then 200), the expired link refreshed through getImagesByIds.
    const downloads = (image: AzureImage) => blob.requests.filter((r) => r.includes(`o-${image.id.replaceAll('-', '')}?`));
    for (const image of images) {
      const expectedSigs = image === expired() ? ['expired', 'fresh'] : image === flaky() ? ['fresh', 'fresh'] : ['fresh'];
      const sig = new URL(image.originalImageUri).searchParams.get('sig');
      assert.deepEqual(downloads(image).map((r) => (r.endsWith(`sig=${sig}`) ? 'fresh' : r.split('sig=')[1])), expectedSigs, image.id);
    }
    assert.ok(api.requests.includes(`GET /projects/${PROJECT.id}/images/id?imageIds=${expired().id}`));

    const [copy] = await to.trainer.getProjects();
    assert.equal(copy.name, PROJECT.name);
    assert.equal(copy.description, PROJECT.description);
    assert.notEqual(DOMAIN.id, (await findDomain(to, DOMAIN.name)).id, 'the recorded domain id is not the local one');
    assert.equal(copy.settings?.domainId, (await findDomain(to, DOMAIN.name)).id);
    assert.equal(copy.settings?.classificationType, 'Multilabel');
    assert.deepEqual(copy.settings?.targetExportPlatforms, ['CoreML', 'ONNX']);
    const tags = await to.trainer.getTags(copy.id as string);
    assert.deepEqual(tags.map((t) => [t.name, t.description ?? null, t.type]).sort(), TAGS.map((t) => [t.name, t.description, t.type]));

    const copied = [...(await to.trainer.getTaggedImages(copy.id as string, { take: 256 })), ...(await to.trainer.getUntaggedImages(copy.id as string, { take: 256 }))];
    const actual = new Map<string, unknown>();
    for (const image of copied) {
      const original = Buffer.from(await (await fetch(image.originalImageUri as string)).arrayBuffer());
      actual.set(sha256(original), { tags: (image.tags ?? []).map((t) => t.tagName).sort(), metadata: image.metadata ?? {} });
    }
    const expected = new Map(images.map((i) => [sha256(bytes.get(i.id)!), { tags: (i.tags ?? []).map((t) => t.tagName).sort(), metadata: i.metadata ?? {} }]));
    assert.deepEqual(actual, expected);
  });

  it('npm run copy-project again: everything is already there, nothing is added', async () => {
    const { stdout } = await runCommand(`${azureUrl},${AZURE_KEY}`);
    assert.match(stdout, /Target: "Aerial land use \(Azure\)" reused/);
    assert.match(stdout, /Tags: 0 created, 4 already there/);
    assert.match(stdout, /Images: 49 \(44 tagged, 5 untagged\): 0 added, 49 already there, 0 failed/);
    const [copy] = await to.trainer.getProjects();
    assert.equal((await to.trainer.getTaggedImageCount(copy.id as string)).body, 44);
    assert.equal((await to.trainer.getUntaggedImageCount(copy.id as string)).body, 5);
  });
});
