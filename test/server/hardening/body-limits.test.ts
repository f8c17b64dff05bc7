/**
 * Bodies the service bounds while it reads them, against the real service with raw clients that
 * stream their bodies: a multipart body over the body limit gets 413 (Fastify's body limit does not
 * apply to multipart, read as a stream), read away within the drain's bound so the client sees it;
 * an admitted body that arrives too slowly gets 408 and gives its place back; a request refused over
 * a rate has its body read away within the drain's bound, not read to its end whatever its size.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MAX_BODY_BYTES } from '../../../server/http/body-parsers';
import { DRAIN_LIMITS } from '../../../server/http/drain';
import { BODY_PACE } from '../../../server/http/admission';
import { imageFiles, readImage } from '../../support/dataset';
import { filler } from '../../support/raw-http';
import { trainingClient } from '../../support/sdk';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../../support/service-process';
import { trainSmallProject } from '../../support/trained-project';
import { refusalOf, trainingClientFor, writeQuotaResources } from '../quotas/support';

const MIB = 1024 * 1024;
/** Declared by the request refused over its rate: far more than the service reads of it (at most the drain's bound). */
const DECLARED_BYTES = 1024 * MIB;
/**
 * 60 parts of 5 MB: each part a valid size and the parts within a batch, 300 MB in all; over the body
 * limit by less than the drain's bound, so the client gets to read the answer after sending it all.
 */
const OVER_LIMIT = { parts: 60, partMiB: 5 };

interface StreamedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Body bytes handed to the socket when the answer came (or, with `untilClosed`, when the service closed the connection). */
  bodySent: number;
}

/** The response in `bytes`, once it is whole (by its Content-Length). */
function parseResponse(bytes: Buffer): Omit<StreamedAnswer, 'bodySent'> | undefined {
  const text = bytes.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const body = bytes.subarray(split + 4);
  if (body.length < Number(headers['content-length'] ?? 0)) return undefined;
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8') };
}

/**
 * A client that writes the request head, then its body piece by piece as the socket takes it, while
 * reading: it stops writing when the answer is whole, or with `untilClosed` goes on until the
 * service closes the connection (or the body is all sent).
 */
function streamRequest(url: string, head: string, body: Iterable<Buffer | string> | AsyncIterable<Buffer | string>, options: { untilClosed?: boolean } = {}): Promise<StreamedAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const received: Buffer[] = [];
    let answer: Omit<StreamedAnswer, 'bodySent'> | undefined;
    let bodySent = 0;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      if (answer) resolve({ ...answer, bodySent });
      else reject(new Error(`the connection closed without an answer after ${bodySent} body bytes: ${JSON.stringify(Buffer.concat(received).toString().slice(0, 200))}`));
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      answer ??= parseResponse(Buffer.concat(received));
      if (answer && !options.untilClosed) settle();
    });
    socket.on('error', () => {});
    socket.on('close', settle);
    socket.once('connect', async () => {
      socket.write(head);
      for await (const piece of body) {
        if (settled || socket.destroyed) return;
        bodySent += piece.length;
        if (!socket.write(piece)) {
          await new Promise<void>((resume) => {
            const go = () => {
              socket.off('drain', go).off('close', go);
              resume();
            };
            socket.on('drain', go).on('close', go);
          });
        }
      }
      if (!socket.destroyed) socket.end();
    });
  });
}

const BOUNDARY = 'body-limits-boundary';

/** A multipart body of `parts` image parts of `partMiB` MB each, made as it is sent; and its length. */
function multipartBody(parts: number, partMiB: number): { pieces: Iterable<Buffer | string>; length: number } {
  const opening = (i: number) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="imageData"; filename="${i}.png"\r\nContent-Type: image/png\r\n\r\n`;
  const closing = `--${BOUNDARY}--\r\n`;
  let length = closing.length;
  for (let i = 0; i < parts; i++) length += opening(i).length + partMiB * MIB + 2;
  function* pieces() {
    for (let i = 0; i < parts; i++) {
      yield opening(i);
      yield* filler(partMiB);
      yield '\r\n';
    }
    yield closing;
  }
  return { pieces: pieces(), length };
}

function assertSpecError(answer: { status: number; body: string }, status: number, code: string): void {
  assert.equal(answer.status, status, answer.body);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
  assert.equal(body.code, code);
}

const head = (path: string, headers: string) => `POST ${path} HTTP/1.1\r\nHost: localhost\r\nTraining-Key: ${TRAINING_KEY}\r\n${headers}\r\n`;

describe('a multipart body over the body limit', () => {
  let service: ServiceProcess;
  let projectId: string;

  before(async () => {
    service = await startServiceProcess();
    projectId = (await trainingClient(service.url).createProject('multipart bound')).id as string;
  });
  after(async () => {
    await service?.stop();
  });

  it('gets 413 with the spec body once its parts pass 200 MB, and nothing is stored', async () => {
    const { pieces, length } = multipartBody(OVER_LIMIT.parts, OVER_LIMIT.partMiB);
    assert.ok(length > MAX_BODY_BYTES && length < MAX_BODY_BYTES + DRAIN_LIMITS.maxBytes);
    const answer = await streamRequest(
      service.url,
      head(`/customvision/v3.4-preview/training/projects/${projectId}/images`, `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${length}\r\n`),
      pieces,
    );
    assertSpecError(answer, 413, 'BadRequestImageSizeBytes');
    assert.match(JSON.parse(answer.body).message, /more than 200 MB/);
    assert.equal((await trainingClient(service.url).getImageCount(projectId)).body, 0);
  });

  it('a part over 6 MB is reported ErrorImageSize on its own; the batch\'s other images are stored', async () => {
    const [small, other] = imageFiles('train', 'Barren').map(readImage);
    const part = (name: string, bytes: Buffer) =>
      Buffer.concat([Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="imageData"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`), bytes, Buffer.from('\r\n')]);
    const body = Buffer.concat([part('a.png', small), part('big.png', Buffer.alloc(10 * MIB, 1)), part('b.png', other), Buffer.from(`--${BOUNDARY}--\r\n`)]);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${service.url}/customvision/v3.4-preview/training/projects/${projectId}/images`, {
        method: 'POST',
        headers: { 'Training-Key': TRAINING_KEY, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': body.length },
      });
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: response.statusCode as number, body: Buffer.concat(chunks).toString() }));
      });
      request.on('error', reject);
      request.end(body);
    });
    assert.equal(answer.status, 207, answer.body);
    assert.deepEqual((JSON.parse(answer.body) as { images: { status: string }[] }).images.map((i) => i.status), ['OK', 'ErrorImageSize', 'OK']);
  });
});

describe('a quick test whose multipart body is over the body limit', () => {
  let service: ServiceProcess;
  let projectId: string;

  before(async () => {
    service = await startServiceProcess();
    ({ projectId } = await trainSmallProject(service.url, { perClass: 5, publish: false }));
  });
  after(async () => {
    await service?.stop();
  });

  it('gets 413 with the spec body once its parts pass 200 MB (one image is all it may hold)', async () => {
    const { pieces, length } = multipartBody(OVER_LIMIT.parts, OVER_LIMIT.partMiB);
    const answer = await streamRequest(
      service.url,
      head(`/customvision/v3.4-preview/training/projects/${projectId}/quicktest/image`, `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${length}\r\n`),
      pieces,
    );
    assertSpecError(answer, 413, 'BadRequestImageSizeBytes');
  });
});

describe('an admitted image body that arrives too slowly (--max-uploads 1)', () => {
  let service: ServiceProcess;
  let projectId: string;

  before(async () => {
    service = await startServiceProcess({ extraArgs: ['--max-uploads', '1'] });
    projectId = (await trainingClient(service.url).createProject('slow body')).id as string;
  });
  after(async () => {
    await service?.stop();
  });

  it(`gets 408 RequestTimeout once it falls behind ${BODY_PACE.minBytesPerSecond / 1024} KB/s after ${BODY_PACE.graceMs / 1000} s, and its place is given back`, { timeout: 120_000 }, async () => {
    const path = `/customvision/v3.4-preview/training/projects/${projectId}/images`;
    // 1 KB of a 1 MB body, then nothing more until the answer: the client stalls, its connection open.
    let answered = false;
    let stopStalling = () => {};
    const stalling = new Promise<void>((resolve) => (stopStalling = resolve));
    async function* stalled() {
      yield Buffer.alloc(1024, 1);
      await stalling;
    }
    const slow = streamRequest(service.url, head(path, `Content-Type: application/octet-stream\r\nContent-Length: ${MIB}\r\n`), stalled(), { untilClosed: true }).finally(() => {
      answered = true;
      stopStalling();
    });

    // While the slow body holds the only place, an upload is refused (503).
    const lab = trainingClientFor(service.url, { name: 'default', trainingKey: TRAINING_KEY, predictionKey: '' }, { noRetryPolicy: true });
    const image = readImage(imageFiles('train', 'Developed')[0]);
    // Into another project: were one admitted before the slow body, it must not count as the slow body's.
    const otherId = (await trainingClient(service.url).createProject('other')).id as string;
    // The slow body must take the place before the first probe does (on a busy machine its headers can
    // come late): its admission needs only its headers, and the pace gives it 10 s before any 408.
    await new Promise((r) => setTimeout(r, 2000));
    let refusedWhileHeld = false;
    while (!answered && !refusedWhileHeld) {
      const refusal = await refusalOf(lab.createImagesFromData(otherId, image)).catch(() => undefined);
      if (refusal?.statusCode === 503) refusedWhileHeld = true;
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(refusedWhileHeld, 'the slow body held the place while it was being received');

    const answer = await slow;
    assertSpecError(answer, 408, 'RequestTimeout');
    assert.equal(answer.headers.connection, 'close');
    assert.match(JSON.parse(answer.body).message, /arrived too slowly/);
    // The place is free again: the same upload goes through now.
    assert.equal((await lab.createImagesFromData(otherId, image)).isBatchSuccessful, true);
    assert.equal((await trainingClient(service.url).getImageCount(projectId)).body, 0, 'the slow body stored nothing');
  });
});

describe('a request refused over its rate, with a large body', () => {
  const { file, resources } = writeQuotaResources({ limited: { trainingRequestsPerSecond: 0.001 } });
  let service: ServiceProcess;

  before(async () => {
    service = await startServiceProcess({ resources: file });
  });
  after(async () => {
    await service?.stop();
  });

  it('is answered 429 at once, then its body is read away only up to the drain\'s bound and the connection closed', async () => {
    const trainer = trainingClientFor(service.url, resources.limited, { noRetryPolicy: true });
    // At 0.001/s the burst is two requests, and no token comes back during the test.
    const projectId = (await trainer.createProject('rate')).id as string;
    await trainer.getProject(projectId);
    const answer = await streamRequest(
      service.url,
      `POST /customvision/v3.4-preview/training/projects/${projectId}/images/files HTTP/1.1\r\nHost: localhost\r\nTraining-Key: ${resources.limited.trainingKey}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${DECLARED_BYTES}\r\n\r\n`,
      filler(DECLARED_BYTES / MIB),
      { untilClosed: true },
    );
    assertSpecError(answer, 429, 'TooManyRequests');
    assert.match(answer.headers['retry-after'] ?? '', /^[1-9]\d*$/);
    assert.ok(answer.bodySent < DECLARED_BYTES, `the service read the whole ${DECLARED_BYTES} bytes: it closed only after ${answer.bodySent}`);
    assert.ok(answer.bodySent <= DRAIN_LIMITS.maxBytes + 64 * MIB, `closed after ${(answer.bodySent / MIB).toFixed(0)} MB`);
  });
});
