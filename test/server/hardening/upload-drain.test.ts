/**
 * An oversized upload sent in full, by a client that writes its whole body before reading, gets
 * the 413 with the spec's body rather than a reset connection (EPIPE, ECONNRESET).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_BODY_BYTES, MAX_IMAGE_PART_BYTES } from '../../../server/http/body-parsers';
import { filler, rawRequest, type RawResponse } from '../../support/raw-http';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../../support/service-process';
import { trainingClient } from '../../support/sdk';

const MIB = 1024 * 1024;
/** 8 MB over the limit for a single image. */
const OVERSIZED_IMAGE_MIB = MAX_IMAGE_PART_BYTES / MIB + 8;

function* chunked(pieces: Iterable<Buffer>): Generator<Buffer | string> {
  for (const piece of pieces) yield Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
  yield '0\r\n\r\n';
}

function assertAnswered(response: RawResponse, status: number, code: string): void {
  assert.equal(response.socketError, undefined, 'no EPIPE or ECONNRESET: the whole body was taken');
  assert.equal(response.status, status, response.body);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
  assert.equal(body.code, code);
}

describe('an oversized upload sent in full is answered, not reset', () => {
  let service: ServiceProcess;
  let path: string;
  const head = (headers: string) => `POST ${path} HTTP/1.1\r\nHost: localhost\r\nTraining-Key: ${TRAINING_KEY}\r\n${headers}\r\n`;

  before(async () => {
    service = await startServiceProcess();
    const projectId = (await trainingClient(service.url).createProject('drain')).id as string;
    path = `/customvision/v3.4-preview/training/projects/${projectId}/images`;
  });
  after(async () => {
    await service?.stop();
  });

  it('a raw image body 8 MB over the limit, with Content-Length', async () => {
    const bytes = OVERSIZED_IMAGE_MIB * MIB;
    const response = await rawRequest(service.url, [head(`Content-Type: application/octet-stream\r\nContent-Length: ${bytes}\r\n`), ...filler(OVERSIZED_IMAGE_MIB)]);
    assertAnswered(response, 413, 'BadRequestImageSizeBytes');
  });

  it('the same body sent chunked', async () => {
    const response = await rawRequest(service.url, [head('Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n'), ...chunked(filler(OVERSIZED_IMAGE_MIB))]);
    assertAnswered(response, 413, 'BadRequestImageSizeBytes');
  });

  it('a multipart image part 8 MB over the limit', async () => {
    const boundary = 'drain-test-boundary';
    const opening = `--${boundary}\r\nContent-Disposition: form-data; name="imageData"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`;
    const closing = `\r\n--${boundary}--\r\n`;
    const length = opening.length + OVERSIZED_IMAGE_MIB * MIB + closing.length;
    const response = await rawRequest(service.url, [
      head(`Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n`),
      opening,
      ...filler(OVERSIZED_IMAGE_MIB),
      closing,
    ]);
    assertAnswered(response, 413, 'BadRequestImageSizeBytes');
  });

  it('a JSON batch 8 MB over the body limit', async () => {
    const mib = MAX_BODY_BYTES / MIB + 8;
    const response = await rawRequest(service.url, [
      `POST ${path}/files HTTP/1.1\r\nHost: localhost\r\nTraining-Key: ${TRAINING_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${mib * MIB}\r\n\r\n`,
      ...filler(mib),
    ]);
    assertAnswered(response, 413, 'BadRequestImageSizeBytes');
  });

  it('an upload with a wrong key', async () => {
    const bytes = OVERSIZED_IMAGE_MIB * MIB;
    const request = `POST ${path} HTTP/1.1\r\nHost: localhost\r\nTraining-Key: wrong\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bytes}\r\n\r\n`;
    assertAnswered(await rawRequest(service.url, [request, ...filler(OVERSIZED_IMAGE_MIB)]), 401, 'Unauthorized');
  });

  it('the service still takes uploads afterwards', async () => {
    const trainer = trainingClient(service.url);
    const projects = await trainer.getProjects();
    assert.equal(projects.length, 1);
  });
});
