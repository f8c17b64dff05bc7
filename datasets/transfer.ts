/** Puts one asset in place from a mirror or its URL, verifying size and sha256 before an atomic rename. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ManifestEntry } from './manifest';

/** A provisioning failure with a message meant for people: which file, what went wrong, what to do. */
export class AssetError extends Error {
  constructor(
    /** Manifest path of the file concerned, when there is one. */
    readonly file: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'AssetError';
  }
}

/** Content that arrived whole but does not match the manifest. */
class Mismatch extends Error {
  constructor(readonly bytes: number, readonly sha256: string, readonly tooLong: boolean) {
    super('content does not match the manifest');
  }
}

export interface TransferOptions {
  signal: AbortSignal;
  /** Called with byte counts as data arrives (negative to take back an abandoned attempt). */
  onBytes: (delta: number) => void;
}

export interface DownloadOptions extends TransferOptions {
  /** Give up an attempt when no data arrives for this long. */
  timeoutMs: number;
  /** Extra attempts after the first, for network errors, timeouts and HTTP 408/429/5xx. */
  retries: number;
  /** First back-off delay; doubled on each retry. */
  retryDelayMs: number;
}

function describeExpected(entry: ManifestEntry): string {
  return `${entry.bytes} bytes with sha256 ${entry.sha256}`;
}

function describeGot(m: Mismatch): string {
  return m.tooLong ? `more than the expected bytes` : `${m.bytes} bytes with sha256 ${m.sha256}`;
}

/**
 * Streams `openSource()` into a temp file next to `dest`, hashing as it goes, and renames it over
 * `dest` only if size and sha256 match. The temp file is removed on every other outcome.
 */
async function writeVerified(entry: ManifestEntry, dest: string, openSource: () => Readable, opts: TransferOptions & { onChunk?: () => void }): Promise<void> {
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.part`;
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  let counted = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      opts.onChunk?.();
      // Stop early on oversized content rather than filling the disk with a wrong file.
      if (bytes > entry.bytes) return done(new Mismatch(bytes, '', true));
      hash.update(chunk);
      counted += chunk.length;
      opts.onBytes(chunk.length);
      done(null, chunk);
    },
  });
  // Open the temp file before streaming: a lazily opened stream could create it after an abort's cleanup.
  const handle = await fs.promises.open(tmp, 'wx');
  let renamed = false;
  try {
    // Created only now, with pipeline's listeners attached at once: a stream that errors while
    // nobody listens (an aborted download during the awaits above) would be an uncaught exception.
    await pipeline(openSource(), meter, handle.createWriteStream(), { signal: opts.signal });
    const sha256 = hash.digest('hex');
    if (bytes !== entry.bytes || sha256 !== entry.sha256) throw new Mismatch(bytes, sha256, false);
    await fs.promises.rename(tmp, dest);
    renamed = true;
  } catch (err) {
    opts.onBytes(-counted);
    throw err;
  } finally {
    await handle.close().catch(() => undefined);
    if (!renamed) await fs.promises.rm(tmp, { force: true });
  }
}

/** Copies one file from a local mirror laid out like the manifest paths. */
export async function copyFromMirror(entry: ManifestEntry, mirror: string, dest: string, opts: TransferOptions): Promise<void> {
  const src = path.join(mirror, ...entry.path.split('/'));
  const fix = `Put a good copy there (source: ${entry.sourceUrl}), or unset CVLAB_ASSETS_MIRROR to download it from its source URL.`;
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(src);
  } catch {
    throw new AssetError(entry.path, `${entry.path} is missing from the assets mirror (looked for ${src}). ${fix}`);
  }
  if (!st.isFile() || st.size !== entry.bytes) {
    throw new AssetError(entry.path, `${entry.path} in the assets mirror is corrupt: ${src} has ${st.size} bytes, the manifest expects ${describeExpected(entry)}. ${fix}`);
  }
  try {
    await writeVerified(entry, dest, () => fs.createReadStream(src), opts);
  } catch (err) {
    if (err instanceof Mismatch) {
      throw new AssetError(entry.path, `${entry.path} in the assets mirror fails its checksum: ${src} has ${describeGot(err)}, the manifest expects ${describeExpected(entry)}. ${fix}`);
    }
    throw err;
  }
}

/** A failure worth another attempt (network trouble, timeouts, overloaded servers). */
class Transient extends Error {}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ?? (err as Error).message ?? String(err);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One download attempt; throws Transient for errors worth retrying. */
async function attempt(entry: ManifestEntry, dest: string, opts: DownloadOptions): Promise<void> {
  const ctrl = new AbortController();
  const timedOut = new Transient(`no data for ${Math.round(opts.timeoutMs / 1000)}s (timed out)`);
  const onOuterAbort = (): void => ctrl.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onOuterAbort, { once: true });
  // An idle timer rather than a total one: a slow but live connection may take its time.
  const timer = setTimeout(() => ctrl.abort(timedOut), opts.timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(entry.sourceUrl, { redirect: 'follow', signal: ctrl.signal });
    } catch (err) {
      if (ctrl.signal.aborted) throw ctrl.signal.reason;
      throw new Transient(networkReason(err));
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      const why = `HTTP ${res.status} ${res.statusText}`.trim();
      if (res.status === 408 || res.status === 429 || res.status >= 500) throw new Transient(why);
      throw new Error(why);
    }
    timer.refresh();
    const body = res.body as unknown as WebReadableStream<Uint8Array>;
    try {
      await writeVerified(entry, dest, () => Readable.fromWeb(body), { signal: ctrl.signal, onBytes: opts.onBytes, onChunk: () => timer.refresh() });
    } catch (err) {
      if (err instanceof Mismatch) throw err;
      if (ctrl.signal.aborted) throw ctrl.signal.reason;
      throw new Transient(networkReason(err));
    }
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onOuterAbort);
  }
}

/** Downloads one file from its source_url, with retries and back-off for transient failures. */
export async function download(entry: ManifestEntry, dest: string, opts: DownloadOptions): Promise<void> {
  const attempts = opts.retries + 1;
  for (let n = 1; ; n++) {
    try {
      await attempt(entry, dest, opts);
      return;
    } catch (err) {
      if (opts.signal.aborted) throw opts.signal.reason;
      if (err instanceof Mismatch) {
        throw new AssetError(
          entry.path,
          `${entry.path} downloaded from ${entry.sourceUrl} fails its checksum: got ${describeGot(err)}, the manifest expects ${describeExpected(entry)}. ` +
            `The source or a proxy may have changed it; set CVLAB_ASSETS_MIRROR to a folder holding a verified copy, ` +
            `or update datasets/manifest.tsv if the new content is intended.`,
        );
      }
      if (!(err instanceof Transient) || n >= attempts) {
        const tries = n > 1 ? ` (after ${n} attempts)` : '';
        throw new AssetError(
          entry.path,
          `Could not download ${entry.path} from ${entry.sourceUrl}: ${(err as Error).message}${tries}. ` +
            `Check network access to that URL (proxy, firewall, offline machine), ` +
            `or set CVLAB_ASSETS_MIRROR to a folder holding the files at their manifest paths (e.g. ../shared/assets).`,
        );
      }
      await sleep(opts.retryDelayMs * 2 ** (n - 1), opts.signal);
    }
  }
}
