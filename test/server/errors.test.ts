/** Bad input of every kind gets the spec's error body or a per-image status, and never crashes the service. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TrainingAPIClient } from '@azure/cognitiveservices-customvision-training';
import sharp from 'sharp';
import { CLASSES, imageFiles, readImage } from '../support/dataset';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../support/service-process';
import { sdkError, trainingClient, type SdkError } from '../support/sdk';

const isError = (status: number, code: string) => sdkError(status, code);

/** A real PNG just over 7 MB: random pixels do not compress. */
async function sevenMegabytePng(): Promise<Buffer> {
  const side = 1560;
  const pixels = Buffer.alloc(side * side * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  const png = await sharp(pixels, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
  assert.ok(png.length > 7_000_000, `test image is ${png.length} bytes`);
  return png;
}

describe('errors and limits of the Training API', () => {
  let service: ServiceProcess;
  let trainer: TrainingAPIClient;
  let projectId: string;
  let tagId: string;
  let base: string;

  before(async () => {
    service = await startServiceProcess();
    trainer = trainingClient(service.url);
    base = `${service.url}/customvision/v3.4-preview/training`;
    projectId = (await trainer.createProject('errors')).id as string;
    tagId = (await trainer.createTag(projectId, 'Barren')).id as string;
  });
  after(async () => {
    // Whatever came before, the service is still up and answering.
    const domains = await trainer.getDomains();
    assert.ok(domains.length > 0);
    await service?.stop();
  });

  it('a wrong or missing Training-Key gets 401 with the spec error body', async () => {
    const wrong = trainingClient(service.url, 'not-the-key');
    await assert.rejects(wrong.getProjects(), isError(401, 'Unauthorized'));
    const response = await fetch(`${base}/projects`);
    assert.equal(response.status, 401);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
    assert.equal(body.code, 'Unauthorized');
  });

  it('the v3.3 base path answers too', async () => {
    const response = await fetch(`${service.url}/customvision/v3.3/training/projects/${projectId}`, { headers: { 'Training-Key': TRAINING_KEY } });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { id: string }).id, projectId);
  });

  it('unknown ids give 404 with the matching code; malformed ids 400', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    await assert.rejects(trainer.getProject(unknown), isError(404, 'NotFoundProject'));
    await assert.rejects(trainer.getTag(projectId, unknown), isError(404, 'NotFoundTag'));
    await assert.rejects(trainer.getIteration(projectId, unknown), isError(404, 'NotFoundIteration'));
    await assert.rejects(trainer.getDomain(unknown), isError(404, 'NotFoundDomain'));
    const response = await fetch(`${base}/projects/not-a-uuid`, { headers: { 'Training-Key': TRAINING_KEY } });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { code: string }).code, 'BadRequestInvalidIds');
  });

  it('malformed JSON and bad parameters give 400', async () => {
    const headers = { 'Training-Key': TRAINING_KEY, 'Content-Type': 'application/json' };
    const broken = await fetch(`${base}/projects/${projectId}`, { method: 'PATCH', headers, body: '{"name": ' });
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as { code: string }).code, 'BadRequest');
    const array = await fetch(`${base}/projects/${projectId}/images/files`, { method: 'POST', headers, body: '[1,2]' });
    assert.equal(array.status, 400);
    const take = await fetch(`${base}/projects/${projectId}/images/tagged?take=9999`, { headers });
    assert.equal(take.status, 400);
    await assert.rejects(trainer.createProject(''), isError(400, 'BadRequestRequiredParamIsNull'));
    await assert.rejects(trainer.createProject('x', { classificationType: 'Nonsense' as 'Multiclass' }), isError(400, 'BadRequestProjectUnknownClassification'));
  });

  it('object detection projects are refused with a clear error', async () => {
    const od = (await trainer.getDomains()).find((d) => d.type === 'ObjectDetection');
    await assert.rejects(trainer.createProject('od', { domainId: od?.id }), (e: SdkError) => {
      assert.equal(e.statusCode, 400);
      assert.match(e.message ?? '', /object detection/i);
      return true;
    });
  });

  it('a corrupt image, a text file and a 7 MB image get per-image statuses; the good image in the batch is kept', async () => {
    const good = readImage(imageFiles('train', 'Barren')[0]);
    const corrupt = Buffer.from(good.subarray(0, good.length / 3));
    const summary = await trainer.createImagesFromFiles(projectId, {
      images: [
        { name: 'good.png', contents: good, tagIds: [tagId] },
        { name: 'corrupt.png', contents: corrupt, tagIds: [tagId] },
        { name: 'notes.txt', contents: Buffer.from('this is not an image'), tagIds: [tagId] },
        { name: 'huge.png', contents: await sevenMegabytePng(), tagIds: [tagId] },
      ],
    });
    assert.equal(summary.isBatchSuccessful, false);
    assert.deepEqual(summary.images?.map((i) => i.status), ['OK', 'ErrorImageFormat', 'ErrorImageFormat', 'ErrorImageSize']);
    assert.deepEqual(summary.images?.map((i) => i.sourceUrl), ['good.png', 'corrupt.png', 'notes.txt', 'huge.png']);
    assert.equal((await trainer.getTaggedImageCount(projectId)).body, 1);
  });

  it('createImagesFromData reports a 7 MB upload as ErrorImageSize with status 207', async () => {
    const response = await fetch(`${base}/projects/${projectId}/images`, {
      method: 'POST',
      headers: { 'Training-Key': TRAINING_KEY, 'Content-Type': 'application/octet-stream' },
      body: await sevenMegabytePng(),
    });
    assert.equal(response.status, 207);
    const body = (await response.json()) as { images: { status: string }[] };
    assert.equal(body.images[0].status, 'ErrorImageSize');
  });

  it('a batch of 65 images is refused whole with BadRequestExceededBatchSize', async () => {
    const files = imageFiles('train', 'Cultivated').slice(0, 65);
    const images = files.map((f, i) => ({ name: `${i}.png`, contents: readImage(f), tagIds: [tagId] }));
    await assert.rejects(trainer.createImagesFromFiles(projectId, { images }), isError(400, 'BadRequestExceededBatchSize'));
    const form = new FormData();
    for (const f of files) form.append('imageData', new Blob([readImage(f)]), 'x.png');
    const multipart = await fetch(`${base}/projects/${projectId}/images`, { method: 'POST', headers: { 'Training-Key': TRAINING_KEY }, body: form });
    assert.equal(multipart.status, 400);
    assert.equal(((await multipart.json()) as { code: string }).code, 'BadRequestExceededBatchSize');
    assert.equal((await trainer.getTaggedImageCount(projectId)).body, 1, 'nothing of the refused batches was stored');
  });

  it('accepts JPEG, GIF, BMP and small images, and refuses extreme aspect ratios', async () => {
    const rgb = await sharp(readImage(imageFiles('train', 'Barren')[1])).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const image = () => sharp(rgb.data, { raw: { width: rgb.info.width, height: rgb.info.height, channels: 3 } });
    const bmp = (await import('bmp-js')).default;
    const abgr = Buffer.alloc(rgb.info.width * rgb.info.height * 4);
    for (let i = 0; i < rgb.info.width * rgb.info.height; i++) {
      abgr[i * 4] = 255;
      abgr[i * 4 + 1] = rgb.data[i * 3 + 2];
      abgr[i * 4 + 2] = rgb.data[i * 3 + 1];
      abgr[i * 4 + 3] = rgb.data[i * 3];
    }
    const summary = await trainer.createImagesFromFiles(projectId, {
      images: [
        { name: 'a.jpg', contents: await image().jpeg().toBuffer(), tagIds: [tagId] },
        { name: 'b.gif', contents: await image().gif().toBuffer(), tagIds: [tagId] },
        { name: 'c.bmp', contents: bmp.encode({ data: abgr, width: rgb.info.width, height: rgb.info.height }).data, tagIds: [tagId] },
        { name: 'd.png', contents: await image().resize(32, 32).png().toBuffer(), tagIds: [tagId] },
        { name: 'e.png', contents: await image().resize(600, 20, { fit: 'fill' }).png().toBuffer(), tagIds: [tagId] },
      ],
    });
    assert.deepEqual(summary.images?.map((i) => i.status), ['OK', 'OK', 'OK', 'OK', 'ErrorImageDimensions']);
    assert.equal(summary.images?.[3].image?.width, 32);
  });

  it('unknown tag ids are refused, and images arrive from URLs', async () => {
    await assert.rejects(
      trainer.createImagesFromData(projectId, readImage(imageFiles('train', 'Barren')[2]), { tagIds: ['00000000-0000-4000-8000-000000000001'] }),
      isError(400, 'BadRequestImageTags'),
    );
    const png = readImage(imageFiles('train', 'Barren')[3]);
    const server = http.createServer((req, res) => {
      if (req.url === '/image.png') res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      else if (req.url === '/moved') res.writeHead(302, { location: '/image.png' }).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const summary = await trainer.createImagesFromUrls(projectId, {
        images: [{ url: `${root}/moved` }, { url: `${root}/missing.png` }, { url: 'ftp://example.com/x.png' }],
        tagIds: [tagId],
      });
      assert.deepEqual(summary.images?.map((i) => i.status), ['OK', 'ErrorSource', 'ErrorSource']);
      assert.equal(summary.images?.[0].sourceUrl, `${root}/moved`);
    } finally {
      server.close();
    }
  });

  it('the same image uploaded by several requests at once is stored once; the others get OKDuplicate', async () => {
    const shared = readImage(imageFiles('train', 'Developed')[9]);
    const others = imageFiles('train', 'Developed').slice(10, 18);
    const before = (await trainer.getTaggedImageCount(projectId)).body;
    // Each batch holds the shared image first, then one of its own: the check and the insert of the shared one are apart.
    const summaries = await Promise.all(
      others.map((other) =>
        trainer.createImagesFromFiles(projectId, { images: [{ name: 'shared.png', contents: shared }, { name: other, contents: readImage(other) }], tagIds: [tagId] }),
      ),
    );
    const statuses = summaries.map((s) => s.images?.[0].status).sort();
    assert.deepEqual(statuses, ['OK', ...Array(7).fill('OKDuplicate')]);
    assert.equal(new Set(summaries.map((s) => s.images?.[0].image?.id)).size, 1, 'all answers name the same image');
    assert.ok(summaries.every((s) => s.images?.[1].status === 'OK'));
    assert.equal((await trainer.getTaggedImageCount(projectId)).body, before + 1 + others.length);
  });

  it('training with too few images per tag is refused with the validation error', async () => {
    const small = (await trainer.createProject('too small')).id as string;
    const tags = [];
    for (const name of CLASSES.slice(0, 2)) tags.push((await trainer.createTag(small, name)).id as string);
    const images = (name: string, n: number, tag: string) => imageFiles('train', name).slice(0, n).map((f) => ({ name: f, contents: readImage(f), tagIds: [tag] }));
    await trainer.createImagesFromFiles(small, { images: [...images('Barren', 6, tags[0]), ...images('Cultivated', 3, tags[1])] });
    await assert.rejects(trainer.trainProject(small), (e: SdkError) => {
      assert.equal(e.statusCode, 400);
      assert.equal(e.code, 'BadRequestTrainingValidationFailed');
      assert.match(e.message ?? '', /Cultivated.*3 image/);
      return true;
    });
    await assert.rejects(trainer.quickTestImage(small, readImage(imageFiles('test', 'Barren')[0])), isError(404, 'NotFoundProjectDefaultIteration'));
  });

  it('deleting a project removes it and everything in it', async () => {
    const doomed = (await trainer.createProject('doomed')).id as string;
    const tag = (await trainer.createTag(doomed, 'x')).id as string;
    await trainer.createImagesFromData(doomed, readImage(imageFiles('train', 'Barren')[4]), { tagIds: [tag] });
    await trainer.deleteProject(doomed);
    await assert.rejects(trainer.getProject(doomed), isError(404, 'NotFoundProject'));
    await assert.rejects(trainer.getTags(doomed), isError(404, 'NotFoundProject'));
  });
});
