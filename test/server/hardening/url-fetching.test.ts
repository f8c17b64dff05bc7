/**
 * Image URLs cannot reach loopback or private addresses through an IPv6 form that embeds an
 * IPv4 address, and a name is resolved once per hop and connected to at the address checked.
 */
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import ipaddr from 'ipaddr.js';
import { embeddedIPv4, isRefusedAddress } from '../../../server/net/address-policy';
import { fetchImage, ImageFetchError } from '../../../server/net/fetch-image';
import { imageFiles, readImage } from '../../support/dataset';
import { predictionClient, type SdkError } from '../../support/sdk';
import { startServiceProcess, type ServiceProcess } from '../../support/service-process';
import { PUBLISH_NAME, trainSmallProject, type TrainedProject } from '../../support/trained-project';

/** A loopback server that must never be asked for anything: it serves a real image, so a request that got through would succeed. */
async function startCanary(): Promise<{ port: number; requests: string[]; close(): void }> {
  const requests: string[] = [];
  const image = readImage(imageFiles('test', 'Barren')[0]);
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'image/png' }).end(image);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, requests, close: () => server.close() };
}

/** 127.0.0.1 inside IPv6: the forms the issue found, plus IPv4-mapped (which Linux does route to the canary) and Teredo. */
const LOOPBACK_IN_IPV6 = {
  'IPv4-compatible': '::7f00:1',
  NAT64: '64:ff9b::7f00:1',
  '6to4': '2002:7f00:1::',
  'IPv4-mapped': '::ffff:7f00:1',
  // Teredo: server 65.54.227.120, client 127.0.0.1 XOR-ed into the last 32 bits.
  Teredo: '2001:0:4136:e378:8000:63bf:80ff:fffe',
};

describe('which addresses URL fetching refuses', () => {
  it('refuses loopback, private and reserved IPv4 and IPv6 addresses, and IPv6 addresses embedding them', () => {
    const refused = [
      '127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '255.255.255.255',
      '224.0.0.1', '240.0.0.1', '192.0.2.1', '198.18.0.1',
      '::', '::1', 'fd00::1', 'fe80::1', 'ff02::1', 'fec0::1', '2001:db8::1', '100::1',
      ...Object.values(LOOPBACK_IN_IPV6),
      '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::a9fe:a9fe', '64:ff9b::a9fe:a9fe', '64:ff9b::c0a8:101', '2002:a00:1::1', '2002:c0a8:101::',
      '::ffff:0:7f00:1', '64:ff9b:1::808:808',
      '2001:0:4136:e378:8000:63bf:f5ff:fffe', // Teredo client 10.0.0.1
      'not an address', '',
    ];
    for (const address of refused) assert.equal(isRefusedAddress(address), true, address);
    const allowed = ['8.8.8.8', '151.101.1.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1', '2001:0:4136:e378:8000:63bf:f7f7:f7f7', '[2606:4700::1111]'];
    for (const address of allowed) assert.equal(isRefusedAddress(address), false, address);
  });

  it('finds the IPv4 address each transition form carries', () => {
    const embedded = (address: string) => embeddedIPv4(ipaddr.IPv6.parse(address)).map(String);
    assert.deepEqual(embedded('::7f00:1'), ['127.0.0.1']);
    assert.deepEqual(embedded('::ffff:7f00:1'), ['127.0.0.1']);
    assert.deepEqual(embedded('64:ff9b::7f00:1'), ['127.0.0.1']);
    assert.deepEqual(embedded('2002:7f00:1::'), ['127.0.0.1']);
    assert.deepEqual(embedded(LOOPBACK_IN_IPV6.Teredo), ['65.54.227.120', '127.0.0.1']);
    assert.deepEqual(embedded('2606:4700::1111'), []);
  });
});

describe('fetchImage resolves a name once per hop and connects where it checked', () => {
  let canary: Awaited<ReturnType<typeof startCanary>>;
  before(async () => (canary = await startCanary()));
  after(() => canary.close());

  /** A resolver that answers each address in turn, as a rebinding DNS server would, counting its calls. */
  function alternating(...answers: string[]) {
    const calls: string[] = [];
    const lookup = async (hostname: string): Promise<LookupAddress[]> => {
      const address = answers[calls.length % answers.length];
      calls.push(hostname);
      return [{ address, family: address.includes(':') ? 6 : 4 }];
    };
    return { lookup, calls };
  }
  const refusedSource = (e: unknown) => e instanceof ImageFetchError && e.reason === 'source';

  it('a name resolving to a public address first and to loopback next never reaches loopback', async () => {
    const rebinding = alternating('203.0.114.7', '127.0.0.1');
    const url = `http://rebind.test:${canary.port}/image.png`;
    for (let attempt = 0; attempt < 2; attempt++) {
      // The first look-up's public address is where the connection goes (and fails: nothing there answers in time).
      await assert.rejects(fetchImage(url, { maxBytes: 1 << 20, allowPrivate: false, lookup: rebinding.lookup, timeoutInMs: 1500 }), refusedSource);
    }
    assert.deepEqual(rebinding.calls, ['rebind.test', 'rebind.test'], 'one look-up per fetch');
    assert.deepEqual(canary.requests, []);
  });

  it('connects to the address the single look-up gave, not to a later answer', async () => {
    // Allowed to reach loopback here, so only the pinning decides: 127.0.0.1 has the canary, 127.0.0.2 nothing.
    const answers = alternating('127.0.0.1', '127.0.0.2');
    const bytes = await fetchImage(`http://pinned.test:${canary.port}/image.png`, { maxBytes: 1 << 20, allowPrivate: true, lookup: answers.lookup });
    assert.ok(bytes.length > 1000);
    assert.deepEqual(answers.calls, ['pinned.test']);
    assert.deepEqual(canary.requests, ['GET /image.png']);
    canary.requests.length = 0;
  });

  it('refuses a name with any refused address among its answers', async () => {
    const lookup = async (): Promise<LookupAddress[]> => [{ address: '8.8.8.8', family: 4 }, { address: '::ffff:7f00:1', family: 6 }];
    await assert.rejects(
      fetchImage(`http://mixed.test:${canary.port}/image.png`, { maxBytes: 1 << 20, allowPrivate: false, lookup }),
      (e: unknown) => refusedSource(e) && /private or loopback address \(::ffff:7f00:1\)/.test((e as Error).message),
    );
    assert.deepEqual(canary.requests, []);
  });
});

describe('image URLs of the three kinds of request, on a service started without --allow-private-urls', () => {
  let service: ServiceProcess;
  let project: TrainedProject;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  const urls = () => Object.entries(LOOPBACK_IN_IPV6).map(([form, address]) => ({ form, url: `http://[${address}]:${canary.port}/image.png` }));

  before(async () => {
    canary = await startCanary();
    service = await startServiceProcess({ allowPrivateUrls: false });
    project = await trainSmallProject(service.url, { perClass: 6 });
  });
  after(async () => {
    canary?.close();
    await service?.stop();
  });

  it('createImagesFromUrls gives each such URL ErrorSource and stores nothing', async () => {
    const summary = await project.trainer.createImagesFromUrls(project.projectId, { images: urls().map(({ url }) => ({ url })) });
    assert.equal(summary.isBatchSuccessful, false);
    assert.deepEqual(summary.images?.map((i) => [i.sourceUrl, i.status]), urls().map(({ url }) => [url, 'ErrorSource']));
    assert.equal((await project.trainer.getImageCount(project.projectId)).body, 18, 'only the training images');
  });

  it('quickTestImageUrl refuses each with 400 BadRequestImageUrl', async () => {
    for (const { form, url } of urls()) {
      await assert.rejects(
        project.trainer.quickTestImageUrl(project.projectId, { url }, { iterationId: project.iterationId }),
        (e: SdkError) => e.statusCode === 400 && e.code === 'BadRequestImageUrl' && /private or loopback/.test(e.message ?? ''),
        form,
      );
    }
  });

  it('classifyImageUrl refuses each with 400 BadRequestImageUrl', async () => {
    const predictor = predictionClient(service.url);
    for (const { form, url } of urls()) {
      await assert.rejects(
        predictor.classifyImageUrl(project.projectId, PUBLISH_NAME, { url }),
        (e: SdkError) => e.statusCode === 400 && e.code === 'BadRequestImageUrl' && /private or loopback/.test(e.message ?? ''),
        form,
      );
    }
  });

  it('the canary on loopback was never asked for anything', () => {
    assert.deepEqual(canary.requests, []);
  });
});
