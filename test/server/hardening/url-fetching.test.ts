/**
 * Image URLs cannot reach loopback or private addresses through an IPv6 form that embeds an
 * IPv4 address, and a name is resolved once per hop and connected to at the address checked.
 * Connections are watched (and, where they would leave the machine, stopped before they are
 * made) through the `net.client.socket` diagnostics channel: no test here reaches the network.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import diagnostics from 'node:diagnostics_channel';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ipaddr from 'ipaddr.js';
import { serviceStore, type ImageLinks, type Store } from '../../../server/projects/context';
import { createImagesFromUrls } from '../../../server/projects/image-urls';
import { createProject } from '../../../server/projects/projects';
import { withQuotas } from '../../../server/resources/quotas';
import { defaultResource } from '../../../server/resources/resource';
import { BlobStore } from '../../../server/store/blobs';
import { openDatabase } from '../../../server/store/db';
import { openRepositories } from '../../../server/store/repositories';
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

/**
 * Watches the client sockets this process opens while `run` runs: how many, and the address each
 * one's look-up gave. A socket whose look-up answers is closed there, before it connects (Node
 * checks for that right after the look-up), so a public address is never actually contacted.
 */
async function watchConnections(run: () => Promise<void>): Promise<{ opened: number; lookedUp: string[] }> {
  const seen = { opened: 0, lookedUp: [] as string[] };
  const onSocket = (message: unknown) => {
    const { socket } = message as { socket: Socket };
    seen.opened++;
    socket.once('lookup', (error: Error | null, address: string) => {
      seen.lookedUp.push(error ? `error: ${error.message}` : address);
      socket.destroy();
    });
  };
  diagnostics.subscribe('net.client.socket', onSocket);
  try {
    await run();
  } finally {
    diagnostics.unsubscribe('net.client.socket', onSocket);
  }
  return seen;
}

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
    const options = { maxBytes: 1 << 20, allowPrivate: false, lookup: rebinding.lookup };
    const connections = await watchConnections(async () => {
      // The checked public address is the one the socket's own look-up gives (the socket is stopped there, so the fetch fails).
      await assert.rejects(fetchImage(url, options), (e: unknown) => refusedSource(e) && /Download failed/.test((e as Error).message));
      // The next fetch's one look-up answers loopback: refused before any socket is opened.
      await assert.rejects(fetchImage(url, options), (e: unknown) => refusedSource(e) && /rebind\.test resolves to a private or loopback address \(127\.0\.0\.1\)/.test((e as Error).message));
    });
    assert.deepEqual(connections, { opened: 1, lookedUp: ['203.0.114.7'] });
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

describe('createImagesFromUrls refusing private addresses', () => {
  let canary: Awaited<ReturnType<typeof startCanary>>;
  let store: Store;
  let projectId: string;
  const links: ImageLinks = { original: (hash) => hash, resized: (hash) => hash, thumbnail: (hash) => hash };
  before(async () => {
    canary = await startCanary();
    const folder = mkdtempSync(path.join(os.tmpdir(), 'url-fetching-'));
    const { projectsOf, ...repositories } = openRepositories(openDatabase(path.join(folder, 'service.sqlite')));
    const shared = { ...repositories, blobs: new BlobStore(path.join(folder, 'images')), backbone: 'test' };
    store = serviceStore(shared, projectsOf).forResource(withQuotas([defaultResource([], [])], false)[0]);
    projectId = createProject(store, { name: 'urls' }).id;
  });
  after(() => canary.close());

  const upload = (urls: string[], allowPrivate: boolean) => createImagesFromUrls(store, projectId, { entries: urls.map((url) => ({ url })), tagIds: [] }, links, { allowPrivate });

  it('refuses each IPv6 form embedding loopback by its address, before opening any connection', async () => {
    // ErrorSource alone would not tell a refusal from a failed connection: no socket opened does.
    const urls = Object.values(LOOPBACK_IN_IPV6).map((address) => `http://[${address}]:${canary.port}/image.png`);
    let statuses: string[] = [];
    const connections = await watchConnections(async () => {
      statuses = (await upload(urls, false)).images.map((i) => i.status);
    });
    assert.deepEqual(statuses, urls.map(() => 'ErrorSource'));
    assert.deepEqual(connections, { opened: 0, lookedUp: [] });
    assert.deepEqual(canary.requests, []);
  });

  it('allowed private addresses, connects and stores (the watch above does see connections)', async () => {
    const mapped = `http://[${LOOPBACK_IN_IPV6['IPv4-mapped']}]:${canary.port}/image.png`;
    let statuses: string[] = [];
    const connections = await watchConnections(async () => {
      statuses = (await upload([mapped], true)).images.map((i) => i.status);
    });
    assert.deepEqual(statuses, ['OK']);
    assert.equal(connections.opened, 1);
    assert.deepEqual(canary.requests, ['GET /image.png']);
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

  // Linux routes the IPv4-mapped form to the canary: had the route fetched it, the image would be stored and the canary asked.
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
