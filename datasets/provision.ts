/** `npm run setup`: fetches and verifies the dataset and model listed in datasets/manifest.tsv into .assets/. */
import { setMaxListeners } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assetsDir, mirrorDir } from './env';
import { type ManifestEntry, readManifest } from './manifest';
import { createProgress, mib } from './progress';
import { AssetError, copyFromMirror, download } from './transfer';
import { checkFile, loadState, recordFile, saveState } from './verify';

export { AssetError, type ManifestEntry, readManifest };

export interface ProvisionOptions {
  /** Manifest file or parsed entries; default datasets/manifest.tsv. */
  manifest?: string | ManifestEntry[];
  /** Target folder; default assetsDir() ($CVLAB_ASSETS_DIR or .assets/). */
  target?: string;
  /** Mirror folder; undefined reads $CVLAB_ASSETS_MIRROR, null forces downloads. */
  mirror?: string | null;
  /** Files fetched (and verified) at once; default 6. */
  concurrency?: number;
  /** Show a cli-progress bar; default false. */
  progress?: boolean;
  /** Trust the size/mtime/ctime/inode cache for files already verified; default true. */
  trustCache?: boolean;
  /** Download idle timeout per attempt; default 30 s. */
  timeoutMs?: number;
  /** Download retries after the first attempt; default 3. */
  retries?: number;
  /** First retry back-off; default 1 s, doubled each time. */
  retryDelayMs?: number;
  signal?: AbortSignal;
}

export interface ProvisionReport {
  target: string;
  /** Where missing files came from (or would have). */
  source: 'mirror' | 'download';
  mirror?: string;
  files: number;
  bytes: number;
  /** Files already in place and verified. */
  present: number;
  /** Files whose content was re-hashed (cache misses), present or not. */
  hashed: number;
  /** Manifest paths copied or downloaded this run (missing or repaired). */
  fetched: string[];
  /** Subset of `fetched` that were present with wrong content (removed, then replaced). */
  repaired: string[];
  fetchedBytes: number;
  elapsedMs: number;
}

/** Runs `work` over `items`, `limit` at a time; the first failure aborts the rest and is rethrown. */
async function runPool<T>(items: T[], limit: number, abort: AbortController, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && !abort.signal.aborted && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        // Errors after an abort are its echoes (AbortError); the abort's reason is the story.
        if (!failure) {
          failure = { error: abort.signal.aborted ? abort.signal.reason : error };
          abort.abort(error);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  if (abort.signal.aborted) throw abort.signal.reason;
}

/** Makes every manifest file present and verified in the target folder. Throws AssetError on failure. */
export async function provisionAssets(options: ProvisionOptions = {}): Promise<ProvisionReport> {
  const started = Date.now();
  const entries = Array.isArray(options.manifest) ? options.manifest : readManifest(options.manifest);
  const target = path.resolve(options.target ?? assetsDir());
  const mirror = options.mirror === null ? undefined : options.mirror !== undefined ? path.resolve(options.mirror) : mirrorDir();
  const totalBytes = entries.reduce((sum, e) => sum + e.bytes, 0);
  const report: ProvisionReport = {
    target,
    source: mirror ? 'mirror' : 'download',
    ...(mirror ? { mirror } : {}),
    files: entries.length,
    bytes: totalBytes,
    present: 0,
    hashed: 0,
    fetched: [],
    repaired: [],
    fetchedBytes: 0,
    elapsedMs: 0,
  };
  const state = await loadState(target);
  const stateBefore = JSON.stringify(state);
  const concurrency = Math.max(1, options.concurrency ?? 6);
  const abort = new AbortController();
  // Each in-flight file listens for the abort; more than 10 at once is expected, not a leak.
  setMaxListeners(concurrency * 2 + 10, abort.signal);
  const onOuterAbort = (): void => abort.abort(options.signal?.reason);
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const progress = createProgress(options.progress === true, entries.length, totalBytes);
  const transfer = { signal: abort.signal, onBytes: (n: number) => progress.bytes(n) };

  try {
    await runPool(entries, concurrency, abort, async (entry) => {
      const dest = path.join(target, ...entry.path.split('/'));
      const check = await checkFile(entry, dest, state, options.trustCache !== false);
      if (check.hashed) report.hashed += 1;
      if (check.status === 'ok') {
        report.present += 1;
        progress.bytes(entry.bytes);
      } else {
        // A known-bad file goes at once, so nothing ever reads it while (or if) the fetch fails.
        if (check.status === 'wrong') {
          await fs.promises.rm(dest, { force: true });
          report.repaired.push(entry.path);
        }
        if (mirror) await copyFromMirror(entry, mirror, dest, transfer);
        else {
          await download(entry, dest, {
            ...transfer,
            timeoutMs: options.timeoutMs ?? 30_000,
            retries: options.retries ?? 3,
            retryDelayMs: options.retryDelayMs ?? 1_000,
          });
        }
        await recordFile(entry, dest, state);
        report.fetched.push(entry.path);
        report.fetchedBytes += entry.bytes;
      }
      progress.fileDone();
    });
  } finally {
    progress.stop();
    options.signal?.removeEventListener('abort', onOuterAbort);
    // Keep what was verified even when a later file failed, so a rerun does not re-hash it.
    // The state is only a cache: failing to write it must not mask the real outcome.
    if (JSON.stringify(state) !== stateBefore) await saveState(target, state).catch(() => undefined);
  }
  report.elapsedMs = Date.now() - started;
  return report;
}

/** The one line printed by `npm run setup` when done. */
export function summaryLine(r: ProvisionReport): string {
  const from = r.source === 'mirror' ? `copied from mirror ${r.mirror}` : 'downloaded';
  const repaired = r.repaired.length ? ` (${r.repaired.length} repaired)` : '';
  return (
    `assets: ${r.files} files (${mib(r.bytes)} MiB) verified in ${r.target}: ` +
    `${r.present} already present, ${r.fetched.length} ${from}${repaired} [${(r.elapsedMs / 1000).toFixed(1)}s]`
  );
}

const USAGE = `usage: npm run setup [-- --quiet] [-- --verify]
  --quiet   print one summary line, no progress bar (also the default when stdout is not a terminal)
  --verify  re-hash every file instead of trusting the size/mtime cache
env: CVLAB_ASSETS_DIR (target, default .assets/), CVLAB_ASSETS_MIRROR (copy from this folder instead of downloading)`;

async function main(argv: string[]): Promise<number> {
  const known = new Set(['--quiet', '-q', '--verify', '--help', '-h']);
  const unknown = argv.filter((a) => !known.has(a));
  if (unknown.length || argv.includes('--help') || argv.includes('-h')) {
    (unknown.length ? console.error : console.log)(`${unknown.length ? `setup: unknown option ${unknown.join(' ')}\n` : ''}${USAGE}`);
    return unknown.length ? 2 : 0;
  }
  const quiet = argv.includes('--quiet') || argv.includes('-q');
  const abort = new AbortController();
  // Ctrl-C aborts through the same path as a failure, so temp files are cleaned up before exit.
  const onSignal = (): void => abort.abort(new AssetError(undefined, 'interrupted; rerun `npm run setup` to finish.'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const report = await provisionAssets({
      progress: !quiet && process.stdout.isTTY === true,
      trustCache: !argv.includes('--verify'),
      signal: abort.signal,
    });
    console.log(summaryLine(report));
    return 0;
  } catch (err) {
    console.error(`setup: ${err instanceof AssetError ? err.message : (err as Error).stack ?? String(err)}`);
    return abort.signal.aborted ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
