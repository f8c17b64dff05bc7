/**
 * DNS rebinding: a request naming a Host the service was not started for gets 421 with the spec's
 * error body, before any key is looked at; loopback names, the bound address and --public-host
 * names are served, and image URIs carry the Host they were asked under.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { parseConfig, type ServiceConfig } from '../../../server/config';
import { acceptedHosts, hostName } from '../../../server/http/host-check';
import { imageFiles, readImage } from '../../support/dataset';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../../support/service-process';
import { trainingClient } from '../../support/sdk';

/** A GET with a Host header of our choosing (fetch does not let one set Host). */
function get(url: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> | unknown[] }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { ...headers, host }, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    request.on('error', reject);
  });
}

describe('the Host names the service answers to', () => {
  it('reads a Host header as a bare name', () => {
    assert.equal(hostName('LocalHost:5600'), 'localhost');
    assert.equal(hostName('[::1]:5600'), '::1');
    assert.equal(hostName('classroom.local.'), 'classroom.local');
    assert.equal(hostName('127.0.0.1'), '127.0.0.1');
  });

  it('are configured by --public-host or CVLAB_PUBLIC_HOST, comma-separated, without port', () => {
    const publicHosts = (argv: string[], env: NodeJS.ProcessEnv = {}) => (parseConfig(argv, env) as ServiceConfig).publicHosts;
    assert.deepEqual(publicHosts([]), []);
    assert.deepEqual(publicHosts(['--public-host', 'Classroom.local, 10.0.0.5']), ['classroom.local', '10.0.0.5']);
    assert.deepEqual(publicHosts([], { CVLAB_PUBLIC_HOST: 'lab.example' }), ['lab.example']);
    assert.deepEqual(publicHosts(['--public-host', 'flag.example'], { CVLAB_PUBLIC_HOST: 'env.example' }), ['flag.example']);
    assert.throws(() => parseConfig(['--public-host', 'lab.example:5600'], {}), /Invalid public host "lab.example:5600"/);
    assert.throws(() => parseConfig(['--public-host', 'http://lab.example'], {}), /Invalid public host/);
  });

  it('are loopback names, the public names and the bound address, or every address of the machine when bound to all', () => {
    assert.deepEqual(acceptedHosts({ bindAddress: '127.0.0.1', publicHosts: [] }), ['localhost', '127.0.0.1', '::1']);
    assert.deepEqual(acceptedHosts({ bindAddress: '192.168.1.20', publicHosts: ['Classroom.local'] }), ['localhost', '127.0.0.1', '::1', 'classroom.local', '192.168.1.20']);
    const everywhere = acceptedHosts({ bindAddress: '0.0.0.0', publicHosts: [] });
    for (const address of Object.values(os.networkInterfaces()).flatMap((list) => list ?? [])) assert.ok(everywhere.includes(address.address.toLowerCase()), address.address);
    assert.ok(!everywhere.includes('0.0.0.0'));
  });
});

describe('a service started with --public-host classroom.local', () => {
  let service: ServiceProcess;
  let base: string;
  let port: string;
  let projectId: string;
  const key = { 'Training-Key': TRAINING_KEY };

  before(async () => {
    service = await startServiceProcess({ extraArgs: ['--public-host', 'classroom.local'] });
    port = new URL(service.url).port;
    base = `${service.url}/customvision/v3.4-preview/training`;
    const trainer = trainingClient(service.url);
    projectId = (await trainer.createProject('host check')).id as string;
    const tag = await trainer.createTag(projectId, 'Barren');
    await trainer.createImagesFromData(projectId, readImage(imageFiles('train', 'Barren')[0]), { tagIds: [tag.id as string] });
  });
  after(async () => {
    await service?.stop();
  });

  it('answers a foreign Host 421 MisdirectedRequest with the spec body, even with the right key and on the portal path', async () => {
    for (const path of ['/customvision/v3.4-preview/training/projects', '/']) {
      const { status, body } = await get(`${service.url}${path}`, 'attacker.example', key);
      assert.equal(status, 421, path);
      assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
      const { code, message } = body as { code: string; message: string };
      assert.equal(code, 'MisdirectedRequest');
      assert.match(message, /localhost, 127\.0\.0\.1, \[::1\], classroom\.local/);
      assert.match(message, /--public-host/);
    }
    const withPort = await get(`${base}/projects`, `attacker.example:${port}`, key);
    assert.equal(withPort.status, 421);
    const prediction = await get(`${service.url}/customvision/v3.0/prediction/${projectId}/classify/iterations/x/url`, 'attacker.example');
    assert.equal(prediction.status, 421, 'before the Prediction-Key is looked at');
  });

  it('serves loopback names and the public name, with or without port, and builds image URIs from the Host asked under', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`, `classroom.local:${port}`, 'CLASSROOM.LOCAL']) {
      const { status, body } = await get(`${base}/projects/${projectId}/images`, host, key);
      assert.equal(status, 200, host);
      const [image] = body as { originalImageUri: string }[];
      assert.equal(new URL(image.originalImageUri).host, new URL(`http://${host.toLowerCase()}`).host, host);
    }
  });
});
