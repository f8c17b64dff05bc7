/** @module Downloads an image from a URL safely: http(s) only, size cap, timeouts, bounded redirects, no private targets. */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { isRefusedAddress } from './address-policy';

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

/** Resolves a host name to all of its addresses (dns.lookup by default; tests pass their own). */
export type Resolver = (hostname: string) => Promise<dns.LookupAddress[]>;

export interface FetchImageOptions {
  maxBytes: number;
  allowPrivate: boolean;
  timeoutInMs?: number;
  maxRedirects?: number;
  lookup?: Resolver;
}

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/**
 * The one address a request goes to: an IP literal as given, a name resolved once. Every
 * address the name has must pass the check, so none of them is reached by a retry.
 */
async function checkedAddress(url: URL, options: Required<FetchImageOptions>): Promise<dns.LookupAddress> {
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  const family = net.isIP(literal);
  const addresses = family ? [{ address: literal, family }] : await options.lookup(url.hostname).catch((error: Error) => {
    throw new ImageFetchError(`Could not resolve ${url.hostname}: ${error.message}`, 'source');
  });
  if (addresses.length === 0) throw new ImageFetchError(`${url.hostname} has no address.`, 'source');
  const refused = options.allowPrivate ? undefined : addresses.find((a) => isRefusedAddress(a.address));
  if (refused) {
    const what = family ? `${url.hostname} is` : `${url.hostname} resolves to`;
    throw new ImageFetchError(`Refused: ${what} a private or loopback address (${refused.address}); only public addresses are fetched.`, 'source');
  }
  return addresses[0];
}

/** A lookup that answers the checked address whatever it is asked: the connection goes where the check looked. */
function pinnedLookup({ address, family }: dns.LookupAddress): net.LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [{ address, family }]);
    return callback(null, address, family);
  };
}

/** Where a redirect points; a Location that is not a URL is the source's fault, never an exception out of an event handler. */
function redirectTarget(location: string, from: URL): URL {
  try {
    return new URL(location, from);
  } catch {
    throw new ImageFetchError(`The URL redirected to "${location.slice(0, 200)}", which is not a valid URL.`, 'source');
  }
}

const asFetchError = (error: unknown): ImageFetchError =>
  error instanceof ImageFetchError ? error : new ImageFetchError(`Download failed: ${error instanceof Error ? error.message : String(error)}`, 'source');

async function getOnce(url: URL, options: Required<FetchImageOptions>): Promise<{ redirect?: URL; bytes?: Buffer }> {
  const target = await checkedAddress(url, options);
  return new Promise((resolve, reject) => {
    let request: http.ClientRequest | undefined;
    const fail = (error: unknown) => {
      request?.destroy();
      reject(asFetchError(error));
    };
    /** An event handler whose throw rejects this fetch: thrown out of an emitter, it would end the whole service. */
    const guarded =
      <A extends unknown[]>(handler: (...args: A) => void) =>
      (...args: A) => {
        try {
          handler(...args);
        } catch (error) {
          fail(error);
        }
      };
    const client = url.protocol === 'https:' ? https : http;
    const onResponse = (response: http.IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        resolve({ redirect: redirectTarget(response.headers.location, url) });
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
      response.on(
        'data',
        guarded((chunk: Buffer) => {
          received += chunk.length;
          if (received > options.maxBytes) {
            response.destroy();
            reject(new ImageFetchError(`The image is larger than the limit of ${options.maxBytes} bytes.`, 'size'));
            return;
          }
          chunks.push(chunk);
        }),
      );
      response.on('end', guarded(() => resolve({ bytes: Buffer.concat(chunks) })));
      response.on('error', fail);
    };
    try {
      // No shared agent: a pooled socket could have been opened to another address. The Host header and TLS name stay the URL's.
      request = client.get(url, { lookup: pinnedLookup(target), agent: false, timeout: options.timeoutInMs, headers: { 'user-agent': 'local-custom-vision' } }, guarded(onResponse));
    } catch (error) {
      fail(error);
      return;
    }
    request.on('timeout', () => request?.destroy(new ImageFetchError(`The URL did not answer within ${options.timeoutInMs} ms.`, 'source')));
    request.on('error', fail);
  });
}

/** Fetches the image; every hop (the URL and each redirect) is resolved once, checked, and connected to at the checked address. */
export async function fetchImage(rawUrl: string, options: FetchImageOptions): Promise<Buffer> {
  const settings: Required<FetchImageOptions> = { timeoutInMs: 10_000, maxRedirects: 5, lookup: systemResolver, ...options };
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
    url = result.redirect as URL;
  }
  throw new ImageFetchError(`Too many redirects (more than ${settings.maxRedirects}).`, 'source');
}
