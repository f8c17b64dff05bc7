/** @module Downloads an image from a URL safely: http(s) only, size cap, timeouts, bounded redirects, no private targets. */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export class ImageFetchError extends Error {
  constructor(
    message: string,
    /** 'size' when the image exceeds the cap, else 'source'. */
    readonly reason: 'size' | 'source',
  ) {
    super(message);
    this.name = 'ImageFetchError';
  }
}

export interface FetchImageOptions {
  maxBytes: number;
  allowPrivate: boolean;
  timeoutInMs?: number;
  maxRedirects?: number;
}

/** Loopback, private, link-local, CGNAT, multicast and unspecified ranges (IPv4 and IPv6). */
const BLOCKED = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(address, prefix, 'ipv4');
// IPv4-mapped IPv6 addresses are unwrapped in isPrivateAddress: a ::ffff:0:0/96 rule here would also match every IPv4 address.
for (const [address, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  BLOCKED.addSubnet(address, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
  if (family === 'ipv6' && address.toLowerCase().startsWith('::ffff:')) {
    const v4 = address.slice(7);
    if (net.isIPv4(v4)) return BLOCKED.check(v4, 'ipv4');
  }
  return BLOCKED.check(address, family);
}

/** Resolves like the default lookup, then refuses private targets; used at connect time, so rebinding cannot slip past. */
function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as dns.LookupAddress[];
      const blocked = list.find((a) => !allowPrivate && isPrivateAddress(a.address));
      if (blocked) {
        return callback(new ImageFetchError(`Refused: ${hostname} resolves to a private or loopback address (${blocked.address}).`, 'source'), '', 4);
      }
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  };
}

function getOnce(url: URL, options: Required<FetchImageOptions>): Promise<{ redirect?: string; bytes?: Buffer }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    if (!options.allowPrivate && net.isIP(url.hostname.replace(/^\[|\]$/g, '')) && isPrivateAddress(url.hostname.replace(/^\[|\]$/g, ''))) {
      reject(new ImageFetchError(`Refused: ${url.hostname} is a private or loopback address.`, 'source'));
      return;
    }
    const request = client.get(url, { lookup: guardedLookup(options.allowPrivate), timeout: options.timeoutInMs, headers: { 'user-agent': 'local-custom-vision' } }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        resolve({ redirect: new URL(response.headers.location, url).toString() });
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(new ImageFetchError(`The URL answered HTTP ${status}.`, 'source'));
        return;
      }
      const declared = Number(response.headers['content-length'] ?? 0);
      if (declared > options.maxBytes) {
        response.destroy();
        reject(new ImageFetchError(`The image is ${declared} bytes; the limit is ${options.maxBytes}.`, 'size'));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > options.maxBytes) {
          response.destroy();
          reject(new ImageFetchError(`The image is larger than the limit of ${options.maxBytes} bytes.`, 'size'));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ bytes: Buffer.concat(chunks) }));
      response.on('error', (error) => reject(new ImageFetchError(`Download failed: ${error.message}`, 'source')));
    });
    request.on('timeout', () => request.destroy(new ImageFetchError(`The URL did not answer within ${options.timeoutInMs} ms.`, 'source')));
    request.on('error', (error) => reject(error instanceof ImageFetchError ? error : new ImageFetchError(`Download failed: ${error.message}`, 'source')));
  });
}

export async function fetchImage(rawUrl: string, options: FetchImageOptions): Promise<Buffer> {
  const settings: Required<FetchImageOptions> = { timeoutInMs: 10_000, maxRedirects: 5, ...options };
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ImageFetchError(`"${rawUrl}" is not a valid URL.`, 'source');
  }
  for (let hop = 0; hop <= settings.maxRedirects; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ImageFetchError(`Only http and https URLs are accepted, not ${url.protocol}`, 'source');
    }
    const result = await getOnce(url, settings);
    if (result.bytes) return result.bytes;
    url = new URL(result.redirect as string);
  }
  throw new ImageFetchError(`Too many redirects (more than ${settings.maxRedirects}).`, 'source');
}
