import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isRefusedAddress } from '../../../server/net/address-policy';
import { fetchImage, ImageFetchError } from '../../../server/net/fetch-image';

describe('fetchImage', () => {
  let server: http.Server;
  let root: string;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/ok') res.end(Buffer.alloc(1000, 7));
      else if (req.url === '/big') res.end(Buffer.alloc(5000, 1));
      else if (req.url === '/big-chunked') {
        res.write(Buffer.alloc(3000));
        res.end(Buffer.alloc(3000));
      } else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
      else if (req.url === '/to-ok') res.writeHead(301, { location: '/ok' }).end();
      else if (req.url === '/slow') setTimeout(() => res.end('late'), 2000);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const allow = { maxBytes: 4000, allowPrivate: true };
  const reason = (r: 'size' | 'source', pattern: RegExp) => (e: unknown) => e instanceof ImageFetchError && e.reason === r && pattern.test(e.message);

  it('downloads, following a bounded number of redirects', async () => {
    assert.equal((await fetchImage(`${root}/ok`, allow)).length, 1000);
    assert.equal((await fetchImage(`${root}/to-ok`, allow)).length, 1000);
    await assert.rejects(fetchImage(`${root}/loop`, allow), reason('source', /Too many redirects/));
  });

  it('caps the size, whether declared or streamed', async () => {
    await assert.rejects(fetchImage(`${root}/big`, allow), reason('size', /5000 bytes/));
    await assert.rejects(fetchImage(`${root}/big-chunked`, allow), reason('size', /larger than/));
  });

  it('times out, refuses other schemes, bad URLs and error statuses', async () => {
    await assert.rejects(fetchImage(`${root}/slow`, { ...allow, timeoutInMs: 200 }), reason('source', /did not answer/));
    await assert.rejects(fetchImage('file:///etc/passwd', allow), reason('source', /Only http and https/));
    await assert.rejects(fetchImage('not a url', allow), reason('source', /not a valid URL/));
    await assert.rejects(fetchImage(`${root}/missing`, allow), reason('source', /HTTP 404/));
  });

  it('refuses loopback and private destinations unless allowed, by literal address or by name', async () => {
    const strict = { maxBytes: 4000, allowPrivate: false };
    await assert.rejects(fetchImage(`${root}/ok`, strict), reason('source', /private or loopback/));
    await assert.rejects(fetchImage(root.replace('127.0.0.1', 'localhost') + '/ok', strict), reason('source', /private or loopback/));
    await assert.rejects(fetchImage('http://[::1]/x', strict), reason('source', /private or loopback/));
  });

  it('classifies address ranges', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0']) {
      assert.equal(isRefusedAddress(a), true, a);
    }
    for (const a of ['8.8.8.8', '151.101.1.1', '2606:4700::1111']) assert.equal(isRefusedAddress(a), false, a);
  });
});
