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
import { studentEndpoint } from '../../../scripts/classroom/endpoint';
import { acceptedHosts, hostName } from '../../../server/http/host-check';
import { isLoopbackHost, isWildcardAddress } from '../../../server/net/addresses';
import { imageFiles, readImage } from '../../support/dataset';
import { startServiceProcess, TRAINING_KEY, type ServiceProcess } from '../../support/service-process';
import { trainingClient } from '../../support/sdk';

type Answer = { status: number; body: Record<string, unknown> | unknown[] };

/** A request with a Host header of our choosing (fetch does not let one set Host). */
function send(method: string, url: string, host: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const json = body === undefined ? undefined : JSON.stringify(body);
    const contentType: Record<string, string> = json === undefined ? {} : { 'content-type': 'application/json' };
    const request = http.request(url, { method, headers: { ...headers, ...contentType, host }, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end(json);
  });
}

const get = (url: string, host: string, headers: Record<string, string> = {}) => send('GET', url, host, headers);

/** The machine's own addresses that are not loopback: what a wildcard bind is reached at from the network. */
const networkAddresses = () => Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => !a.internal && !a.scopeid).map((a) => a.address));
const asHost = (address: string, port: string) => `${address.includes(':') ? `[${address}]` : address}:${port}`;

describe('the Host names the service answers to', () => {
  it('reads a Host header as a bare name', () => {
    assert.equal(hostName('LocalHost:5600'), 'localhost');
    assert.equal(hostName('[::1]:5600'), '::1');
    assert.equal(hostName('classroom.local.'), 'classroom.local');
    assert.equal(hostName('127.0.0.1'), '127.0.0.1');
    assert.equal(hostName('10.0.0.5:80'), '10.0.0.5');
  });

  it('reads IPv6 addresses with and without brackets and port, a bare one whole', () => {
    assert.equal(hostName('[::1]'), '::1');
    assert.equal(hostName('[2001:DB8::5]:5600'), '2001:db8::5');
    assert.equal(hostName('[2001:db8:0:0:0:0:0:5]'), '2001:db8::5', 'one form of each address');
    assert.equal(hostName('::1'), '::1');
    assert.equal(hostName('::'), '::');
    assert.equal(hostName('2001:db8::5'), '2001:db8::5');
    assert.equal(hostName('[::1]junk'), '[::1]junk', 'not a Host we answer to');
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

  it('count :: (however written) as every interface, as 0.0.0.0, and keep bare IPv6 bind and public addresses whole', () => {
    const everywhere = acceptedHosts({ bindAddress: '0.0.0.0', publicHosts: [] });
    for (const wildcard of ['::', '[::]', '0:0:0:0:0:0:0:0', '']) assert.deepEqual(acceptedHosts({ bindAddress: wildcard, publicHosts: [] }), everywhere, wildcard);
    assert.deepEqual(acceptedHosts({ bindAddress: '2001:db8::7', publicHosts: ['2001:db8::5', '[2001:db8::6]'] }), [
      'localhost', '127.0.0.1', '::1', '2001:db8::5', '2001:db8::6', '2001:db8::7',
    ]);
  });
});

describe('bind addresses, read one way by the Host check, the exposure rule and the classroom command', () => {
  it('are wildcards when unspecified, in IPv4 or IPv6, however written', () => {
    for (const host of ['0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0', '::0', '']) assert.ok(isWildcardAddress(host), host);
    for (const host of ['127.0.0.1', '::1', '192.168.1.20', 'localhost', '::ffff:0.0.0.0', '0']) assert.ok(!isWildcardAddress(host), host);
    for (const host of ['::', '[::]', '0.0.0.0']) assert.ok(!isLoopbackHost(host), `${host} is reached from the network`);
    assert.ok(isLoopbackHost('0:0:0:0:0:0:0:1'));
  });

  it("give students the machine's network address for any wildcard, and a bare IPv6 address in brackets", () => {
    const everywhere = studentEndpoint({ host: '0.0.0.0', port: 5600 });
    for (const host of ['::', '[::]', '0:0:0:0:0:0:0:0']) assert.equal(studentEndpoint({ host, port: 5600 }), everywhere, host);
    assert.equal(studentEndpoint({ host: '[::1]', port: 5600 }), 'http://[::1]:5600');
    assert.equal(studentEndpoint({ host: '::1', port: 5600 }), 'http://[::1]:5600');
    assert.equal(studentEndpoint({ host: '::', port: 5600, publicHost: '2001:db8::5' }), 'http://[2001:db8::5]:5600');
  });
});

describe('a service started with --public-host classroom.local', () => {
  let service: ServiceProcess;
  let base: string;
  let port: string;
  let projectId: string;
  const key = { 'Training-Key': TRAINING_KEY };

  before(async () => {
    service = await startServiceProcess({ extraArgs: ['--public-host', 'classroom.local,2001:db8::5'] });
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
      assert.match(message, /localhost, 127\.0\.0\.1, \[::1\], classroom\.local, \[2001:db8::5\]/);
      assert.match(message, /--public-host/);
    }
    const withPort = await get(`${base}/projects`, `attacker.example:${port}`, key);
    assert.equal(withPort.status, 421);
    // The route is POST only; without a Prediction-Key it is 401 under an accepted Host, so 421 here means the Host came first.
    const classify = (host: string) => send('POST', `${service.url}/customvision/v3.0/prediction/${projectId}/classify/iterations/x/url`, host, {}, { url: 'http://example.com/a.png' });
    assert.equal((await classify(`localhost:${port}`)).status, 401, 'an accepted Host reaches the key check');
    assert.equal((await classify('attacker.example')).status, 421, 'before the Prediction-Key is looked at');
  });

  it('serves loopback names and the public name, with or without port, and builds image URIs from the Host asked under', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`, '[::1]', `classroom.local:${port}`, 'CLASSROOM.LOCAL', `[2001:db8::5]:${port}`, '[2001:DB8::5]']) {
      const { status, body } = await get(`${base}/projects/${projectId}/images`, host, key);
      assert.equal(status, 200, host);
      const [image] = body as { originalImageUri: string }[];
      assert.equal(new URL(image.originalImageUri).host, new URL(`http://${host.toLowerCase()}`).host, host);
    }
  });
});

describe('a service started with --host ::', () => {
  let service: ServiceProcess;
  let port: string;
  const key = { 'Training-Key': TRAINING_KEY };

  before(async () => {
    service = await startServiceProcess({ extraArgs: ['--host', '::'] });
    port = new URL(service.url).port;
  });
  after(async () => {
    await service?.stop();
  });

  it('listens on IPv6 and answers to [::1] and to the machine\'s own addresses, as bound to 0.0.0.0, but not to a foreign name', async () => {
    assert.match(service.url, /^http:\/\/\[::\]:\d+$/);
    const projects = `/customvision/v3.4-preview/training/projects`;
    assert.equal((await get(`http://[::1]:${port}${projects}`, `[::1]:${port}`, key)).status, 200);
    for (const address of networkAddresses()) assert.equal((await get(`http://127.0.0.1:${port}${projects}`, asHost(address, port), key)).status, 200, address);
    assert.equal((await get(`http://[::1]:${port}${projects}`, `attacker.example:${port}`, key)).status, 421);
  });
});
