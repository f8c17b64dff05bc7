/** Checks provisioned files against the manifest, remembering good results in a small state file. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ManifestEntry } from './manifest';

/** Kept in the target folder; deleting it only costs one full re-hash. */
export const STATE_FILE = '.provision-state.json';

// A file's identity when it was last hashed. ctime and inode are in it because they cannot be
// set back by hand (unlike mtime), so an edited or replaced file always misses the cache.
interface Stamp {
  sha256: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** Manifest path -> stamp of the last verified copy. */
export type State = Record<string, Stamp>;

function stampOf(st: fs.Stats, sha256: string): Stamp {
  return { sha256, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return a.sha256 === b.sha256 && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** Loads the state file; a missing or unreadable one is just an empty cache. */
export async function loadState(target: string): Promise<State> {
  try {
    const data: unknown = JSON.parse(await fs.promises.readFile(path.join(target, STATE_FILE), 'utf8'));
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as State) : {};
  } catch {
    return {};
  }
}

/** Writes the state file atomically so a crash never leaves it half-written. */
export async function saveState(target: string, state: State): Promise<void> {
  await fs.promises.mkdir(target, { recursive: true });
  const file = path.join(target, STATE_FILE);
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.part`;
  try {
    await fs.promises.writeFile(tmp, JSON.stringify(state));
    await fs.promises.rename(tmp, file);
  } finally {
    await fs.promises.rm(tmp, { force: true });
  }
}

/** sha256 (hex) of a file's content. */
export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface CheckResult {
  status: 'ok' | 'missing' | 'wrong';
  /** True when the content was read and hashed (a cache miss). */
  hashed: boolean;
}

/**
 * Verifies one target file, updating `state` in place. A cached stamp is trusted only when
 * size, mtime, ctime and inode all still match; otherwise the file is re-hashed.
 */
export async function checkFile(entry: ManifestEntry, dest: string, state: State, trustCache: boolean): Promise<CheckResult> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      delete state[entry.path];
      return { status: 'missing', hashed: false };
    }
    throw err;
  }
  if (!st.isFile() || st.size !== entry.bytes) {
    delete state[entry.path];
    return { status: 'wrong', hashed: false };
  }
  const cached = state[entry.path];
  if (trustCache && cached && sameStamp(cached, stampOf(st, entry.sha256))) return { status: 'ok', hashed: false };
  const sha256 = await sha256File(dest);
  if (sha256 !== entry.sha256) {
    delete state[entry.path];
    return { status: 'wrong', hashed: true };
  }
  // Re-stat after hashing so a write that raced the hash cannot be stamped as good.
  const after = await fs.promises.stat(dest);
  if (after.mtimeMs === st.mtimeMs && after.size === st.size && after.ino === st.ino) state[entry.path] = stampOf(after, sha256);
  return { status: 'ok', hashed: true };
}

/** Records a freshly written, already verified file in the state. */
export async function recordFile(entry: ManifestEntry, dest: string, state: State): Promise<void> {
  state[entry.path] = stampOf(await fs.promises.stat(dest), entry.sha256);
}
