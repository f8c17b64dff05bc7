/**
 * Signed image links name their project and expire: a deleted image stops being served at once,
 * a link moved to another project or with a changed expiry is unknown (404), an expired one is
 * 403 AuthenticationFailed, and every listing hands out fresh links.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import type { FastifyRequest } from 'fastify';
import { IMAGE_LINK_LIFETIME_IN_S, LinkSigner } from '../../../server/http/links';
import { imageFiles, readImage } from '../../support/dataset';
import { trainingClient } from '../../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';

type Image = TrainingAPIModels.Image;
const KINDS = ['originalImageUri', 'resizedImageUri', 'thumbnailUri'] as const;

async function answer(link: string): Promise<{ status: number; code?: string; message?: string }> {
  const response = await fetch(link);
  if (response.ok) {
    await response.arrayBuffer();
    return { status: response.status };
  }
  const body = (await response.json()) as Record<string, string>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
  return { status: response.status, code: body.code, message: body.message };
}

const hashOf = (link: string) => /\/([0-9a-f]{64})\?/.exec(link)?.[1] as string;

describe('signed image links', () => {
  let service: ServiceProcess;
  let trainer: TrainingAPIClient;
  let projectA: string;
  let projectB: string;
  let images: Image[];
  const files = imageFiles('train', 'Barren').slice(0, 3);

  /** The images of project A as a listing gives them now, oldest first. */
  const listA = () => trainer.getImages(projectA, { orderBy: 'Oldest' });

  before(async () => {
    service = await startServiceProcess();
    trainer = trainingClient(service.url);
    projectA = (await trainer.createProject('links A')).id as string;
    projectB = (await trainer.createProject('links B')).id as string;
    for (const file of files) await trainer.createImagesFromData(projectA, readImage(file));
    // Project B holds the first image too: the same bytes, stored once.
    await trainer.createImagesFromData(projectB, readImage(files[0]));
    images = await listA();
    assert.equal(images.length, 3);
  });
  after(async () => {
    await service?.stop();
  });

  it('a listing gives links that name the project and expire in a day, and work for every rendition', async () => {
    const now = Date.now() / 1000;
    for (const kind of KINDS) {
      const link = new URL(images[0][kind] as string);
      assert.match(link.pathname, new RegExp(`^/customvision/images/${projectA}/(original|resized|thumbnail)/[0-9a-f]{64}$`));
      const expiry = Number(link.searchParams.get('se'));
      assert.ok(Math.abs(expiry - (now + IMAGE_LINK_LIFETIME_IN_S)) < 600, `expires at ${expiry}`);
      assert.equal((await answer(link.href)).status, 200, kind);
    }
  });

  it('a link of project A moved to project B is unknown there, though B holds the same image', async () => {
    const moved = (images[0].originalImageUri as string).replace(projectA, projectB);
    assert.deepEqual(await answer(moved), { status: 404, code: 'NotFound', message: 'No image at this address.' });
    const [inB] = await trainer.getImages(projectB);
    assert.equal(hashOf(inB.originalImageUri as string), hashOf(images[0].originalImageUri as string));
    assert.equal((await answer(inB.originalImageUri as string)).status, 200);
  });

  it('a link with a changed expiry or signature is unknown', async () => {
    const link = new URL(images[1].originalImageUri as string);
    link.searchParams.set('se', String(Number(link.searchParams.get('se')) + 3600));
    assert.equal((await answer(link.href)).status, 404);
    assert.equal((await answer((images[1].originalImageUri as string).replace(/sig=.*/, 'sig=forged'))).status, 404);
  });

  it('an expired link is 403 AuthenticationFailed, and the next listing gives a fresh one that works', async () => {
    const secret = Buffer.from(readFileSync(path.join(service.dataDir, 'uri-secret'), 'utf8').trim(), 'hex');
    const signer = new LinkSigner(secret);
    const hash = hashOf(images[1].originalImageUri as string);
    // The service's own secret: a link signed here with a future expiry works, so only the expiry decides below.
    assert.equal((await answer(`${service.url}${signer.imagePath({ projectId: projectA, kind: 'original', hash })}`)).status, 200);
    const expiredLink = `${service.url}${signer.imagePath({ projectId: projectA, kind: 'original', hash, expiresAt: Math.floor(Date.now() / 1000) - 60 })}`;
    const refused = await answer(expiredLink);
    assert.equal(refused.status, 403);
    assert.equal(refused.code, 'AuthenticationFailed');
    assert.match(refused.message ?? '', /expired at .*List the images again/);
    const fresh = (await listA())[1];
    assert.equal(hashOf(fresh.originalImageUri as string), hash);
    assert.equal((await answer(fresh.originalImageUri as string)).status, 200);
  });

  it('a link from before links expired (no project, no expiry) is refused as expired if the service issued it, else unknown', async () => {
    const secret = Buffer.from(readFileSync(path.join(service.dataDir, 'uri-secret'), 'utf8').trim(), 'hex');
    const hash = hashOf(images[1].originalImageUri as string);
    // How the service signed image links before they named their project and expired.
    const oldSignature = (kind: string) => createHmac('sha256', secret).update(`${hash}/${kind}`).digest('base64url').slice(0, 32);
    for (const kind of ['original', 'resized', 'thumbnail']) {
      const old = await answer(`${service.url}/customvision/images/${kind}/${hash}?sig=${oldSignature(kind)}`);
      assert.equal(old.status, 403, kind);
      assert.equal(old.code, 'AuthenticationFailed');
      assert.match(old.message ?? '', /no longer served/);
    }
    const neverIssued = [
      `/customvision/images/original/${hash}?sig=K1sJSWOjG3PILEyTPBe0T6vxb7YjwJyO`,
      `/customvision/images/resized/${hash}?sig=${oldSignature('original')}`,
      `/customvision/images/original/${hash}`,
      `/customvision/images/anything/at-all`,
    ];
    for (const link of neverIssued) assert.deepEqual(await answer(`${service.url}${link}`), { status: 404, code: 'NotFound', message: 'No image at this address.' }, link);
  });

  it('a deleted image stops being served at once, in every rendition, while the project still holding it serves it', async () => {
    const [shared, own] = images;
    await trainer.deleteImages(projectA, { imageIds: [shared.id as string, own.id as string] });
    for (const image of [shared, own]) {
      for (const kind of KINDS) {
        assert.deepEqual(await answer(image[kind] as string), { status: 404, code: 'NotFoundImage', message: 'The image was deleted.' }, kind);
      }
    }
    const [inB] = await trainer.getImages(projectB);
    assert.equal((await answer(inB.originalImageUri as string)).status, 200, "project B's copy is untouched");
    assert.equal((await answer(images[2].originalImageUri as string)).status, 200, 'the image not deleted still is');
  });
});

describe('building image links', () => {
  it('takes the project from its caller, so a route without {projectId} gets links as well', () => {
    const signer = new LinkSigner(randomBytes(32));
    const projectId = '6c1f4a7e-2b3d-4e5f-8a9b-0c1d2e3f4a5b';
    const hash = 'ab'.repeat(32);
    const request = { protocol: 'http', host: 'localhost:5600', params: {}, url: '/customvision/v3.4-preview/training/somewhere' } as unknown as FastifyRequest;
    const link = new URL(signer.forProject(request, projectId).thumbnail(hash));
    assert.equal(link.origin, 'http://localhost:5600');
    assert.equal(link.pathname, `/customvision/images/${projectId}/thumbnail/${hash}`);
    const verdict = signer.check({ projectId, kind: 'thumbnail', hash, expiresAt: Number(link.searchParams.get('se')) }, link.searchParams.get('sig') ?? '');
    assert.equal(verdict, 'valid');
  });
});
