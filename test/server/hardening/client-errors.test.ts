/**
 * Requests that Node's HTTP parser or Fastify's router refuse before any route answer with the
 * spec's `{ code, message }` body like every other error, not Fastify's `{ error, message, statusCode }`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawRequest, type RawResponse } from '../../support/raw-http';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../../support/service-process';

const TRAINING = '/customvision/v3.4-preview/training';

function assertSpecError(response: RawResponse, status: number, code: string, message?: RegExp): void {
  assert.equal(response.status, status, response.body);
  assert.equal(response.socketError, undefined, 'the client read the answer without a reset');
  assert.match(response.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message'], response.body);
  assert.equal(body.code, code);
  assert.equal(typeof body.message, 'string');
  if (message) assert.match(body.message as string, message);
}

describe('errors before any route answer with the spec body', () => {
  let service: ServiceProcess;
  const send = (...pieces: string[]) => rawRequest(service.url, pieces);
  const host = 'Host: localhost\r\n';

  before(async () => {
    service = await startServiceProcess();
  });
  after(async () => {
    // Whatever came before, the service still answers.
    const response = await fetch(`${service.url}${TRAINING}/domains`, { headers: { 'Training-Key': TRAINING_KEY } });
    assert.equal(response.status, 200);
    await service?.stop();
  });

  it('431 for a 64 KB header, 3,000 headers or a 20 KB URL, with Connection: close', async () => {
    const cases = [
      `GET ${TRAINING}/projects HTTP/1.1\r\n${host}X-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
      `GET ${TRAINING}/projects HTTP/1.1\r\n${host}${Array.from({ length: 3000 }, (_, i) => `X-Header-${i}: value\r\n`).join('')}\r\n`,
      `GET /${'a'.repeat(20 * 1024)} HTTP/1.1\r\n${host}\r\n`,
    ];
    for (const request of cases) {
      const response = await send(request);
      assertSpecError(response, 431, 'RequestHeaderFieldsTooLarge');
      assert.equal(response.headers.connection, 'close');
    }
  });

  it('400 for a garbage request line, Content-Length: -1, both Content-Length and Transfer-Encoding, a bad chunk size', async () => {
    const post = `POST ${TRAINING}/projects?name=x HTTP/1.1\r\n${host}Training-Key: ${TRAINING_KEY}\r\n`;
    const cases: [string, RegExp][] = [
      ['HELLO THERE\r\n\r\n', /not valid HTTP/],
      [`${post}Content-Length: -1\r\n\r\n`, /Content-Length/],
      [`${post}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, /Content-Length/],
      [`${post}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, /chunk/],
    ];
    for (const [request, message] of cases) {
      const response = await send(request);
      assertSpecError(response, 400, 'BadRequest', message);
      assert.equal(response.headers.connection, 'close');
    }
  });

  it('a path that does not percent-decode, an unknown method, an unknown path', async () => {
    assertSpecError(await send(`GET ${TRAINING}/projects/%zz HTTP/1.1\r\n${host}Connection: close\r\n\r\n`), 400, 'BadRequest', /percent-encoded/);
    assertSpecError(await send(`GET /%E0%A4%A HTTP/1.1\r\n${host}Connection: close\r\n\r\n`), 400, 'BadRequest');
    assertSpecError(await send(`FROB / HTTP/1.1\r\n${host}\r\n`), 400, 'BadRequest', /method/i);
    assertSpecError(await send(`PROPFIND ${TRAINING}/projects HTTP/1.1\r\n${host}Connection: close\r\n\r\n`), 404, 'NotFound');
    assertSpecError(await send(`GET /customvision//images/../.. HTTP/1.1\r\n${host}Connection: close\r\n\r\n`), 404, 'NotFound');
  });

  it('a publish name of 256 characters in a path reaches its route', async () => {
    const path = `/customvision/v3.0/prediction/00000000-0000-0000-0000-000000000000/classify/iterations/${'n'.repeat(256)}/url/nostore`;
    const response = await send(`POST ${path} HTTP/1.1\r\n${host}Prediction-Key: nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    assertSpecError(response, 401, 'Unauthorized');
  });
});
